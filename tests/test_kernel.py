"""The compiled step (`detente.kernel`) computes what the NumPy reference (`engine.reference_step`) specifies.

States are drawn at random, far from the scenario's start: control at 0, 1, in between, within the contact
threshold of 0 or 1 and at the Dnipro's left bank; truces, objectives and counter-attacks on and off; foreign
troops, backers that gave up, per-run parameter draws. A mechanism changed in one and not the other fails here.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente.engine import noise_width, reference_step, step
from detente.scenario.loader import load_scenario
from detente.world.model import compile_model, initial_state, realise

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("baseline.yaml", "backtest-2024.yaml", "seed000-counter-moves.yaml", "seed000-odesa-transnistria.yaml",
             "seed002-expansion-escalate.yaml")
FLOATS = ("control", "manpower", "materiel", "casualties", "energy", "backer_will", "partisans", "garrison",
          "aid_delivered")
REPORT = ("casualties", "ground_km2", "russia_line", "ukraine_line", "aid")


@pytest.fixture(scope="module")
def models():
    out = {}
    for name in SCENARIOS:
        out[name] = compile_model(load_scenario(ROOT / "scenarios" / name).scenario)
    return out


def random_state(model, runs: int, rng: np.random.Generator):
    """A state anywhere in the space the engine can reach (and some it should survive anyway)."""
    state = initial_state(model, runs)
    R, B = model.n_regions, len(model.backer_ids)
    kind = rng.integers(0, 6, (runs, R))
    bank = np.nan_to_num(model.left_bank_share, nan=0.5)[None, :] + rng.uniform(-0.02, 0.02, (runs, R))
    control = np.select([kind == 0, kind == 1, kind == 2, kind == 3, kind == 4],
                        [0.0, 1.0, rng.uniform(0, 1, (runs, R)), 5e-7, 1.0 - 5e-7], np.clip(bank, 0.0, 1.0))
    control = np.where(model.contestable, control, state.control)
    return state.replace(
        control=control,
        manpower=state.manpower * rng.uniform(0.0, 2.0, (runs, 2)),
        materiel=state.materiel * rng.uniform(0.0, 2.0, (runs, 2)),
        energy=rng.uniform(0, 1, (runs, 2)),
        backer_will=rng.uniform(0, 1, (runs, B)),
        backer_active=rng.random((runs, B)) < 0.8,
        partisans=rng.uniform(0, 1, (runs, R)) * (control > 0),
        objective=np.where(rng.random((runs, R)) < 0.4, rng.uniform(0, 3, (runs, R)), 0.0),
        truce=(rng.random((runs, 4)) < 0.2).astype(float),
        aid_factor=rng.uniform(0, 2, (runs, B)),
        strike_factor=rng.uniform(0, 2, (runs, 2)),
        recruitment_factor=rng.uniform(0.5, 2, (runs, 2)),
        line_factor=rng.uniform(0.5, 1.5, (runs, 2)),
        counterattack=(rng.random(runs) < 0.3).astype(float),
        secondary_sanctions=(rng.random(runs) < 0.5).astype(float),
        foreign_troops=np.where(rng.random((runs, R)) < 0.05, rng.uniform(0, 20_000, (runs, R)), 0.0),
    )


def assert_same_week(model, state, rng) -> tuple:
    """Step compiled, replay its normals through the reference, compare; return the compiled week."""
    drawn = np.zeros((state.runs, noise_width(model)))
    compiled, compiled_report = step(state, model, rng, drawn)
    reference, reference_report = reference_step(state, model, drawn)
    for name in FLOATS:
        np.testing.assert_allclose(getattr(compiled, name), getattr(reference, name), rtol=1e-11, atol=1e-9,
                                   err_msg=name)
    np.testing.assert_array_equal(compiled.backer_active, reference.backer_active)
    np.testing.assert_array_equal(compiled_report.front, reference_report.front)
    for name in REPORT:
        np.testing.assert_allclose(getattr(compiled_report, name), getattr(reference_report, name), rtol=1e-11,
                                   atol=1e-9, err_msg=name)
    assert compiled.week == reference.week == state.week + 1
    return compiled, drawn


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
    model = realise(models["baseline.yaml"], 200, rng)
    state = initial_state(model, 200)
    for _ in range(model.horizon_weeks):
        state, _ = assert_same_week(model, state, rng)


def test_compiled_step_leaves_its_inputs_alone(models):
    rng = np.random.default_rng(3)
    model = realise(models["baseline.yaml"], 50, rng)
    state = random_state(model, 50, rng)
    before = {name: getattr(state, name).copy() for name in FLOATS}
    step(state, model, rng)
    for name, values in before.items():
        np.testing.assert_array_equal(getattr(state, name), values)


def test_normals_are_drawn_only_where_they_are_used(models):
    """Two strike shocks, a battle and a ground shock per front region, one will shock per backer."""
    rng = np.random.default_rng(8)
    model = realise(models["baseline.yaml"], 40, rng)
    state = random_state(model, 40, rng)
    twin = np.random.default_rng(99)
    _, drawn = assert_same_week(model, state, np.random.default_rng(99))
    R, B = model.n_regions, len(model.backer_ids)
    front = step(state, model, np.random.default_rng(0))[1].front
    expected = 2 * 40 + 2 * int(front.sum()) + B * 40
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
    for name in (*FLOATS, "backer_active"):
        np.testing.assert_array_equal(getattr(quiet, name), getattr(reported, name), err_msg=name)
    assert first.standard_normal() == second.standard_normal()
