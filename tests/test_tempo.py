"""The offensive tempo (dynamics.tempo): an AR(1) log-multiplier of each side's intent to attack."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pytest

from conformance import MechanismConformance, compiled_model
from detente.dynamics import tempo
from detente.engine import noise_width, step
from detente.world.model import initial_state, realise
from detente.world.state import RUSSIA


class TestTempo(MechanismConformance):
    module = tempo

    def invariants(self, model, before, after, report) -> None:  # noqa: ANN001
        assert np.all(np.isfinite(after.tempo))
        sd = np.broadcast_to(np.asarray(model.combat["tempo_volatility"], float), (before.runs,))
        phi = np.broadcast_to(np.asarray(model.combat["tempo_persistence"], float), (before.runs,))
        still = sd == 0
        np.testing.assert_allclose(after.tempo[still], phi[still, None] * before.tempo[still], rtol=1e-12)

    def test_the_update_is_an_ar1_with_stationary_sd(self) -> None:
        """x' = φ x + σ√(1 − φ²) ε, by hand; simulated long, the s.d. is σ and the lag-1 correlation φ."""
        assert tempo.tempo_after(0.4, 0.8, 0.3, 1.5) == pytest.approx(0.8 * 0.4 + 0.3 * 0.6 * 1.5)
        assert tempo.tempo_after(0.4, 0.8, 0.0, 1.5) == pytest.approx(0.32)
        assert tempo.effort(0.0) == 1.0 and tempo.effort(math.log(2.0)) == pytest.approx(2.0)
        rng = np.random.default_rng(1)
        x, xs = 0.0, []
        for eps in rng.standard_normal(60_000):
            x = tempo.tempo_after(x, 0.9, 0.4, eps)
            xs.append(x)
        xs = np.array(xs[1000:])
        assert xs.std() == pytest.approx(0.4, rel=0.05)
        assert np.corrcoef(xs[:-1], xs[1:])[0, 1] == pytest.approx(0.9, abs=0.02)

    def test_without_a_tempo_process_nothing_is_drawn_and_the_tempo_stays_at_zero(self) -> None:
        """σ = 0 (a scenario that does not set it, e.g. events-2022h2 on war-2023 without a posterior): no tempo
        normal is drawn (its columns of `drawn` stay 0, and the generator ends where a week with σ > 0 does not)
        and the log-tempo stays 0."""
        model = realise(compiled_model("events-2022h2.yaml"), 30, np.random.default_rng(0))
        assert np.all(np.asarray(model.combat["tempo_volatility"]) == 0)
        state = initial_state(model, 30)
        drawn = np.zeros((30, noise_width(model)))
        quiet, noisy = np.random.default_rng(5), np.random.default_rng(5)
        after, _ = step(state, model, quiet, drawn)
        assert np.all(after.tempo == 0) and np.all(drawn[:, -2:] == 0)
        tempo_on = realise(model, 30, np.random.default_rng(0), {("combat", "tempo_volatility"): np.full(30, 0.3)})
        with_tempo, _ = step(state, tempo_on, noisy, drawn)
        assert np.all(drawn[:, -2:] != 0) and np.all(with_tempo.tempo != 0)
        assert quiet.bit_generator.state != noisy.bit_generator.state

    def test_a_higher_tempo_moves_more_ground_and_the_variance_grows_with_the_horizon(self) -> None:
        """Russia's tempo doubled (x = ln 2) gains more ground in the same week with the same draws; with a
        tempo process the spread of a year's gain across runs (one parameter set) is wider than without, and the spread of the
        log-tempo grows with the weeks (σ²(1 − φ^{2t}))."""
        fixed = replace(compiled_model("baseline-war-only.yaml"), posterior={}, uncertain={})  # one parameter set
        base = realise(fixed, 200, np.random.default_rng(0), {("combat", "tempo_volatility"): np.zeros(200)})
        state = initial_state(base, 200)
        calm, _ = step(state, base, np.random.default_rng(3))
        pressed, _ = step(state.replace(tempo=np.tile([math.log(2.0), 0.0], (200, 1))), base,
                          np.random.default_rng(3))
        gain = lambda s: ((s.control - state.control) * base.area).sum(axis=1)  # noqa: E731
        assert np.all(gain(pressed) >= gain(calm) - 1e-9) and gain(pressed).mean() > 1.2 * gain(calm).mean()

        def year(model):  # noqa: ANN001, ANN202
            s, rng, sds = initial_state(model, 200), np.random.default_rng(7), []
            for _ in range(52):
                s, _ = step(s, model, rng, report=False)
                sds.append(s.tempo[:, RUSSIA].std())
            return ((s.control - state.control) * model.area).sum(axis=1), np.array(sds)

        noisy = realise(fixed, 200, np.random.default_rng(0),
                        {("combat", "tempo_volatility"): np.full(200, 0.4),
                         ("combat", "tempo_persistence"): np.full(200, 0.95)})
        plain_gain, _ = year(base)
        noisy_gain, sds = year(noisy)
        assert np.std(np.log(noisy_gain)) > 2 * np.std(np.log(plain_gain))
        assert sds[3] < sds[12] < sds[51] and sds[51] == pytest.approx(0.4 * math.sqrt(1 - 0.95 ** 104), rel=0.15)

    def test_the_effort_at_the_start_sets_the_log_tempo_which_then_returns_at_the_persistence(self) -> None:
        """e₀ (forces.<side>.effort_at_start, a starting state) starts the log-tempo at ln e₀; without a tempo
        process it decays as ln e₀ · φ^t, so the first weeks run at about e₀ times the median pace and the
        pace returns towards the median; e₀ = 1 starts at exactly 0 (the scenarios that do not set it)."""
        fixed = replace(compiled_model("baseline-war-only.yaml"), posterior={}, uncertain={})
        quiet = {("combat", "tempo_volatility"): np.zeros(50), ("combat", "tempo_persistence"): np.full(50, 0.8)}
        median = realise(fixed, 50, np.random.default_rng(0), {**quiet, ("sides", "effort_at_start", 0): np.ones(50)})
        slow = realise(fixed, 50, np.random.default_rng(0), {**quiet, ("sides", "effort_at_start", 0): np.full(50, 0.25)})
        assert np.all(initial_state(median, 50).tempo == 0.0)
        state = initial_state(slow, 50)
        np.testing.assert_allclose(state.tempo[:, RUSSIA], math.log(0.25))
        assert np.all(state.tempo[:, 1] == 0.0)
        start, gains = state, []
        rng_slow, rng_median, other = np.random.default_rng(4), np.random.default_rng(4), initial_state(median, 50)
        for t in range(1, 11):
            state, _ = step(state, slow, rng_slow, report=False)
            other, _ = step(other, median, rng_median, report=False)
            np.testing.assert_allclose(state.tempo[:, RUSSIA], math.log(0.25) * 0.8 ** t, rtol=1e-9)
            gains.append(((state.control - start.control) * slow.area).sum(axis=1).mean()
                         / ((other.control - start.control) * median.area).sum(axis=1).mean())
        assert gains[0] < 0.5 and gains[-1] > gains[0] and all(g < 1.0 for g in gains)
