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
        assert {k: stats[k] for k in ("mean", "p10", "p50", "p90")} == {"mean": 0.0, "p10": 0.0, "p50": 0.0,
                                                                        "p90": 0.0}, metric
        if stats["kind"] == "probability":
            assert stats["difference_interval"] == [0.0, 0.0], metric
    json.dumps(result)


def test_yes_no_outcomes_are_compared_as_probabilities(tmp_path: Path) -> None:
    """A variant that makes the war costlier for Russia moves ceasefire probabilities; compare reports each
    variant's share of runs, the paired difference and a 90% interval around it, and the table shows percents."""
    from rich.console import Console

    from detente.cli.commands_decide import comparison_table

    base = tmp_path / "base.yaml"
    base.write_text(f"schema_version: 1\nextends: {SCENARIOS / 'baseline.yaml'}\nname: base\nhorizon_weeks: 40\n")
    costly = tmp_path / "costly.yaml"
    costly.write_text(f"schema_version: 1\nextends: {SCENARIOS / 'baseline.yaml'}\nname: costly\nhorizon_weeks: 40\n"
                      "set: {table.party_setup.russia.cost_of_war: 0.25}\n")
    comparison = compare([base, costly], runs=300, seed=1)
    payload = comparison.to_json()
    variant = payload["variants"][0]
    moved = 0
    for metric, d in variant["difference"].items():
        if d["kind"] != "probability":
            continue
        pa, pb = comparison.baseline.metrics[metric].mean(), comparison.variants[0].metrics[metric].mean()
        assert d["probability"] == {"baseline": pytest.approx(pa), "variant": pytest.approx(pb)}
        assert payload["baseline"]["metrics"][metric]["probability"] == pytest.approx(pa)
        lo, hi = d["difference_interval"]
        assert lo <= d["mean"] <= hi and d["mean"] == pytest.approx(pb - pa)
        if pa != pb:
            moved += 1
            assert lo < hi
    assert moved, "the costlier war changed no yes/no outcome"
    assert variant["difference"]["area_gained_km2"]["kind"] == "quantity"
    console = Console(width=160, record=True)
    console.print(comparison_table(payload["baseline"], variant, 300, 1))
    rows = [line for line in console.export_text().splitlines() if "ceasefire_agreed/" in line]
    assert rows and all("%" in line and " pp " in line for line in rows)


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
