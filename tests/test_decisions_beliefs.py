"""Bayes updates against hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest

from detente.decisions.beliefs import bayes_update, likelihood_table, perceive, perception_likelihood, update_from_action


def test_bayes_rule_by_hand() -> None:
    # prior 0.5, P(o|T) = 0.8, P(o|not T) = 0.3: posterior = 0.4 / (0.4 + 0.15) = 0.72727
    assert bayes_update(np.array([0.5]), np.array([0.8]), np.array([0.3]))[0] == pytest.approx(0.4 / 0.55)
    # prior 0.1, likelihoods 0.9 vs 0.05: 0.09 / (0.09 + 0.045) = 2/3
    assert bayes_update(np.array([0.1]), np.array([0.9]), np.array([0.05]))[0] == pytest.approx(2 / 3)


def test_uninformative_observation_leaves_belief() -> None:
    assert bayes_update(np.array([0.37]), np.array([0.2]), np.array([0.2]))[0] == pytest.approx(0.37)


def test_likelihood_table_spreads_the_rest() -> None:
    table = likelihood_table({"a": (0.8, 0.2)}, ["a", "b", "c"])
    np.testing.assert_allclose(table, [[0.8, 0.1, 0.1], [0.2, 0.4, 0.4]])


def test_noisy_perception_by_hand() -> None:
    # two options, L_T = [0.8, 0.2], L_notT = [0.3, 0.7], accuracy 0.9:
    # P(see a | T) = 0.9*0.8 + 0.1*0.2 = 0.74; P(see a | not T) = 0.9*0.3 + 0.1*0.7 = 0.34
    table = np.array([[0.8, 0.2], [0.3, 0.7]])
    like = perception_likelihood(table, np.array([False, False]), 0.9)
    np.testing.assert_allclose(like[:, 0], [0.74, 0.34])
    post = update_from_action(np.array([0.5]), np.array([0]), table, np.array([False, False]), 0.9)
    assert post[0] == pytest.approx(0.37 / 0.54)


def test_announced_option_is_read_exactly() -> None:
    table = np.array([[0.5, 0.3, 0.2], [0.1, 0.3, 0.6]])
    announced = np.array([True, False, False])
    like = perception_likelihood(table, announced, 0.5)
    np.testing.assert_allclose(like[:, 0], [0.5, 0.1])
    # unannounced: q L + (1 - q) (M - L) / (K' - 1) with M_T = 0.5, K' = 2: 0.5*0.3 + 0.5*0.2 = 0.25
    assert like[0, 1] == pytest.approx(0.25)
    true = np.zeros(1000, int)
    seen = perceive(true, announced, 0.0, np.random.default_rng(0))
    assert (seen == 0).all()


def test_perception_errors_at_the_stated_rate() -> None:
    true = np.full(20000, 1)
    seen = perceive(true, np.zeros(3, bool), 0.8, np.random.default_rng(1))
    assert abs((seen == 1).mean() - 0.8) < 0.02
    assert set(np.unique(seen)) == {0, 1, 2}
