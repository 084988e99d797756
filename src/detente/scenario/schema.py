"""The scenario language as pydantic models: what a scenario file may say, and what each value means.

Every number is a `Param`: a plain number, or a mapping `{value, source, note, placeholder, spread, between}`.
`source` is a citation (free text, a key of `references`, or `{cite, date}`) or a seed quote
`{seed: FILE, quote: "..."}`; `detente validate` checks each source's date against the start;
`spread` (relative lognormal s.d.) or `between: [lo, hi]` make the value uncertain, drawn once per run.
"""

from __future__ import annotations

import datetime as dt
from typing import Literal

from pydantic import Field, create_model, field_validator, model_validator

from detente.decisions.schema import DecisionSetup
from detente.dynamics.catalogue import MECHANISMS
from detente.dynamics.mechanism import defined_in
from detente.scenario.claims_schema import Claims
from detente.table.schema import TableSetup
from detente.scenario.params import (  # noqa: F401  (re-exported: the scenario language in one place)
    Cited,
    Multiplier,
    NonNegative,
    Param,
    Positive,
    Probability,
    SeedQuote,
    Source,
    Strict,
)

SIDES = ("russia", "ukraine")


class Leader(Strict):
    """A leader whose domestic support and survival shape what deal he can sell."""

    name: str
    domestic_support: Probability = Field(description="share of the relevant public/elite backing the leader")
    successor: "Leader | None" = None
    fall_threshold: Probability | None = Field(None, description="below this support the leader falls (table)")
    ratification_threshold: Probability | None = Field(None, description="largest concession his home ratifies "
                                                                         "(overrides the table's party setting)")
    positions: dict[str, Param] = Field(default_factory=dict,
                                        description="issue -> ideal point, where this leader differs (table)")


class Actor(Strict):
    """A state or bloc: a belligerent (Russia, Ukraine) or a backer of Ukraine, or another party."""

    name: str
    role: Literal["belligerent", "backer", "mediator", "other"]
    side: Literal["russia", "ukraine"] | None = None
    leader: Leader | None = None

    @model_validator(mode="after")
    def _belligerent_has_side(self) -> "Actor":
        if self.role == "belligerent" and self.side is None:
            raise ValueError("a belligerent needs `side: russia` or `side: ukraine`")
        return self


class RegionSetup(Strict):
    """Starting control and front properties of a map region (ids are those of data/map/regions.csv)."""

    control: Probability = Field(description="share of the region's area under Russian control at start")
    contestable: bool = True
    objective: NonNegative = Field(
        default_factory=lambda: Param(value=0.0),
        description="Russian offensive priority: the share of Russia's line placed here against the other fronts' "
                    "(the main effort 1); 0 = held only, no attack (a front still gets the holding weight's troops); "
                    "the shipped forecasts nowcast it from the record's weeks before the start "
                    "(tools/objectives_at_start.py)")
    defence_priority: NonNegative = Field(default_factory=lambda: Param(value=1.0), description="Ukrainian priority")
    counter_objective: NonNegative = Field(default_factory=lambda: Param(value=0.0),
                                           description="Ukrainian priority to retake ground it does not hold")
    fortification: Multiplier = Field(default_factory=lambda: Param(value=1.0), description="defender multiplier")
    terrain: Multiplier = Field(default_factory=lambda: Param(value=1.0), description="defender multiplier")
    left_bank_share: Probability | None = Field(None, description="for regions the Dnipro splits: area east of it")


class Forces(Strict):
    """A belligerent's force pools and their flows."""

    manpower: NonNegative = Field(description="troops in the theatre")
    materiel: NonNegative = Field(description="equipment and munitions stock, € bn equivalent")
    recruitment_per_week: NonNegative
    production_per_week: NonNegative = Field(description="domestic materiel output, € bn per week")
    materiel_use_per_week: NonNegative = Field(description="€ bn consumed per week per 100,000 troops at the front")
    front_share: Probability = Field(description="share of theatre manpower in the line at any time")
    permanent_loss_share: Probability = Field(description="share of casualties that never return (killed, disabled)")
    strike_rate: NonNegative = Field(description="weekly share of enemy energy capacity hit absent air defence")
    air_defence: Probability = Field(description="share of incoming strikes stopped")
    energy: Probability = Field(default_factory=lambda: Param(value=1.0),
                                description="share of pre-war energy capacity working at start")
    energy_repair_per_week: Probability = Field(description="share of lost energy capacity restored each week")
    firepower: Positive = Field(default_factory=lambda: Param(value=1.0),
                                description="fire delivered per soldier relative to the other side's at start")
    production_budget_elasticity: NonNegative = Field(
        default_factory=lambda: Param(value=1.0),
        description="elasticity of materiel output to a dated production index (`production.<side>` input, e.g. "
                    "real defence budget against the start): output × index^this")


class Backer(Strict):
    """A donor to Ukraine whose will erodes with cost, time and events."""

    actor: str
    aid_per_week: NonNegative = Field(description="military aid delivered at full will, € bn per week")
    will: Probability = Field(description="political will to keep giving, at start")
    will_erosion_per_week: NonNegative = Field(description="weekly relative decay of will with time and cost")
    will_response_to_front: NonNegative = Field(description="will gained per 1,000 km² Ukraine regains (lost if Russia)")
    will_threshold: Probability = Field(description="below this will, the backer stops giving")
    will_noise: NonNegative = Field(default_factory=lambda: Param(value=0.0), description="weekly s.d. of will shocks")


class Combat(Strict):
    """Attrition and ground change: a Helmbold-form Lanchester law (see detente.dynamics.attrition)."""

    helmbold_w: Probability = Field(description="1 = square law (aimed fire), 0.5 = linear law (area fire)")
    russian_loss_rate: NonNegative = Field(description="Russian casualties per week per unit of opposing force")
    ukrainian_loss_rate: NonNegative
    ground_rate_km2: NonNegative = Field(description="km² per week per 1,000 attacking troops at full superiority")
    ratio_threshold: Positive = Field(description="effective force ratio at which an attacker realises half its "
                                                  "potential advance")
    ratio_elasticity: Positive = Field(description="elasticity of the advance to the force ratio (bounded, fitted)")
    ground_noise: NonNegative = Field(description="s.d. of weekly log-noise on ground change")
    casualty_noise: NonNegative = Field(description="s.d. of weekly log-noise on casualties")
    dnipro_barrier: Multiplier = Field(description="defender multiplier for an assault across the Dnipro")
    logistics_range_km: Positive = Field(description="distance from home bases at which supply falls to 1/e")
    materiel_quality_exponent: Probability = Field(description="weight of materiel per soldier in firepower")
    threat_matching: Probability = Field(description="share of Ukraine's line placed where Russia attacks")
    holding_weight: NonNegative = Field(description="Russian weight on a front it holds but does not attack")
    counterattack_posture: Probability = Field(description="Ukraine's intent to retake ground wherever it can")
    home_regions: list[str] = Field(description="regions Russia supplies the front from")


class Economy(Strict):
    """Energy strikes, energy repair, and the war economy's output."""

    strike_noise: NonNegative = Field(description="s.d. of weekly log-noise on strike damage")
    energy_output_elasticity: NonNegative = Field(description="elasticity of materiel output to energy capacity")
    sanctions_output_loss: Probability = Field(description="share of Russian output lost to sanctions in force")
    secondary_sanctions_output_loss: Probability = Field(description="extra loss if secondary sanctions are enforced")
    secondary_sanctions: Probability = Field(description="1 if secondary sanctions on energy buyers are enforced")


class Occupation(Strict):
    """Garrisons and partisans in occupied territory whose population is hostile."""

    garrison_per_1000_hostile: NonNegative = Field(description="troops tied down per 1,000 hostile inhabitants")
    partisan_growth: NonNegative = Field(description="weekly growth of partisan activity at full hostility")
    partisan_suppression: NonNegative = Field(description="weekly suppression at a full garrison")
    partisan_casualties_per_week: NonNegative = Field(description="Russian casualties per week at full activity per million hostile")
    partisan_logistics_damage: Probability = Field(description="loss of supply at full partisan activity")
    max_garrison_share: Probability = Field(description="most of its theatre force Russia diverts to garrisons")


NUMBER_KIND = {"non-negative": NonNegative, "probability": Probability, "positive": Positive,
               "multiplier": Multiplier}


def with_declared(model: type[Strict], section: str, mechanisms: tuple = MECHANISMS) -> type[Strict]:
    """The section's model with the parameters the war's mechanisms define in it (`Mechanism.defines`) added
    after its own fields, each with its kind, default and description: a mechanism's parameters are written
    once, in its declaration, and reach scenario files (and docs/scenario-reference.md) from there."""
    added = {}
    for p in defined_in(mechanisms, section):
        name = p.key.split(".", 1)[1]
        if name in model.model_fields or name in added:
            raise ValueError(f"{p.key} is defined twice")
        added[name] = (NUMBER_KIND[p.kind], Field(default_factory=lambda v=p.default: Param(value=v),
                                                  description=p.description))
    if not added:
        return model
    return create_model(model.__name__, __base__=model, __doc__=model.__doc__, __module__=model.__module__,
                        **added)


Forces = with_declared(Forces, "forces")
Backer = with_declared(Backer, "backers")
Combat = with_declared(Combat, "combat")
Economy = with_declared(Economy, "economy")
Occupation = with_declared(Occupation, "occupation")


class Target(Strict):
    """A published figure a backtest compares the simulation with."""

    value: float
    source: Source
    week: int | None = Field(None, ge=1, description="week of the run the figure refers to (default: the horizon)")
    tolerance: float = Field(0.25, gt=0, le=1, description="largest relative gap of the median that still passes")


class Backtest(Strict):
    """Figures published for the simulated period, to judge the model against."""

    targets: dict[str, Target]


class Step(Strict):
    """A dated change of an input: from `date`, the lever takes `value` (until a later step), in a share
    `probability` of the runs (each run draws whether the step happens), at a date `delay_weeks` later at
    most (drawn uniformly per run). An assumption about the future (a forecast's) says so with a source
    dated on or before the scenario's start and its probability; realised history carries its record."""

    date: dt.date
    value: float
    probability: float = Field(1.0, ge=0, le=1)
    delay_weeks: int = Field(0, ge=0, le=520)
    source: Source | list[Source] | None = None
    note: str | None = None
    placeholder: bool = False


class MonthlySeries(Strict):
    """A monthly series read from a CSV file of the record (path relative to the scenario file): each
    week takes the value of the month its middle day falls in. For `aid.<backer>` the values are € bn
    allocated in the month, turned into the multiplier of the backer's `aid_per_week`."""

    file: str
    column: str
    month_column: str = "month"
    scale: float = Field(1.0, gt=0)
    source: Source | list[Source] | None = None


class Input(Strict):
    """A lever set from outside the model on dated steps and/or a monthly series (steps win over the series
    from their date on). Levers: `aid.<backer>` (multiplier of its aid_per_week), `line.<side>` and
    `recruitment.<side>` (multipliers), `production.<side>` (an index of the side's materiel output against
    the start, raised to its production_budget_elasticity), `counterattack` (Ukraine's posture, 0–1), `objective.<region>`
    (Russia's priority), `control.<region>` (the region's Russian-held share, set once on the step's date:
    an event such as the Kursk incursion)."""

    steps: list[Step] = Field(default_factory=list)
    monthly: MonthlySeries | None = None
    note: str | None = None


class Scenario(Strict):
    """A whole scenario: map, actors, forces, backers and parameters, with its provenance."""

    schema_version: Literal[1]
    name: str = Field(pattern=r"^[A-Za-z0-9_.-]+$")
    title: str = ""
    description: str = ""
    start: dt.date
    horizon_weeks: int = Field(ge=1, le=1040)
    references: dict[str, str | Cited] = Field(default_factory=dict, description="citation keys: text, or "
                                                    "{cite, date} (a dated source; see provenance)")
    actors: dict[str, Actor]
    regions: dict[str, RegionSetup]
    forces: dict[Literal["russia", "ukraine"], Forces]
    backers: dict[str, Backer] = Field(default_factory=dict)
    combat: Combat
    economy: Economy
    occupation: Occupation
    backtest: Backtest | None = None
    table: TableSetup | None = Field(None, description="the bargaining table: issues, positions, mediation")
    decisions: DecisionSetup | None = Field(None, description="actors' options, policies and beliefs")
    variant_of: str | None = Field(None, description="name of the scenario this one extends (set by the loader)")
    posterior: str | None = Field(None, pattern=r"^[A-Za-z0-9_.-]+$",
                                  description="data/posteriors/NAME: each run draws its parameters jointly from it")
    inputs: dict[str, Input] = Field(default_factory=dict, description="dated levers: aid, postures, events")
    claims: Claims | None = Field(None, description="the argument this variant encodes: premises and the "
                                                    "commentator's conclusion (detente claims)")

    @field_validator("forces")
    @classmethod
    def _both_sides(cls, forces: dict) -> dict:
        missing = [s for s in SIDES if s not in forces]
        if missing:
            raise ValueError(f"forces for {', '.join(missing)} are missing; both sides need force pools")
        return forces


Leader.model_rebuild()
