"""The compiled step (`engine.step`) computes what the same code run uncompiled (`engine.reference_step`) does.

States are drawn at random, far from the scenario's start: control at 0, 1, in between, within the contact
threshold of 0 or 1 and at the Dnipro's left bank; truces, objectives and counter-attacks on and off; foreign
troops, backers that gave up, per-run parameter draws. Both run the one source of each equation (the
mechanism modules of `detente.dynamics`, composed by `detente.kernel.advance`); they are compared over every
field of the state and the report, not a list of them.
"""

from __future__ import annotations

import dataclasses

import numpy as np
import pytest
from conformance import SCENARIOS, assert_same_weeks, compiled_model, random_state
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.engine import noise_width, reference_step, step
from detente.world.model import initial_state, realise
from detente.world.state import WarState

FIELDS = tuple(f.name for f in dataclasses.fields(WarState) if f.name != "week")


@pytest.fixture(scope="module")
def models():
    return {name: compiled_model(name) for name in SCENARIOS}


def assert_same_week(model, state, rng) -> tuple:
    """Step compiled and uncompiled from the same generator state, compare every field; return the compiled
    week and the normals it drew."""
    twin = np.random.default_rng()
    twin.bit_generator.state = rng.bit_generator.state
    drawn = np.zeros((state.runs, noise_width(model)))
    compiled = step(state, model, rng, drawn)
    reference = reference_step(state, model, twin)
    assert_same_weeks(compiled, reference)
    assert rng.bit_generator.state == twin.bit_generator.state   # the same normals, in the same order
    assert compiled[0].week == state.week + 1
    return compiled[0], drawn


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), which=st.integers(0, len(SCENARIOS) - 1), runs=st.integers(1, 60))
def test_compiled_step_matches_reference_on_random_states(models, seed, which, runs):
    name = sorted(models)[which % len(models)]
    rng = np.random.default_rng(seed)
    model = realise(models[name], runs, rng)          # per-run draws of the uncertain parameters
    state = random_state(model, runs, rng)
    assert_same_week(model, state, rng)


def test_compiled_step_matches_reference_over_a_whole_run(models):
    """Two years from the baseline's start, stepping both on the compiled trajectory."""
    rng = np.random.default_rng(7)
    model = realise(models["baseline.yaml"], 30, rng)
    state = initial_state(model, 30)
    for _ in range(model.horizon_weeks):
        state, _ = assert_same_week(model, state, rng)


def test_compiled_step_leaves_its_inputs_alone(models):
    rng = np.random.default_rng(3)
    model = realise(models["baseline.yaml"], 50, rng)
    state = random_state(model, 50, rng)
    before = {name: getattr(state, name).copy() for name in FIELDS}
    step(state, model, rng)
    for name, values in before.items():
        np.testing.assert_array_equal(getattr(state, name), values)


def test_normals_are_drawn_only_where_they_are_used(models):
    """Two strike shocks, a battle and a ground shock per front region, one will shock per backer, and two tempo
    shocks in each run whose tempo process is on (σ > 0: the baseline's posterior draws it per run)."""
    rng = np.random.default_rng(8)
    model = realise(models["baseline.yaml"], 40, rng)
    state = random_state(model, 40, rng)
    twin = np.random.default_rng(99)
    _, drawn = assert_same_week(model, state, np.random.default_rng(99))
    R, B = model.n_regions, len(model.backer_ids)
    front = step(state, model, np.random.default_rng(0))[1].front
    tempo_runs = int(np.count_nonzero(np.broadcast_to(np.asarray(model.combat["tempo_volatility"]), (40,)) > 0))
    expected = 2 * 40 + 2 * int(front.sum()) + B * 40 + 2 * tempo_runs
    assert np.count_nonzero(drawn) == expected
    np.testing.assert_array_equal(drawn[0, 2 * R: 2 * R + 2], twin.standard_normal(2))  # run 0 draws first


@settings(max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1))
def test_a_week_nobody_observes_is_the_same_week(models, seed):
    """Without a report (no controllers), the kernel's report arrays are not zeroed first: the week must
    not depend on it (same state, bit for bit, and the generator left in the same place)."""
    rng = np.random.default_rng(seed)
    model = realise(models["baseline.yaml"], 30, rng)
    state = random_state(model, 30, rng)
    first, second = np.random.default_rng(seed + 1), np.random.default_rng(seed + 1)
    reported, report = step(state, model, first)
    quiet, nothing = step(state, model, second, report=False)
    assert report is not None and nothing is None
    for name in FIELDS:
        np.testing.assert_array_equal(getattr(quiet, name), getattr(reported, name), err_msg=name)
    assert first.standard_normal() == second.standard_normal()
