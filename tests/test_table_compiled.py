"""The table's compiled shuttle-and-decide (`diplomacy.compiled`) does what its array form specifies.

Every negotiation of whole ensembles of the baseline and of seed scenarios with a different table (a
leader who can fall, a naval-base issue, a telephone-game shuttle) is decided both ways on the same live
state, the reference replaying the normals the kernel drew, and must agree: the same texts, readings,
divergence and concessions to rounding, and the same decisions.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detente.diplomacy.table import TableController
from detente.ensemble.runner import run_block
from detente.scenario.loader import load_scenario
from detente.world.model import compile_model

ROOT = Path(__file__).resolve().parents[1]


class CheckedTable(TableController):
    """Decides with the kernel, and checks each decision against the reference."""

    checked = 0

    def _decide(self, state, lev, rho, g, idx, drawn=None):
        shape = (self.lay.setup.mediation.rounds + 1, idx.size, self.lay.negotiators[g].size,
                 self.lay.issue_index[g].size)
        drawn = np.full(shape, np.nan)
        compiled, conceded, agreed = super()._decide(state, lev, rho, g, idx, drawn)
        assert not np.isnan(drawn).any()  # every relay of every run drew its normals
        reference, conceded_ref, agreed_ref = self._decide_reference(state, lev, rho, g, idx, drawn)
        for name in ("text", "readings", "divergence"):
            np.testing.assert_allclose(getattr(compiled, name), getattr(reference, name), rtol=1e-12, atol=1e-12)
        np.testing.assert_allclose(conceded, conceded_ref, rtol=1e-12, atol=1e-12)
        np.testing.assert_array_equal(agreed, agreed_ref)
        CheckedTable.checked += idx.size
        return compiled, conceded, agreed


@pytest.mark.parametrize("name", ["baseline.yaml", "seed001-leader-change.yaml", "seed000-odesa-transnistria.yaml",
                                  "seed001-shuttle-telephone.yaml"])
def test_compiled_decisions_match_the_reference_through_whole_runs(name):
    scenario = load_scenario(ROOT / "scenarios" / name).scenario
    model = compile_model(scenario)
    CheckedTable.checked = 0
    out = run_block(model, seed=11, block=0, runs=150, controllers=[lambda m: CheckedTable(scenario, m)])
    assert CheckedTable.checked > 1000              # many negotiations were compared, not a handful
    assert out.metrics["ceasefire_agreed/energy_strikes"].sum() > 0


def test_the_table_gives_the_same_ensemble_either_way():
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml").scenario
    model = compile_model(scenario)
    runs = [run_block(model, seed=4, block=0, runs=100, controllers=[lambda m, r=r: TableController(scenario, m, r)])
            for r in (False, True)]
    for key, values in runs[0].metrics.items():
        np.testing.assert_allclose(values, runs[1].metrics[key], rtol=1e-9, atol=1e-9, err_msg=key)
