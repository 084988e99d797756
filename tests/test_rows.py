"""Parameters kept once when every run agrees: same values, no write leaks across runs, successors still apply."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from detente.table.controller import TableController
from detente.ensemble.runner import run_block
from detente.rows import own_rows, shared_rows
from detente.scenario.loader import load_scenario
from detente.world.model import compile_model

SCENARIOS = Path(__file__).resolve().parents[1] / "scenarios"


@given(arrays(np.float64, st.tuples(st.integers(1, 6), st.integers(1, 4)),
              elements=st.floats(-10, 10, allow_nan=False)))
def test_shared_rows_keeps_every_value_and_shares_only_when_runs_agree(values):
    shared = shared_rows(values)
    np.testing.assert_array_equal(shared, values)
    agree = bool((values == values[:1]).all())
    if agree and values.shape[0] > 1:
        assert not shared.flags.writeable and shared.strides[0] == 0
    else:
        assert shared is values
    own = own_rows(shared)
    np.testing.assert_array_equal(own, values)
    assert own.flags.writeable


def test_a_write_to_shared_rows_raises_instead_of_changing_every_run():
    shared = shared_rows(np.ones((5, 3)))
    with pytest.raises(ValueError):
        shared[2, 1] = 0.0
    own = own_rows(shared)
    own[2, 1] = 0.0
    assert own.sum() == 14.0 and shared.sum() == 15.0


def test_a_successor_changes_positions_only_in_the_runs_where_he_took_over():
    loaded = load_scenario(SCENARIOS / "seed001-leader-change.yaml")
    model = compile_model(loaded.scenario)
    kept = []

    def make(m):
        kept.append(TableController(loaded.scenario, m))
        return kept[-1]

    run_block(model, 3, 0, 200, controllers=[make])
    table = kept[0]
    ukraine = table.lay.actors.index("ukraine")
    took_over = table.generation[:, ukraine] > 0
    assert 0 < took_over.sum() < took_over.size  # some runs, not all: the test needs both
    ideal = table.agenda.ideal[:, ukraine]
    k = table.lay.issues.index("line_of_control")
    successor = table.agenda.to_unit(np.full(len(table.lay.issues), 0.6))[k]
    np.testing.assert_allclose(ideal[took_over, k], successor)
    assert np.all(ideal[~took_over, k] == ideal[~took_over, k][0]) and ideal[~took_over, k][0] != successor
