"""The table's compiled weekly work (`table.compiled`) does what its array form specifies.

Every week's negotiations in whole ensembles of the baseline and of seed scenarios with a different table (a
leader who can fall, a naval-base issue, a telephone-game shuttle) are run both ways from the same books and
the same generator state, and must agree: the same agreements signed, the same terms, readings, divergence
and leaders' support to rounding, and the same random numbers used.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detente.table.controller import TableController
from detente.ensemble.runner import run_block
from detente.scenario.loader import load_scenario
from detente.world.model import compile_model

ROOT = Path(__file__).resolve().parents[1]
BOOKS = ("in_force", "weeks_left", "week_agreed", "renewals", "first_agreed", "terms", "readings", "divergence",
         "support")


class CheckedTable(TableController):
    """Negotiates with the kernel, and checks each week's negotiations against the reference."""

    checked = 0

    def _negotiate(self, state, lev, rho, week):
        before = {name: getattr(self, name).copy() for name in BOOKS}
        drawn_from = self.rng.bit_generator.state
        super()._negotiate(state, lev, rho, week)
        compiled = {name: getattr(self, name).copy() for name in BOOKS}
        compiled_rng = self.rng.bit_generator.state
        for name, values in before.items():
            setattr(self, name, values.copy())
        self.rng.bit_generator.state = drawn_from
        self.reference = True
        try:
            super()._negotiate(state, lev, rho, week)
        finally:
            self.reference = False
        assert self.rng.bit_generator.state == compiled_rng  # the same numbers drawn, no more, no fewer
        for name in BOOKS:
            np.testing.assert_allclose(getattr(self, name), compiled[name], rtol=1e-12, atol=1e-12, err_msg=name)
        replay = np.random.Generator(type(self.rng.bit_generator)())
        replay.bit_generator.state = drawn_from
        session = (state.mediating > 0) & (replay.random(state.runs) < self.med["sessions_per_week"])
        CheckedTable.checked += int((session[:, None] & ~before["in_force"]).sum())  # decisions taken


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
