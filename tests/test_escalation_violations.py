"""Violations of a truce in the measured escalation score: a breach the table marks, not a truce level under 1.

The escalation score counts one "targeted attack" for each scope whose agreement in force a side broke in the
week (`WarState.truce_violated`, written by the table) and that was not stopped the whole week. A truce held
for part of a week (a holiday truce of hours, `table.unilateral`) writes its share of the week into
`WarState.truce` and is no violation.
"""

from __future__ import annotations

import numpy as np

from conftest import SCENARIOS, write_variant
from detente.decisions import escalation
from detente.dynamics.scopes import ENERGY, SCOPES
from detente.ensemble.controllers import default_controllers
from detente.ensemble.runner import run_block
from detente.scenario.loader import load_scenario
from detente.table.agreements import scopes_violated
from detente.world.model import compile_model


class Views:
    """Keeps, each week, the state as the engine is given it (after every controller) and as it leaves it."""

    name = "views"

    def __init__(self) -> None:
        self.before: list[escalation.WeekView] = []
        self.after: list[escalation.WeekView] = []

    def start(self, model, state, context):  # noqa: ANN001, ANN201
        self.scale = escalation.MeasuredScale(repair=np.asarray(model.sides["energy_repair_per_week"], float),
                                              home=np.asarray(model.home, bool))
        return state

    def act(self, state, context):  # noqa: ANN001, ANN201
        self.before.append(escalation.WeekView.of(state))
        return state

    def observe(self, state, report) -> None:  # noqa: ANN001
        self.after.append(escalation.WeekView.of(state))

    def metrics(self) -> dict:
        return {}

    def weekly(self) -> dict:
        return {}

    def violations(self) -> np.ndarray:
        """(weeks, runs): the score's violation points, week by week."""
        zero = np.zeros(self.before[0].control.shape[0])
        return np.stack([escalation.measured_week(b, a, zero, zero, self.scale)["truce_violations"]
                         for b, a in zip(self.before, self.after)])


def _run(path, runs: int = 16):  # noqa: ANN001, ANN201
    scenario = load_scenario(path).scenario
    views = Views()
    out = run_block(compile_model(scenario), seed=3, block=0, runs=runs,
                    controllers=[*default_controllers(scenario), lambda m: views])
    return out, views


HOLIDAY = """extends: {baseline}
name: holiday
horizon_weeks: 6
set:
  table.mediation.sessions_per_week: 0.0
  table.unilateral_truces:
    easter: {side: russia, scope: energy_strikes, weeks: [3], hours: 36, declare: 1.0, observed: OBSERVED}
"""


def test_a_holiday_truce_of_hours_is_written_and_is_no_violation(tmp_path) -> None:
    _, unheld = _run(write_variant(tmp_path, HOLIDAY.replace("OBSERVED", "0.0"), "unheld.yaml"))
    out, views = _run(write_variant(tmp_path, HOLIDAY.replace("OBSERVED", "1.0"), "held.yaml"))
    held = np.stack([v.truce for v in views.before])[:, :, ENERGY]
    table_only = np.stack([v.truce for v in unheld.before])[:, :, ENERGY]  # what the table set (a summit's deal)
    assert np.array_equal(held[2], np.maximum(table_only[2], 36 / 168))  # the week's share, where the table's
    assert (held[2] < 1).sum() >= 8                                       # level is not higher
    assert (np.stack([v.truce_violated for v in views.after]) == 0).all()  # nothing agreed, nothing broken
    assert (views.violations() == 0).all()  # a level between 0 and 1 alone was counted as a violation before
    score = out.weekly["escalation_score"]
    assert score.shape[1] == 7 and np.isfinite(score).all()


def test_the_table_marks_each_broken_scope_and_the_score_counts_it() -> None:
    """seed000's energy truce is broken in some weeks: each such week the scope is marked, its level is 1 − v,
    and the score counts one attack per breached scope; a week with the truce kept counts none."""
    _, views = _run(SCENARIOS / "seed000-energy-ceasefire.yaml", runs=32)
    truce = np.stack([v.truce for v in views.before])            # (weeks, runs, scopes)
    broken = np.stack([v.truce_violated for v in views.before])
    assert broken.any(), "the seed's energy truce is broken somewhere (else this test shows nothing)"
    assert ((truce > 0) & (truce < 1))[broken > 0].all()         # a broken scope: 1 − v, v in (0, 1)
    assert (broken[(truce == 1) | (truce == 0)] == 0).all()      # kept, or none in force: not broken
    assert np.array_equal(views.violations(), escalation.ATTACK * (broken > 0).sum(axis=2))


def test_scopes_violated_reads_agreements_in_force_and_broken() -> None:
    in_force = np.array([[True, True, False], [True, False, True]])
    violated = np.array([[True, False, True], [False, False, True]])
    columns = np.array([ENERGY, ENERGY, 2])  # two agreements on energy strikes, one on the front
    broken = scopes_violated(in_force, violated, columns, len(SCOPES))
    assert broken.tolist() == [[1, 0, 0, 0], [0, 0, 1, 0]]  # an agreement not in force is never broken
