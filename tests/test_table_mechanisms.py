"""The table's mechanisms as pure functions: analytic cases and invariants (hypothesis)."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.table import agenda as ag
from detente.table import agreements as agr
from detente.table import mediation as med
from detente.table import ratification as rat
from detente.bargaining.compromise import weighted_mean


def _shuttle(ideal, salience, capability, sd=0.0, rounds=3, seed=0, present=None):
    n, a, k = ideal.shape
    weight = capability * salience
    present = np.ones((n, a), bool) if present is None else present
    draft = med.compromise_draft(ideal, weight, present, np.full((n, k), 0.5))
    return med.shuttle(draft, ideal, salience, weight, present, np.ones(k), rounds, np.full(n, sd),
                       np.full(n, 0.5), np.full(n, 0.5), np.full(n, 0.5), np.random.default_rng(seed))


def test_identical_positions_give_that_text_and_beat_any_costly_war():
    ideal = np.full((5, 3, 2), 0.7)
    sal, cap = np.full((5, 3, 2), 0.5), np.ones((5, 3, 2))
    result = _shuttle(ideal, sal, cap)
    np.testing.assert_allclose(result.text, 0.7)
    utility = ag.text_utility(result.readings, ideal, sal, np.ones(2))
    np.testing.assert_allclose(utility, 1.0)
    no_deal = np.full((5, 3, 2), 1.0)  # even a war that would bring each its ideal ...
    value = rat.outside_option(no_deal, sal, np.ones(2), np.full((5, 3), 0.1), 1.0, np.ones(5))
    assert np.all(utility > value)  # ... is worse than the same outcome without its cost


def test_draft_is_ktab_compromise_weighted_mean():
    rng = np.random.default_rng(3)
    ideal, sal, cap = rng.random((1, 4, 3)), rng.random((1, 4, 3)), rng.random(4)
    draft = med.compromise_draft(ideal, cap[None, :, None] * sal, np.ones((1, 4), bool), np.zeros((1, 3)))
    np.testing.assert_allclose(draft[0], weighted_mean(ideal[0], cap, sal[0]))


def test_a_party_whose_outside_option_beats_any_text_never_accepts():
    # war brings Russia its ideal with certainty (rho = 1) and costs it nothing: no text can do better
    y = np.array([[[1.0, 1.0], [0.0, 0.0]]])
    sal = np.full((1, 2, 2), 0.5)
    for text in np.linspace(0, 1, 11):
        u = ag.text_utility(np.full((1, 2), text), y, sal, np.ones(2))
        agenda = ag.Agenda(("a", "b"), ("russia", "ukraine"), np.zeros(2), np.ones(2), np.array([1, 1]),
                           np.zeros((1, 2)), np.zeros((1, 2)), np.zeros((2, 1)), np.zeros(2), y, sal, sal)
        no_deal = ag.no_deal_points(agenda, np.array([[1.0, 0.5]]), np.zeros((1, 2)), 0, 1)
        v = rat.outside_option(no_deal, sal, np.ones(2), np.zeros((1, 2)), 1.0, np.ones(1))
        assert not (u[0, 0] - v[0, 0] > 0)


def test_ratification_refuses_what_would_bring_the_leader_down():
    ok = rat.ratifies(np.array([[0.1, 0.1]]), np.array([[0.5, 0.34]]), np.array([[0.3, 0.3]]),
                      np.array([[0.5, 0.5]]), np.array([[0.3, 0.3]]))
    assert ok.tolist() == [[True, False]]


def test_noise_grows_with_relays_and_issues():
    d = np.array([0.1])
    assert med.relay_sd(d, 0.5, 0.2, 3, 1)[0] > med.relay_sd(d, 0.5, 0.2, 1, 1)[0]
    assert med.relay_sd(d, 0.5, 0.2, 1, 6)[0] > med.relay_sd(d, 0.5, 0.2, 1, 1)[0]


def test_trust_falls_on_a_seen_violation_and_recovers_in_quiet_weeks():
    t = agr.trust_after(np.array([0.5, 0.5]), np.array([True, False]), np.full(2, 0.2), np.full(2, 0.1))
    np.testing.assert_allclose(t, [0.3, 0.55])


def test_truce_levels_cover_their_scope_only():
    truce = agr.truce_levels(np.array([[True, False]]), np.array([[False, False]]), np.array([0.5]),
                             np.array([0, 2]), 4)
    assert truce.tolist() == [[1.0, 0.0, 0.0, 0.0]]
    broken = agr.truce_levels(np.array([[True]]), np.array([[True]]), np.array([0.5]), np.array([0]), 4)
    assert broken[0, 0] == 0.5


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.0, 2.0), st.integers(0, 6))
def test_positions_stay_within_the_range(seed, sd, rounds):
    rng = np.random.default_rng(seed)
    ideal, sal, cap = rng.random((20, 4, 5)), rng.random((20, 4, 5)), rng.random((20, 4, 5))
    result = _shuttle(ideal, sal, cap, sd=sd, rounds=rounds, seed=seed)
    for x in (result.text, result.readings):
        assert np.all((x >= 0) & (x <= 1))
    assert np.all((result.divergence >= 0) & (result.divergence <= 1))


@settings(max_examples=40, deadline=None)
@given(st.floats(-50, 50), st.floats(-5, 5), st.floats(0, 3), st.integers(0, 1000))
def test_forecasts_are_probabilities(lev, optimism, noise, seed):
    rng = np.random.default_rng(seed)
    rho = rat.forecasts(np.full(10, lev), np.full((10, 3), optimism), np.array([1.0, -1.0, 0.0]),
                        np.full(10, noise), rng.standard_normal((10, 3)))
    assert np.all((rho >= 0) & (rho <= 1))
    after = rat.rearmed_forecast(rho, np.abs(rng.normal(50, 20, (10, 2))) + 1, np.array([1.0, 0.2]),
                                 np.full(10, 0.4), np.full(10, 2.0), 13, np.full(10, 0.5))
    assert np.all((after >= 0) & (after <= 1))


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 1), st.floats(-30, 30))
def test_scaling_the_odds_is_shifting_the_log_odds(p, shift):
    """The forecast after rearming scales the odds by e^shift: the same as logistic(logit ρ + shift)."""
    scaled = rat.scaled_odds(np.array([p]), np.array([np.exp(shift)]))
    assert scaled[0] == pytest.approx(rat.logistic(rat.logit(np.array([p])) + shift)[0], rel=1e-12, abs=1e-15)
    assert 0.0 <= scaled[0] <= 1.0


def test_scaled_odds_saturate_instead_of_failing():
    assert rat.scaled_odds(np.array([0.3, 0.0]), np.array([np.inf, np.inf])).tolist() == [1.0, 1.0]
    assert rat.scaled_odds(np.array([0.3]), np.array([0.0])).tolist() == [0.0]


def test_rearming_during_a_truce_lowers_russias_prospects():
    rho = np.array([[0.6, 0.6]])
    after = rat.rearmed_forecast(rho, np.array([[100.0, 40.0]]), np.array([1.0, 0.2]), np.array([0.4]),
                                 np.array([2.0]), 13, np.array([0.5]))
    assert np.all(after < rho)
    kappa = rat.commitment_term(rho, after, np.array([[0.5, -0.5]]), np.array([1.0]))
    assert kappa[0, 0] < 0 < kappa[0, 1]
