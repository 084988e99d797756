r"""The war's diplomacy as it happened: one-off prisoner exchanges as events, truce days, the table's events by quarter.

In this war most of what the two sides agreed was not a negotiated truce but a one-off event: 52 prisoner
exchanges from March 2022 to December 2024, arranged directly between the sides' coordination bodies or
through the UAE, and going on whatever happened at the table (data/record/diplomacy_events.csv). Modelled as
a recurring one-week agreement at the table, an exchange was "in force" half the weeks and signed about 48
times in two years, against the record's 11–12 a year. Here an exchange is an event: each week a run sees

    E_w ~ Poisson(λ / 52.18),      persons = Σ_i m · X_i,   X_i ~ LogNormal(−s²/2, s)  (E[X_i] = 1)

exchanges, λ the exchanges a year, m the mean persons each and s their spread (all `table.exchanges`, drawn per
run, sourced from `data/calibration/partial_deals.json`: λ = 11.5, the 23 exchanges of 2023–2024; m = 211, the
mean of the 18 of them with both sides' numbers; s from their coefficient of variation, 48 to 478 people; without
`persons_spread` every exchange moves m). The record's exchanges kept on through talks and their collapse (the
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
from detente.scenario.params import NonNegative, Probability, Strict

QUARTER_WEEKS = 13
WEEKS_A_YEAR = 52.18
EXCHANGE = "prisoner_exchange"
TRUCE_SCOPES = tuple(s for i, s in enumerate(SCOPES) if i != PRISONERS)  # an exchange stops no fighting


class ExchangeSetup(Strict):
    """One-off prisoner exchanges as events at a rate, outside the negotiated agreements."""

    rate_per_year: NonNegative = Field(description="prisoner exchanges a year (each one event)")
    persons_per_event: NonNegative = Field(description="persons each exchange moves, both directions together "
                                                       "(the mean where persons_spread is given)")
    persons_spread: NonNegative | None = Field(None, description="relative s.d. of one exchange's size (a "
                                                                 "mean-preserving lognormal draw per exchange)")


class OneOffSetup(Strict):
    """A kind of diplomatic event recorded at a rate that changes nothing at the front: a summit with or without a
    deal, direct talks without the mediator, an agreement in principle never implemented."""

    description: str = ""
    rate_per_year: NonNegative = Field(description="events of this kind a year")
    with_deal: Probability | None = Field(None, description="share of them that end in a text the participants "
                                                            "accept (counted as `with_deal/<event>`)")
    session: Probability | None = Field(None, description="probability that the event brings the table a "
                                                          "negotiating session in its week, with the mediator at "
                                                          "work or not (a summit of the leaders; direct talks "
                                                          "without the mediator); none: it changes nothing")


# ------------------------------------------------------------------------------------------ mechanisms
def exchange_weeks(rate_per_year: np.ndarray, weeks: int, rng: np.random.Generator) -> np.ndarray:
    """(N, W+1) exchanges in each week 1…W (column 0, the start, holds none): a Poisson process of rate λ / 52.18
    a week, drawn at once as a Poisson total per run over the horizon spread uniformly over its weeks (the same
    process as a Poisson draw each week, at a fraction of the cost)."""
    n = rate_per_year.shape[0]
    total = rng.poisson(np.maximum(rate_per_year, 0.0) * weeks / WEEKS_A_YEAR)
    week = rng.integers(1, weeks + 1, size=int(total.sum()))
    run = np.repeat(np.arange(n), total)
    return np.bincount(run * (weeks + 1) + week, minlength=n * (weeks + 1)).reshape(n, weeks + 1).astype(float)


def exchange_sizes(events: np.ndarray, mean: np.ndarray, spread: np.ndarray, rng: np.random.Generator) -> np.ndarray:
    """(N,) persons moved by each run's `events` exchanges, each of mean·X persons, X a mean-one lognormal with
    coefficient of variation `spread` (σ² = ln(1 + spread²))."""
    run = np.repeat(np.arange(events.size), events)
    sigma = np.sqrt(np.log1p(np.square(spread)))[run]
    size = np.rint(mean[run] * np.exp(sigma * rng.standard_normal(run.size) - 0.5 * sigma**2))  # whole people
    return np.bincount(run, weights=size, minlength=events.size)


def quarter_of(week: int) -> int:
    """The 1-based quarter (13 weeks) that week `week` (1-based, the week being fought) falls in."""
    return (week - 1) // QUARTER_WEEKS + 1


def quarters(horizon_weeks: int) -> int:
    """Quarters in a horizon (the last one may be short)."""
    return -(-horizon_weeks // QUARTER_WEEKS)


def by_quarter(per_week: np.ndarray) -> np.ndarray:
    """(N, Q) sums over each quarter of weekly counts (N, W+1) (column 0, the start, belongs to no quarter)."""
    weeks = per_week.shape[1] - 1
    edges = np.arange(0, weeks, QUARTER_WEEKS) + 1
    return np.add.reduceat(per_week[:, 1:], edges - 1, axis=1)


def one_off_weeks(setup, n: int, weeks: int, context: BlockContext):  # noqa: ANN001, ANN201  (a TableSetup)
    """Each one-off kind's (N, W+1) events in each week; where it has a `with_deal` share, (N,) events that ended
    in a deal; where it has a `session` probability, its (N,) draw. Drawn from a generator of their own (the
    block's `one_offs` purpose, made afresh on each call), so the table, which couples its sessions to them
    (`session_boost`), and the EventsController, which counts them, see the same events without sharing a stream
    or each other."""
    from detente.ensemble.streams import block_generator, stream_purpose
    from detente.table.agenda import draw  # (imported here: the table's schema imports this module)

    rng = block_generator(context.seed, context.block, stream_purpose("one_offs"))
    fixed = resolve(setup, "table", context.overrides)
    weekly, deals, sessions = {}, {}, {}
    for name, kind in (getattr(setup, "one_offs", None) or {}).items():
        rate = with_overrides(draw(kind.rate_per_year, n, rng), kind.rate_per_year, fixed)
        weekly[name] = exchange_weeks(rate, weeks, rng)
        if kind.with_deal is not None:
            share = with_overrides(draw(kind.with_deal, n, rng), kind.with_deal, fixed)
            deals[name] = rng.binomial(weekly[name].sum(axis=1).astype(np.int64),
                                       np.clip(share, 0.0, 1.0)).astype(float)
        if kind.session is not None:
            sessions[name] = np.clip(with_overrides(draw(kind.session, n, rng), kind.session, fixed), 0.0, 1.0)
    return weekly, deals, sessions


def session_boost(weekly: dict[str, np.ndarray], sessions: dict[str, np.ndarray]) -> np.ndarray | None:
    """(N, W+1) the probability that a week's one-off events bring the table a session: the largest `session` of
    the kinds held that week (0 without one); None where no kind brings sessions. A run's week is in session when
    its uniform falls below max(sessions_per_week · [mediator at work], this) (`sessions.negotiate`): a summit
    raises the chance of a session, and of a deal, that week; direct talks hold one without the mediator."""
    boost = None
    for name, p in sessions.items():
        here = np.where(weekly[name] > 0, p[:, None], 0.0)
        boost = here if boost is None else np.maximum(boost, here)
    return boost


# ------------------------------------------------------------------------------------------ controller
class EventsController:
    """Exchanges as events, truce days and events by quarter (see the module docstring)."""

    name = "events"

    def __init__(self, setup, horizon_weeks: int):  # noqa: ANN001  (the scenario's TableSetup)
        self.setup, self.exchange = setup, getattr(setup, "exchanges", None)
        self.horizon = horizon_weeks

    def start(self, model, state, context: BlockContext):  # noqa: ANN001, ANN201
        from detente.table.agenda import draw  # (imported here: the table's schema imports this module)

        n, W, S = state.runs, model.horizon_weeks, len(SCOPES)
        self.horizon, self.week = W, 0
        offered = set(getattr(self.setup, "agreements", {}) or {})
        self.begun = [(s, scope) for s, scope in enumerate(SCOPES) if scope in TRUCE_SCOPES and scope in offered]
        self.began = np.zeros((W + 1, n, S), bool)     # a truce of scope s began in week w (week-major)
        self.truce_weeks = np.zeros((n, S), np.int64)
        self.before = np.zeros((n, S), bool)
        self.exchanges = None
        if self.exchange is not None:
            rng = context.stream("events")
            fixed = resolve(self.setup, "table", context.overrides)
            self.rate = with_overrides(draw(self.exchange.rate_per_year, n, rng), self.exchange.rate_per_year,
                                       fixed)
            self.persons = with_overrides(draw(self.exchange.persons_per_event, n, rng),
                                          self.exchange.persons_per_event, fixed)
            self.exchanges = exchange_weeks(self.rate, W, rng)
        self.moved = None  # persons moved per run (with a spread: drawn before the one-offs)
        if self.exchange is not None:
            total = self.exchanges.sum(axis=1)
            if self.exchange.persons_spread is None:
                self.moved = total * self.persons
            else:
                rng = context.stream("events")
                spread = with_overrides(draw(self.exchange.persons_spread, n, rng), self.exchange.persons_spread,
                                        resolve(self.setup, "table", context.overrides))
                self.moved = exchange_sizes(total.astype(np.int64), self.persons, spread, rng)
        self.one_offs, self.with_deal, _ = one_off_weeks(self.setup, n, W, context)  # the table sees the same
        return state

    def act(self, state, context: BlockContext):  # noqa: ANN001, ANN201
        """Read the truces the table set for this week (the exchanges were drawn at the start)."""
        self.week += 1
        in_force = state.truce > 0
        np.greater(in_force, self.before, out=self.began[self.week])
        self.truce_weeks += in_force
        self.before = in_force
        return state

    def observe(self, state, report) -> None:  # noqa: ANN001
        return None

    def _per_week(self) -> dict[str, np.ndarray]:
        """(N, W+1) events in each week, by event."""
        out = {scope: self.began[:, :, s].T.astype(float) for s, scope in self.begun}
        if self.exchanges is not None:
            out[EXCHANGE] = self.exchanges
        out.update(self.one_offs)
        return out

    def metrics(self) -> dict[str, np.ndarray]:
        out: dict[str, np.ndarray] = {}
        for s, scope in self.begun:
            out[f"truce_days/agreed/{scope}"] = 7.0 * self.truce_weeks[:, s]
        for event, weekly in self._per_week().items():
            for q, column in enumerate(by_quarter(weekly).T):
                out[f"events_in_q{q + 1}/{event}"] = column.copy()
        if self.exchanges is not None:
            total = self.exchanges.sum(axis=1)
            out[f"events/{EXCHANGE}"] = total
            out[f"persons/{EXCHANGE}"] = self.moved
        for name, weekly in self.one_offs.items():
            out[f"events/{name}"] = weekly.sum(axis=1)
        for name, deals in self.with_deal.items():
            out[f"with_deal/{name}"] = deals
        return out

    def weekly(self) -> dict[str, np.ndarray]:
        """Exchanges so far, week by week (a fan chart); the truces' own weekly series is the table's
        `ceasefire_in_force/<scope>` (one more series per scope would cost the baseline's speed)."""
        return {} if self.exchanges is None else {f"events_to_date/{EXCHANGE}": np.cumsum(self.exchanges, axis=1)}

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        return {}


def events_controller(scenario):  # noqa: ANN001, ANN201
    """The factory `default_controllers` lists after the table: an EventsController for each block's model."""
    return lambda model: EventsController(scenario.table, model.horizon_weeks)
