"""The tempo of each side's offensive effort: what the model does not explain, as a persistent random process.

The ground law (`attrition`) sets how far an attack gets from the forces, their firepower and the defences.
What it leaves out — a new tactic, a commander's choice to press or to pause, the weather, a shortage of shells
or of infantry that no pool tracks, a political order to take a town by a date — moves the record's pace for
weeks or months at a time: 2023's stalemate, the slow first third of 2024 and the autumn of 2024 at several times
its pace. A white noise per week (`combat.ground_noise`) averages out over a year, so an ensemble built on it
carries almost no uncertainty about a year's gain: the intervals of the first posteriors were narrow and wrong.

Each side s carries a latent log-tempo x_s, an AR(1) process in weeks (the kernel draws its normal):
    x_s' = φ x_s + σ √(1 − φ²) ε_s            ε_s ~ N(0, 1), independent between sides and weeks
    effort_s = e^{x_s}                         multiplies the side's intent to attack (ι_s in `attrition`)
σ (`combat.tempo_volatility`) is the stationary s.d. of the log-tempo and φ (`combat.tempo_persistence`) its
weekly persistence (half-life ln ½ / ln φ weeks). x starts at ln e₀, e₀ = `forces.<side>.effort_at_start`
(default 1: the fitted median tempo), from which the forecast departs as weeks pass: its mean returns to 0 as
ln e₀ · φ^t and its variance grows with the horizon, σ² (1 − φ^{2t}), as a forecaster's doubt about the war's pace
does. e₀ is a starting state, not a parameter: the pace the record shows in the weeks before the start over the
pace the model makes at the median tempo (`tools/effort_at_start.py`), a nowcast of where the unexplained part
of the pace stands on the day the forecast is made. The fits start at e₀ = 1 (their window opens on the war as
it stood, and the sampler would otherwise fit the start's tempo as well). The median effort is 1, so a scenario
with σ = 0 runs exactly as before (and then no normal is drawn: its random stream is unchanged).

Both σ and φ carry priors (scenarios/war-2023.yaml) and are fitted with the other parameters by
`detente calibrate`: the record's own swings of pace (ISW, DeepState per region, every 4th week) say how large
and how lasting the unexplained part is. Not modelled: a tempo that also raises the attacker's casualties
(the casualty law does not read it), a tempo per axis (one per side for the whole front), tempo that answers to
the model's own state (it is noise by construction; what the state explains belongs in the mechanisms).
"""

from __future__ import annotations

import math

import numba

import numpy as np

from detente.dynamics.mechanism import FromParameter, Mechanism, Parameter


@numba.njit(cache=True, error_model="numpy")
def tempo_after(tempo: float, persistence: float, volatility: float, eps: float) -> float:
    """x' = φ x + σ √(1 − φ²) ε: next week's log-tempo (stationary s.d. σ; φ in [0, 1))."""
    return persistence * tempo + volatility * math.sqrt(max(1.0 - persistence * persistence, 0.0)) * eps


@numba.njit(cache=True, error_model="numpy")
def effort(tempo: float) -> float:
    """e^x: the multiplier of a side's intent to attack this week (median 1)."""
    return math.exp(tempo)


MECHANISM = Mechanism(
    name="tempo",
    summary="each side's offensive tempo: a persistent (AR(1)) log-multiplier of its intent to attack, fitted",
    reads={"tempo": "N 2"},
    writes={"tempo": "N 2"},
    params=(),
    functions=(tempo_after, effort),
    initial={"tempo": FromParameter("forces.effort_at_start", np.log)},  # ln e₀; 0 (the fitted median) by default
    # 0 by default: a scenario that does not set them has no tempo process (and draws no tempo normal)
    defines=(
        Parameter("combat.tempo_volatility", "stationary s.d. of each side's weekly AR(1) log-tempo of offensive "
                  "effort, the pace the mechanisms do not explain (0: none)"),
        Parameter("combat.tempo_persistence", "weekly persistence φ of the log-tempo (half-life ln ½ / ln φ weeks)",
                  kind="probability"),
        Parameter("forces.effort_at_start", "the side's offensive effort in the scenario's first week relative to "
                  "the fitted median (1): the log-tempo starts at its log and returns towards 0 at the tempo's "
                  "persistence; a starting state nowcast from the record's pace before the start "
                  "(tools/effort_at_start.py)", default=1.0, kind="multiplier"),
    ),
    draws={"tempo": "2"},  # columns 2R + 2 + B + s of `drawn` (0 where none is drawn)
)
