"""The table's mechanisms as per-run functions (the ones its kernels compose): analytic cases and invariants
(hypothesis). Each is the compiled equation; tests/test_table_conformance.py checks it against its own Python."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from detente.bargaining.compromise import weighted_mean
from detente.table import agenda as ag
from detente.table import agreements as agr
from detente.table import mediation as med
from detente.table import ratification as rat
from detente.table.records import RUN, ISSUE, fill, records


def _run(sd=0.0, rounds=3, **values):
    p = records(RUN, (1,))
    fill(p, {"distortion": sd, "relay_growth": 0.5, "issue_growth": 0.5, "amendment": 0.5, "rounds": rounds,
             **values})
    return p[0]


def _shuttle(ideal, salience, capability, sd=0.0, rounds=3, seed=0):
    """The mediator's draft and shuttle for one run among P parties on K issues (arrays (P, K))."""
    P, K = ideal.shape
    weight = capability * salience
    text, readings, copies = np.empty(K), np.empty((P, K)), np.empty((P, K))
    med.first_draft(ideal, weight, np.zeros(K, bool), np.zeros(K), -1, text)
    divergence = med.shuttle(text, ideal, salience, weight, _run(sd, rounds), np.random.default_rng(seed), copies,
                             readings)
    return text, readings, divergence


def test_identical_positions_give_that_text_and_beat_any_costly_war():
    ideal, sal, cap = np.full((3, 2), 0.7), np.full((3, 2), 0.5), np.ones((3, 2))
    text, readings, _ = _shuttle(ideal, sal, cap)
    np.testing.assert_allclose(text, 0.7)
    no_deal = np.full((1, 3, 2), 1.0)  # even a war that would bring each its ideal ...
    for a in range(3):
        utility = ag.text_utility(readings, ideal, sal, a, 2)
        assert utility == pytest.approx(1.0)
        expected = rat.expected_no_deal(no_deal, 0, a, np.arange(2), sal, a)
        assert utility > rat.outside_option(expected, 0.1, 1.0, 1.0)  # ... is worse than it without its cost


def test_draft_is_ktab_compromise_weighted_mean():
    rng = np.random.default_rng(3)
    ideal, sal, cap = rng.random((4, 3)), rng.random((4, 3)), rng.random(4)
    text = np.empty(3)
    med.first_draft(ideal, cap[:, None] * sal, np.zeros(3, bool), np.zeros(3), -1, text)
    np.testing.assert_allclose(text, weighted_mean(ideal, cap, sal))


def test_a_party_whose_outside_option_beats_any_text_never_accepts():
    # war brings Russia its ideal with certainty (rho = 1) and costs it nothing: no text can do better
    y, sal = np.array([[1.0, 1.0], [0.0, 0.0]]), np.full((2, 2), 0.5)
    issue = fill(records(ISSUE, (2,)), {"low": 0.0, "high": 1.0, "no_deal": ag.WAR})
    no_deal = np.array([[[ag.no_deal_point(ag.WAR, y[a, k], y[0, k], y[1, k], 0.0, 1.0, 0.0, issue[k], 0.0)
                          for k in range(2)] for a in range(2)]])
    for text in np.linspace(0, 1, 11):
        u = ag.text_utility(np.full((2, 2), text), y, sal, 0, 2)
        v = rat.outside_option(rat.expected_no_deal(no_deal, 0, 0, np.arange(2), sal, 0), 0.0, 1.0, 1.0)
        assert not (u - v > 0)


def test_ratification_refuses_what_would_bring_the_leader_down():
    assert rat.ratifies(0.1, 0.5, 0.3, 0.5, 0.3)
    assert not rat.ratifies(0.1, 0.34, 0.3, 0.5, 0.3)   # support 0.34 − 0.05 falls below 0.3
    assert not rat.ratifies(0.4, 0.9, 0.3, 0.0, 0.0)    # beyond what the home ratifies


def test_noise_grows_with_relays_and_issues():
    assert med.relay_sd(0.1, 0.5, 0.2, 3, 1) > med.relay_sd(0.1, 0.5, 0.2, 1, 1)
    assert med.relay_sd(0.1, 0.5, 0.2, 1, 6) > med.relay_sd(0.1, 0.5, 0.2, 1, 1)


def test_trust_falls_on_a_seen_violation_and_recovers_in_quiet_weeks():
    assert agr.trust_after(0.5, True, 0.2, 0.1) == pytest.approx(0.3)
    assert agr.trust_after(0.5, False, 0.2, 0.1) == pytest.approx(0.55)
    assert agr.trust_after(0.1, True, 0.2, 0.1) == 0.0


def test_truce_levels_cover_their_scope_only():
    truce = agr.truce_levels(np.array([[True, False]]), np.array([[False, False]]), np.array([0.5]),
                             np.array([0, 2]), 4)
    assert truce.tolist() == [[1.0, 0.0, 0.0, 0.0]]
    broken = agr.truce_levels(np.array([[True]]), np.array([[True]]), np.array([0.5]), np.array([0]), 4)
    assert broken[0, 0] == 0.5


def test_an_agreement_is_renewed_only_when_both_still_want_it_and_it_held():
    assert agr.renews(True, 0.2, 0.2, 0.1, False)
    assert not agr.renews(True, 0.2, 0.05, 0.1, False)
    assert not agr.renews(True, 0.2, 0.2, 0.1, True)
    assert not agr.renews(False, 0.2, 0.2, 0.1, False)


@settings(max_examples=40, deadline=None)
@given(st.integers(0, 2**31 - 1), st.floats(0.0, 2.0), st.integers(0, 6))
def test_positions_stay_within_the_range(seed, sd, rounds):
    rng = np.random.default_rng(seed)
    ideal, sal, cap = rng.random((4, 5)), rng.random((4, 5)), rng.random((4, 5))
    text, readings, divergence = _shuttle(ideal, sal, cap, sd=sd, rounds=rounds, seed=seed)
    for x in (text, readings):
        assert np.all((x >= 0) & (x <= 1))
    assert 0 <= divergence <= 1


@settings(max_examples=40, deadline=None)
@given(st.floats(-50, 50), st.floats(-5, 5), st.floats(0, 3), st.integers(0, 1000))
def test_forecasts_are_probabilities(lev, optimism, noise, seed):
    rng = np.random.default_rng(seed)
    for sign in (1.0, -1.0, 0.0):
        rho = rat.forecast(lev, sign, optimism, noise, rng.standard_normal())
        assert 0 <= rho <= 1
        w = _run(materiel_russia=abs(rng.normal(50, 20)) + 1, materiel_ukraine=abs(rng.normal(50, 20)) + 1,
                 production_russia=1.0, production_ukraine=0.2, last_aid=0.4, rearm=2.0, materiel_weight=0.5)
        assert 0 <= rat.scaled_odds(rho, rat.rearm_odds(13.0, w)) <= 1


@settings(max_examples=200, deadline=None)
@given(st.floats(0, 1), st.floats(-30, 30))
def test_scaling_the_odds_is_shifting_the_log_odds(p, shift):
    """The forecast after rearming scales the odds by e^shift: the same as logistic(logit ρ + shift)."""
    scaled = rat.scaled_odds(p, math.exp(shift))
    assert scaled == pytest.approx(rat.logistic(rat.logit(p) + shift), rel=1e-12, abs=1e-15)
    assert 0.0 <= scaled <= 1.0


def test_scaled_odds_saturate_instead_of_failing():
    assert rat.scaled_odds(0.3, math.inf) == 1.0 and rat.scaled_odds(0.0, math.inf) == 1.0
    assert rat.scaled_odds(0.3, 0.0) == 0.0


def test_rearming_during_a_truce_lowers_russias_prospects():
    w = _run(materiel_russia=100.0, materiel_ukraine=40.0, production_russia=1.0, production_ukraine=0.2,
             last_aid=0.4, rearm=2.0, materiel_weight=0.5)
    after = rat.scaled_odds(0.6, rat.rearm_odds(13.0, w))
    assert after < 0.6
    assert rat.commitment_term(0.6, after, 0.5, 1.0) < 0 < rat.commitment_term(0.6, after, -0.5, 1.0)


def test_the_war_stake_is_what_each_side_wins_by_its_ideal():
    ideal = np.array([[[1.0, 0.3], [0.0, 0.3], [0.5, 0.3]]])  # issue 0 decided by war, issue 1 the status quo
    salience = np.ones((1, 3, 2))
    issue = fill(records(ISSUE, (2,)), {"low": 0.0, "high": 1.0, "no_deal": [ag.WAR, ag.STATUS_QUO]})
    party = records(np.dtype([("stake", float)]), (1, 3))
    ag.stakes(ideal, salience, issue, 0, 1, party)
    np.testing.assert_allclose(party["stake"][0], [1.0, -1.0, 0.0])
