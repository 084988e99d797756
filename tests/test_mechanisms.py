"""Each war mechanism against a case worked out by hand, and its invariants under varied input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from detente.dynamics import allocation, attrition, backers, forces, occupation, strikes, territory

shares = arrays(np.float64, (5, 4), elements=st.floats(0.0, 1.0))
troops = arrays(np.float64, (5, 4), elements=st.floats(0.0, 1e5))


def test_helmbold_loss_ratio_scales_as_force_ratio_power():
    """C_R / C_U ∝ (R / U)^(1 − 2w): doubling R multiplies the loss ratio by 2^(1 − 2w)."""
    w = 0.25
    quality, supply, defence, noise = np.ones((1, 2)), np.ones((1, 2)), np.ones(2), np.zeros((1, 2))
    russia, ukraine = np.array([[1000.0, 2000.0]]), np.array([[1000.0, 1000.0]])
    lost_r, lost_u = attrition.casualties(russia, ukraine, quality, supply, defence, 0.01, 0.01, w, 0.0, noise)
    ratio = lost_r / lost_u
    assert np.isclose(ratio[0, 1] / ratio[0, 0], 2 ** (1 - 2 * w))
    assert np.isclose(lost_r[0, 0], 0.01 * 1000.0)  # equal forces: a · U^w R^(1-w) = a · 1000


def test_square_law_limit():
    """w = 1: each side's losses depend only on the enemy's numbers (aimed fire)."""
    quality, supply, defence, noise = np.ones((1, 2)), np.ones((1, 2)), np.ones(2), np.zeros((1, 2))
    russia, ukraine = np.array([[1000.0, 5000.0]]), np.array([[800.0, 800.0]])
    lost_r, _ = attrition.casualties(russia, ukraine, quality, supply, defence, 0.01, 0.01, 1.0, 0.0, noise)
    assert np.allclose(lost_r, 0.01 * 800.0)


def test_equal_forces_cancel_and_direction_follows_power():
    """Both attacking with equal power: the pushes cancel; otherwise ground goes to the stronger side; a
    river barrier of 3 makes the 3:1 attacker realise only half its potential (ρ = 1) and cuts its gain."""
    quality, supply, defence, barrier = np.ones((1, 3)[:1] + (2,)), np.ones((1, 3)), np.ones(3), np.ones((1, 3))
    russia = np.array([[1000.0, 3000.0, 1000.0]])
    ukraine = np.array([[1000.0, 1000.0, 3000.0]])
    intent = np.ones((1, 3))
    gain = attrition.ground_change(russia, ukraine, quality, supply, defence, barrier, intent, intent, 1.0, 1.0,
                                   2.0, 0.0, np.zeros((1, 3)))
    assert gain[0, 0] == 0.0 and gain[0, 1] > 0 and gain[0, 2] < 0
    assert gain[0, 1] == pytest.approx(-gain[0, 2])
    assert gain[0, 1] == pytest.approx((3000 * 0.9 - 1000 * 0.1) / 1000)   # π(3) = 9/10 at ε = 2
    river = attrition.ground_change(russia, ukraine, quality, supply, defence, np.full((1, 3), 3.0), intent, intent,
                                    1.0, 1.0, 2.0, 0.0, np.zeros((1, 3)))
    assert river[0, 1] == pytest.approx((3000 * 0.5 - 1000 * 1 / 82) / 1000)
    assert 0 < river[0, 1] < gain[0, 1]


def test_no_intent_no_advance():
    quality, supply, defence, barrier = np.ones((1, 2)), np.ones((1, 1)), np.ones(1), np.ones((1, 1))
    gain = attrition.ground_change(np.array([[5000.0]]), np.array([[100.0]]), quality, supply, defence, barrier,
                                   np.zeros((1, 1)), np.zeros((1, 1)), 1.0, 1.0, 2.0, 0.0, np.zeros((1, 1)))
    assert gain[0, 0] == 0.0


@given(shares, arrays(np.float64, (5, 4), elements=st.floats(-1e5, 1e5)),
       arrays(np.float64, 4, elements=st.floats(1.0, 1e5)))
def test_territory_is_conserved_and_shares_stay_in_unit_interval(control, gain, area):
    new, moved = territory.apply_ground(control, gain, area)
    assert np.all(new >= 0) and np.all(new <= 1)
    assert np.allclose((new - control) * area, moved)
    russian, ukrainian = new * area, (1 - new) * area
    assert np.allclose(russian + ukrainian, area)


@given(st.floats(0, 1e6), st.floats(0, 1e6), shares, arrays(np.float64, 4, elements=st.floats(0.0, 5.0)),
       st.floats(0, 1))
def test_allocation_conserves_troops(line_r, line_u, control, objective, tau):
    front = control > 0.3
    russia, ukraine = allocation.allocate(np.full(5, line_r), np.full(5, line_u), front, objective[None, :].repeat(5, 0),
                                          np.ones(4), tau, 0.1)
    assert np.all(russia >= 0) and np.all(ukraine >= 0)
    has_front = front.any(axis=1)
    assert np.allclose(russia.sum(axis=1)[has_front], line_r, rtol=1e-9)
    assert np.allclose(ukraine.sum(axis=1)[has_front], line_u, rtol=1e-9)
    assert np.all(russia[~front] == 0) and np.all(ukraine[~front] == 0)


@given(arrays(np.float64, (5, 2), elements=st.floats(0, 1e6)), arrays(np.float64, (5, 2), elements=st.floats(0, 1e5)),
       st.floats(0, 1))
def test_pools_never_negative(manpower, casualties, share):
    assert np.all(forces.manpower_after(manpower, np.zeros(2), casualties, share) >= 0)
    assert np.all(forces.materiel_after(manpower / 1e4, np.zeros((5, 2)), np.zeros(5), manpower, np.full(2, 5.0)) >= 0)


def test_energy_truce_stops_damage_and_repair_continues():
    energy = np.array([[0.8, 0.5]])
    hit = strikes.energy_damage(energy, np.array([0.1, 0.05]), np.array([0.5, 0.5]), np.ones((1, 2)),
                                np.array([0.0]), np.array([0.0, 0.0]), 0.0, np.zeros((1, 2)))
    assert np.all(hit < energy)
    truce = strikes.energy_damage(energy, np.array([0.1, 0.05]), np.array([0.5, 0.5]), np.ones((1, 2)),
                                  np.array([1.0]), np.array([0.1, 0.1]), 0.0, np.zeros((1, 2)))
    assert np.allclose(truce, energy + 0.1 * (1 - energy))


def test_secondary_sanctions_cut_russian_output_only():
    out = strikes.output(np.ones((1, 2)), np.array([1.0, 1.0]), 0.3, 0.1, 0.15, np.array([1.0]))
    assert np.allclose(out, [[0.75, 1.0]])


def test_backer_below_threshold_stops_for_good():
    will, active = backers.update_will(np.array([[0.31]]), np.array([[True]]), np.array([[0.1]]), np.array([0.1]),
                                       np.array([0.1]), np.array([0.0]), np.array([0.3]), np.array([0.0]),
                                       np.array([0.0]), np.zeros((1, 1)))
    assert not active[0, 0]
    assert backers.aid_flow(np.array([[0.9]]), active, np.ones((1, 1)), np.array([1.0]))[0, 0] == 0.0


def test_garrison_shortfall_lets_partisans_grow():
    hostile = np.array([[1e6, 0.0]])
    held, coverage = occupation.garrison(hostile, np.array([100000.0]), 20.0, 0.1)
    assert held[0] == 10000.0 and np.isclose(coverage[0], 0.5)
    control = np.array([[1.0, 0.0]])
    grown = occupation.partisans_after(np.zeros((1, 2)), control, np.array([0.9, 0.9]), np.array([True, True]),
                                       coverage, 0.02, 0.05)
    assert grown[0, 0] > 0 and grown[0, 1] == 0


def test_dnipro_barrier_where_russia_must_cross(baseline_model):
    model = baseline_model
    r = model.region_ids.index
    control = model.regions["control"][None, :].copy()
    control[0, r("kherson")] = model.left_bank_share[r("kherson")]
    by_land, by_river, _ = allocation.russian_reach(control, model.edges, model.home)
    # Kherson: Russia holds exactly the left bank, so its next assault crosses the river
    barrier = attrition.river_barrier(control, by_land, by_river, model.left_bank_share, 3.0)
    assert barrier[0, r("kherson")] == 3.0 and barrier[0, r("donetsk")] == 1.0
    # Mykolaiv borders Kherson's right bank, which Russia does not hold: reachable only across the river
    assert not by_land[0, r("mykolaiv")] and by_river[0, r("mykolaiv")]
    control[0, r("kherson")] = 0.95
    by_land, _, _ = allocation.russian_reach(control, model.edges, model.home)
    assert by_land[0, r("mykolaiv")]
