"""The revised ground law and the contiguity of the front (issue 14, step 4).

The ground law `attrition.advance_share` must respond smoothly and monotonically to the force ratio, with an
elasticity bounded by its parameter; Russia must attack only from ground joined to its bases by a chain of
held regions; a week must conserve territory and keep forces non-negative. Each test fails if that logic is
broken (e.g. an enclave that attacks, a law that falls as the attacker grows).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detente.dynamics.allocation import supplied_ground
from detente.dynamics.attrition import advance_share
from detente.engine import reference_step, step
from detente.scenario.loader import load_scenario
from detente.world.model import compile_model, initial_state

ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def baseline():
    return compile_model(load_scenario(ROOT / "scenarios" / "baseline.yaml").scenario)


def test_advance_share_is_monotone_bounded_and_of_bounded_elasticity():
    ratio = np.exp(np.linspace(-4, 4, 401))
    for e in (0.3, 1.0, 2.5):
        share = advance_share.py_func(ratio, 1.0, e)
        assert np.all(np.diff(share) > 0) and np.all((share > 0) & (share < 1))
        elasticity = np.diff(np.log(share)) / np.diff(np.log(ratio))
        assert np.all(elasticity <= e + 1e-9)
        assert advance_share(2.0, 1.0, e) == pytest.approx(advance_share.py_func(2.0, 1.0, e), rel=1e-14)
    assert advance_share(1.0, 1.0, 1.7) == pytest.approx(0.5)
    # more resistance, less advance; a 12% smaller attacker moves the share by at most ε·12%
    assert advance_share(1.0, 2.0, 1.0) < advance_share(1.0, 1.5, 1.0)
    assert advance_share(0.88, 1.0, 1.0) / advance_share(1.0, 1.0, 1.0) > 0.88


def test_supplied_ground_follows_chains_of_held_regions_from_home(baseline):
    ids = baseline.region_ids
    control = initial_state(baseline, 1).control

    def supplied(control: np.ndarray, compiled: bool = True) -> np.ndarray:
        held = np.append(control[0] > 0.5, False)
        fn = supplied_ground if compiled else supplied_ground.py_func
        return fn(held, baseline.home, baseline.edges.adjacent, np.zeros(len(ids) + 1, bool))
    net = supplied(control)
    assert net[ids.index("luhansk")] and net[ids.index("donetsk")] and net[ids.index("crimea")]
    assert not net[ids.index("transnistria")]           # held, but cut off from Russia by Moldova and Ukraine
    assert not net[len(ids)]                             # the padding slot
    # cut the land bridge: Zaporizhzhia and Kherson hold on only through Crimea (a home region)
    cut = control.copy()
    cut[0, ids.index("donetsk")] = 0.3
    after = supplied(cut)
    assert after[ids.index("zaporizhzhia")] and not after[ids.index("donetsk")]
    # and the compiled function is the same code
    np.testing.assert_array_equal(supplied(control, compiled=False), net)


@pytest.mark.parametrize("compiled", [True, False])
def test_an_enclave_cannot_attack(baseline, compiled):
    """Russia wants Odesa (and Moldova) but holds only Transnistria next to them: no ground moves there."""
    ids = baseline.region_ids
    runs = 30
    state = initial_state(baseline, runs)
    objective = state.objective.copy()
    for rid in ("odesa", "moldova"):
        objective[:, ids.index(rid)] = 3.0
    state = state.replace(objective=objective)
    rng = np.random.default_rng(4)
    for _ in range(8):
        if compiled:
            state, report = step(state, baseline, rng)
        else:
            state, report = reference_step(state, baseline, rng)
        assert not report.front[:, ids.index("odesa")].any()
    assert np.all(state.control[:, ids.index("odesa")] == 0.0)
    # give Russia Mykolaiv (joined to Kherson): now Odesa is within reach and becomes a front
    control = state.control.copy()
    control[:, ids.index("mykolaiv")] = 1.0
    state, report = step(state.replace(control=control), baseline, rng)
    assert report.front[:, ids.index("odesa")].all()


def test_a_week_conserves_territory_and_keeps_forces_non_negative(baseline):
    rng = np.random.default_rng(11)
    runs = 100
    state = initial_state(baseline, runs)
    state = state.replace(manpower=state.manpower * rng.uniform(0, 1.5, (runs, 2)),
                          materiel=state.materiel * rng.uniform(0, 1.5, (runs, 2)))
    for _ in range(26):
        before = state.control
        state, report = step(state, baseline, rng)
        assert np.all((state.control >= 0) & (state.control <= 1))
        np.testing.assert_allclose((state.control - before) * baseline.area, report.ground_km2, atol=1e-6)
        assert np.all(state.manpower >= 0) and np.all(state.materiel >= 0) and np.all(report.casualties >= 0)


def test_more_russian_troops_gain_more_ground_but_not_explosively(baseline):
    """The issue's measure: 617,000 instead of 700,000 Russian troops must not halve the year's gain."""
    gains = {}
    for troops in (617_000, 700_000, 780_000):
        state = initial_state(baseline, 200)
        manpower = state.manpower.copy()
        manpower[:, 0] = troops
        state = state.replace(manpower=manpower)
        rng = np.random.default_rng(5)
        start = state.control
        for _ in range(52):
            state, _ = step(state, baseline, rng, report=False)
        gains[troops] = float(np.median(((state.control - start) * baseline.area).sum(axis=1)))
    assert gains[617_000] < gains[700_000] < gains[780_000]
    assert gains[617_000] / gains[700_000] > 0.7
