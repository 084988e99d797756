r"""Truces one side declares alone: hours or days, on its own consent, observed or not by the other side.

This war's record has them beside its negotiated deals: Russia's 36-hour Orthodox Christmas truce of
6–7 January 2023, ordered after Patriarch Kirill's appeal, rejected by Kyiv and broken from the first hour
(data/record/diplomacy_events.csv, row of 6 Jan 2023); for Easter 2023 the Kremlin said none had been
proposed. Such a truce is not an agreement: it goes through no table, no shuttle and no ratification by the
other side. Here a scenario lists them under `table.unilateral_truces` (name → side, scope, weeks of the
horizon, hours), and in each listed week, run by run,

    declared  ~ Bernoulli(q_declare)                      (the declaring side's own decision, nobody else's)
    observed  = declared ∧ Bernoulli(q_observe)           (the other side holds its fire too, or not)

A truce that is observed holds for its hours: its days are counted (`truce_days/unilateral/<scope>`) and
each week it covers is written to `WarState.truce` as the share of the week it covers (168 hours a week:
336 hours stop two weeks at 1; 36 hours write 36/168 ≈ 0.21 in the week declared; 200 hours write 1, then
32/168), unless the table's own level for the scope is higher. What the share does is the engine's: an
energy or Black Sea truce stops that share of the week's strikes (`dynamics.strikes`, `dynamics.black_sea`:
exposure × (1 − T)), while the front stops only at 1 (`kernel`: ground is fought a week at a time, so hours
of a front truce within a week are counted, not fought differently). A held truce is not a violation: the
escalation score counts a breach only where the table marks an agreement broken (`WarState.truce_violated`),
and scores an observed truce as one begun (de-escalation). A truce declared and not observed is counted
(`unilateral_declared/<name>`) and changes nothing, as in January 2023. q_declare and q_observe are per-run
parameters (`table.unilateral_truces.<name>.declare`, `.observed`), so `detente sensitivity` can vary them.

It runs after the table and its events (`default_controllers`), so the table's agreed truces are counted
apart (`truce_days/agreed/<scope>`), and draws from its own stream (`unilateral`): switching it on leaves
every other random number where it was.
"""

from __future__ import annotations

from typing import Any, Literal

import numpy as np
from pydantic import Field, field_validator

from detente.dynamics.scopes import SCOPES
from detente.ensemble.per_run import resolve, with_overrides
from detente.ensemble.streams import BlockContext
from detente.scenario.params import Param, Positive, Probability, Strict

HOURS_A_WEEK = 168.0


def _p(value: float) -> Param:
    return Param(value=value)


class UnilateralTruceSetup(Strict):
    """A truce one side may declare alone in given weeks of the horizon (a holiday truce)."""

    description: str = ""
    side: Literal["russia", "ukraine"] = Field(description="the side that declares it (its consent is all it needs)")
    scope: str = Field("whole_front", description="what it stops: an engine scope (whole_front, energy_strikes, …)")
    weeks: list[int] = Field(min_length=1, description="weeks of the horizon (1 = the first week fought) in which "
                                                       "it may be declared")
    hours: Positive = Field(description="how long it lasts once declared")
    declare: Probability = Field(default_factory=lambda: _p(1.0),
                                 description="P(the side declares it in a listed week), its own decision")
    observed: Probability = Field(default_factory=lambda: _p(0.0),
                                  description="P(the other side observes it once declared)")

    @field_validator("scope")
    @classmethod
    def _known_scope(cls, scope: str) -> str:
        if scope not in SCOPES:
            raise ValueError(f"unknown scope {scope!r}: one of {', '.join(SCOPES)}")
        return scope

    @field_validator("weeks")
    @classmethod
    def _positive_weeks(cls, weeks: list[int]) -> list[int]:
        if any(w < 1 for w in weeks):
            raise ValueError("weeks count from 1 (the first week fought)")
        return weeks


def truce_hours(declared: np.ndarray, observed: np.ndarray, hours: float) -> tuple[np.ndarray, np.ndarray]:
    """(hours observed, whole weeks stopped) per run (N,): an observed truce holds its hours, and stops its scope
    for each whole week they cover; a declared one the other side does not observe holds none."""
    held = np.where(declared & observed, hours, 0.0)
    return held, np.floor(held / HOURS_A_WEEK).astype(np.int64)


def week_share(hours_left: np.ndarray) -> np.ndarray:
    """The share of this week a truce with `hours_left` still to run covers: min(hours / 168, 1)."""
    return np.minimum(hours_left / HOURS_A_WEEK, 1.0)


class UnilateralController:
    """Declared truces, week by week (see the module docstring)."""

    name = "unilateral"

    def __init__(self, setup: Any):  # the scenario's TableSetup
        self.truces: dict[str, UnilateralTruceSetup] = dict(getattr(setup, "unilateral_truces", None) or {})
        self.setup = setup

    def start(self, model: Any, state: Any, context: BlockContext) -> Any:
        n, W = state.runs, model.horizon_weeks
        rng = context.stream("unilateral")
        fixed = resolve(self.setup, "table", context.overrides)
        from detente.table.agenda import draw

        self.week, self.hours_left = 0, np.zeros((n, len(SCOPES)))  # hours each scope's truce has still to run
        self.declared = {name: np.zeros(n) for name in self.truces}
        self.held_days = np.zeros((n, len(SCOPES)))
        self.draws: dict[tuple[str, int], tuple[np.ndarray, np.ndarray]] = {}
        for name, truce in self.truces.items():  # every draw at the start: the weeks are known
            q_declare = with_overrides(draw(truce.declare, n, rng), truce.declare, fixed)
            q_observe = with_overrides(draw(truce.observed, n, rng), truce.observed, fixed)
            for week in truce.weeks:
                declared = rng.random(n) < q_declare
                self.draws[name, week] = declared, declared & (rng.random(n) < q_observe)
        self.horizon = W
        return state

    def act(self, state: Any, context: BlockContext) -> Any:
        """Declare this week's truces; an observed one stops its scope for the share of each week it covers."""
        self.week += 1
        for name, truce in self.truces.items():
            if (name, self.week) not in self.draws:
                continue
            declared, observed = self.draws[name, self.week]
            s = SCOPES.index(truce.scope)
            held, _ = truce_hours(declared, observed, truce.hours.value)
            self.declared[name] += declared
            self.held_days[:, s] += held / 24.0
            self.hours_left[:, s] = np.maximum(self.hours_left[:, s], held)
        if self.hours_left.any():
            share = week_share(self.hours_left)
            state = state.replace(truce=np.maximum(state.truce, share))
            self.hours_left = np.maximum(self.hours_left - HOURS_A_WEEK, 0.0)
        return state

    def observe(self, state: Any, report: Any) -> None:
        return None

    def metrics(self) -> dict[str, np.ndarray]:
        out = {f"unilateral_declared/{name}": declared.copy() for name, declared in self.declared.items()}
        for scope in sorted({t.scope for t in self.truces.values()}):
            out[f"truce_days/unilateral/{scope}"] = self.held_days[:, SCOPES.index(scope)].copy()
        return out

    def weekly(self) -> dict[str, np.ndarray]:
        return {}

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        return {}


def unilateral_controller(scenario: Any) -> Any:
    """The factory `default_controllers` lists after the table's events, where the scenario declares any."""
    return lambda model: UnilateralController(scenario.table)
