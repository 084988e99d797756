"""Scenario section `decisions:`: each actor's options, the policy that chooses among them, and beliefs.

```yaml
decisions:
  review_weeks: 4                  # actors reconsider every 4 weeks
  actors:
    russia:
      policy: expected_utility     # doctrine | expected_utility | script (see decisions.policies.REGISTRY)
      initial: limited_campaign
      risk_aversion: 1.0           # CARA coefficient ρ (0 = risk-neutral)
      options:
        limited_campaign: {escalation: [Execute targeted attack], value: 1.0}
        expand_north:
          effects: {objective.sumy: 0.6, objective.kharkiv: 0.8}
          escalation: [Execute targeted attack, Occupy border city of attacked nation]
          value: 1.3
          risks: [{belief: us_escalates, loss: 1.0}]
  beliefs:
    us_escalates: {holder: russia, about: united_states, type: escalator, prior: 0.3,
                   likelihood: {escalate: [0.9, 0.05]}}
```
Numbers are `Param`s, so each can carry its source (a seed quote included) and a per-run spread.
"""

from __future__ import annotations

from typing import Literal

from pydantic import Field, field_validator

from detente.scenario.params import NonNegative, Param, Probability, Source, Strict


class Condition(Strict):
    """One test on the situation: a state feature, another actor's option in force, or one's own belief."""

    feature: str | None = Field(None, description="a state feature (see decisions.options.FEATURES), e.g. control.odesa")
    belief: str | None = Field(None, description="a belief the deciding actor holds")
    actor: str | None = Field(None, description="another actor, with `chose:`")
    chose: list[str] | None = Field(None, description="options of `actor`; true where one of them is in force")
    above: float | None = None
    below: float | None = None


class Risk(Strict):
    """A loss the option risks if another actor turns out to be of the type a belief is about."""

    belief: str
    loss: NonNegative = Field(description="utility lost if the type is real (and it reacts)")


class OptionSetup(Strict):
    """Something an actor can do, with its effect on the engine's levers and its place on the escalation scale."""

    description: str = ""
    effects: dict[str, Param | Literal["start"]] = Field(
        default_factory=dict,
        description="lever.index -> value while this option is in force; `start`: the run's own starting value")
    escalation: list[str] = Field(default_factory=lambda: ["status_quo"],
                                  description="actions of Rivera et al. (2024) or categories this option amounts to")
    value: Param = Field(default_factory=lambda: Param(value=0.0), description="base utility (expected utility policy)")
    terms: dict[str, Param] = Field(default_factory=dict, description="feature (or a*b product) -> utility weight")
    risks: list[Risk] = Field(default_factory=list)
    available_when: list[Condition] = Field(default_factory=list, description="all must hold for the option to exist")
    announced: bool = Field(False, description="communicated in advance: observers read it without error")
    source: Source | list[Source] | None = None

    @field_validator("escalation", mode="before")
    @classmethod
    def _one_or_many(cls, raw: object) -> object:
        return [raw] if isinstance(raw, str) else raw


class Rule(Strict):
    """A doctrine rule: when every condition holds (and the actor is of `type`), choose an option."""

    when: list[Condition] = Field(default_factory=list)
    type: str | None = Field(None, description="only for runs where the actor is of this type")
    choose: str
    probability: Probability = Field(default_factory=lambda: Param(value=1.0),
                                     description="chance the rule fires when it applies")
    source: Source | list[Source] | None = None


class ActorDecisions(Strict):
    """An actor who chooses: its options, its policy, and its own (hidden) type."""

    policy: str = Field(description="a policy of decisions.policies.REGISTRY")
    initial: str = Field(description="option in force at week 0")
    options: dict[str, OptionSetup]
    risk_aversion: Param = Field(default_factory=lambda: Param(value=0.0),
                                 description="CARA coefficient ρ of the expected-utility policy (0 neutral, <0 seeking)")
    temperature: NonNegative = Field(default_factory=lambda: Param(value=0.0),
                                     description="logit choice noise (0: always the best option)")
    switching_cost: NonNegative = Field(default_factory=lambda: Param(value=0.0),
                                        description="utility lost by changing option")
    rules: list[Rule] = Field(default_factory=list, description="doctrine rules, first match wins")
    script: dict[int, str] = Field(default_factory=dict, description="week -> option (held until the next entry)")
    types: dict[str, Probability] = Field(default_factory=dict,
                                          description="the actor's possible types and their chances (drawn per run)")
    source: Source | list[Source] | None = None


class BeliefSetup(Strict):
    """What one actor believes about another's type, updated by Bayes' rule from the other's actions."""

    holder: str
    about: str
    type: str = Field(description="the type of `about` whose probability this is")
    prior: Probability
    likelihood: dict[str, tuple[float, float]] = Field(
        default_factory=dict, description="option of `about` -> [P(option | type), P(option | not type)]")
    accuracy: Probability = Field(default_factory=lambda: Param(value=0.9),
                                  description="chance the holder reads an action right")
    source: Source | list[Source] | None = None

    @field_validator("likelihood")
    @classmethod
    def _probabilities(cls, table: dict[str, tuple[float, float]]) -> dict[str, tuple[float, float]]:
        for option, pair in table.items():
            if not all(0.0 <= p <= 1.0 for p in pair):
                raise ValueError(f"likelihood of '{option}' must be two probabilities between 0 and 1, got {list(pair)}")
        for column in (0, 1):
            total = sum(pair[column] for pair in table.values())
            if total > 1.0 + 1e-9:
                raise ValueError(f"likelihoods under {'the type' if column == 0 else 'the other type'} add up to "
                                 f"{total:.3g}, more than 1")
        return table


class DecisionSetup(Strict):
    """Actors' options and how they choose among them."""

    review_weeks: int = Field(4, ge=1, le=52, description="weeks between reconsiderations")
    actors: dict[str, ActorDecisions] = Field(default_factory=dict)
    beliefs: dict[str, BeliefSetup] = Field(default_factory=dict)
    source: Source | list[Source] | None = None
