"""A truce one side declares alone: its consent is all it needs; the other side observes it or not."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import write_variant
from detente.dynamics.scopes import ENERGY, FRONT
from detente.ensemble.controllers import default_controllers
from detente.ensemble.runner import run_block
from detente.scenario.loader import load_scenario
from detente.table.unilateral import truce_hours, week_share
from detente.world.model import compile_model

VARIANT = """extends: {baseline}
name: unilateral
horizon_weeks: 8
set:
  table.mediation.sessions_per_week: 0.0   # no session: nothing can be agreed at the table
  table.party_setup.ukraine.ratification_threshold: 0.0   # and Kyiv would ratify nothing anyway
  table.unilateral_truces:
    christmas: {side: russia, scope: whole_front, weeks: [3], hours: 336, declare: 1.0, observed: OBSERVED}
    easter: {side: russia, scope: energy_strikes, weeks: [6], hours: 36, declare: DECLARE, observed: 1.0}
"""


class Probe:
    """Records the truces the war is given each week (after every other controller)."""

    name = "probe"

    def __init__(self) -> None:
        self.truce: list[np.ndarray] = []

    def start(self, model, state, context):  # noqa: ANN001, ANN201
        return state

    def act(self, state, context):  # noqa: ANN001, ANN201
        self.truce.append(state.truce.copy())
        return state

    def observe(self, state, report) -> None:  # noqa: ANN001
        return None

    def metrics(self) -> dict:
        return {}

    def weekly(self) -> dict:
        return {}


def run(tmp_path, observed: float, declare: float = 1.0):  # noqa: ANN001, ANN201
    text = VARIANT.replace("OBSERVED", str(observed)).replace("DECLARE", str(declare))
    scenario = load_scenario(write_variant(tmp_path, text, f"u{observed}-{declare}.yaml")).scenario
    probe = Probe()
    out = run_block(compile_model(scenario), seed=3, block=0, runs=16,
                    controllers=[*default_controllers(scenario), lambda m: probe])
    return out.metrics, np.stack(probe.truce)  # (weeks, runs, scopes)


def test_a_unilateral_truce_needs_one_sides_consent_only(tmp_path):
    metrics, truce = run(tmp_path, observed=1.0)
    assert metrics["ceasefire_agreed/whole_front"].sum() == 0      # nothing was agreed at the table
    assert (metrics["unilateral_declared/christmas"] == 1).all()   # Russia declared it, on its own
    # observed, two weeks of truce stop the whole front in weeks 3 and 4, and only then
    assert (truce[2:4, :, FRONT] == 1.0).all() and (truce[[0, 1, 4, 5, 6, 7], :, FRONT] == 0.0).all()
    assert metrics["truce_days/unilateral/whole_front"] == pytest.approx(np.full(16, 14.0))


def test_declared_but_not_observed_changes_nothing_in_the_war(tmp_path):
    metrics, truce = run(tmp_path, observed=0.0)
    assert (metrics["unilateral_declared/christmas"] == 1).all()   # declared, as in January 2023 ...
    assert (truce[:, :, FRONT] == 0.0).all()                        # ... and the front fought on
    assert (metrics["truce_days/unilateral/whole_front"] == 0).all()


def test_hours_within_a_week_are_written_as_its_share_and_a_side_may_not_declare(tmp_path):
    metrics, truce = run(tmp_path, observed=1.0)
    assert metrics["truce_days/unilateral/energy_strikes"] == pytest.approx(np.full(16, 1.5))  # 36 hours
    assert truce[5, :, ENERGY] == pytest.approx(np.full(16, 36 / 168))  # 36 of the week's 168 hours
    assert (truce[[4, 6], :, ENERGY] == 0.0).all()                       # and only in the week declared
    quiet, _ = run(tmp_path, observed=1.0, declare=0.0)
    assert (quiet["unilateral_declared/easter"] == 0).all()
    assert (quiet["truce_days/unilateral/energy_strikes"] == 0).all()


def test_truce_hours():
    held, weeks = truce_hours(np.array([True, True, False]), np.array([True, False, True]), 400.0)
    assert held.tolist() == [400.0, 0.0, 0.0] and weeks.tolist() == [2, 0, 0]


def test_week_share_runs_down_a_truce_of_hours():
    left, shares = np.array([200.0, 36.0, 336.0]), []
    for _ in range(3):
        shares.append(week_share(left))
        left = np.maximum(left - 168.0, 0.0)
    assert np.array(shares) == pytest.approx(np.array([[1.0, 36 / 168, 1.0], [32 / 168, 0.0, 1.0], [0.0, 0.0, 0.0]]))
