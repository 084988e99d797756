r"""Bueno de Mesquita's expected-utility (group decision) model as specified by Scholz, Calbert & Smith (2011).

Source: J. B. Scholz, G. J. Calbert, G. A. Smith, "Unravelling Bueno De Mesquita's group decision model",
Journal of Theoretical Politics 23(4):510–531 (2011); B. Bueno de Mesquita (1994), "Political forecasting: an
expected utility method", in European Community Decision Making. One issue at a time: a problem with several
dimensions is solved dimension by dimension. Positions are scaled by the issue's initial range so |x| <= 1.

For actors i, j with capability c, salience s, position x, risk exponent r (from the perceiver's view):

    votes          v_k(i, j) = c_k s_k (|x_k - x_j| - |x_k - x_i|)
    P(i beats j)   P_ij = sum_k max(0, v_k(i, j)) / sum_k |v_k(i, j)|
    utilities      U_s = 2 - 4 (0.5 - 0.5 d)^r,  U_f = 2 - 4 (0.5 + 0.5 d)^r,  U_sq = 2 - 4 (0.5)^r,
                   U_b = 2 - 4 (0.5 - 0.25 (|x_i - mu| + d))^r,  U_w = 2 - 4 (0.5 + 0.25 (|x_i - mu| + d))^r,
                   with d = |x_i - x_j| and mu the weighted median
    EU of i challenging j
                   EU_i(ij) = s_j (P_ij U_s + (1 - P_ij) U_f) + (1 - s_j) U_s
                              - (Q U_sq + (1 - Q)(T U_b + (1 - T) U_w)),   Q = 1, T = 1 (Scholz et al.)
    risk           with r = 1: vulnerability V_i = sum_{j != i} EU_j(ji);
                   R_i = (2 V_i - V_max - V_min) / (V_max - V_min);  r_i = (1 - R_i / 3) / (1 + R_i / 3)
    perceptions    i judges EU_i(ij) and EU_j(ji) with its own r_i (Scholz et al.'s reading of BDM).
    offers         i proposes to j when i expects to gain (E1 = EU_i(ij) > 0):
                   conflict      E2 = EU_j(ji) > 0 and E1 > E2:  j is to move to x_i;
                   capitulation  E2 < 0 and |E2| >= E1:           j is to move to x_i;
                   compromise    E2 < 0 and |E2| < E1:           j is to move to x_j + (x_i - x_j) |E2 / E1|.
    move           every actor accepts, among the proposals it received, the one nearest its position;
                   all move at once. Repeat until no one moves, or the forecast has not changed for 5
                   rounds (compromise offers can cycle), or max_rounds.
    forecast       the weighted median (capability x salience) of the positions after each round.

Public re-implementations disagree round by round; the fixed points are the paper's baselines (weighted
mean 7.39, median 7 for the EU emissions case), which `compromise` reproduces.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.bargaining.compromise import weighted_mean, weighted_median
from detente.bargaining.ktab_input import BargainingProblem


def _u(base: np.ndarray, r: np.ndarray) -> np.ndarray:
    """2 - 4 base^r, BDM's risk-shaped utility; base is clipped to [0, 1] against round-off."""
    return 2.0 - 4.0 * np.clip(base, 0.0, 1.0) ** r


def win_probability(x: np.ndarray, weight: np.ndarray) -> np.ndarray:
    """P[i, j]: share of the weighted votes for x_i over x_j (0.5 where nobody prefers either)."""
    dist = np.abs(x[:, None] - x[None, :])  # dist[k, i] = |x_k - x_i|
    n = len(x)
    pro = np.empty((n, n))
    tot = np.empty((n, n))
    step = max(1, 4_000_000 // (n * n))
    for a in range(0, n, step):
        v = weight[:, None, None] * (dist[:, None, :] - dist[:, a:a + step, None])  # v[k, i, j]
        pro[a:a + step] = np.maximum(v, 0.0).sum(axis=0)
        tot[a:a + step] = np.abs(v).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(tot > 0, pro / np.where(tot > 0, tot, 1.0), 0.5)


def challenge_eu(d: np.ndarray, d_mu: np.ndarray, s_j: np.ndarray, p_ij: np.ndarray, r: np.ndarray,
                 q: float = 1.0, t: float = 1.0) -> np.ndarray:
    """Expected gain of a challenge at distance d, judged with risk exponent r (elementwise arrays)."""
    u_s, u_f = _u(0.5 - 0.5 * d, r), _u(0.5 + 0.5 * d, r)
    u_sq = _u(np.full_like(d, 0.5), r)
    u_b, u_w = _u(0.5 - 0.25 * (d_mu + d), r), _u(0.5 + 0.25 * (d_mu + d), r)
    challenge = s_j * (p_ij * u_s + (1.0 - p_ij) * u_f) + (1.0 - s_j) * u_s
    return challenge - (q * u_sq + (1.0 - q) * (t * u_b + (1.0 - t) * u_w))


def risk_exponents(x: np.ndarray, sal: np.ndarray, p: np.ndarray, mu: float) -> np.ndarray:
    """BDM's risk exponents r_i in [0.5, 2]: actors whose positions invite challenges are risk acceptant."""
    n = len(x)
    d = np.abs(x[:, None] - x[None, :])
    eu = challenge_eu(d, np.abs(x - mu)[:, None], sal[None, :], p, np.ones((n, n)))  # eu[j, i]: j challenges i
    np.fill_diagonal(eu, 0.0)
    vuln = eu.sum(axis=0)
    lo, hi = vuln.min(), vuln.max()
    if hi - lo < 1e-12:
        return np.ones(n)
    big_r = (2.0 * vuln - hi - lo) / (hi - lo)
    return (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)


def bdm_round(x: np.ndarray, cap: np.ndarray, sal: np.ndarray, q: float = 1.0, t: float = 1.0) -> np.ndarray:
    """One round on one issue (positions scaled to the issue's range): proposals, then simultaneous moves."""
    n = len(x)
    w = cap * sal
    mu = float(weighted_median(x, cap, sal)[0])
    p = win_probability(x, w)
    r = risk_exponents(x, sal, p, mu)
    d = np.abs(x[:, None] - x[None, :])
    d_mu = np.abs(x - mu)
    ri = r[:, None]  # i judges both sides with its own exponent
    e1 = challenge_eu(d, d_mu[:, None], sal[None, :], p, ri, q, t)  # E1[i, j] = EU^i_i(ij)
    e2 = challenge_eu(d, d_mu[None, :], sal[:, None], p.T, ri, q, t)  # E2[i, j] = EU^i_j(ji)
    same = d < 1e-12
    gain = (e1 > 0) & ~same
    conflict = gain & (e2 > 0) & (e1 > e2)
    capitulate = gain & (e2 <= 0) & (np.abs(e2) >= e1)
    compromise = gain & (e2 <= 0) & (np.abs(e2) < e1)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.where(compromise, np.abs(e2) / np.where(e1 > 0, e1, 1.0), 1.0)
    offer = x[None, :] + (x[:, None] - x[None, :]) * ratio  # offer[i, j]: where i asks j to go
    valid = conflict | capitulate | compromise
    move = np.where(valid, np.abs(offer - x[None, :]), np.inf)
    best = np.argmin(move, axis=0)  # for each receiver j, the proposer asking the least
    idx = np.arange(n)
    has = np.isfinite(move[best, idx])
    return np.where(has, offer[best, idx], x)


@dataclass(frozen=True)
class BdmResult:
    """A BDM run: positions per round (0–1) and the forecast (weighted median) per round, per dimension."""

    problem: BargainingProblem
    positions: np.ndarray  # (rounds + 1, actors, dims), 0–1
    converged: bool

    @property
    def rounds(self) -> int:
        """Number of rounds played."""
        return self.positions.shape[0] - 1

    @property
    def final_positions(self) -> np.ndarray:
        """Positions after the last round, on the input's scale."""
        return self.problem.to_scale(self.positions[-1])

    def forecast(self) -> np.ndarray:
        """Weighted median per round and dimension, on the input's scale: (rounds + 1, dims)."""
        pr = self.problem
        return np.stack([weighted_median(pr.to_scale(x), pr.capability, pr.salience) for x in self.positions])

    def mean(self) -> np.ndarray:
        """Weighted mean per round and dimension, on the input's scale."""
        pr = self.problem
        return np.stack([weighted_mean(pr.to_scale(x), pr.capability, pr.salience) for x in self.positions])


def run_bdm(problem: BargainingProblem, max_rounds: int = 100, tolerance: float = 1e-6,
            q: float = 1.0, t: float = 1.0, patience: int = 5) -> BdmResult:
    """Play BDM's rounds per dimension until nobody moves, or the forecast has held for `patience` rounds.

    Compromise offers can cycle for ever, so a forecast (weighted median) that stays put for `patience`
    rounds also ends the game; `tolerance` is on the 0–1 scale.
    """
    x0 = np.array(problem.positions, dtype=float)
    n, dims = x0.shape
    history = [x0]
    x = x0.copy()
    lo = x0.min(axis=0)
    span = np.where(x0.max(axis=0) - lo > 0, x0.max(axis=0) - lo, 1.0)
    converged = False
    median = weighted_median(x, problem.capability, problem.salience)
    steady = 0
    for _ in range(max_rounds):
        new = x.copy()
        for k in range(dims):
            scaled = (x[:, k] - lo[k]) / span[k]
            new[:, k] = lo[k] + span[k] * bdm_round(scaled, problem.capability, problem.salience[:, k], q, t)
        history.append(new)
        moved = np.abs(new - x).max()
        x = new
        if moved <= tolerance:
            converged = True
            break
        new_median = weighted_median(x, problem.capability, problem.salience)
        steady = steady + 1 if np.abs(new_median - median).max() <= tolerance else 0
        median = new_median
        if steady >= patience:
            converged = True
            break
    return BdmResult(problem, np.stack(history), converged)
