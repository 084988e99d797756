r"""The war's diplomacy as it happened: one-off prisoner exchanges as events, truce days, the table's events by quarter.

In this war most of what the two sides agreed was not a negotiated truce but a one-off event: 52 prisoner
exchanges from March 2022 to December 2024, arranged directly between the sides' coordination bodies or
through the UAE, and going on whatever happened at the table (data/record/diplomacy_events.csv). Modelled as
a recurring one-week agreement at the table, an exchange was "in force" half the weeks and signed about 48
times in two years, against the record's 11–12 a year. Here an exchange is an event: each week a run sees

    E_w ~ Poisson(λ / 52.18),      persons_w = m · E_w

exchanges, λ the exchanges a year and m the persons each (both `table.exchanges`, drawn per run, sourced from
`data/calibration/partial_deals.json`: λ = 11.5, the 23 exchanges of 2023–2024; m = 211, the mean of the 18
of them with both sides' numbers). The record's exchanges kept on through talks and their collapse (the
Istanbul talks ended in May 2022; exchanges went on every year) and through the Kursk incursion (24 Aug 2024
was the first exchange of Russians captured there), so the rate does not depend on the table; its two long
pauses (Aug 2023 – Jan 2024, Feb – May 2024) make the record burstier than a Poisson process, which this
does not reproduce (docs/partial-deals.md).

The same controller keeps the outputs the table's other parts do not: the days each scope's truce was in
force (`truce_days/agreed/<scope>`, from `WarState.truce` as the table leaves it before the week's fighting)
and the table's events by quarter (13-week quarters of the horizon): exchanges, and the agreements of each
scope that began in the quarter (a truce of that scope starting after a week without one).

It draws from its own stream (`events`), so switching it on leaves the war's, the table's and the decisions'
random numbers where they were.
"""

from __future__ import annotations

import numpy as np
from pydantic import Field

from detente.dynamics.scopes import PRISONERS, SCOPES
from detente.ensemble.per_run import resolve, with_overrides
from detente.ensemble.streams import BlockContext
from detente.scenario.params import NonNegative, Strict

QUARTER_WEEKS = 13
WEEKS_A_YEAR = 52.18
EXCHANGE = "prisoner_exchange"
TRUCE_SCOPES = tuple(s for i, s in enumerate(SCOPES) if i != PRISONERS)  # an exchange stops no fighting


class ExchangeSetup(Strict):
    """One-off prisoner exchanges as events at a rate, outside the negotiated agreements."""

    rate_per_year: NonNegative = Field(description="prisoner exchanges a year (each one event)")
    persons_per_event: NonNegative = Field(description="persons each exchange moves, both directions together")


# ------------------------------------------------------------------------------------------ mechanisms
def exchanges_this_week(rate_per_year: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(N,) exchanges this week: Poisson with mean λ / 52.18."""
    return rng.poisson(np.maximum(rate_per_year, 0.0) / WEEKS_A_YEAR)


def quarter_of(week: int) -> int:
    """The 1-based quarter (13 weeks) that week `week` (1-based, the week being fought) falls in."""
    return (week - 1) // QUARTER_WEEKS + 1


def quarters(horizon_weeks: int) -> int:
    """Quarters in a horizon (the last one may be short)."""
    return -(-horizon_weeks // QUARTER_WEEKS)


def began(truce: np.ndarray, before: np.ndarray) -> np.ndarray:
    """(N, S) bool: a truce of the scope is in force this week and was not the week before."""
    return (truce > 0) & ~(before > 0)


# ------------------------------------------------------------------------------------------ controller
class EventsController:
    """Exchanges as events, truce days and events by quarter (see the module docstring)."""

    name = "events"

    def __init__(self, setup, horizon_weeks: int):  # noqa: ANN001  (the scenario's TableSetup)
        self.setup, self.exchange = setup, getattr(setup, "exchanges", None)
        self.horizon = horizon_weeks

    def start(self, model, state, context: BlockContext):  # noqa: ANN001, ANN201
        n, Q, S = state.runs, quarters(model.horizon_weeks), len(SCOPES)
        self.horizon, self.week = model.horizon_weeks, 0
        self.rng = context.stream("events")
        self.exchanges_by_q = np.zeros((n, Q))
        self.began_by_q = np.zeros((n, Q, S))
        self.truce_weeks = np.zeros((n, S))
        self.before = np.zeros((n, S))
        week_major = lambda: np.zeros((model.horizon_weeks + 1, n)).T  # noqa: E731  (N, W+1), as the runner writes
        self.begun = [(s, scope) for s, scope in enumerate(SCOPES)
                      if scope in TRUCE_SCOPES and scope in self._scopes_on_offer()]
        self.to_date = {scope: week_major() for _, scope in self.begun}
        if self.exchange is not None:
            self.to_date[EXCHANGE] = week_major()
        if self.exchange is not None:
            fixed = resolve(self.setup, "table", context.overrides)
            from detente.table.agenda import draw

            self.rate = with_overrides(draw(self.exchange.rate_per_year, n, self.rng), self.exchange.rate_per_year,
                                       fixed)
            self.persons = with_overrides(draw(self.exchange.persons_per_event, n, self.rng),
                                          self.exchange.persons_per_event, fixed)
        return state

    def act(self, state, context: BlockContext):  # noqa: ANN001, ANN201
        """Read the truces the table set for this week; draw this week's exchanges."""
        self.week += 1
        q = quarter_of(self.week) - 1
        truce = np.asarray(state.truce, float)
        now = began(truce, self.before)
        self.truce_weeks += truce > 0
        self.began_by_q[:, q] += now
        self.before = truce.copy()
        for s, scope in self.begun:
            self.to_date[scope][:, self.week] = self.to_date[scope][:, self.week - 1] + now[:, s]
        if self.exchange is not None:
            self.exchanges_by_q[:, q] += exchanges_this_week(self.rate, self.rng)
            self.to_date[EXCHANGE][:, self.week] = self.exchanges_by_q.sum(axis=1)
        return state

    def observe(self, state, report) -> None:  # noqa: ANN001
        return None

    def metrics(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for s, scope in self.begun:
            out[f"truce_days/agreed/{scope}"] = 7.0 * self.truce_weeks[:, s]
            for q in range(self.began_by_q.shape[1]):
                out[f"events_in_q{q + 1}/{scope}"] = self.began_by_q[:, q, s].copy()
        if self.exchange is not None:
            total = self.exchanges_by_q.sum(axis=1)
            out[f"events/{EXCHANGE}"] = total
            out[f"persons/{EXCHANGE}"] = total * self.persons
            for q in range(self.exchanges_by_q.shape[1]):
                out[f"events_in_q{q + 1}/{EXCHANGE}"] = self.exchanges_by_q[:, q].copy()
        return out

    def _scopes_on_offer(self) -> set[str]:
        return set(getattr(self.setup, "agreements", {}) or {})

    def weekly(self) -> dict[str, np.ndarray]:
        """The table's events so far, week by week: exchanges, agreements of each scope begun (fan charts)."""
        return {f"events_to_date/{event}": series for event, series in self.to_date.items()}

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        return {}


def events_controller(scenario):  # noqa: ANN001, ANN201
    """The factory `default_controllers` lists after the table: an EventsController for each block's model."""
    return lambda model: EventsController(scenario.table, model.horizon_weeks)
