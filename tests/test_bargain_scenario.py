"""`detente bargain SCENARIO.yaml`: the bargaining models on a scenario's own table, one issue at a time."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np

from conftest import BASELINE, ROOT, write_variant
from detente.bargaining.ktab_input import BargainingProblem
from detente.bargaining.scenario_table import bargain_scenario, issue_problems
from detente.bargaining.smp import run_smp


def cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "detente.cli", "bargain", *args], capture_output=True, text=True,
                          cwd=ROOT, env={"PYTHONPATH": str(ROOT / "src"), "PATH": "/usr/bin:/bin"})


def test_baseline_json_names_every_issue_and_actor():
    out = cli(str(BASELINE), "--json")
    assert out.returncode == 0, out.stderr
    found = json.loads(out.stdout)
    assert isinstance(found["rounds"], int) and found["rounds"] >= 1
    assert "line_of_control" in found["dimensions"]
    assert set(found["final_positions"]) == {"russia", "ukraine", "united_states", "europe"}
    # Europe has no position on the Black Sea: it sits that issue out
    assert "black_sea_ceasefire" not in found["final_positions"]["europe"]
    assert found["initial_positions"]["russia"]["line_of_control"] == 1.0


def test_each_issue_is_ktab_smp_on_capability_times_salience(baseline):
    """The line of control bargained alone is exactly KTAB's SMP on the same one-dimensional problem."""
    issue = baseline.scenario.table.issues["line_of_control"]
    actors = list(issue.positions)
    weights = [issue.positions[a].capability.value * issue.positions[a].salience.value for a in actors]
    ideals = np.array([[issue.positions[a].ideal.value] for a in actors])
    by_hand = BargainingProblem.from_arrays(weights, ideals, np.ones((len(actors), 1)), actors=actors,
                                            dimensions=["line_of_control"], scale=issue.range)
    expected = run_smp(by_hand).final_positions[:, 0]
    found = bargain_scenario(BASELINE).results["line_of_control"]
    assert np.allclose(found.final_positions[:, 0], expected)
    assert found.rounds >= 1
    # positions come back in the issue's own units (range 0–1.5), not KTAB's 0–100
    assert 0.0 <= found.final_positions.min() and found.final_positions.max() <= 1.5


def test_bdm_selectable_and_a_scenario_without_table_refused(tmp_path):
    assert cli(str(BASELINE), "--model", "bdm", "--json").returncode == 0
    bare = write_variant(tmp_path, "extends: {baseline}\nname: bare\ntable: null\n")
    out = cli(str(bare))
    assert out.returncode != 0 and "has no bargaining table" in out.stderr and "Traceback" not in out.stderr


def test_leader_positions_override_issue_ideals(tmp_path):
    path = write_variant(tmp_path, "extends: {baseline}\nname: v\nactors:\n  ukraine:\n    leader:\n"
                                   "      positions: {line_of_control: 0.5}\n")
    from detente.scenario.loader import load_scenario

    problems = issue_problems(load_scenario(path).scenario)
    pr = problems["line_of_control"]
    assert pr.to_scale(pr.positions)[pr.actors.index("ukraine"), 0] == 0.5
