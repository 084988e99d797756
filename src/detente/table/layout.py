"""What the scenario fixes about the table (who sits at it, which issues, which agreements) and the per-run
agenda drawn from it.

`layout` reads a validated scenario's `table:` section once per scenario; `compile_agenda` draws each block's
positions, saliences and capabilities (or takes a design's values, `ensemble.per_run`).
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cached_property
from typing import Any

import numpy as np

from detente.dynamics.scopes import FRONT, SCOPES
from detente.ensemble.per_run import with_overrides
from detente.scenario.schema import Leader, Scenario
from detente.table import agenda as ag
from detente.table import agreements as agr
from detente.table.records import ISSUE, SEAT, fill, records
from detente.table.schema import TableSetup
from detente.world.model import WarModel


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
    def seats(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """Who sits where at each agreement's shuttle, as the kernels read it: `records.SEAT` (G,), and the
        negotiators' actor indices and whose consent counts (G, most negotiators), row g valid up to
        seats[g].negotiators."""
        G = len(self.scopes)
        width = max([len(w) for w in self.negotiators] + [1])
        negotiators, consent = np.zeros((G, width), np.int64), np.zeros((G, width), bool)
        seats = records(SEAT, (G,))
        for g, who in enumerate(self.negotiators):
            seat = {int(a): i for i, a in enumerate(who)}
            negotiators[g, :who.size], consent[g, :who.size] = who, self.consent[g, who]
            seats["mediator_at"][g] = seat.get(self.mediator, -1)
            seats["russia_at"][g] = seat.get(self.belligerents[0], -1)
            seats["ukraine_at"][g] = seat.get(self.belligerents[1], -1)
        fill(seats, {"negotiators": [w.size for w in self.negotiators], "issues": self.issue_counts,
                     "front": self.front_scopes, "duration": self.durations, "renewable": self.renewable,
                     "counted": self.scope_columns != SCOPES.index("prisoner_exchange")})
        return seats, negotiators, consent

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


def issue_records(agenda: ag.Agenda) -> np.ndarray:
    """`records.ISSUE` (K,): each issue's range and what holds on it without a deal."""
    return fill(records(ISSUE, (len(agenda.issues),)), {"low": agenda.low, "high": agenda.high,
                                                        "no_deal": agenda.no_deal})
