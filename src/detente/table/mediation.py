r"""Shuttle mediation with distortion: one text, carried from party to party, read differently by each.

The mediator's first draft is the expected settlement of the spatial model's naive compromise, the
capability × salience weighted mean of the ideal points of those at the table (Bueno de Mesquita 1994;
`detente.bargaining.compromise.weighted_mean`, whose single-run values this reproduces):

    x⁰_k = Σ_a c_ak s_ak y_ak / Σ_a c_ak s_ak            (a at the table; effective capability, see below)

A belligerent's capability at the table is scaled by its battlefield leverage L (the front feeds the table):
c_Rk · e^{λL/2} for Russia's side, c_Uk · e^{−λL/2} for Ukraine's (λ = `leverage_weight`).

Each relay r = 1, 2, … the mediator carries the text to every party in turn. Party a receives a copy

    x̃_ak = clip(x_k + σ_r ε_ak, 0, 1),   σ_r = σ₀ (1 + g_r r)(1 + g_K (K − 1)),   ε ~ N(0, 1)

— the error grows with each relay and with the number K of issues on the text: the seeds' "telephone game"
(seed 001). It answers with an amendment that pulls its copy toward its ideal in proportion to its
salience, a_ak = x̃_ak + α s_ak (y_ak − x̃_ak), and the mediator redrafts as the weighted mean of the
amended copies, x^{r}_k = Σ_a c_ak s_ak a_ak / Σ_a c_ak s_ak. After the last relay the final text goes out
once more, so each party decides on its own reading x̃_a of it; the divergence of the term sheets,
D = mean over parties and issues of |x̃_ak − x_k|, is what makes a ceasefire built on it fragile.

With σ₀ = 0 the protocol is deterministic; with identical ideals the text is that ideal from the first draft.
Positions never leave [0, 1] (the issue's range). All randomness comes from the generator passed in.
"""

from __future__ import annotations

import math

import numba

# One run's shuttle, compiled, over the P parties at the table and the K issues of the text (arrays (P, K));
# `detente.table.decision` composes it, `records.uncompiled` runs the same code in Python as its reference.


@numba.njit(cache=True, inline="always")
def leverage_scale(leverage_weight: float, side_sign: float, lev: float) -> float:
    """e^{±λL/2}: what battlefield leverage multiplies a belligerent's capability at the table by."""
    return math.exp(leverage_weight * side_sign * lev / 2.0)


@numba.njit(cache=True, inline="always")
def weighted_column(values, weights, k, fallback) -> float:
    """Σ_a w_ak v_ak / Σ_a w_ak over the parties at the table (values, weights (P, K)), or `fallback` where
    nothing weighs: the mediator's draft and each redraft after a relay (KTAB's naive compromise)."""
    total, value = 0.0, 0.0
    for a in range(values.shape[0]):
        total += weights[a, k]
        value += weights[a, k] * values[a, k]
    return value / total if total > 0 else fallback


@numba.njit(cache=True, inline="always")
def first_draft(ideal, weight, quo, status_quo, mediator, text) -> None:
    """x⁰ into text (K,): the weighted mean of the ideals (P, K); where nothing weighs, the status quo
    (status_quo (K,)) on an issue whose no-deal point it is (quo (K,)), else the mediator's ideal (his seat
    `mediator`), else the parties' mean."""
    P, K = ideal.shape
    for k in range(K):
        if quo[k]:
            fallback = status_quo[k]
        elif mediator >= 0:
            fallback = ideal[mediator, k]
        else:
            fallback = 0.0
            for a in range(P):
                fallback += ideal[a, k]
            fallback /= P
        text[k] = weighted_column(ideal, weight, k, fallback)


@numba.njit(cache=True, inline="always")
def relay_sd(distortion: float, relay_growth: float, issue_growth: float, relay: int, n_issues: int) -> float:
    """σ_r: a copy's error on relay r of a text with n_issues issues."""
    return distortion * (1.0 + relay_growth * relay) * (1.0 + issue_growth * max(n_issues - 1, 0))


@numba.njit(cache=True, inline="always")
def read_copy(text: float, sd: float, eps: float) -> float:
    """x̃ = clip(x + σ ε, 0, 1): one party's copy of one issue of the text."""
    return min(max(text + sd * eps, 0.0), 1.0)


@numba.njit(cache=True, inline="always")
def amend(copy: float, amendment: float, salience: float, ideal: float) -> float:
    """a = clip(x̃ + α s (y − x̃), 0, 1): the copy pulled toward the party's ideal by its salience."""
    return min(max(copy + amendment * salience * (ideal - copy), 0.0), 1.0)


@numba.njit(cache=True, inline="always")
def shuttle(text, ideal, salience, weight, p, rng, copies, readings) -> float:
    """Carry the draft `text` (K,) through p.rounds relays (p: the run's `records.RUN`), then out once more:
    writes the final text into `text` and each party's reading of it into `readings` (P, K) (copies: (P, K)
    scratch) and returns the divergence D. Draws relay by relay, party by party, issue by issue."""
    P, K = ideal.shape
    for relay in range(1, p.rounds + 1):
        sd = relay_sd(p.distortion, p.relay_growth, p.issue_growth, relay, K)
        for a in range(P):
            for k in range(K):
                copy = read_copy(text[k], sd, rng.standard_normal())
                copies[a, k] = amend(copy, p.amendment, salience[a, k], ideal[a, k])
        for k in range(K):
            text[k] = weighted_column(copies, weight, k, text[k])
    sd = relay_sd(p.distortion, p.relay_growth, p.issue_growth, p.rounds + 1, K)
    gap = 0.0
    for a in range(P):
        for k in range(K):
            readings[a, k] = read_copy(text[k], sd, rng.standard_normal())
            gap += abs(readings[a, k] - text[k])
    return gap / max(P * max(K, 1), 1)
