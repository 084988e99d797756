"""Comparison on common random numbers: a scenario against itself differs by exactly zero."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from detente.analysis.compare import IncomparableScenarios, compare

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


def short(tmp_path: Path, name: str, extra: str = "") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"schema_version: 1\nextends: {SCENARIOS / 'seed002-expansion-bluff.yaml'}\nname: {name}\n"
                    f"set: {{horizon_weeks: 30}}\n{extra}", encoding="utf-8")
    return path


def test_scenario_against_itself_is_exactly_zero(tmp_path: Path) -> None:
    path = short(tmp_path, "same")
    result = compare([path, path], runs=60, seed=3).to_json()
    differences = result["variants"][0]["difference"]
    assert "escalation_peak" in differences and "area_gained_km2" in differences
    for metric, stats in differences.items():
        assert stats == {"mean": 0.0, "p10": 0.0, "p50": 0.0, "p90": 0.0}, metric
    json.dumps(result)


def test_difference_is_paired(tmp_path: Path) -> None:
    a = short(tmp_path, "a")
    b = short(tmp_path, "b", "decisions:\n  actors:\n    russia:\n      policy: script\n"
                             "      script: {0: limited_campaign}\n")
    comparison = compare([a, b], runs=40, seed=2)
    diff = comparison.differences(comparison.variants[0])["escalation_mean"]
    base, other = comparison.baseline.metrics["escalation_mean"], comparison.variants[0].metrics["escalation_mean"]
    assert (diff == other - base).all() and (diff < 0).any()


def test_regions_that_differ_are_refused(tmp_path: Path) -> None:
    a = short(tmp_path, "a")
    b = short(tmp_path, "b", "regions:\n  crimea: {contestable: false}\n")
    with pytest.raises(IncomparableScenarios, match="crimea"):
        compare([a, b], runs=10, seed=1)
