"""A hindsight scenario is its forecast with realised inputs and nothing else changed (docs/calibration.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from detente.ensemble.schedule import compile_inputs
from detente.scenario.loader import load_scenario
from detente.world.model import compile_model

ROOT = Path(__file__).resolve().parents[1]
SAME = {"inputs", "name", "title", "description", "references", "variant_of"}


def _inputs(name: str):  # noqa: ANN202
    loaded = load_scenario(ROOT / "scenarios" / name)
    model = compile_model(loaded.scenario)
    return loaded.scenario, model, {(i.kind, i.column): i for i in compile_inputs(loaded.scenario, model)}


@pytest.mark.parametrize("forecast, kursk_week", [("2024", 32), ("2024h2", 6)])
def test_hindsight_differs_from_its_forecast_only_in_its_inputs(forecast, kursk_week):
    told, _, _ = _inputs(f"forecast-{forecast}.yaml")
    hindsight, model, inputs = _inputs(f"hindsight-{forecast}.yaml")
    assert hindsight.model_dump(exclude=SAME) == told.model_dump(exclude=SAME)  # start, state, posterior, …
    europe = inputs[("aid", model.backer_ids.index("europe"))]
    assert europe.steps == () and (europe.series > 0).all()  # the record's months, not the assumed level
    kursk = inputs[("control", model.region_ids.index("kursk"))]
    assert kursk.steps[0][0] == kursk_week and kursk.steps[0][1] < 1.0  # the first week after 6 August 2024


def test_hindsight_2024_has_the_supplemental_in_every_run():
    _, model, inputs = _inputs("hindsight-2024.yaml")
    us = inputs[("aid", model.backer_ids.index("united_states"))]
    assert [(week, value, p) for week, value, p, _ in us.steps] == [(0, 0.15, 1.0), (17, 1.0, 1.0)]  # 24 April
