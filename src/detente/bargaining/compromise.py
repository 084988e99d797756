"""The naive compromise: capability x salience weighted mean and weighted median of the actors' positions.

The mean is the baseline every bargaining model should be compared with (Bueno de Mesquita 1994; Scholz,
Calbert & Smith 2011 report 7.39 for the EU emissions case); the weighted median is the position no
weighted majority can beat on a single issue (Black's median voter), 7 in that case.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.bargaining.ktab_input import BargainingProblem


def _weights(capability: np.ndarray, salience: np.ndarray, n_dims: int) -> np.ndarray:
    """Weights c_i s_ik as an (actors, dims) array; salience may be per actor (n,) or per dimension (n, d)."""
    cap = np.asarray(capability, dtype=float).reshape(-1, 1)
    sal = np.asarray(salience, dtype=float)
    if sal.ndim == 1:
        sal = sal[:, None]
    return np.broadcast_to(cap * sal, (cap.shape[0], n_dims))


def weighted_mean(positions, capability, salience) -> np.ndarray:
    """Per dimension: sum_i c_i s_ik x_ik / sum_i c_i s_ik (positions (n,) or (n, d); returns (d,))."""
    x = np.asarray(positions, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    w = _weights(capability, salience, x.shape[1])
    total = w.sum(axis=0)
    if np.any(total <= 0):
        raise ValueError("every dimension needs a positive total capability x salience")
    return (w * x).sum(axis=0) / total


def weighted_median(positions, capability, salience) -> np.ndarray:
    """Per dimension: the smallest position with at least half the total weight c_i s_ik at or below it."""
    x = np.asarray(positions, dtype=float)
    if x.ndim == 1:
        x = x[:, None]
    w = _weights(capability, salience, x.shape[1])
    out = np.empty(x.shape[1])
    for k in range(x.shape[1]):
        order = np.argsort(x[:, k], kind="stable")
        cum = np.cumsum(w[order, k])
        out[k] = x[order, k][np.searchsorted(cum, 0.5 * cum[-1] - 1e-12 * cum[-1])]
    return out


@dataclass(frozen=True)
class CompromiseResult:
    """The weighted mean and median of a problem, on the input's scale, one value per dimension."""

    problem: BargainingProblem
    mean: np.ndarray
    median: np.ndarray


def run_compromise(problem: BargainingProblem) -> CompromiseResult:
    """Weighted mean and median of the actors' positions, reported on the input's own scale."""
    x = problem.to_scale(problem.positions)
    return CompromiseResult(problem, weighted_mean(x, problem.capability, problem.salience),
                            weighted_median(x, problem.capability, problem.salience))
