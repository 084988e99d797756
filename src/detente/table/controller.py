"""The bargaining table as a `Controller`: the front feeds the table, the table feeds the front, every week.

Before the week's fighting (`act`): Ukraine's backers' extra deliveries of a quiet front arrive (rearmament,
the commitment problem); leverage and each party's forecast are read off the front; each side decides on
every agreement in force whether to keep it, break it or walk out (`agreements`); trust moves; where no
agreement of a scope is in force and the mediator is at work, the mediator shuttles a text for it
(`mediation`) and each party at the table accepts its own reading of it if it beats its outside option and
clears its home's ratification (`ratification`); the truces in force are written to `WarState.truce`.
After the fighting (`observe`): recent pace, intensity and aid are kept for next week's forecasts; leaders'
support moves with the war and may bring a leader down (the successor's positions come from the scenario);
agreements run down and expire or are renewed. Everything is an array over the N runs of a block; loops
run over the handful of agreements, parties and relays only. The table draws from its own stream (the
generator `start` receives), so switching the table on leaves the war's random numbers untouched. The
weekly hot paths run as numba kernels (`table.compiled`); `TableController(reference=True)` runs their
array forms instead, and tests/test_table_compiled.py holds the two equal.

Equations and sources: the modules `agenda`, `mediation`, `ratification`, `agreements`, and docs/table.md.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any
from functools import cached_property

import numpy as np

from detente.table import agenda as ag
from detente.table import agreements as agr
from detente.table import compiled
from detente.table import mediation as med
from detente.table import ratification as rat
from detente.table.schema import TableSetup
from detente.ensemble.per_run import resolve, with_overrides
from detente.dynamics.scopes import FRONT, SCOPES
from detente.engine import WeekReport
from detente.ensemble.streams import BlockContext
from detente.rows import own_rows, shared_rows
from detente.scenario.schema import Leader, Scenario
from detente.world.model import WarModel
from detente.world.state import RUSSIA, UKRAINE, WarState

QUARTER_WEEKS = 13
HELD_WEEKS = {"30d": agr.duration_weeks(30), "90d": agr.duration_weeks(90)}


@dataclass(frozen=True)
class Seats:
    """Each agreement's negotiators as padded arrays (G, most negotiators), and where the mediator, Ukraine and
    the two sides sit among them (−1: not at that table)."""

    negotiators: np.ndarray     # (G, P) actor index; row g valid up to negotiator_count[g]
    negotiator_count: np.ndarray  # (G,)
    consent_at: np.ndarray      # (G, P) bool: whose acceptance the agreement needs
    mediator_at: np.ndarray     # (G,)
    ukraine_at: np.ndarray      # (G,)
    side_position: np.ndarray   # (G, 2): Russia's and Ukraine's side


@dataclass(frozen=True)
class TableLayout:
    """What the scenario fixes about the table: who, which issues, which agreements (no per-run values)."""

    setup: TableSetup
    actors: tuple[str, ...]
    issues: tuple[str, ...]
    scopes: tuple[str, ...]                 # G agreements on offer, by scope
    scope_columns: np.ndarray               # (G,) column of WarState.truce
    package_mask: np.ndarray                # (G, K) issues each agreement's text settles
    durations: np.ndarray                   # (G,) weeks
    renewable: np.ndarray                   # (G,) bool
    at_table: np.ndarray                    # (A,) bool
    consent: np.ndarray                     # (G, A) bool: whose acceptance each agreement needs
    mediator: int
    belligerents: tuple[int, int]           # actor index of Russia's and Ukraine's side
    side_sign: np.ndarray                   # (A,) +1 Russia's side, −1 Ukraine's, 0 neither
    leaders: tuple[tuple[Leader, ...], ...]  # per actor: the leader and his successors in turn
    negotiators: tuple[np.ndarray, ...]     # per agreement: actors at its shuttle (consenting parties, mediator)
    issue_index: tuple[np.ndarray, ...]     # per agreement: the issues its text settles

    @cached_property
    def seats(self) -> "Seats":
        """Who sits where at each agreement's shuttle, as the kernels read it."""
        G = len(self.scopes)
        width = max([len(w) for w in self.negotiators] + [1])
        negotiators, consent = np.zeros((G, width), np.int64), np.zeros((G, width), bool)
        mediator_at, ukraine_at, side_position = np.full(G, -1), np.full(G, -1), np.full((G, 2), -1)
        for g, who in enumerate(self.negotiators):
            seat = {int(a): i for i, a in enumerate(who)}
            negotiators[g, :who.size], consent[g, :who.size] = who, self.consent[g, who]
            mediator_at[g] = seat.get(self.mediator, -1)
            ukraine_at[g] = seat.get(self.belligerents[1], -1)
            side_position[g] = [seat.get(side, -1) for side in self.belligerents]
        return Seats(negotiators, np.array([w.size for w in self.negotiators], np.int64), consent, mediator_at,
                     ukraine_at, side_position)

    @cached_property
    def front_scopes(self) -> np.ndarray:
        """(G,) bool: the agreements that stop the fighting on the front (their commitment problem counts)."""
        return self.scope_columns == FRONT

    @cached_property
    def issue_counts(self) -> np.ndarray:
        """(G,) how many issues each agreement settles (the kernels' view of issue_index)."""
        return np.array([len(i) for i in self.issue_index], np.int64)

    @cached_property
    def padded_issues(self) -> np.ndarray:
        """(G, max issues) issue_index as one array, each row padded with −1 after its issue_counts[g] issues."""
        out = np.full((len(self.issue_index), max([len(i) for i in self.issue_index] + [1])), -1, np.int64)
        for g, issues in enumerate(self.issue_index):
            out[g, :len(issues)] = issues
        return out


def layout(scenario: Scenario) -> TableLayout:
    """Fix the table's structure from a validated scenario (cross-references already checked)."""
    setup = scenario.table
    assert setup is not None
    actors = tuple(scenario.actors)
    issues = tuple(setup.issues)
    scopes = tuple(setup.agreements)
    mask = np.array([[k in setup.agreements[g].issues for k in issues] for g in scopes], float).reshape(
        len(scopes), len(issues))
    sides = {}
    for i, aid in enumerate(actors):
        party = setup.party_setup.get(aid)
        side = (party.side if party and party.side else None) or scenario.actors[aid].side
        sides[i] = side
    sign = np.array([1.0 if sides[i] == "russia" else -1.0 if sides[i] == "ukraine" else 0.0
                     for i in range(len(actors))])
    bell = {a.side: i for i, (aid, a) in enumerate(scenario.actors.items()) if a.role == "belligerent"}
    chains = []
    for aid in actors:
        chain, leader = [], scenario.actors[aid].leader
        while leader is not None and len(chain) < 8:
            chain.append(leader)
            leader = leader.successor
        chains.append(tuple(chain))
    consent = np.array([[a in (setup.agreements[g].parties or setup.parties) for a in actors] for g in scopes],
                       bool).reshape(len(scopes), len(actors))
    mediator = actors.index(setup.mediator)
    negotiators = tuple(np.flatnonzero(consent[g] | (np.arange(len(actors)) == mediator)) for g in range(len(scopes)))
    return TableLayout(
        negotiators=negotiators, issue_index=tuple(np.flatnonzero(row) for row in mask),
        setup=setup, actors=actors, issues=issues, scopes=scopes,
        scope_columns=np.array([SCOPES.index(g) for g in scopes], int), package_mask=mask,
        durations=np.array([agr.duration_weeks(setup.agreements[g].duration_days.value) for g in scopes], int),
        renewable=np.array([setup.agreements[g].renewable for g in scopes], bool),
        at_table=np.array([a in setup.parties for a in actors]),
        consent=consent, mediator=mediator,
        belligerents=(bell["russia"], bell["ukraine"]), side_sign=sign, leaders=tuple(chains))


def compile_agenda(lay: TableLayout, model: WarModel, runs: int, rng: np.random.Generator,
                   fixed: dict[int, np.ndarray] | None = None) -> ag.Agenda:
    """The agenda's per-run arrays (draws where the scenario gives a spread; a design's values where `fixed`
    names the parameter, see ensemble.per_run)."""
    setup, A, K = lay.setup, len(lay.actors), len(lay.issues)
    fixed = fixed or {}

    def draw(p: Any) -> np.ndarray:
        return with_overrides(ag.draw(p, runs, rng), p, fixed)

    low = np.array([setup.issues[k].range[0] for k in lay.issues])
    high = np.array([setup.issues[k].range[1] for k in lay.issues])
    ideal, salience, capability = np.full((runs, A, K), 0.5), np.zeros((runs, A, K)), np.zeros((runs, A, K))
    status_quo, swing = np.zeros((runs, K)), np.zeros((runs, K))
    front_area, front_unit = np.zeros((K, model.n_regions)), np.zeros(K)
    for k, name in enumerate(lay.issues):
        issue, span = setup.issues[name], high[k] - low[k]
        for actor, pos in issue.positions.items():
            a = lay.actors.index(actor)
            ideal[:, a, k] = np.clip((draw(pos.ideal) - low[k]) / span, 0.0, 1.0)
            salience[:, a, k] = np.clip(draw(pos.salience), 0.0, 1.0)
            capability[:, a, k] = draw(pos.capability)
        if issue.status_quo is not None:
            status_quo[:, k] = np.clip((draw(issue.status_quo) - low[k]) / span, 0.0, 1.0)
        swing[:, k] = draw(issue.war_swing) / span
        for rid in issue.regions:
            r = model.region_ids.index(rid)
            front_area[k, r] = model.area[r]
            front_unit[k] += model.area[r]
        for rid in issue.beyond:
            front_area[k, model.region_ids.index(rid)] = model.area[model.region_ids.index(rid)]
    codes = np.array([ag.NO_DEAL_CODES[setup.issues[k].no_deal] for k in lay.issues], int)
    return ag.Agenda(issues=lay.issues, actors=lay.actors, low=low, high=high, no_deal=codes,
                     status_quo=status_quo, war_swing=swing, front_area=front_area, front_unit=front_unit,
                     ideal=ideal, salience=salience, capability=capability)


class TableController:
    """The bargaining table coupled to the war (a `detente.ensemble.runner.Controller`)."""

    name = "table"

    def __init__(self, scenario: Scenario, model: WarModel, reference: bool = False):
        self.lay = layout(scenario)
        self.model = model
        self.reference = reference  # decide with the array-form composition instead of the compiled kernel

    # ----------------------------------------------------------------- start
    def start(self, model: WarModel, state: WarState, context: BlockContext) -> WarState:
        """Draw the per-run table parameters (from the block's `table` stream) and set up empty books."""
        rng = context.stream("table")
        self.model, self.rng, n = model, rng, state.runs
        lay, s = self.lay, self.lay.setup
        A, G = len(lay.actors), len(lay.scopes)
        self.fixed = resolve(lay.setup, "table", context.overrides)  # per-run values from a design, by Param
        self.agenda = compile_agenda(lay, model, n, rng, self.fixed)
        self.production = np.broadcast_to(np.asarray(model.sides["production_per_week"], float), (n, 2))
        self.quo_issues = self.agenda.no_deal[np.maximum(lay.padded_issues, 0)] == ag.STATUS_QUO  # (G, max issues)
        d = lambda p, default=0.0: with_overrides(ag.draw(p, n, rng, default), p, self.fixed)  # noqa: E731
        parties = [s.party_setup.get(a) for a in lay.actors]
        per_party = lambda get, default: np.stack(  # noqa: E731
            [d(get(p)) if p is not None else np.full(n, default) for p in parties], axis=1)
        self.optimism = per_party(lambda p: p.optimism, 0.0)
        self.cost = per_party(lambda p: p.cost_of_war, 0.0)
        self.threshold = per_party(lambda p: p.ratification_threshold, 1.0)
        self.anchor = per_party(lambda p: p.public_anchor, 0.0)
        self.war_response = per_party(lambda p: p.support.war_response, 0.0)
        self.casualty_response = per_party(lambda p: p.support.casualty_response, 0.0)
        self.concession_cost = per_party(lambda p: p.support.concession_cost, 0.0)
        self.support_noise = per_party(lambda p: p.support.noise, 0.0)
        m, f, c = s.mediation, s.forecast, s.compliance
        self.med = {k: d(getattr(m, k)) for k in ("distortion", "relay_growth", "issue_growth", "amendment",
                                                  "sessions_per_week", "leverage_weight", "acceptance_margin")}
        self.fc = {k: d(getattr(f, k)) for k in ("pace_weight", "materiel_weight", "manpower_weight",
                                                 "will_weight", "noise", "reference_casualties_per_week")}
        self.cp = {k: d(getattr(c, k)) for k in type(c).model_fields}
        self.rearm = d(s.rearm_factor, 1.0)
        self.relief = np.stack([d(s.agreements[g].relief) for g in lay.scopes], axis=1).reshape(n, G)
        self.temptation = np.zeros((n, G, 2))
        for gi, g in enumerate(lay.scopes):
            for side, col in (("russia", 0), ("ukraine", 1)):
                self.temptation[:, gi, col] = d(s.agreements[g].temptation.get(side))
        self._leader_arrays(n)
        self.trust = self.cp["initial_trust"].copy()
        self.stake = ag.stake(self.agenda, *lay.belligerents)
        self.moving_issues = np.flatnonzero(self.agenda.no_deal != ag.STATUS_QUO)
        self.line = ag.front_line(state.control, model.area, self.agenda.front_area, self.agenda.front_unit)
        self.rho = np.full((n, A), 0.5)
        self.no_deal = ag.no_deal_points(self.agenda, self.rho, self.line, *lay.belligerents)
        self.pace = np.full(n, np.nan)
        self.intensity = np.ones(n)
        self.last_aid = np.zeros(n)
        self.front_quiet = np.zeros(n, bool)
        K, W = len(lay.issues), model.horizon_weeks
        self.in_force = np.zeros((n, G), bool)
        self.violated = np.zeros((n, G), bool)
        self.weeks_left = np.zeros((n, G), int)
        self.week_agreed = np.full((n, G), -1)
        self.first_agreed = np.full((n, G), -1)
        self.renewals = np.zeros((n, G), int)
        self.signings = np.zeros((n, G), int)
        self.persons = {gi: d(s.agreements[g].persons_per_event) for gi, g in enumerate(lay.scopes)
                        if s.agreements[g].persons_per_event is not None}
        self.terms = np.full((n, G, K), np.nan)
        self.readings = np.zeros((n, G, 2, K))
        self.divergence = np.zeros((n, G))
        self.surplus = np.zeros((n, G, 2))
        self.streak, self.max_streak = np.zeros((n, G), int), np.zeros((n, G), int)
        self.weeks_in_force, self.any_in_force = np.zeros((n, G), int), np.zeros(n, int)
        self.violations_seen = np.zeros(n)
        self.broke_down = np.zeros(n, bool)
        self._share_constant_parameters()
        self.ended: list[dict[str, np.ndarray]] = []
        self.keep_rows = context.keeps_row_logs  # agreement rows for the ensemble's first runs only
        week_major = lambda: np.zeros((W + 1, n)).T  # noqa: E731  (N, W+1), a week's runs side by side as written
        self.series = {f"ceasefire_in_force/{g}": week_major() for g in lay.scopes}
        self.series.update({f"leader_support/{lay.actors[a]}": week_major() for a in self.led})
        self.trust_name = f"trust/{lay.actors[lay.belligerents[0]]}-{lay.actors[lay.belligerents[1]]}"
        self.series[self.trust_name] = week_major()
        self._record(0)
        return state

    def _share_constant_parameters(self) -> None:
        """Parameters that are the same in every run of the block are kept once (see `shared_rows`)."""
        a = self.agenda
        self.agenda = replace(a, ideal=shared_rows(a.ideal), salience=shared_rows(a.salience),
                              capability=shared_rows(a.capability), status_quo=shared_rows(a.status_quo),
                              war_swing=shared_rows(a.war_swing))
        for name in ("optimism", "cost", "threshold", "anchor", "war_response", "casualty_response",
                     "concession_cost", "support_noise", "rearm", "relief", "temptation", "stake"):
            setattr(self, name, shared_rows(getattr(self, name)))
        for group in (self.med, self.fc, self.cp):
            for name, values in group.items():
                group[name] = shared_rows(values)

    def _leader_arrays(self, n: int) -> None:
        """Support, survival threshold and ideal points of each leader and his successors."""
        lay = self.lay
        A = len(lay.actors)
        self.led = np.flatnonzero([bool(chain) for chain in lay.leaders])  # actors with a leader
        self.generation = np.zeros((n, A), int)
        self.support = np.ones((n, A))
        self.fall_threshold = np.zeros((n, A))
        self.fell_week = np.full((n, A), -1)
        for a in self.led:
            first = lay.leaders[a][0]
            self.support[:, a] = with_overrides(ag.draw(first.domestic_support, n, self.rng), first.domestic_support,
                                                self.fixed)
            party = lay.setup.party_setup.get(lay.actors[a])
            fall = first.fall_threshold or (party.fall_threshold if party else None)
            self.fall_threshold[:, a] = with_overrides(ag.draw(fall, n, self.rng, 0.0), fall, self.fixed)
            if first.ratification_threshold is not None:
                self.threshold[:, a] = first.ratification_threshold.value
            self._apply_positions(a, first, np.ones(n, bool))

    def _apply_positions(self, a: int, leader: Leader, runs: np.ndarray) -> None:
        """Set actor a's ideal points to the leader's, where his differ, in the given runs."""
        if leader.positions:
            self.agenda = replace(self.agenda, ideal=own_rows(self.agenda.ideal))
        for issue, value in leader.positions.items():
            k = self.lay.issues.index(issue)
            unit = (value.value - self.agenda.low[k]) / (self.agenda.high[k] - self.agenda.low[k])
            self.agenda.ideal[runs, a, k] = np.clip(unit, 0.0, 1.0)

    # ------------------------------------------------------------ the week
    def _forecasts(self, state: WarState) -> tuple[np.ndarray, np.ndarray]:
        """Leverage L (N,) and each party's forecast ρ (N, A) from the front."""
        if self.reference:
            return self._forecasts_reference(state)
        n, B = state.runs, state.backer_will.shape[1]
        aid_w = np.asarray(self.model.backers["aid_per_week"], float)
        weights = np.broadcast_to(aid_w, (n, B)) if np.sum(aid_w) > 0 else np.ones((n, B))
        lev, rho = np.empty(n), np.empty((n, len(self.lay.actors)))
        f = self.fc
        compiled.forecasts(self.pace, state.materiel, state.manpower, state.backer_will, state.backer_active, weights,
                           f["pace_weight"], f["materiel_weight"], f["manpower_weight"], f["will_weight"],
                           self.optimism, self.lay.side_sign, f["noise"], self.rng, lev, rho)
        return lev, rho

    def _forecasts_reference(self, state: WarState) -> tuple[np.ndarray, np.ndarray]:
        """`compiled.forecasts` in array form (ratification.leverage and forecasts)."""
        aid_w = np.asarray(self.model.backers["aid_per_week"], float)
        will_all = state.backer_will * state.backer_active
        weights = np.broadcast_to(aid_w, will_all.shape) if np.sum(aid_w) > 0 else np.ones_like(will_all)
        will = (will_all * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1e-9) if will_all.size else \
            np.full(state.runs, 0.5)
        pace = np.nan_to_num(self.pace, nan=0.0)
        lev = rat.leverage(pace, state.materiel, state.manpower, will, self.fc["pace_weight"],
                           self.fc["materiel_weight"], self.fc["manpower_weight"], self.fc["will_weight"])
        noise = self.rng.standard_normal((state.runs, len(self.lay.actors)))
        return lev, rat.forecasts(lev, self.optimism, self.lay.side_sign, self.fc["noise"], noise)

    def _values(self, state: WarState, rho: np.ndarray, g: int, weeks: np.ndarray, idx: np.ndarray,
                who: np.ndarray) -> np.ndarray:
        """V_a − κ_a (m, P): outside options for agreement g of the parties `who` in the runs `idx`, over the
        issues g settles (rho is this week's (N, A) forecast)."""
        issues = self.lay.issue_index[g]
        pairs, triples = np.ix_(idx, who), np.ix_(idx, who, issues)
        ones = np.ones(issues.size)
        value = rat.outside_option(self.no_deal[triples], self.agenda.salience[triples], ones, self.cost[pairs],
                                   self.relief[idx, g], self.intensity[idx])
        if self.lay.front_scopes[g]:
            after = rat.rearmed_forecast(rho[pairs], state.materiel[idx], self.production[idx], self.last_aid[idx],
                                         self.rearm[idx], weeks, self.fc["materiel_weight"][idx])
            value = value - rat.commitment_term(rho[pairs], after, self.stake[pairs], self.cp["shadow_of_future"][idx])
        return value

    def _surplus(self, state: WarState, rho: np.ndarray, g: int, readings: np.ndarray, weeks: np.ndarray,
                 idx: np.ndarray, who: np.ndarray) -> np.ndarray:
        """U_a(x̃_a) − V_a + κ_a (m, P) for agreement g, each party reading its copy (m, P, K_g) of the text."""
        triples = np.ix_(idx, who, self.lay.issue_index[g])
        ones = np.ones(readings.shape[-1])
        utility = ag.text_utility(readings, self.agenda.ideal[triples], self.agenda.salience[triples], ones)
        return utility - self._values(state, rho, g, weeks, idx, who)

    def _loss(self, g: int, readings: np.ndarray, idx: np.ndarray, who: np.ndarray) -> np.ndarray:
        """What a party's public sees conceded (m, P), against its reference point (see `ratification`)."""
        triples = np.ix_(idx, who, self.lay.issue_index[g])
        salience, ones = self.agenda.salience[triples], np.ones(readings.shape[-1])
        expected = rat.outside_option(self.no_deal[triples], salience, ones, 0.0, 0.0, self.intensity[idx])
        utility = ag.text_utility(readings, self.agenda.ideal[triples], salience, ones)
        return rat.public_concession(utility, expected, self.anchor[np.ix_(idx, who)])

    def act(self, state: WarState, context: BlockContext) -> WarState:
        """Before the fighting: rearm, keep or break agreements, negotiate, and set the truces."""
        week = state.week + 1
        if self.front_quiet.any():
            extra = np.where(self.front_quiet, (self.rearm - 1.0) * self.last_aid, 0.0)
            materiel = state.materiel.copy()
            materiel[:, UKRAINE] += extra
            state = state.replace(materiel=materiel)
        lev, rho = self._forecasts(state)
        line = ag.front_line(state.control, self.model.area, self.agenda.front_area, self.agenda.front_unit)
        self.rho, self.line = rho, line
        moving = self.moving_issues  # war- and front-decided issues: the only no-deal points that change
        if moving.size and self.reference:
            self.no_deal[:, :, moving] = ag.no_deal_points(self.agenda, rho, line, *self.lay.belligerents, moving)
        elif moving.size:
            a = self.agenda
            compiled.no_deal_points(a.ideal, a.status_quo, rho, line, a.low, a.high, a.war_swing, a.no_deal,
                                    *self.lay.belligerents, moving, self.no_deal)
        self._comply(state, rho, week)
        self._negotiate(state, lev, rho, week)
        self.signings += self.in_force & (self.week_agreed == week)  # one-off agreements count as events
        truce = agr.truce_levels(self.in_force, self.violated, self.cp["violation_share"], self.lay.scope_columns,
                                 len(SCOPES))
        front = self.lay.front_scopes
        self.front_quiet = (self.in_force[:, front] & ~self.violated[:, front]).any(axis=1) if front.any() else \
            np.zeros(state.runs, bool)
        return state.replace(truce=np.maximum(truce, 0.0))

    def _comply(self, state: WarState, rho: np.ndarray, week: int) -> None:
        """Each side keeps, breaks or walks out of each agreement in force; trust moves; breakdown."""
        n, G = state.runs, len(self.lay.scopes)
        self.violated = np.zeros((n, G), bool)
        if not self.in_force.any():
            self.trust = agr.trust_after(self.trust, np.zeros(n, bool), self.cp["trust_loss"],
                                         self.cp["trust_recovery"])
            return
        sides = np.array(self.lay.belligerents)
        outsider = (~self.lay.consent[:, sides]).astype(float)  # (G, 2): a side not party to the agreement
        if self.reference:
            for g in range(G):
                idx = np.flatnonzero(self.in_force[:, g])
                if idx.size:
                    readings = self.readings[idx, g][:, :, self.lay.issue_index[g]]
                    weeks = self.weeks_left[idx, g].astype(float)
                    self.surplus[idx, g] = self._surplus(state, rho, g, readings, weeks, idx, sides)
            noise, u_detect, u_false = self.rng.standard_normal((n, G, 2)), self.rng.random(n), self.rng.random(n)
            how = self._keep_or_break_reference(outsider, noise, u_detect, u_false)
        else:
            lay, c = self.lay, self.cp
            compiled.surplus_in_force(self.in_force, sides, lay.padded_issues, lay.issue_counts, lay.front_scopes,
                                      self.readings, self.weeks_left, self.agenda.ideal, self.agenda.salience,
                                      self.no_deal, self.cost, self.relief, self.intensity, rho, state.materiel,
                                      self.production, self.last_aid, self.rearm, self.fc["materiel_weight"],
                                      self.stake, c["shadow_of_future"], self.surplus)
            how, self.violated = np.empty((n, G), np.int64), np.empty((n, G), bool)
            compiled.keep_or_break(self.in_force, self.surplus, self.temptation, self.divergence, outsider,
                                   c["fragility"], c["outsider_defection"], c["shadow_of_future"], c["violation_noise"],
                                   c["walkout_margin"], c["detection"], c["false_alarm"], c["trust_loss"],
                                   c["trust_recovery"], c["breakdown_trust"], self.trust, self.violations_seen,
                                   self.broke_down, how, self.violated, self.rng)
        self._end(how, week)
        self.violated &= self.in_force  # an agreement that ended this week is over, not violated

    def _keep_or_break_reference(self, outsider: np.ndarray, noise: np.ndarray, u_detect: np.ndarray,
                                 u_false: np.ndarray) -> np.ndarray:
        """`compiled.keep_or_break` in array form (the `agreements` functions): violations, walkouts, what is
        seen, trust and breakdown; sets `violated` and returns how each agreement ends this week (N, G)."""
        extra = self.cp["fragility"][:, None, None] * self.divergence[:, :, None] + \
            self.cp["outsider_defection"][:, None, None] * outsider[None]
        broke = agr.violations(self.temptation, extra, self.surplus, self.cp["shadow_of_future"],
                               self.cp["violation_noise"], noise, self.in_force, 1.0 - outsider)
        left = agr.walkouts(self.surplus, self.cp["walkout_margin"], self.in_force)
        active = self.in_force.any(axis=1)
        seen = agr.observed(broke.any(axis=(1, 2)), self.cp["detection"], self.cp["false_alarm"], u_detect,
                            u_false) & active
        self.violations_seen += seen
        self.trust = agr.trust_after(self.trust, seen, self.cp["trust_loss"], self.cp["trust_recovery"])
        collapse = active & (self.trust < self.cp["breakdown_trust"])
        self.broke_down |= collapse
        how = np.where(collapse[:, None], agr.BREAKDOWN,
                       np.where(left[:, :, 0], agr.WALKOUT_RUSSIA, np.where(left[:, :, 1], agr.WALKOUT_UKRAINE, 0)))
        self.violated = broke.any(axis=2) & self.in_force
        return how * self.in_force

    def _negotiate(self, state: WarState, lev: np.ndarray, rho: np.ndarray, week: int) -> None:
        """Where an agreement of a scope is not in force and the mediator holds a session this week, he shuttles
        a text for it and the parties decide. Only the runs in session, the parties to the text and the issues
        it settles are computed."""
        if not self.reference:
            self._negotiate_compiled(state, lev, rho, week)
            return
        lay, agenda, n = self.lay, self.agenda, state.runs
        session = (state.mediating > 0) & (self.rng.random(n) < self.med["sessions_per_week"])
        r, u = lay.belligerents
        for g in range(len(lay.scopes)):
            idx = np.flatnonzero(session & ~self.in_force[:, g])
            if idx.size == 0:
                continue
            who, issues = lay.negotiators[g], lay.issue_index[g]
            consent = lay.consent[g, who]
            # the kernel's order of draws: run by run, then relay, party, issue
            noise = self.rng.standard_normal((idx.size, lay.setup.mediation.rounds + 1, who.size, issues.size))
            result, conceded, agreed_sub = self._decide_reference(state, lev, rho, g, idx, noise.transpose(1, 0, 2, 3))
            if not agreed_sub.any():
                continue
            runs = idx[agreed_sub]
            self.in_force[runs, g] = True
            self.weeks_left[runs, g] = lay.durations[g]
            self.week_agreed[runs, g] = week
            self.renewals[runs, g] = 0
            first = self.first_agreed[runs, g]
            self.first_agreed[runs, g] = np.where(first < 0, week, first)
            text = result.text[agreed_sub]
            terms = np.full((runs.size, len(lay.issues)), np.nan)
            terms[:, issues] = agenda.low[issues] + text * (agenda.high[issues] - agenda.low[issues])
            self.terms[runs, g] = terms
            for column, side in ((0, r), (1, u)):  # a side not at the table reads the text as published
                reading = result.readings[agreed_sub, list(who).index(side)] if side in who else text
                self.readings[runs[:, None], g, column, issues[None, :]] = reading
            self.divergence[runs, g] = result.divergence[agreed_sub]
            signers = who[consent]  # signing costs each consenting party's leader support
            held = np.ix_(runs, signers)
            cost = self.concession_cost[held] * conceded[agreed_sub][:, consent]
            self.support[held] = np.clip(self.support[held] - cost, 0.0, 1.0)

    def _negotiate_compiled(self, state: WarState, lev: np.ndarray, rho: np.ndarray, week: int) -> None:
        """`_negotiate` as one kernel call (`compiled.negotiate`), the same draws in the same order."""
        lay, agenda, seats = self.lay, self.agenda, self.lay.seats
        compiled.negotiate(
            state.mediating, self.med["sessions_per_week"], self.in_force, seats.negotiators, seats.negotiator_count,
            lay.padded_issues, lay.issue_counts, seats.mediator_at, seats.ukraine_at, seats.consent_at,
            self.quo_issues, lay.front_scopes, lay.durations, seats.side_position, week, agenda.low, agenda.high,
            agenda.ideal, agenda.salience, agenda.capability, agenda.status_quo, self.no_deal, lay.side_sign, lev,
            self.med["leverage_weight"], self.med["distortion"], self.med["relay_growth"], self.med["issue_growth"],
            self.med["amendment"], lay.setup.mediation.rounds, self.rng, self.cost, self.relief, self.intensity, rho,
            state.materiel, self.production, self.last_aid, self.rearm, self.fc["materiel_weight"], self.stake,
            self.cp["shadow_of_future"], state.pressure_on_ukraine, self.med["acceptance_margin"], self.trust,
            self.anchor, self.support, self.threshold, self.concession_cost, self.fall_threshold, self.weeks_left,
            self.week_agreed, self.renewals, self.first_agreed, self.terms, self.readings, self.divergence)

    def _decide_reference(self, state: WarState, lev: np.ndarray, rho: np.ndarray, g: int, idx: np.ndarray,
                          noise: np.ndarray) -> tuple[med.ShuttleResult, np.ndarray, np.ndarray]:
        """`compiled.decide` composed from the mechanisms' array functions (the specification the kernel
        follows)."""
        lay, agenda = self.lay, self.agenda
        who, issues = lay.negotiators[g], lay.issue_index[g]
        consent = lay.consent[g, who]
        u = lay.belligerents[1]
        replay = _Replay(noise)
        pairs, triples = np.ix_(idx, who), np.ix_(idx, who, issues)
        scale = np.exp(self.med["leverage_weight"][idx, None] * lay.side_sign[who] * lev[idx, None] / 2.0)
        ideal, salience = agenda.ideal[triples], agenda.salience[triples]
        weight = agenda.capability[triples] * salience * scale[:, :, None]
        present = np.ones((idx.size, who.size), bool)
        mediator = ideal[:, list(who).index(lay.mediator)] if lay.mediator in who else ideal.mean(axis=1)
        quo = agenda.status_quo[np.ix_(idx, issues)]
        fallback = np.where(agenda.no_deal[issues] == ag.STATUS_QUO, quo, mediator)
        draft = med.compromise_draft(ideal, weight, present, fallback)
        result = med.shuttle(draft, ideal, salience, weight, present, np.ones(issues.size),
                             lay.setup.mediation.rounds, self.med["distortion"][idx],
                             self.med["relay_growth"][idx], self.med["issue_growth"][idx],
                             self.med["amendment"][idx], replay)
        surplus = self._surplus(state, rho, g, result.readings, np.full(idx.size, lay.durations[g]), idx, who)
        if u in who:
            surplus[:, list(who).index(u)] += state.pressure_on_ukraine[idx]
        need = self.med["acceptance_margin"][idx] * (1.0 - self.trust[idx])
        conceded = self._loss(g, result.readings, idx, who)
        ok = (surplus > need[:, None]) & rat.ratifies(conceded, self.support[pairs], self.threshold[pairs],
                                                      self.concession_cost[pairs], self.fall_threshold[pairs])
        cares = salience.sum(axis=-1) > 0  # a party with no stake in its issues abstains
        agreed_sub = np.all(ok | ~consent | ~cares, axis=1)
        return result, conceded, agreed_sub

    def _end(self, how: np.ndarray, week: int) -> None:
        """Close the agreements where how (N, G) is non-zero, recording each as a row (first runs only)."""
        runs, gs = np.nonzero(how)
        if runs.size == 0:
            return
        if self.keep_rows:
            self.ended.append({"run": runs, "g": gs, "week_agreed": self.week_agreed[runs, gs],
                               "week_ended": np.full(runs.size, week), "how": how[runs, gs],
                               "renewals": self.renewals[runs, gs], "divergence": self.divergence[runs, gs],
                               "terms": self.terms[runs, gs]})
        self.in_force[runs, gs] = False
        self.weeks_left[runs, gs] = 0

    def observe(self, state: WarState, report: WeekReport) -> None:
        """After the fighting: pace, intensity, aid; leaders' support and falls; agreements run down."""
        if self.reference:
            self._week_after_reference(state, report)
            return
        week, lay, n = report.week, self.lay, state.runs
        falls, ended, counting = np.zeros(self.support.shape, bool), np.empty(self.in_force.shape, np.int64), \
            np.empty(self.in_force.shape, bool)
        aid = report.aid if report.aid.size else np.zeros((n, 1))
        reference = np.broadcast_to(np.asarray(self.fc["reference_casualties_per_week"], float), (n,))
        compiled.week_after(report.ground_km2.sum(axis=1), report.casualties, aid, reference, self.pace, self.intensity,
                            self.last_aid, self.led, lay.side_sign, self.war_response, self.casualty_response,
                            self.support_noise, self.rng, self.support, self.fall_threshold, falls,
                            self.in_force, self.weeks_left, lay.renewable, lay.durations, self.surplus,
                            self.med["acceptance_margin"], self.trust, self.violated, self.renewals,
                            lay.scope_columns != SCOPES.index("prisoner_exchange"), self.streak, self.max_streak,
                            self.weeks_in_force, self.any_in_force, ended, counting)
        for a in self.led:
            if falls[:, a].any():
                self._succeed(a, falls[:, a], week)
        self._end(ended, week)
        self._record(week, counting)

    def _week_after_reference(self, state: WarState, report: WeekReport) -> None:
        """`observe` in array form (`compiled.week_after` with the successors in Python)."""
        week, lay = report.week, self.lay
        gain = report.ground_km2.sum(axis=1)
        self.pace = np.where(np.isnan(self.pace), gain, 0.75 * self.pace + 0.25 * gain)
        self.intensity = report.casualties.sum(axis=1) / self.fc["reference_casualties_per_week"]
        self.last_aid = report.aid.sum(axis=1) if report.aid.size else np.zeros(state.runs)
        self._leaders(report, week)
        counting = self.in_force.copy()
        self.weeks_left = np.where(self.in_force, self.weeks_left - 1, self.weeks_left)
        due = self.in_force & (self.weeks_left <= 0)
        need = (self.med["acceptance_margin"] * (1.0 - self.trust))[:, None, None]
        renew = due & lay.renewable & (self.surplus > need).all(axis=2) & ~self.violated
        self.weeks_left = np.where(renew, lay.durations, self.weeks_left)
        self.renewals += renew
        self._end(np.where(due & ~renew, agr.EXPIRED, 0), week)
        self.streak = np.where(counting, self.streak + 1, 0)
        self.max_streak = np.maximum(self.max_streak, self.streak)
        self.weeks_in_force += counting
        self.any_in_force += counting[:, lay.scope_columns != SCOPES.index("prisoner_exchange")].any(axis=1)
        self._record(week, counting)

    def _leaders(self, report: WeekReport, week: int) -> None:
        """Support moves with the war; a leader below his threshold falls and his successor takes over."""
        sign = self.lay.side_sign
        gained = report.ground_km2.sum(axis=1)[:, None] * sign
        losses = np.where(sign > 0, report.casualties[:, RUSSIA:RUSSIA + 1],
                          np.where(sign < 0, report.casualties[:, UKRAINE:UKRAINE + 1], 0.0))
        noise = self.rng.standard_normal(self.support.shape)
        moved = rat.support_after(self.support, gained, losses, self.war_response, self.casualty_response,
                                  self.support_noise, noise)
        for a in self.led:
            self.support[:, a] = moved[:, a]
            falls = self.support[:, a] < self.fall_threshold[:, a]
            if falls.any():
                self._succeed(a, falls, week)

    def _succeed(self, a: int, falls: np.ndarray, week: int) -> None:
        """Leader a falls in the runs `falls`; his successor, where the scenario names one, takes over."""
        n = falls.size
        self.fell_week[:, a] = np.where(falls & (self.fell_week[:, a] < 0), week, self.fell_week[:, a])
        chain, advanced = self.lay.leaders[a], np.zeros(n, bool)
        for gen in range(len(chain) - 1):
            turn = falls & (self.generation[:, a] == gen) & ~advanced
            if not turn.any():
                continue
            successor = chain[gen + 1]
            advanced |= turn
            self.generation[turn, a] = gen + 1
            self.support[turn, a] = successor.domestic_support.value
            self.fall_threshold[turn, a] = successor.fall_threshold.value if successor.fall_threshold else 0.0
            if successor.ratification_threshold is not None:
                self.threshold = own_rows(self.threshold)
                self.threshold[turn, a] = successor.ratification_threshold.value
            self._apply_positions(a, successor, turn)
        self.fall_threshold[falls & ~advanced, a] = 0.0  # no successor named: his line carries on
        if advanced.any():  # new ideal points: what no deal and the war's stake are worth changes with them
            self.stake = ag.stake(self.agenda, *self.lay.belligerents)
            self.no_deal = ag.no_deal_points(self.agenda, self.rho, self.line, *self.lay.belligerents)

    def _record(self, week: int, counting: np.ndarray | None = None) -> None:
        if counting is None:
            counting = np.zeros_like(self.in_force)
        for g, scope in enumerate(self.lay.scopes):
            self.series[f"ceasefire_in_force/{scope}"][:, week] = counting[:, g]
        for a in self.led:
            self.series[f"leader_support/{self.lay.actors[a]}"][:, week] = self.support[:, a]
        self.series[self.trust_name][:, week] = self.trust

    # -------------------------------------------------------------- outputs
    def metrics(self) -> dict[str, np.ndarray]:
        """Per-run outcomes: ceasefires agreed by quarter and held, weeks in force, leaders fallen, terms settled."""
        lay, W = self.lay, self.model.horizon_weeks
        out: dict[str, np.ndarray] = {}
        quarters = -(-W // QUARTER_WEEKS)
        for g, scope in enumerate(lay.scopes):
            first = self.first_agreed[:, g]
            for q in range(1, quarters + 1):
                out[f"ceasefire_agreed_by_q{q}/{scope}"] = ((first > 0) & (first <= q * QUARTER_WEEKS)).astype(float)
            out[f"ceasefire_agreed/{scope}"] = (first > 0).astype(float)
            for label, weeks in HELD_WEEKS.items():
                out[f"ceasefire_held_{label}/{scope}"] = (self.max_streak[:, g] >= weeks).astype(float)
            out[f"deal_weeks_in_force/{scope}"] = self.weeks_in_force[:, g].astype(float)
        out["deal_weeks_in_force"] = self.any_in_force.astype(float)
        for a in self.led:
            out[f"leader_fell/{lay.actors[a]}"] = (self.fell_week[:, a] > 0).astype(float)
        settled = np.zeros((self.in_force.shape[0], len(lay.issues)), bool)
        for g in range(len(lay.scopes)):
            settled |= (self.first_agreed[:, g] > 0)[:, None] & (lay.package_mask[g] > 0)
        for k, issue in enumerate(lay.issues):
            if lay.package_mask[:, k].any():
                out[f"settled/{issue}"] = settled[:, k].astype(float)
        ag_ = self.agenda
        for k, issue in enumerate(lay.issues):
            if not lay.package_mask[:, k].any() or ag_.no_deal[k] != ag.STATUS_QUO:
                continue
            # what holds on the issue at the horizon: the latest signed terms, else the status quo (issue units)
            value = ag_.low[k] + ag_.status_quo[:, k] * (ag_.high[k] - ag_.low[k])
            latest = np.full(value.shape, -1)
            for g in range(len(lay.scopes)):
                signed = (lay.package_mask[g, k] > 0) & (self.first_agreed[:, g] > 0) & ~np.isnan(self.terms[:, g, k])
                newer = signed & (self.week_agreed[:, g] >= latest)
                value = np.where(newer, self.terms[:, g, k], value)
                latest = np.where(newer, self.week_agreed[:, g], latest)
            out[f"terms/{issue}"] = value
        for g, persons in self.persons.items():  # one-off agreements (prisoner exchanges) as events
            out[f"events/{lay.scopes[g]}"] = self.signings[:, g].astype(float)
            out[f"persons/{lay.scopes[g]}"] = self.signings[:, g] * persons
        out["violations_observed"] = self.violations_seen.copy()
        out["agreements_broke_down"] = self.broke_down.astype(float)
        out[self.trust_name.replace("trust/", "trust_final/")] = self.trust.copy()
        return out

    def weekly(self) -> dict[str, np.ndarray]:
        """Weekly per-run series: ceasefire in force per scope (0/1), leaders' support, trust."""
        return dict(self.series)

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        """Rows: `agreements` (one per agreement: scope, weeks, how it ended, terms) and `leaders_fallen`."""
        lay = self.lay
        open_runs, open_g = np.nonzero(self.in_force & self.keep_rows)
        parts = self.ended + [{"run": open_runs, "g": open_g, "week_agreed": self.week_agreed[open_runs, open_g],
                               "week_ended": np.full(open_runs.size, -1),
                               "how": np.full(open_runs.size, agr.IN_FORCE),
                               "renewals": self.renewals[open_runs, open_g],
                               "divergence": self.divergence[open_runs, open_g],
                               "terms": self.terms[open_runs, open_g]}]
        cat = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
        scopes = np.array(lay.scopes, dtype=object)
        how = np.array(agr.HOW_ENDED, dtype=object)
        rows: dict[str, np.ndarray] = {
            "run": cat["run"].astype(np.int64), "scope": scopes[cat["g"]] if cat["g"].size else scopes[:0],
            "week_agreed": cat["week_agreed"].astype(np.int32), "week_ended": cat["week_ended"].astype(np.int32),
            "how_ended": how[cat["how"]] if cat["how"].size else how[:0],
            "renewals": cat["renewals"].astype(np.int32), "divergence": cat["divergence"].astype(float)}
        terms = cat["terms"].reshape(-1, len(lay.issues))
        for k, issue in enumerate(lay.issues):
            rows[f"terms_{issue}"] = terms[:, k].astype(float)
        runs, actors = np.nonzero(self.fell_week > 0)
        leaders = {"run": runs.astype(np.int64), "actor": np.array(lay.actors, dtype=object)[actors],
                   "week_fell": self.fell_week[runs, actors].astype(np.int32)}
        return {"agreements": rows, "leaders_fallen": leaders}


class _Replay:
    """Hands the shuttle the normals already drawn for it, relay by relay (for `_decide_reference`)."""

    def __init__(self, noise: np.ndarray):
        self.noise, self.relay = noise, 0

    def standard_normal(self, shape: tuple[int, ...]) -> np.ndarray:
        out = self.noise[self.relay]
        assert out.shape == tuple(shape)
        self.relay += 1
        return out


def table_controller(scenario: Scenario):  # noqa: ANN201
    """The factory `default_controllers` lists: a TableController for each block's model."""
    return lambda model: TableController(scenario, model)


def conditional_terms(tables: dict[str, dict[str, np.ndarray]], scope: str) -> dict[str, dict[str, float]]:
    """Median and 10–90% interval of each issue's agreed terms, over the agreements of a scope that settled it."""
    rows = tables.get("agreements", {})
    if not rows or len(rows.get("run", [])) == 0:
        return {}
    pick = rows["scope"] == scope
    out = {}
    for key, values in rows.items():
        if key.startswith("terms_"):
            v = np.asarray(values, float)[pick]
            v = v[~np.isnan(v)]
            if v.size:
                out[key.removeprefix("terms_")] = {"n": float(v.size), "p10": float(np.quantile(v, 0.1)),
                                                   "p50": float(np.median(v)), "p90": float(np.quantile(v, 0.9))}
    return out
