"""`detente claims`: verdicts from intervals, the claims schema, and the command's JSON on a real variant."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest

from conftest import BASELINE, ROOT, SCENARIOS, write_variant
from detente.analysis.claims import bootstrap_means, judge, judge_claims
from detente.errors import InputError
from detente.scenario.loader import load_scenario

CLAIM = ('claims:\n  premises:\n    - {{claim: "{p}", metric: {pm}, direction: {pd}, source: "test"}}\n'
         '  conclusion:\n    - {{claim: "{c}", metric: {cm}, direction: {cd}, source: "test"}}\n')


@pytest.mark.parametrize("kind,direction,size,against,lo,hi,expected", [
    ("premise", "higher", None, "parent", 0.1, 0.5, "holds"),
    ("premise", "higher", 0.2, "parent", 0.1, 0.5, "broken"),          # not beyond its size
    ("premise", "lower", None, "parent", -0.5, 0.1, "broken"),
    ("premise", "no_higher", None, "parent", 0.0, 0.0, "holds"),        # a variant that leaves it alone
    ("premise", "no_higher", None, "parent", -0.2, 0.01, "broken"),
    ("premise", "no_lower", None, "parent", -0.01, 0.3, "broken"),
    ("premise", "lower", 0.5, "level", 0.1, 0.4, "holds"),              # a level: the interval below 0.5
    ("conclusion", "higher", None, "parent", 0.1, 0.5, "supported"),
    ("conclusion", "higher", None, "parent", -0.5, -0.1, "contradicted"),
    ("conclusion", "higher", None, "parent", -0.1, 0.1, "inconclusive"),
    ("conclusion", "lower", 0.3, "parent", -0.2, -0.1, "inconclusive"),  # right way, not beyond its size
    ("conclusion", "higher", 0.5, "level", 0.2, 0.4, "contradicted"),
    ("conclusion", "higher", None, "parent", 0.0, 0.0, "contradicted"),  # never moved in any run
    ("conclusion", "higher", 0.5, "level", 0.5, 0.5, "contradicted"),
])
def test_verdicts_follow_the_interval(kind, direction, size, against, lo, hi, expected):
    assert judge(kind, direction, size, against, lo, hi) == expected


def test_bootstrap_interval_brackets_the_mean_and_shrinks_with_runs():
    rng = np.random.default_rng(0)
    small, large = rng.normal(1.0, 1.0, 100), rng.normal(1.0, 1.0, 10_000)
    m1, lo1, hi1 = bootstrap_means(small, rng.integers(0, 100, (500, 100)))
    m2, lo2, hi2 = bootstrap_means(large, rng.integers(0, 10_000, (500, 10_000)))
    assert lo1 < m1 < hi1 and lo2 < m2 < hi2
    assert hi2 - lo2 < (hi1 - lo1) / 5          # ~ 1/sqrt(n): ten times narrower
    assert abs((hi2 - lo2) - 2 * 1.645 / 100) < 0.01


def test_claims_schema_names_file_line_and_field(tmp_path):
    bad = write_variant(tmp_path, "schema_version: 1\nextends: {baseline}\nname: v\n" + CLAIM.format(
        p="something", pm="area_gained_km2", pd="sideways", c="another thing", cm="area_gained_km2", cd="higher"))
    with pytest.raises(InputError) as caught:
        load_scenario(bad)
    text = caught.value.render()
    assert "variant.yaml:6" in text and "claims.premises.0.direction" in text
    unknown = write_variant(tmp_path, "schema_version: 1\nextends: {baseline}\nname: v\n" + CLAIM.format(
        p="something", pm="area_gainned_km2", pd="higher", c="another thing", cm="area_gained_km2", cd="higher"), "u.yaml")
    with pytest.raises(InputError, match="not declared in the registry"):
        load_scenario(unknown)
    no_way = write_variant(tmp_path, "schema_version: 1\nextends: {baseline}\nname: v\n" + CLAIM.format(
        p="something", pm="area_gained_km2", pd="higher", c="another thing", cm="area_gained_km2", cd="no_higher"), "w.yaml")
    with pytest.raises(InputError, match="conclusion"):
        load_scenario(no_way)


def test_claims_are_not_inherited(tmp_path):
    child = write_variant(tmp_path, f"schema_version: 1\nextends: {SCENARIOS / 'seed002-expansion-bluff.yaml'}\n"
                                    "name: child\n")
    assert load_scenario(SCENARIOS / "seed002-expansion-bluff.yaml").scenario.claims is not None
    assert load_scenario(child).scenario.claims is None


def test_a_variant_identical_to_its_parent_leaves_every_difference_at_zero(tmp_path):
    same = write_variant(tmp_path, "schema_version: 1\nextends: {baseline}\nname: same\n" + CLAIM.format(
        p="nothing changes", pm="area_gained_km2", pd="no_higher", c="Russia gains more", cm="area_gained_km2",
        cd="higher"))
    report = judge_claims([same], runs=64, seed=1, decide=False)
    premise, conclusion = report.verdicts
    assert (premise.mean, premise.p05, premise.p95) == (0.0, 0.0, 0.0) and premise.verdict == "holds"
    assert conclusion.verdict == "contradicted"   # provably unmoved


def test_cli_json_judges_a_seed_and_skips_files_without_claims():
    out = subprocess.run([sys.executable, "-m", "detente.cli", "claims", str(SCENARIOS / "seed002-expansion-bluff.yaml"),
                          str(BASELINE), "--runs", "64", "--seed", "2", "--json", "--no-screen"],
                         capture_output=True, text=True, cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src"),
                                                                          "PATH": "/usr/bin:/bin"})
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert found["skipped"] == ["baseline"]
    kinds = {c["kind"] for c in found["claims"]}
    assert kinds == {"premise", "conclusion"}
    for c in found["claims"]:
        assert set(c) >= {"scenario", "claim", "kind", "metric", "direction", "difference", "verdict", "decided_by"}
        assert c["difference"]["p05"] <= c["difference"]["mean"] <= c["difference"]["p95"]
