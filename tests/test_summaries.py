"""Streamed summaries equal what the whole ensemble in memory would give."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from detente.ensemble.summaries import QUANTILE_NAMES, QUANTILES, WeeklySeries, order_statistics

values = hnp.arrays(np.float64, st.integers(1, 400),
                    elements=st.one_of(st.floats(-1e9, 1e9, allow_nan=False), st.sampled_from([0.0, 1.0, 2.5])))


@settings(max_examples=300, deadline=None)
@given(values, st.lists(st.floats(0.0, 1.0), min_size=1, max_size=9))
def test_order_statistics_are_numpys_quantiles(x, qs):
    q = np.array(qs)
    np.testing.assert_allclose(order_statistics(x, q), np.quantile(x, q), rtol=1e-12, atol=1e-300)


@pytest.mark.parametrize("x", [[0.0, 5e-324], [0.0, 1e-310, 2e-310], [-1e308, 1e308, 0.0], [-1.7e308, 0.0, 1.7e308, 2.0],
                               [-np.inf, 1.0, 2.0, np.inf], [0.0, np.inf], [-np.inf, 3.0]])
def test_order_statistics_of_extreme_spans(x):
    """A subnormal span (its bin width overflowed to infinity) once wrote out of bounds; a span beyond the
    largest double, or an infinite value, must still bin every value and give NumPy's quantiles (NaN where
    NumPy's interpolation meets ∞ − ∞)."""
    q = np.array([0.0, 0.25, 0.5, 1.0])
    with np.errstate(invalid="ignore"):
        expected = np.quantile(x, q)
    np.testing.assert_allclose(order_statistics(np.array(x), q), expected, rtol=1e-12, atol=0, equal_nan=True)


def test_order_statistics_ignore_nan_and_handle_empty():
    q = np.array([0.1, 0.5])
    np.testing.assert_array_equal(order_statistics(np.array([np.nan, 3.0, 1.0]), q), np.quantile([3.0, 1.0], q))
    assert np.isnan(order_statistics(np.array([np.nan]), q)).all()


@pytest.mark.parametrize("chunk_bytes", [8, 8 * 1253 * 3, 2**25])   # one week, three weeks, all at once
def test_weekly_series_blocks_of_any_size_give_the_whole_ensembles_statistics(monkeypatch, chunk_bytes):
    monkeypatch.setattr("detente.ensemble.summaries.SUMMARY_CHUNK_BYTES", chunk_bytes)
    rng = np.random.default_rng(5)
    blocks = [{"a": rng.lognormal(0, 2, (n, 7)), "b": rng.integers(0, 2, (n, 7)).astype(float)} for n in (1000, 3, 250)]
    store = WeeklySeries(["a", "b"])
    try:
        for block in blocks:
            store.add_block(block)
        summary = store.summary()
    finally:
        store.close()
    for name in ("a", "b"):
        whole = np.concatenate([b[name] for b in blocks])
        np.testing.assert_allclose(summary[name]["mean"], whole.mean(axis=0), rtol=1e-12)
        for qn, q in zip(QUANTILE_NAMES, QUANTILES):
            np.testing.assert_allclose(summary[name][qn], np.quantile(whole, q, axis=0), rtol=1e-12)
