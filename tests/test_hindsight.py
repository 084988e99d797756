"""hindsight-2024 is forecast-2024 with 2024's realised inputs and nothing else changed (docs/calibration.md)."""

from __future__ import annotations

from pathlib import Path

from detente.ensemble.schedule import compile_inputs
from detente.scenario.loader import load_scenario
from detente.world.model import compile_model

ROOT = Path(__file__).resolve().parents[1]


def _inputs(name: str):  # noqa: ANN202
    loaded = load_scenario(ROOT / "scenarios" / name)
    model = compile_model(loaded.scenario)
    return loaded.scenario, model, {(i.kind, i.column): i for i in compile_inputs(loaded.scenario, model)}


def test_hindsight_differs_from_the_forecast_only_in_its_inputs():
    forecast, forecast_model, _ = _inputs("forecast-2024.yaml")
    hindsight, model, inputs = _inputs("hindsight-2024.yaml")
    assert (hindsight.start, hindsight.horizon_weeks, hindsight.posterior) == \
        (forecast.start, forecast.horizon_weeks, forecast.posterior)
    assert hindsight.model_dump(exclude={"inputs", "name", "title", "description", "references", "variant_of"}) == \
        forecast.model_dump(exclude={"inputs", "name", "title", "description", "references", "variant_of"})
    europe = inputs[("aid", model.backer_ids.index("europe"))]
    assert europe.steps == () and (europe.series > 0).all()  # the record's months, not the assumed 0.89 level
    us = inputs[("aid", model.backer_ids.index("united_states"))]
    assert [(week, value, p) for week, value, p, _ in us.steps] == [(0, 0.15, 1.0), (17, 1.0, 1.0)]  # the first week starting after 24 April
    kursk = inputs[("control", model.region_ids.index("kursk"))]
    assert kursk.steps[0][0] == 32 and kursk.steps[0][1] < 1.0  # the first week starting after 6 August 2024
