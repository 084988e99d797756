"""Policies: how an actor chooses among its options each time it reconsiders, for all runs at once.

Every policy is a small class behind the `Policy` protocol with its traits declared up front, listed in
`REGISTRY` by the name a scenario uses (`policy: expected_utility`):

- `doctrine` — ordered rules "when these conditions hold (and I am of this type), choose X", first match
  wins, each firing with its probability; no rule fires → the actor's initial (default) posture.
- `expected_utility` — the option of highest certainty equivalent under a constant-absolute-risk-aversion
  utility (Pratt 1964; Arrow 1965). For option o with base value v_o, state terms Σ w_f x_f and risks r
  (a loss L_r if the actor a belief is about is of that type, held with probability p_r):
      CE_o = v_o + Σ_f w_f x_f − Σ_r (1/ρ) ln(1 − p_r + p_r e^{ρ L_r})   (ρ ≠ 0),   − Σ_r p_r L_r (ρ = 0),
  minus a switching cost for leaving the option in force; with temperature τ > 0 the choice is logit
  (Gumbel noise of scale τ, McFadden 1974). ρ > 0 is risk-averse (seed 002's "consummate pragmatist").
- `script` — fixed choices by week, held until the next entry (what-if runs); options are forced even
  where their `available_when` does not hold, so a script can explore any branch.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, ClassVar, Protocol

import numpy as np

from detente.decisions.schema import ActorDecisions, Condition


@dataclass(frozen=True)
class Choice:
    """A policy's answer for N runs: the option chosen, each option's value, the doctrine rule that fired."""

    option: np.ndarray            # (N,) int index into the actor's options
    values: np.ndarray            # (N, K) each option's value to the actor (policy-specific scale)
    rule: np.ndarray              # (N,) int: index of the doctrine rule that fired, −1 for none / other policies


@dataclass
class DecisionContext:
    """What an actor sees when it reconsiders (all arrays over runs)."""

    week: int
    runs: int
    current: np.ndarray                           # (N,) the actor's option in force
    available: np.ndarray                         # (N, K) bool: options whose conditions hold
    feature: Callable[[str], np.ndarray]          # state feature by name -> (N,)
    beliefs: dict[str, np.ndarray]                # this actor's beliefs -> (N,)
    chosen: dict[str, np.ndarray]                 # every actor's option in force -> (N,)
    option_index: dict[str, dict[str, int]]       # actor -> option -> index
    own_type: np.ndarray                          # (N,) index of the actor's type, −1 if it has none
    type_index: dict[str, int] = field(default_factory=dict)

    def holds(self, condition: Condition) -> np.ndarray:
        """Where a condition holds (N,) bool."""
        if condition.actor is not None:
            index = self.option_index[condition.actor]
            picks = [index[o] for o in condition.chose or []]
            return np.isin(self.chosen[condition.actor], picks)
        value = self.beliefs[condition.belief] if condition.belief is not None else self.feature(condition.feature)
        ok = np.ones(self.runs, bool)
        if condition.above is not None:
            ok &= value > condition.above
        if condition.below is not None:
            ok &= value < condition.below
        return ok

    def all_hold(self, conditions: list[Condition]) -> np.ndarray:
        """Where every condition holds (N,) bool (true for an empty list)."""
        ok = np.ones(self.runs, bool)
        for condition in conditions:
            ok &= self.holds(condition)
        return ok


class Policy(Protocol):
    """Chooses an option per run; `traits` say what it reads and whether it draws random numbers."""

    name: ClassVar[str]
    traits: ClassVar[dict[str, bool]]

    def choose(self, context: DecisionContext, rng: np.random.Generator) -> Choice:
        """Pick an option for every run."""
        ...


def per_run(value: Any, runs: int) -> np.ndarray:
    """A scalar or (N,) array as (N,)."""
    return np.broadcast_to(np.asarray(value, dtype=float), (runs,))


class Doctrine:
    """Ordered if-then rules, first match wins; the initial option when none applies."""

    name = "doctrine"
    traits = {"uses_beliefs": True, "uses_state": True, "stochastic": True, "forced": False, "weekly": False}

    def __init__(self, setup: ActorDecisions, options: list[str], params: dict[str, np.ndarray]):
        self.setup, self.options = setup, options
        self.default = options.index(setup.initial)
        self.rule_option = [options.index(r.choose) for r in setup.rules]

    def choose(self, context: DecisionContext, rng: np.random.Generator) -> Choice:
        """Apply the rules in order to every run."""
        n = context.runs
        option = np.full(n, self.default)
        rule = np.full(n, -1)
        open_ = np.ones(n, bool)
        for i, (r, k) in enumerate(zip(self.setup.rules, self.rule_option)):
            draw = rng.random(n)  # drawn for every rule, so later rules' numbers never depend on earlier ones
            fires = open_ & context.all_hold(r.when) & context.available[:, k] & (draw < r.probability.value)
            if r.type is not None:
                fires &= context.own_type == context.type_index[r.type]
            option = np.where(fires, k, option)
            rule = np.where(fires, i, rule)
            open_ &= ~fires
        values = np.zeros((n, len(self.options)))
        values[np.arange(n), option] = 1.0
        return Choice(option=option, values=values, rule=rule)


def certainty_equivalent_of_risk(p: np.ndarray, loss: float, rho: np.ndarray) -> np.ndarray:
    """CE of a lottery 'lose L with probability p' under CARA utility with coefficient ρ (per run)."""
    rho = np.asarray(rho, dtype=float)
    small = np.abs(rho) < 1e-9
    safe = np.where(small, 1.0, rho)
    ce = -np.log1p(p * np.expm1(safe * loss)) / safe
    return np.where(small, -p * loss, ce)


class ExpectedUtility:
    """The option of highest certainty equivalent given beliefs, state and a risk attitude."""

    name = "expected_utility"
    traits = {"uses_beliefs": True, "uses_state": True, "stochastic": True, "forced": False, "weekly": False}

    def __init__(self, setup: ActorDecisions, options: list[str], params: dict[str, np.ndarray]):
        self.setup, self.options = setup, options
        self.rho = params["risk_aversion"]
        self.temperature = params["temperature"]
        self.switching_cost = params["switching_cost"]
        self.fixed = params.get("fixed", {})  # id(Param) -> per-run values (ensemble.per_run)

    def values(self, context: DecisionContext) -> np.ndarray:
        """Certainty equivalent of each option (N, K), before switching costs and noise."""
        n = context.runs
        out = np.zeros((n, len(self.options)))
        rho = per_run(self.rho, n)
        for k, name in enumerate(self.options):
            o = self.setup.options[name]
            v = self.fixed[id(o.value)].copy() if id(o.value) in self.fixed else np.full(n, o.value.value)
            for feature_name, weight in o.terms.items():
                v = v + weight.value * context.feature(feature_name)
            for risk in o.risks:
                loss = self.fixed.get(id(risk.loss), risk.loss.value)
                v = v + certainty_equivalent_of_risk(context.beliefs[risk.belief], loss, rho)
            out[:, k] = v
        return out

    def choose(self, context: DecisionContext, rng: np.random.Generator) -> Choice:
        """Best available option per run (logit if the temperature is positive)."""
        n, k = context.runs, len(self.options)
        values = self.values(context)
        score = values - per_run(self.switching_cost, n)[:, None] * (np.arange(k)[None, :] != context.current[:, None])
        gumbel = rng.gumbel(size=(n, k))  # always drawn: the stream does not depend on the temperature
        score = score + per_run(self.temperature, n)[:, None] * gumbel
        score = np.where(context.available, score, -np.inf)
        option = np.argmax(score, axis=1)
        none = ~context.available.any(axis=1)
        option = np.where(none, context.current, option)
        return Choice(option=option, values=values, rule=np.full(n, -1))


class Script:
    """Fixed choices by week (held until the next entry), for what-if runs; reproduces exactly."""

    name = "script"
    traits = {"uses_beliefs": False, "uses_state": False, "stochastic": False, "forced": True, "weekly": True}

    def __init__(self, setup: ActorDecisions, options: list[str], params: dict[str, np.ndarray]):
        self.options = options
        self.entries = sorted((int(w), options.index(o)) for w, o in setup.script.items())
        self.initial = options.index(setup.initial)

    def option_at(self, week: int) -> int:
        """The scripted option in force in a given week."""
        option = self.initial
        for w, k in self.entries:
            if w <= week:
                option = k
        return option

    def choose(self, context: DecisionContext, rng: np.random.Generator) -> Choice:
        """Everyone takes the scripted option."""
        n = context.runs
        option = np.full(n, self.option_at(context.week))
        values = np.zeros((n, len(self.options)))
        values[:, option[0] if n else 0] = 1.0
        return Choice(option=option, values=values, rule=np.full(n, -1))


REGISTRY: dict[str, type] = {cls.name: cls for cls in (Doctrine, ExpectedUtility, Script)}


def make_policy(setup: ActorDecisions, options: list[str], params: dict[str, np.ndarray]) -> Policy:
    """Instantiate the registered policy an actor names."""
    return REGISTRY[setup.policy](setup, options, params)
