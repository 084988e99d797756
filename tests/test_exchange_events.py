"""One-off prisoner exchanges are counted as events (count and persons), one per signed exchange."""

from __future__ import annotations

import numpy as np

from conftest import BASELINE
from detente.ensemble.runner import simulate


def test_each_signed_exchange_is_one_event_of_its_persons():
    runs = 40
    result = simulate(BASELINE, runs=runs, seed=5)
    table = result.tables["agreements"]
    signed = np.bincount(table["run"][table["scope"] == "prisoner_exchange"].astype(int), minlength=runs)
    events = result.metrics["events/prisoner_exchange"]
    assert np.array_equal(events, signed.astype(float))
    assert events.sum() > 0
    assert np.allclose(result.metrics["persons/prisoner_exchange"], 211 * events)  # the baseline's persons per event (partial_deals.json)
    assert "events/whole_front" not in result.metrics                           # not a one-off agreement


def test_trumps_support_can_move():
    """The US leader's support is no longer a constant 0.45: it spreads across runs as the weeks pass."""
    weekly = simulate(BASELINE, runs=100, seed=2).weekly["leader_support/united_states"]
    assert weekly["p50"][0] == weekly["p90"][0] == 0.45
    assert weekly["p90"][-1] - weekly["p10"][-1] > 0.1
