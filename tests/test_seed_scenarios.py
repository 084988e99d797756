"""Every seed scenario (a file under scenarios/ naming a seed text) validates its quotes and runs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SEEDS = ROOT.parent / "shared" / "seeds"  # not redistributed (docs/seeds.md); the quotes are checked where present
SEED_NAME = re.compile(r"00\d_[0-9a-f]{16}")
FILES = sorted(p for p in (ROOT / "scenarios").glob("*.yaml") if SEED_NAME.search(p.read_text(encoding="utf-8")))


def test_there_are_seed_scenarios() -> None:
    names = {p.stem for p in FILES}
    for expected in ("seed000-odesa-transnistria", "seed000-counter-moves", "seed001-slow-attrition",
                     "seed001-trade-space", "seed002-four-regions", "seed002-expansion-escalate",
                     "seed002-expansion-bluff", "seed002-commitment-problem", "seed002-middle-path"):
        assert expected in names


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.stem)
def test_seed_scenario_validates_and_runs(path: Path) -> None:
    from detente.ensemble.runner import simulate
    from detente.scenario.provenance import provenance_report

    if SEEDS.is_dir():
        report = provenance_report(path, SEEDS)
        assert report["quotes"]["found"] > 0
    result = simulate(path, runs=100, seed=1)
    assert result.metrics["area_gained_km2"].shape == (100,)
    if "escalation_peak" in result.metrics:
        assert (result.metrics["escalation_peak"] >= result.metrics["escalation_mean"]).all()
