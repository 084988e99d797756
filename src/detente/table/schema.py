"""Scenario section `table:`: the bargaining table coupled to the war (issues, mediation, agreements).

A table names a mediator and the parties at the table; the issues on the agenda, each a dimension with a
range and, for each actor, an ideal point, a salience and a capability; the shuttle's distortion; each
party's outside-option forecast, ratification threshold and domestic support dynamics; the agreements on
offer, one per engine scope (`energy_strikes`, `black_sea`, `whole_front`, `prisoner_exchange`), each with
the issues its text settles, its duration and what tempts a side to break it. Every number is a `Param`
(value, source, placeholder, spread/between). Equations: docs/table.md.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, model_validator

from detente.scenario.params import Multiplier, NonNegative, Param, Positive, Probability, Strict
from detente.table.events import ExchangeSetup, OneOffSetup
from detente.table.unilateral import UnilateralTruceSetup


def _p(value: float) -> Param:
    return Param(value=value)


class IssuePosition(Strict):
    """One actor on one issue: where it wants the issue settled, how much it cares, how much it can weigh."""

    ideal: Param = Field(description="ideal point, in the issue's units (within its range)")
    salience: Probability = Field(description="share of the actor's attention this issue takes, 0–1")
    capability: NonNegative = Field(default_factory=lambda: _p(1.0),
                                    description="weight the actor brings to bear on this issue")


class Issue(Strict):
    """A dimension of the agenda (KTAB/BDM: each actor's ideal point, salience and capability)."""

    description: str = ""
    range: tuple[float, float] = Field((0.0, 1.0), description="[low, high] of the issue, in its own units")
    unit: str = ""
    no_deal: Literal["status_quo", "war", "front"] = Field(
        "war", description="what holds without a deal: a fixed status quo; the war's lottery between the two "
                           "belligerents' ideals; or the front line measured on `regions`")
    status_quo: Param | None = Field(None, description="for no_deal: status_quo, the value that holds without a deal")
    regions: list[str] = Field(default_factory=list,
                               description="for no_deal: front, the regions whose Russian-held area is the unit 1")
    beyond: list[str] = Field(default_factory=list,
                              description="for no_deal: front, further regions whose Russian-held area counts on top")
    war_swing: NonNegative = Field(default_factory=lambda: _p(0.0),
                                   description="for no_deal: front, how far (issue units) a party expects the war to "
                                               "move the line between sure defeat and sure victory")
    positions: dict[str, IssuePosition] = Field(description="actor id -> position")

    @model_validator(mode="after")
    def _consistent(self) -> "Issue":
        lo, hi = self.range
        if not hi > lo:
            raise ValueError(f"range [{lo}, {hi}] must have high > low")
        for actor, pos in self.positions.items():
            if not lo <= pos.ideal.value <= hi:
                raise ValueError(f"ideal point {pos.ideal.value} of '{actor}' lies outside the range [{lo}, {hi}]")
        if self.no_deal == "status_quo":
            if self.status_quo is None:
                raise ValueError("no_deal: status_quo needs a `status_quo:` value")
            if not lo <= self.status_quo.value <= hi:
                raise ValueError(f"status_quo {self.status_quo.value} lies outside the range [{lo}, {hi}]")
        if self.no_deal == "front" and not self.regions:
            raise ValueError("no_deal: front needs `regions:` (whose Russian-held area measures the line)")
        return self


class SupportDynamics(Strict):
    """How a leader's domestic support moves with the war and with what he concedes."""

    war_response: Param = Field(default_factory=lambda: _p(0.0),
                                description="support gained per 1,000 km² own side gains in a week")
    casualty_response: NonNegative = Field(default_factory=lambda: _p(0.0),
                                           description="support lost per 10,000 own casualties in a week")
    concession_cost: NonNegative = Field(default_factory=lambda: _p(0.0),
                                         description="support lost per unit of concession in a deal signed")
    noise: NonNegative = Field(default_factory=lambda: _p(0.0), description="weekly s.d. of support shocks")
    casualty_log_response: NonNegative = Field(default_factory=lambda: _p(0.0),
                                               description="support lost per e-fold growth of own casualties to "
                                                           "date (Mueller 1973: support falls with the log of "
                                                           "cumulative casualties)")
    casualties_before: NonNegative = Field(default_factory=lambda: _p(0.0),
                                           description="own casualties before the scenario's start (the base of "
                                                       "the log term)")
    deal_response: Param = Field(default_factory=lambda: _p(0.0),
                                 description="support gained (lost, if negative) when a whole-front ceasefire the "
                                             "leader's side consents to is signed, before what it concedes")


class PartySetup(Strict):
    """What a party weighs at the table: its outside option and its home front."""

    side: Literal["russia", "ukraine"] | None = Field(
        None, description="whose war prospects are this party's (default: the actor's own side)")
    optimism: Param = Field(default_factory=lambda: _p(0.0),
                            description="log-odds by which it overrates its side's prospects in the war")
    cost_of_war: NonNegative = Field(default_factory=lambda: _p(0.0),
                                     description="utility a week of war at reference intensity costs it, "
                                                 "counted over the agreement's horizon")
    ratification_threshold: Probability = Field(default_factory=lambda: _p(1.0),
                                                description="largest concession (0–1) its home will ratify")
    public_anchor: Probability = Field(default_factory=lambda: _p(0.0),
                                       description="how far its public judges terms against its stated ideal "
                                                   "(1) rather than against what the war would bring (0)")
    fall_threshold: Probability | None = Field(None, description="support below which its leader falls (the "
                                                                 "leader's own `fall_threshold` overrides it)")
    support: SupportDynamics = Field(default_factory=SupportDynamics)


class Mediation(Strict):
    """The shuttle: a single text carried from party to party, read with noise (the telephone game)."""

    rounds: int = Field(3, ge=0, le=20, description="relays of amendments before the text is put to the parties")
    draft_from: Literal["ideals", "smp", "bdm"] = Field(
        "ideals", description="what the mediator drafts from: the parties' ideal points, or their positions as "
                              "KTAB's SMP (or Bueno de Mesquita's model) moves them between sessions "
                              "(detente.table.positions)")
    distortion: NonNegative = Field(default_factory=lambda: _p(0.0),
                                    description="s.d. of a copy's error on one relay, as a share of the range")
    relay_growth: NonNegative = Field(default_factory=lambda: _p(0.0),
                                      description="relative growth of the error with each relay")
    issue_growth: NonNegative = Field(default_factory=lambda: _p(0.0),
                                      description="relative growth of the error with each further issue")
    amendment: Probability = Field(default_factory=lambda: _p(0.5),
                                   description="how far a party's amendment pulls the text to its ideal")
    sessions_per_week: Probability = Field(default_factory=lambda: _p(1.0),
                                           description="probability that the mediator runs a shuttle in a week")
    leverage_weight: NonNegative = Field(default_factory=lambda: _p(0.0),
                                         description="how strongly battlefield leverage scales a belligerent's "
                                                     "capability at the table")
    acceptance_margin: NonNegative = Field(default_factory=lambda: _p(0.0),
                                           description="surplus over the outside option a party needs at full "
                                                       "distrust (scaled by 1 − trust)")
    backer_weight: NonNegative = Field(default_factory=lambda: _p(0.0),
                                       description="elasticity of a backer's weight in the bargaining between sessions "
                                                   "to its will (relative to the start): w × (W/W₀)^η")
    support_weight: NonNegative = Field(default_factory=lambda: _p(0.0),
                                        description="elasticity of a led actor's weight in the bargaining between "
                                                    "sessions to its leader's support (relative to his first week)")


class Forecast(Strict):
    """Each party's forecast of the war: P(Russia prevails) from the front, L = leverage."""

    pace_weight: Param = Field(default_factory=lambda: _p(0.0),
                               description="log-odds per 100 km² a week of Russian gains (recent average)")
    materiel_weight: Param = Field(default_factory=lambda: _p(0.0), description="log-odds per log materiel ratio")
    manpower_weight: Param = Field(default_factory=lambda: _p(0.0), description="log-odds per log manpower ratio")
    will_weight: Param = Field(default_factory=lambda: _p(0.0),
                               description="log-odds per unit of backers' will below one half")
    noise: NonNegative = Field(default_factory=lambda: _p(0.0), description="weekly s.d. of each party's read")
    reference_casualties_per_week: Positive = Field(default_factory=lambda: _p(14000.0),
                                                    description="casualties of both sides in a week of "
                                                                "reference intensity")


class Compliance(Strict):
    """Violations, how they are seen, and trust between the belligerents."""

    initial_trust: Probability = Field(default_factory=lambda: _p(0.5))
    detection: Probability = Field(default_factory=lambda: _p(0.8), description="P(a violation is observed)")
    false_alarm: Probability = Field(default_factory=lambda: _p(0.0),
                                     description="P(a violation is reported where none happened), per week")
    trust_loss: Probability = Field(default_factory=lambda: _p(0.2), description="trust lost per observed violation")
    trust_recovery: Probability = Field(default_factory=lambda: _p(0.02),
                                        description="share of the gap to full trust recovered in a quiet week")
    breakdown_trust: Probability = Field(default_factory=lambda: _p(0.1),
                                         description="below this trust every agreement collapses")
    violation_noise: NonNegative = Field(default_factory=lambda: _p(0.05),
                                         description="s.d. of a side's weekly temptation shock")
    shadow_of_future: NonNegative = Field(default_factory=lambda: _p(1.0),
                                          description="weight of the deal's surplus against a violation's gain")
    walkout_margin: NonNegative = Field(default_factory=lambda: _p(0.05),
                                        description="how far the outside option must beat the deal to walk out")
    fragility: NonNegative = Field(default_factory=lambda: _p(0.0),
                                   description="temptation added per unit of term-sheet divergence")
    outsider_defection: NonNegative = Field(default_factory=lambda: _p(0.0),
                                            description="temptation added for a belligerent not at the table")
    violation_share: Probability = Field(default_factory=lambda: _p(0.5),
                                         description="share of what the scope stops that resumes in a violation week")


class AgreementSetup(Strict):
    """An agreement on offer: its scope (the dict key), the issues its text settles, its duration."""

    issues: list[str] = Field(default_factory=list, description="issues its text settles")
    parties: list[str] | None = Field(None, description="actors whose consent it needs (default: the table's "
                                                        "parties), e.g. Europe for a deal that lifts its sanctions")
    duration_days: Positive = Field(description="how long it runs once agreed")
    renewable: bool = Field(True, description="renewed at expiry when every party still prefers it")
    renewal: Probability = Field(default_factory=lambda: _p(1.0),
                                 description="probability that renewal is taken up at an expiry at all (a prior "
                                             "from the record's partial deals, drawn per run); each side's "
                                             "surplus then decides")
    relief: Probability = Field(default_factory=lambda: _p(0.0),
                                description="share of the war's weekly cost the scope lifts")
    temptation: dict[Literal["russia", "ukraine"], Param] = Field(
        default_factory=dict, description="weekly gain a side sees in breaking it (utility units)")
    persons_per_event: NonNegative | None = Field(
        None, description="for a one-off agreement such as a prisoner exchange: persons each signing involves; "
                          "each signing is then counted as an event (`events/<scope>`, `persons/<scope>`)")


class TableSetup(Strict):
    """The bargaining table coupled to the war."""

    mediator: str = Field(description="actor id of the mediator who drafts and carries the text")
    parties: list[str] = Field(min_length=1, description="actor ids at the table; each must accept a text")
    issues: dict[str, Issue]
    party_setup: dict[str, PartySetup] = Field(default_factory=dict,
                                               description="actor id -> outside option and home front")
    mediation: Mediation = Field(default_factory=Mediation)
    forecast: Forecast = Field(default_factory=Forecast)
    compliance: Compliance = Field(default_factory=Compliance)
    agreements: dict[str, AgreementSetup] = Field(description="engine scope -> agreement on offer")
    exchanges: ExchangeSetup | None = Field(
        None, description="one-off prisoner exchanges as events at a rate, outside the agreements "
                          "(detente.table.events); replaces a `prisoner_exchange` agreement with persons_per_event")
    one_offs: dict[str, OneOffSetup] = Field(
        default_factory=dict, description="kinds of diplomatic event recorded at a rate that change nothing at the "
                                          "front (summits, direct talks, agreements in principle; detente.table.events)")
    unilateral_truces: dict[str, UnilateralTruceSetup] = Field(
        default_factory=dict, description="truces one side may declare alone, on its own consent (holiday truces; "
                                          "detente.table.unilateral)")
    rearm_factor: Multiplier = Field(default_factory=lambda: _p(1.0),
                                     description="multiplier (≥ 1) on the aid Ukraine's backers deliver while the "
                                                 "whole front is quiet (the commitment problem)")

    @model_validator(mode="after")
    def _rearm_at_least_one(self) -> "TableSetup":
        if self.rearm_factor.value < 1.0:
            raise ValueError(f"rearm_factor {self.rearm_factor.value} must be at least 1")
        return self

    @model_validator(mode="after")
    def _exchanges_counted_once(self) -> "TableSetup":
        held = self.agreements.get("prisoner_exchange")
        if self.exchanges is not None and held is not None and held.persons_per_event is not None:
            raise ValueError("exchanges are counted twice: `exchanges:` draws them as events, and the "
                             "`prisoner_exchange` agreement has persons_per_event; keep one")
        clash = sorted(set(self.one_offs) & (set(self.agreements) | {"prisoner_exchange"}))
        if clash:
            raise ValueError(f"one_offs names {', '.join(clash)}, which is an agreement or the exchanges: give the "
                             "event kind its own name (summit, talks_direct, agreement_in_principle)")
        return self


def table_problems(scenario, located, file: str, region_ids: list[str]) -> list:  # noqa: ANN001
    """Cross-references of the `table:` section: every actor, issue, region and scope it names must exist.

    Called by `detente.scenario.loader.cross_reference_problems`; each problem names file, line and field.
    """
    import difflib

    from detente.dynamics.scopes import SCOPES
    from detente.errors import Problem

    table = scenario.table
    if table is None:
        return []
    problems: list[Problem] = []
    actors = list(scenario.actors)

    def flag(loc: tuple, message: str, choices: list[str], value: object = None, hint: str = "") -> None:
        f, line = located.where(loc)
        if not hint:
            close = difflib.get_close_matches(str(value), choices, n=3, cutoff=0.5)
            hint = (f"did you mean {', '.join(repr(c) for c in close)}?" if close
                    else f"valid names: {', '.join(choices[:12])}")
        problems.append(Problem(file=f or file, line=line, field=".".join(map(str, loc)), message=message,
                                hint=hint, value=value))

    base = ("table",)
    if table.mediator not in scenario.actors:
        flag(base + ("mediator",), f"the mediator '{table.mediator}' is not an actor of the scenario", actors,
             table.mediator)
    for i, party in enumerate(table.parties):
        if party not in scenario.actors:
            flag(base + ("parties", i), f"party '{party}' at the table is not an actor", actors, party)
    for actor in table.party_setup:
        if actor not in scenario.actors:
            flag(base + ("party_setup", actor), f"party_setup names unknown actor '{actor}'", actors, actor)
    issues = list(table.issues)
    for name, issue in table.issues.items():
        for actor in issue.positions:
            if actor not in scenario.actors:
                flag(base + ("issues", name, "positions", actor), f"issue '{name}' names unknown actor '{actor}'",
                     actors, actor)
        for key in ("regions", "beyond"):
            for i, region in enumerate(getattr(issue, key)):
                if region not in region_ids:
                    flag(base + ("issues", name, key, i), f"unknown region '{region}'", region_ids, region)
    for scope, agreement in table.agreements.items():
        if scope not in SCOPES:
            flag(base + ("agreements", scope), f"the war engine knows no agreement scope '{scope}'", list(SCOPES),
                 scope)
        for i, party in enumerate(agreement.parties or []):
            if party not in scenario.actors:
                flag(base + ("agreements", scope, "parties", i), f"agreement '{scope}' names unknown party '{party}'",
                     actors, party)
        for i, issue in enumerate(agreement.issues):
            if issue not in table.issues:
                flag(base + ("agreements", scope, "issues", i), f"agreement '{scope}' settles unknown issue '{issue}'",
                     issues, issue)
    for aid, actor in scenario.actors.items():
        leader = actor.leader
        depth = ("actors", aid, "leader")
        while leader is not None:
            for issue in leader.positions:
                if issue not in table.issues:
                    flag(depth + ("positions", issue), f"leader {leader.name} has a position on unknown issue "
                                                       f"'{issue}'", issues, issue)
                else:
                    lo, hi = table.issues[issue].range
                    v = leader.positions[issue].value
                    if not lo <= v <= hi:
                        flag(depth + ("positions", issue), f"position {v} lies outside the issue's range [{lo}, {hi}]",
                             [], v, hint=f"give a value between {lo} and {hi}")
            leader, depth = leader.successor, depth + ("successor",)
    sides = {a.side for a in scenario.actors.values() if a.role == "belligerent"}
    if not {"russia", "ukraine"} <= sides:
        flag(base, "the table needs a belligerent actor on each side", [], hint="see `actors:`")
    return problems
