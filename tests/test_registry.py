"""The metric registry: every metric a run produces is declared once, and readers resolve names through it."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from tests.conftest import ROOT, SCENARIOS, write_variant
from detente.ensemble import registry


@pytest.fixture(scope="module")
def short_baseline(tmp_path_factory):
    from detente.ensemble.runner import simulate

    path = write_variant(tmp_path_factory.mktemp("reg"), "schema_version: 1\nextends: {baseline}\nhorizon_weeks: 30\n")
    return simulate(path, runs=40, seed=3)


def test_every_metric_and_series_of_a_run_is_declared(short_baseline):
    metrics, weekly = set(short_baseline.metrics), set(short_baseline.weekly)
    assert not [m for m in metrics if registry.find(m) is None]
    assert not [s for s in weekly if registry.find(s) is None]
    for name in metrics:
        assert "horizon" in registry.lookup(name).recorded, name
    for name in weekly:
        assert "weekly" in registry.lookup(name).recorded, name
    # the three sections are all there, and every yes/no outcome is 0 or 1 per run
    assert {registry.section(m) for m in metrics} == set(registry.SECTIONS)
    for name in metrics:
        if registry.is_probability(name):
            assert set(short_baseline.metrics[name].tolist()) <= {0.0, 1.0}, name


def test_bare_war_metrics_are_declared():
    from detente.ensemble.runner import simulate

    result = simulate(SCENARIOS / "baseline-war-only.yaml", runs=5, seed=1)
    assert all(registry.find(m) for m in [*result.metrics, *result.weekly])


def test_lookup_resolves_families_and_fills_titles():
    assert registry.lookup("area_gained_km2/kharkiv").name == "area_gained_km2/<region>"
    assert registry.lookup("area_gained_km2").name == "area_gained_km2"  # the exact name, not the family
    assert registry.title("area_gained_km2/kharkiv") == "area gained by Russia in kharkiv"
    assert registry.lookup("ceasefire_agreed_by_q3/whole_front").kind == "probability"
    assert registry.lookup("ceasefire_agreed/whole_front").name == "ceasefire_agreed/<scope>"
    assert registry.lookup("option_share/russia/expand_north").unit == "share of weeks"
    from detente.calibration.observation import observed_metric

    assert registry.lookup(observed_metric("area_russian_km2", 12)).name == "observed:<series>@<week>"
    assert registry.members(["ceasefire_agreed_by_q2/black_sea", "ceasefire_agreed/black_sea"],
                            "ceasefire_agreed_by_q<quarter>/<scope>") == {
        "ceasefire_agreed_by_q2/black_sea": {"quarter": "2", "scope": "black_sea"}}
    with pytest.raises(registry.UnknownMetric, match="not declared"):
        registry.lookup("area_gained_km2/kharkiv/extra")  # a placeholder never spans a '/'


def test_declarations_are_complete_and_unique():
    names = [m.name for m in registry.METRICS]
    assert len(names) == len(set(names))
    for m in registry.METRICS:
        assert m.kind in registry.KINDS and m.section in registry.SECTIONS
        assert m.unit and m.description


def test_metrics_command_prints_the_registry():
    env_path = str(ROOT / "src")
    done = subprocess.run([sys.executable, "-m", "detente.cli", "metrics", "--json"], capture_output=True, text=True,
                          env={"PYTHONPATH": env_path, "PATH": "/usr/bin:/bin"}, timeout=120, check=True)
    items = json.loads(done.stdout)["metrics"]
    assert len(items) == len(registry.METRICS)
    assert all({"name", "kind", "unit", "section", "description"} <= set(i) for i in items)
