"""Policy conformance, expected utility with risk attitude, and scripts that reproduce exactly."""

from __future__ import annotations

import math

import numpy as np
import pytest

from detente.decisions.policies import REGISTRY, Choice, DecisionContext, certainty_equivalent_of_risk, make_policy
from detente.decisions.schema import ActorDecisions

N = 64


def actor(policy: str, **extra: object) -> ActorDecisions:
    data = {"policy": policy, "initial": "hold",
            "options": {"hold": {"value": 1.0},
                        "push": {"value": 1.3, "risks": [{"belief": "they_escalate", "loss": 1.0}]},
                        "talk": {"value": 0.5}},
            **extra}
    return ActorDecisions.model_validate(data)


def context(belief: float = 0.5, week: int = 0, available: np.ndarray | None = None) -> DecisionContext:
    return DecisionContext(week=week, runs=N, current=np.zeros(N, int),
                           available=np.ones((N, 3), bool) if available is None else available,
                           feature=lambda name: np.full(N, 0.5), beliefs={"they_escalate": np.full(N, belief)},
                           chosen={"other": np.zeros(N, int)}, option_index={"other": {"a": 0, "b": 1}},
                           own_type=np.zeros(N, int), type_index={"dove": 0, "hawk": 1})


SETUPS = {
    "doctrine": actor("doctrine", rules=[{"when": [{"belief": "they_escalate", "below": 0.3}], "choose": "push"}]),
    "expected_utility": actor("expected_utility", risk_aversion=1.0),
    "script": actor("script", script={0: "hold", 10: "talk"}),
}
PARAMS = {"risk_aversion": np.full(N, 1.0), "temperature": np.zeros(N), "switching_cost": np.zeros(N)}


class TestPolicyConformance:
    """Every registered policy: declared traits, a valid Choice for every run, same seed -> same choice."""

    @pytest.mark.parametrize("name", sorted(REGISTRY))
    def test_declares_traits(self, name: str) -> None:
        cls = REGISTRY[name]
        assert cls.name == name
        assert {"uses_beliefs", "uses_state", "stochastic", "forced", "weekly"} <= set(cls.traits)
        assert cls.__doc__

    @pytest.mark.parametrize("name", sorted(REGISTRY))
    def test_choice_shape_and_range(self, name: str) -> None:
        policy = make_policy(SETUPS[name], ["hold", "push", "talk"], PARAMS)
        choice = policy.choose(context(), np.random.default_rng(3))
        assert isinstance(choice, Choice)
        assert choice.option.shape == (N,) and choice.values.shape == (N, 3) and choice.rule.shape == (N,)
        assert ((choice.option >= 0) & (choice.option < 3)).all()

    @pytest.mark.parametrize("name", sorted(REGISTRY))
    def test_deterministic_given_seed(self, name: str) -> None:
        policy = make_policy(SETUPS[name], ["hold", "push", "talk"], PARAMS)
        a = policy.choose(context(0.2), np.random.default_rng(7))
        b = policy.choose(context(0.2), np.random.default_rng(7))
        np.testing.assert_array_equal(a.option, b.option)
        np.testing.assert_array_equal(a.values, b.values)

    @pytest.mark.parametrize("name", ["doctrine", "expected_utility"])
    def test_respects_availability(self, name: str) -> None:
        available = np.ones((N, 3), bool)
        available[:, 1] = False
        policy = make_policy(SETUPS[name], ["hold", "push", "talk"], PARAMS)
        choice = policy.choose(context(0.0, available=available), np.random.default_rng(1))
        assert (choice.option != 1).all()


def test_certainty_equivalent_by_hand() -> None:
    # CARA rho = 1, lose 1 with p = 0.5: CE = -ln(1 - 0.5 + 0.5 e) = -0.620
    ce = certainty_equivalent_of_risk(np.array([0.5]), 1.0, np.array([1.0]))
    assert ce[0] == pytest.approx(-math.log(0.5 + 0.5 * math.e))
    assert certainty_equivalent_of_risk(np.array([0.5]), 1.0, np.array([0.0]))[0] == pytest.approx(-0.5)
    seeking = certainty_equivalent_of_risk(np.array([0.5]), 1.0, np.array([-1.0]))[0]
    assert -0.5 < seeking < 0 and ce[0] < -0.5


def test_risk_aversion_changes_the_choice() -> None:
    options = ["hold", "push", "talk"]
    neutral = make_policy(SETUPS["expected_utility"], options, {**PARAMS, "risk_aversion": np.zeros(N)})
    averse = make_policy(SETUPS["expected_utility"], options, {**PARAMS, "risk_aversion": np.full(N, 2.0)})
    # push: 1.3 - 0.25 = 1.05 > 1 for the neutral actor; 1.3 - 0.5 ln(1 + 0.25 (e^2 - 1)) = 0.62 for the averse
    assert (neutral.choose(context(0.25), np.random.default_rng(0)).option == 1).all()
    assert (averse.choose(context(0.25), np.random.default_rng(0)).option == 0).all()


def test_doctrine_rule_and_default() -> None:
    policy = make_policy(SETUPS["doctrine"], ["hold", "push", "talk"], PARAMS)
    fired = policy.choose(context(0.1), np.random.default_rng(0))
    assert (fired.option == 1).all() and (fired.rule == 0).all()
    idle = policy.choose(context(0.9), np.random.default_rng(0))
    assert (idle.option == 0).all() and (idle.rule == -1).all()


def test_doctrine_rule_by_type() -> None:
    setup = actor("doctrine", types={"dove": 0.5, "hawk": 0.5}, rules=[{"type": "hawk", "choose": "push"}])
    policy = make_policy(setup, ["hold", "push", "talk"], PARAMS)
    ctx = context()
    ctx.own_type = np.arange(N) % 2
    choice = policy.choose(ctx, np.random.default_rng(0))
    np.testing.assert_array_equal(choice.option, np.where(np.arange(N) % 2 == 1, 1, 0))


def test_script_follows_weeks() -> None:
    policy = make_policy(SETUPS["script"], ["hold", "push", "talk"], PARAMS)
    assert [policy.option_at(w) for w in (0, 9, 10, 50)] == [0, 0, 2, 2]
