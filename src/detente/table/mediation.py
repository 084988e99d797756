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

from dataclasses import dataclass

import numpy as np


@dataclass(frozen=True)
class ShuttleResult:
    """The mediator's final text (N, K), each party's reading of it (N, A, K), and their divergence (N,)."""

    text: np.ndarray
    readings: np.ndarray
    divergence: np.ndarray


def compromise_draft(ideal: np.ndarray, weight: np.ndarray, present: np.ndarray,
                     fallback: np.ndarray) -> np.ndarray:
    """x⁰ (N, K): weighted mean of the ideals (N, A, K) of those present (N, A); `fallback` where none weighs in."""
    w = weight * present[:, :, None]
    total = w.sum(axis=1)
    mean = (w * ideal).sum(axis=1) / np.where(total > 0, total, 1.0)
    return np.where(total > 0, mean, fallback)


def relay_sd(distortion: np.ndarray, relay_growth: np.ndarray, issue_growth: np.ndarray, relay: int,
             n_issues: int) -> np.ndarray:
    """σ_r (N,): a copy's error on relay r of a text with n_issues issues."""
    return distortion * (1.0 + relay_growth * relay) * (1.0 + issue_growth * max(n_issues - 1, 0))


def read_copy(text: np.ndarray, sd: np.ndarray, mask: np.ndarray, n_actors: int,
              rng: np.random.Generator) -> np.ndarray:
    """Each party's distorted copy of the text (N, A, K); issues off the text (mask 0) are read exactly."""
    noise = rng.standard_normal((text.shape[0], n_actors, text.shape[1]))
    return np.clip(text[:, None, :] + sd[:, None, None] * noise * mask, 0.0, 1.0)


def shuttle(draft: np.ndarray, ideal: np.ndarray, salience: np.ndarray, weight: np.ndarray,
            present: np.ndarray, mask: np.ndarray, rounds: int, distortion: np.ndarray,
            relay_growth: np.ndarray, issue_growth: np.ndarray, amendment: np.ndarray,
            rng: np.random.Generator) -> ShuttleResult:
    """Run the shuttle for N runs at once: `rounds` relays of amendments, then the final reading."""
    n_issues = int(mask.sum())
    text = draft.copy()
    n_actors = ideal.shape[1]
    alpha = amendment[:, None, None]
    for relay in range(1, rounds + 1):
        copies = read_copy(text, relay_sd(distortion, relay_growth, issue_growth, relay, n_issues), mask,
                           n_actors, rng)
        amended = np.clip(copies + alpha * salience * (ideal - copies), 0.0, 1.0)
        redraft = compromise_draft(amended, weight, present, text)
        text = np.where(mask > 0, redraft, text)
    readings = read_copy(text, relay_sd(distortion, relay_growth, issue_growth, rounds + 1, n_issues), mask,
                         n_actors, rng)
    gap = np.abs(readings - text[:, None, :]) * mask
    counted = present.sum(axis=1) * max(n_issues, 1)
    divergence = (gap * present[:, :, None]).sum(axis=(1, 2)) / np.maximum(counted, 1)
    return ShuttleResult(text=text, readings=readings, divergence=divergence)
