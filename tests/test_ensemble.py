"""Ensembles: reproducible under a seed, independent of batching, flat in memory; invariants over whole runs."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import detente
from detente.ensemble.runner import run_block
from detente.ensemble.streams import BLOCK_RUNS
from detente.errors import RunRefused
from detente.world.model import initial_state

GOLDEN = Path(__file__).parent / "golden" / "baseline_seed1_200.json"


def test_same_seed_identical_other_seed_differs(baseline):
    a = detente.simulate(baseline, runs=300, seed=11)
    b = detente.simulate(baseline, runs=300, seed=11)
    c = detente.simulate(baseline, runs=300, seed=12)
    for name in a.metrics:
        assert np.array_equal(a.metrics[name], b.metrics[name]), name
    assert not np.array_equal(a.metrics["area_gained_km2"], c.metrics["area_gained_km2"])
    assert a.to_json() == b.to_json()


def test_a_run_does_not_depend_on_how_many_runs_surround_it(baseline):
    small = detente.simulate(baseline, runs=BLOCK_RUNS, seed=5)
    large = detente.simulate(baseline, runs=BLOCK_RUNS + 250, seed=5)
    assert np.array_equal(small.metrics["casualties_russia"], large.metrics["casualties_russia"][:BLOCK_RUNS])


def test_runs_refused_with_limit_and_suggestion(baseline):
    with pytest.raises(RunRefused, match="at least 1"):
        detente.simulate(baseline, runs=0)
    with pytest.raises(RunRefused, match="split it"):
        detente.simulate(baseline, runs=10**9)


def test_golden_summary(baseline):
    """A fixed seed gives the same summary as when this file was written (UPDATE_GOLDEN=1 rewrites it)."""
    result = detente.simulate(baseline, runs=200, seed=1)
    keep = ("area_gained_km2", "casualties_russia", "casualties_ukraine", "materiel_ukraine", "backer_will/europe")
    got = {k: result.summary()[k] for k in keep}
    if os.environ.get("UPDATE_GOLDEN") or not GOLDEN.exists():
        GOLDEN.parent.mkdir(exist_ok=True)
        GOLDEN.write_text(json.dumps({"scenario_hash": baseline.digest, "summary": got}, indent=2) + "\n")
        pytest.skip("golden file written")
    golden = json.loads(GOLDEN.read_text())
    if golden["scenario_hash"] != baseline.digest:
        pytest.fail("the baseline changed since the golden summary was written: rerun with UPDATE_GOLDEN=1 "
                    "and review the difference")
    for metric, stats in golden["summary"].items():
        for stat, value in stats.items():
            assert got[metric][stat] == pytest.approx(value, rel=1e-9, abs=1e-9), (metric, stat)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(seed=st.integers(0, 2**32 - 1), weeks=st.integers(1, 30))
def test_whole_runs_keep_invariants(baseline_model, seed, weeks):
    """Over whole runs: shares in [0, 1], pools non-negative, area conserved, casualties monotone."""
    from dataclasses import replace

    model = replace(baseline_model, horizon_weeks=weeks)
    out = run_block(model, seed, 0, 64)
    start = initial_state(model, 64)
    assert np.all(np.isfinite(out.metrics["area_gained_km2"]))
    for name in ("manpower_russia", "manpower_ukraine", "materiel_russia", "materiel_ukraine",
                 "casualties_russia", "casualties_ukraine"):
        series = out.weekly[name]
        assert np.all(series >= 0), name
    assert np.all(np.diff(out.weekly["casualties_russia"], axis=1) >= 0)
    for stat in ("mean_control", "p50_control"):
        table = out.regions.table()[stat]
        assert np.all((table >= 0) & (table <= 1))
    regional = sum(out.metrics[k] for k in out.metrics if k.startswith("area_gained_km2/"))
    assert np.allclose(regional, out.metrics["area_gained_km2"])
    assert np.all(out.metrics["area_gained_km2"] <= (model.area * (1 - start.control[0]) * model.contestable).sum())


def test_memory_does_not_grow_with_runs(baseline):
    """Per-run state lives one block at a time; 10× the runs must not cost anywhere near 10× the memory."""
    import tracemalloc

    def peak(runs):
        tracemalloc.start()
        detente.simulate(baseline, runs=runs, seed=3)
        _, top = tracemalloc.get_traced_memory()
        tracemalloc.stop()
        return top

    small, large = peak(1000), peak(5000)
    assert large < 2.0 * small, (small, large)


def test_compiled_model_pickles(baseline_model):
    import pickle

    again = pickle.loads(pickle.dumps(baseline_model))
    assert again.region_ids == baseline_model.region_ids


def test_worker_processes_give_bit_identical_results(tmp_path):
    """Blocks spread over forked workers come back in block order with the same numbers as one process."""
    from detente.ensemble.backends import LocalBackend

    base = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
    short = tmp_path / "short.yaml"
    short.write_text(f"schema_version: 1\nextends: {base}\nname: short\nhorizon_weeks: 8\n")
    loaded = detente.load_scenario(short)
    one, two = (detente.simulate(loaded, runs=2 * BLOCK_RUNS + 300, seed=9, backend=LocalBackend(workers=w))
                for w in (1, 2))
    assert sorted(one.metrics) == sorted(two.metrics)
    for name, values in one.metrics.items():
        np.testing.assert_array_equal(values, two.metrics[name], err_msg=name)
    for name, stats in one.weekly.items():
        for stat, values in stats.items():
            np.testing.assert_array_equal(values, two.weekly[name][stat], err_msg=f"{name} {stat}")
    for key, values in one.regions.items():
        np.testing.assert_array_equal(values, two.regions[key], err_msg=key)
    for table, columns in one.tables.items():
        for column, values in columns.items():
            np.testing.assert_array_equal(values, two.tables[table][column], err_msg=f"{table}.{column}")


def test_compiled_weekly_records_are_the_declared_reporters(baseline_model):
    """record_core writes what the declared reporter functions of detente.ensemble.metrics return."""
    from detente.engine import step
    from detente.ensemble import metrics
    from detente.ensemble.summaries import RegionCounts

    rng = np.random.default_rng(2)
    start = initial_state(baseline_model, 300)
    state = start
    for _ in range(20):
        state, _ = step(state, baseline_model, rng)
    names = [*metrics.CORE_SERIES, *metrics.backer_series(baseline_model)]
    out = np.full((len(names), 21, 300), np.nan)
    metrics.record_core(baseline_model, start, state, out)
    reporters = metrics.weekly_reporters(baseline_model)
    for i, name in enumerate(names):
        np.testing.assert_allclose(out[i, 20], reporters[name](baseline_model, start, state), rtol=1e-12,
                                   atol=1e-6, err_msg=name)
    counts = RegionCounts.empty(20, baseline_model.n_regions)
    counts.add_week(20, state.control, start.control > 0.5)
    bins = np.rint(state.control * 100).astype(int)
    for r in range(baseline_model.n_regions):
        np.testing.assert_array_equal(counts.histogram[20, r], np.bincount(bins[:, r], minlength=101))
    np.testing.assert_array_equal(counts.changed[20], ((state.control > 0.5) != (start.control > 0.5)).sum(axis=0))
    np.testing.assert_allclose(counts.control_sum[20], state.control.sum(axis=0), rtol=1e-12)
