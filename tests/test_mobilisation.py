"""Mobilisation as a replacement ratio (dynamics.mobilisation): recruits answer to permanent losses."""

from __future__ import annotations

import numpy as np
import pytest

from conformance import MechanismConformance, compiled_model
from detente.dynamics import mobilisation
from detente.engine import step
from detente.world.model import initial_state, realise
from detente.world.state import UKRAINE


class TestMobilisation(MechanismConformance):
    module = mobilisation

    def invariants(self, model, before, after, report) -> None:  # noqa: ANN001
        assert np.all(np.isfinite(after.manpower)) and np.all(after.manpower >= 0)

    def test_recruits_by_hand(self) -> None:
        """f · (r + ρ χ C); with ρ = 0 exactly the fixed intake times the factor (the old law, bit for bit)."""
        assert mobilisation.recruits(2500.0, 1.0, 0.8, 0.6, 5000.0) == pytest.approx(2500 + 0.8 * 0.6 * 5000)
        assert mobilisation.recruits(0.0, 1.5, 0.8, 0.6, 5000.0) == pytest.approx(1.5 * 0.8 * 0.6 * 5000)
        for base, factor in ((2500.0, 1.0), (8460.0, 1.3), (1234.5, 0.7)):
            assert mobilisation.recruits(base, factor, 0.0, 0.6, 4321.0) == base * factor

    def test_below_one_an_army_that_loses_more_shrinks_faster(self) -> None:
        """Same state and draws, Ukraine's losses doubled by hand: with ρ < 1 and no fixed intake its manpower falls
        by (1 − ρ) χ C, twice as much; with ρ = 1 it holds."""
        model = realise(compiled_model("forecast-2024.yaml"), 4, np.random.default_rng(0))
        for rho in (0.5, 1.0):
            chi = 0.6
            for loss in (3000.0, 6000.0):
                net = 0.0 + mobilisation.recruits(0.0, 1.0, rho, chi, loss) - chi * loss
                assert net == pytest.approx((rho - 1.0) * chi * loss)
        state = initial_state(model, 4)
        after, _ = step(state, model, np.random.default_rng(3))
        assert np.all(after.manpower[:, UKRAINE] > 0)
