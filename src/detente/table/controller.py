"""The bargaining table as a `Controller`: the front feeds the table, the table feeds the front, every week.

Before the week's fighting (`act`): Ukraine's backers' extra deliveries of a quiet front arrive (rearmament,
the commitment problem); leverage and each party's forecast are read off the front (`forecasting`); each side
decides on every agreement in force whether to keep it, break it or walk out, and trust moves
(`compliance`); where no agreement of a scope is in force and the mediator is at work, the mediator shuttles
a text for it and each party at the table accepts its own reading of it if it beats its outside option and
clears its home's ratification (`sessions`, `decision`); the truces in force are written to
`WarState.truce`, and the scopes whose agreement was broken this week to `WarState.truce_violated`. After
the fighting (`observe`): recent pace, intensity and aid are kept for next week's forecasts; leaders'
support moves with the war and may bring a leader down (the successor's positions come from the scenario);
agreements run down and expire or are renewed (`bookkeeping`).

The week's work runs as compiled kernels over the N runs of a block, composed from the equations of
`agenda`, `mediation`, `ratification` and `agreements`, each written once; parameters and books travel as
named records (`records`), and composed into four compiled calls a week (`week`: a call from Python costs more
than some kernels' work). `Kernels` lists them: a controller built with `Kernels().uncompiled()` runs the
same code in Python, the readable reference tests/test_table_conformance.py holds the compiled one to. The
table draws from its own stream (the generator `start` receives), so switching the table on leaves the war's
random numbers untouched.

Equations and sources: the modules `agenda`, `mediation`, `ratification`, `agreements`, and docs/table.md.
"""

from __future__ import annotations

from dataclasses import dataclass, fields, replace
from typing import Any, Callable

import numpy as np

from detente.dynamics.scopes import SCOPES
from detente.engine import WeekReport
from detente.ensemble.per_run import resolve, with_overrides
from detente.ensemble.streams import BlockContext
from detente.rows import own_rows, shared_rows
from detente.scenario.schema import Leader, Scenario
from detente.table import agenda as ag
from detente.table import events, outputs, positions, sessions, week as table_week
from detente.table.layout import TableLayout, compile_agenda, issue_records, layout  # noqa: F401 (re-exported)
from detente.table.records import (AGREEMENT, COMPLIANCE, FORECAST, MEDIATION, PARTY, PARTY_PARAMS, RUN,
                                   SUPPORT_PARAMS, fill, on_records, records, uncompiled)
from detente.world.model import WarModel
from detente.world.state import RUSSIA, UKRAINE, WarState

__all__ = ["Kernels", "TableController", "TableLayout", "conditional_terms", "layout", "table_controller"]
conditional_terms = outputs.conditional_terms


@dataclass(frozen=True)
class Kernels:
    """The table's compiled weekly work, by what it does; `uncompiled()` gives the same code run by Python."""

    before_talks: Callable = table_week.before_talks  # forecasts, no-deal points, compliance, who sits
    no_deal_points: Callable = ag.no_deal_points
    stakes: Callable = ag.stakes
    negotiate: Callable = sessions.negotiate
    close_talks: Callable = table_week.close_talks  # signings, truces, a quiet front
    after_week: Callable = table_week.after_week  # the books after the fighting (`bookkeeping.week_after`)
    between_sessions: Callable = positions.between_sessions
    standing: Callable = positions.standing

    def uncompiled(self) -> "Kernels":
        """The same kernels run uncompiled (`records.uncompiled`): the reference of the table's week."""
        return Kernels(**{f.name: on_records(uncompiled(getattr(self, f.name))) for f in fields(self)})


class TableController:
    """The bargaining table coupled to the war (a `detente.ensemble.runner.Controller`)."""

    name = "table"

    def __init__(self, scenario: Scenario, model: WarModel, kernels: Kernels | None = None):
        self.lay = layout(scenario)
        self.backer_actors = {bid: backer.actor for bid, backer in scenario.backers.items()}
        self.model = model
        self.kernels = kernels or Kernels()

    # ----------------------------------------------------------------- start
    def start(self, model: WarModel, state: WarState, context: BlockContext) -> WarState:
        """Draw the per-run table parameters (from the block's `table` stream) and set up empty books."""
        rng = context.stream("table")
        self.model, self.rng, n = model, rng, state.runs
        lay, s = self.lay, self.lay.setup
        A, G, K, W = len(lay.actors), len(lay.scopes), len(lay.issues), model.horizon_weeks
        self.fixed = resolve(lay.setup, "table", context.overrides)  # per-run values from a design, by Param
        self.dirty = None  # runs whose positions are bargained again (`_positions`)
        self.agenda = compile_agenda(lay, model, n, rng, self.fixed)
        self.issue = issue_records(self.agenda)
        self.seats, self.negotiators, self.consent_at = lay.seats
        self.quo_issues = self.agenda.no_deal[np.maximum(lay.padded_issues, 0)] == ag.STATUS_QUO  # (G, max issues)
        d = lambda p, default=0.0: with_overrides(ag.draw(p, n, rng, default), p, self.fixed)  # noqa: E731
        # the parameters, drawn in the scenario's order (the table's stream gives the same runs as before)
        parties = [s.party_setup.get(a) for a in lay.actors]
        self.party = records(PARTY, (n, A))
        defaults = {"optimism": 0.0, "cost": 0.0, "threshold": 1.0, "anchor": 0.0}
        for name, key in PARTY_PARAMS.items():
            self.party[name] = np.stack([d(getattr(p, key)) if p is not None else np.full(n, defaults[name])
                                         for p in parties], axis=1)
        for name, key in SUPPORT_PARAMS.items():
            self.party[name] = np.stack([d(getattr(p.support, key)) if p is not None else np.zeros(n)
                                         for p in parties], axis=1)
        self.party["casualties_to_date"] = self.party["casualties_before"]
        self.run = records(RUN, (n,))
        fill(self.run, {name: d(getattr(s.mediation, name)) for name in MEDIATION})
        fill(self.run, {field: d(getattr(s.forecast, key)) for key, field in FORECAST.items()})
        fill(self.run, {name: d(getattr(s.compliance, name)) for name in COMPLIANCE})
        fill(self.run, {"rearm": d(s.rearm_factor, 1.0), "rounds": s.mediation.rounds, "pace": np.nan,
                        "intensity": 1.0})
        production = np.broadcast_to(np.asarray(model.sides["production_per_week"], float), (n, 2))
        fill(self.run, {"production_russia": production[:, RUSSIA], "production_ukraine": production[:, UKRAINE]})
        self.books = records(AGREEMENT, (n, G))
        self.books["relief"] = np.stack([d(s.agreements[g].relief) for g in lay.scopes], axis=1).reshape(n, G)
        for gi, g in enumerate(lay.scopes):  # the term and the renewal prior, per run (docs/partial-deals.md)
            days = s.agreements[g].duration_days
            self.books["duration"][:, gi] = (lay.durations[gi] if days.between is None and days.spread is None
                                             else np.maximum(np.rint(d(days) / 7.0), 1))
            self.books["renewal"][:, gi] = np.clip(d(s.agreements[g].renewal, 1.0), 0.0, 1.0)
        for gi, g in enumerate(lay.scopes):
            for side, col in (("russia", 0), ("ukraine", 1)):
                self.books["temptation"][:, gi, col] = d(s.agreements[g].temptation.get(side))
        self._leader_arrays(n)
        self.run["trust"] = self.run["initial_trust"]
        self.books["week_agreed"], self.books["first_agreed"] = -1, -1
        self.persons = {gi: d(s.agreements[g].persons_per_event) for gi, g in enumerate(lay.scopes)
                        if s.agreements[g].persons_per_event is not None}
        # what each actor's side wins or loses by the war, and what each expects without a deal
        self.moving_issues = np.flatnonzero(self.agenda.no_deal != ag.STATUS_QUO)
        self.line = ag.front_line(state.control, model.area, self.agenda.front_area, self.agenda.front_unit)
        self.party["rho"] = 0.5
        self.no_deal = np.empty((n, A, K))
        self._expectations(np.arange(K))
        self._positions(n, A, K, state)
        self.terms = np.full((n, G, K), np.nan)
        self.readings = np.zeros((n, G, 2, K))
        self.outsider = (~lay.consent[:, list(lay.belligerents)]).astype(float)  # (G, 2): a side not party to g
        a = self.agenda  # parameters the same in every run of the block are kept once (see `shared_rows`)
        self.agenda = replace(a, ideal=shared_rows(a.ideal), salience=shared_rows(a.salience),
                              capability=shared_rows(a.capability), status_quo=shared_rows(a.status_quo),
                              war_swing=shared_rows(a.war_swing))
        self.ended: list[dict[str, np.ndarray]] = []
        self.keep_rows = context.keeps_row_logs  # agreement rows for the ensemble's first runs only
        week_major = lambda: np.zeros((W + 1, n)).T  # noqa: E731  (N, W+1), a week's runs side by side as written
        self.series = {f"ceasefire_in_force/{g}": week_major() for g in lay.scopes}
        self.series.update({f"leader_support/{lay.actors[a]}": week_major() for a in self.led})
        self.trust_name = f"trust/{lay.actors[lay.belligerents[0]]}-{lay.actors[lay.belligerents[1]]}"
        self.series[self.trust_name] = week_major()
        weekly, _, session_p = events.one_off_weeks(s, n, W, context)  # the week's summits and direct talks
        self.boost = events.session_boost(weekly, session_p)
        self.no_boost = np.zeros(n)
        aid_w = np.asarray(model.backers["aid_per_week"], float)  # the backers' aid weighs their will (forecasts)
        B = state.backer_will.shape[1]
        self.aid_weights = np.broadcast_to(aid_w, (n, B)) if np.sum(aid_w) > 0 else np.ones((n, B))
        self.sides = np.array(lay.belligerents)
        self.falls = np.zeros((n, A), bool)  # written for the led actors only, every week
        self.ceasefire_series = [self.series[f"ceasefire_in_force/{g}"] for g in lay.scopes]
        self.support_series = [(a, self.series[f"leader_support/{lay.actors[a]}"]) for a in self.led]
        self._record(0)
        return state

    def _positions(self, n: int, A: int, K: int, state: WarState) -> None:
        """What the mediator drafts from: the ideals, or positions KTAB's SMP moves between sessions."""
        self.smp = positions.MODELS.get(self.lay.setup.mediation.draft_from, 0)
        if not self.smp:
            self.stand = None
            return
        setup = self.lay.setup
        # each actor's standing at the table: its will as a backer, its leader's support (`positions.standing`)
        self.backer_of = np.full(A, -1)
        for b, bid in enumerate(self.model.backer_ids):
            actor = self.backer_actors.get(bid)
            if actor in self.lay.actors:
                self.backer_of[self.lay.actors.index(actor)] = b
        self.will_start = np.array(state.backer_will, float)
        self.support_start = np.array(self.party["support"], float)
        self.held_standing, self.standing_scale = np.zeros((n, A)), np.ones((n, A))
        self.is_led = np.isin(np.arange(A), self.led)
        self.moves_standing = bool((self.run["backer_weight"] > 0).any() or (self.run["support_weight"] > 0).any())
        self.last_step, self.dirty = np.full(n, np.nan), np.ones(n, bool)  # the leverage step last used; look again
        self.positioned = np.array([[a in setup.issues[k].positions for k in self.lay.issues] for a in self.lay.actors],
                                   bool).reshape(A, K)
        self.stand = np.array(self.agenda.ideal, float)
        self.last_weight, self.last_ideal = np.full((n, A, K), np.nan), np.full((n, A, K), np.nan)
        self.memo_in, self.memo_out, self.memo_count = positions.kept(self.smp, A)  # the model's results by input
        self._move_positions()

    def _move_positions(self, state: WarState | None = None) -> None:
        a = self.agenda
        if state is not None and self.moves_standing:
            self.kernels.standing(self.run, self.party, state.backer_will, self.will_start, self.backer_of,
                                  self.support_start, self.is_led, self.held_standing, self.standing_scale, self.dirty)
        self.kernels.between_sessions(self.run, a.ideal, a.salience, a.capability, self.positioned, self.lay.side_sign,
                                      self.standing_scale, self.last_weight, self.last_ideal, self.last_step,
                                      self.dirty, self.stand, self.smp, self.memo_in, self.memo_out, self.memo_count)

    def _leader_arrays(self, n: int) -> None:
        """Support, survival threshold and ideal points of each leader and his successors."""
        lay = self.lay
        A = len(lay.actors)
        self.led = np.flatnonzero([bool(chain) for chain in lay.leaders])  # actors with a leader
        self.generation = np.zeros((n, A), int)
        self.party["support"] = 1.0
        self.fell_week = np.full((n, A), -1)
        for a in self.led:
            first = lay.leaders[a][0]
            self.party["support"][:, a] = with_overrides(ag.draw(first.domestic_support, n, self.rng),
                                                      first.domestic_support, self.fixed)
            party = lay.setup.party_setup.get(lay.actors[a])
            fall = first.fall_threshold or (party.fall_threshold if party else None)
            self.party["fall_threshold"][:, a] = with_overrides(ag.draw(fall, n, self.rng, 0.0), fall, self.fixed)
            if first.ratification_threshold is not None:
                self.party["threshold"][:, a] = first.ratification_threshold.value
            self._apply_positions(a, first, np.ones(n, bool))

    def _apply_positions(self, a: int, leader: Leader, runs: np.ndarray) -> None:
        """Set actor a's ideal points to the leader's, where his differ, in the given runs."""
        if leader.positions:
            self.agenda = replace(self.agenda, ideal=own_rows(self.agenda.ideal))
        if leader.positions and self.dirty is not None:
            self.dirty[runs] = True  # his ideals: the positions are bargained again
        for issue, value in leader.positions.items():
            k = self.lay.issues.index(issue)
            unit = (value.value - self.agenda.low[k]) / (self.agenda.high[k] - self.agenda.low[k])
            self.agenda.ideal[runs, a, k] = np.clip(unit, 0.0, 1.0)

    def _expectations(self, columns: np.ndarray) -> None:
        """Each party's stake in the war and its no-deal points on `columns` from the current forecasts."""
        a, (russia, ukraine) = self.agenda, self.lay.belligerents
        self.kernels.stakes(a.ideal, a.salience, self.issue, russia, ukraine, self.party)
        self.kernels.no_deal_points(a.ideal, a.status_quo, a.war_swing, self.line, self.issue, self.party, russia,
                                    ukraine, columns, self.no_deal)

    # ------------------------------------------------------------ the week
    def act(self, state: WarState, context: BlockContext) -> WarState:
        """Before the fighting: rearm, read the front, keep or break agreements, negotiate, set the truces."""
        week, lay, run, books, k, a = state.week + 1, self.lay, self.run, self.books, self.kernels, self.agenda
        self.line = ag.front_line(state.control, self.model.area, a.front_area, a.front_unit)
        materiel = state.materiel.copy()  # Ukraine's backers' extra deliveries of a quiet front go in here
        boost = self.no_boost if self.boost is None else self.boost[:, min(week, self.boost.shape[1] - 1)]
        done = k.before_talks(run, self.party, books, self.seats, lay.side_sign, materiel, state.manpower,
                              state.backer_will, state.backer_active, self.aid_weights, state.mediating,
                              state.pressure_on_ukraine, boost, a.ideal, a.status_quo, a.war_swing, self.line,
                              self.issue, *lay.belligerents, self.moving_issues, self.no_deal, lay.padded_issues,
                              self.readings, a.salience, self.sides, self.outsider, self.rng)
        if done & table_week.REARMED:
            state = state.replace(materiel=materiel)
        if done & table_week.COMPLIED:
            self._end(books["ended"], week)  # (closed in `before_talks`; their rows are kept here)
        if self.smp:  # between sessions, positions move where the front or a successor moved their inputs
            self._move_positions(state=state)
        a = self.agenda
        k.negotiate(week, self.run, self.party, self.books, self.seats, self.negotiators, self.consent_at,
                    lay.padded_issues, self.quo_issues, self.issue, a.ideal, a.salience, a.capability,
                    a.ideal if self.stand is None else self.stand, a.status_quo,
                    self.no_deal, lay.side_sign, self.terms, self.readings, self.rng)
        truce, broken = np.empty((state.runs, len(SCOPES))), np.empty((state.runs, len(SCOPES)))
        k.close_talks(week, run, books, lay.scope_columns, lay.front_scopes, truce, broken)
        return state.replace(truce=truce, truce_violated=broken)

    def _end(self, how: np.ndarray, week: int) -> None:
        """Keep a row of each agreement that ended this week (how (N, G) non-zero; the kernels have closed them),
        for the ensemble's first runs only."""
        if not self.keep_rows:
            return
        runs, gs = np.nonzero(how)
        if runs.size == 0:
            return
        books = self.books
        self.ended.append({"run": runs, "g": gs, "week_agreed": books["week_agreed"][runs, gs],
                           "week_ended": np.full(runs.size, week), "how": how[runs, gs],
                           "renewals": books["renewals"][runs, gs], "divergence": books["divergence"][runs, gs],
                           "terms": self.terms[runs, gs]})

    def observe(self, state: WarState, report: WeekReport) -> None:
        """After the fighting: pace, intensity, aid; leaders' support and falls; agreements run down."""
        week, n, falls = report.week, state.runs, self.falls
        aid = report.aid if report.aid.size else np.zeros((n, 1))
        if self.kernels.after_week(self.run, self.party, self.books, self.seats, self.led, self.lay.side_sign,
                                   report.ground_km2.sum(axis=1), report.casualties, aid, self.rng, falls):
            for a in self.led:
                if falls[:, a].any():
                    self._succeed(a, falls[:, a], week)
        self._end(self.books["ended"], week)
        self._record(week, self.books["held"])

    def _succeed(self, a: int, falls: np.ndarray, week: int) -> None:
        """Leader a falls in the runs `falls`; his successor, where the scenario names one, takes over."""
        n, party = falls.size, self.party
        self.fell_week[:, a] = np.where(falls & (self.fell_week[:, a] < 0), week, self.fell_week[:, a])
        chain, advanced = self.lay.leaders[a], np.zeros(n, bool)
        for gen in range(len(chain) - 1):
            turn = falls & (self.generation[:, a] == gen) & ~advanced
            if not turn.any():
                continue
            successor = chain[gen + 1]
            advanced |= turn
            self.generation[turn, a] = gen + 1
            party["support"][turn, a] = successor.domestic_support.value
            if self.smp:  # his standing is measured from his own first week
                self.support_start[turn, a] = successor.domestic_support.value
            party["fall_threshold"][turn, a] = successor.fall_threshold.value if successor.fall_threshold else 0.0
            if successor.ratification_threshold is not None:
                party["threshold"][turn, a] = successor.ratification_threshold.value
            self._apply_positions(a, successor, turn)
        party["fall_threshold"][falls & ~advanced, a] = 0.0  # no successor named: his line carries on
        if advanced.any():  # new ideal points: what no deal and the war's stake are worth changes with them
            self._expectations(np.arange(len(self.lay.issues)))

    def _record(self, week: int, held: np.ndarray | None = None) -> None:
        if held is None:
            held = np.zeros(self.books.shape, bool)
        for g, series in enumerate(self.ceasefire_series):
            series[:, week] = held[:, g]
        support = self.party["support"]
        for a, series in self.support_series:
            series[:, week] = support[:, a]
        self.series[self.trust_name][:, week] = self.run["trust"]

    # -------------------------------------------------------------- outputs
    def metrics(self) -> dict[str, np.ndarray]:
        """Per-run outcomes (`outputs.metrics`)."""
        return outputs.metrics(self)

    def weekly(self) -> dict[str, np.ndarray]:
        """Weekly per-run series: ceasefire in force per scope (0/1), leaders' support, trust."""
        return dict(self.series)

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        """Rows of agreements and of leaders fallen (`outputs.tables`)."""
        return outputs.tables(self)


def table_controller(scenario: Scenario) -> Any:
    """The factory `default_controllers` lists: a TableController for each block's model."""
    return lambda model: TableController(scenario, model)
