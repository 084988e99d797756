"""Occupation: garrisons to hold hostile territory, and the partisan resistance that grows when they are short.

Hostile inhabitants under occupation: H = Σ_r c_r · pop_r · h_r (h_r: share hostile, data/map/regions.csv).
Russia diverts a garrison G = min(g · H / 1000, γ · M_R) from its theatre force (γ caps the diversion).
Partisan activity p_r ∈ [0, 1] in occupied region r grows with hostility and is suppressed by coverage
κ = G / (g · H / 1000):
    p_r' = p_r + α · h_r · c_r · (1 − p_r) − β · κ · p_r,
and costs Russia  C_p = k_p · Σ_r p_r · c_r · pop_r · h_r / 10⁶  casualties a week, and supply behind the
line (see attrition.logistics). This is seed 001's "force feed the Russians so much Ukrainian territory
that they choked on it": the deeper Russia goes into hostile ground, the more it must garrison.
"""

from __future__ import annotations

import numpy as np


def hostile_under_occupation(control: np.ndarray, hostile_population: np.ndarray,
                             occupiable: np.ndarray) -> np.ndarray:
    """Hostile inhabitants under Russian control per region (N, R)."""
    return control * np.where(occupiable, hostile_population, 0.0)[None, :]


def garrison(hostile: np.ndarray, manpower_russia: np.ndarray, per_1000: float | np.ndarray,
             max_share: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Troops garrisoned (N,) and the coverage of what holding the ground would need (N,) in [0, 1]."""
    needed = np.asarray(per_1000) * hostile.sum(axis=1) / 1000.0
    held = np.minimum(needed, np.asarray(max_share) * manpower_russia)
    coverage = np.where(needed > 0, held / np.where(needed > 0, needed, 1.0), 1.0)
    return held, coverage


def partisans_after(partisans: np.ndarray, control: np.ndarray, hostility: np.ndarray, occupiable: np.ndarray,
                    coverage: np.ndarray, growth: float | np.ndarray,
                    suppression: float | np.ndarray) -> np.ndarray:
    """Partisan activity next week (N, R) in [0, 1]; zero where Russia holds nothing."""
    h = np.where(occupiable, hostility, 0.0)[None, :]
    grow = np.asarray(growth)[..., None] * h * control * (1.0 - partisans)
    suppress = np.asarray(suppression)[..., None] * coverage[:, None] * partisans
    return np.minimum(np.maximum(partisans + grow - suppress, 0.0), 1.0) * (control > 0)


def partisan_casualties(partisans: np.ndarray, hostile: np.ndarray, per_million: float | np.ndarray) -> np.ndarray:
    """Russian casualties from partisan attacks this week (N,)."""
    return np.asarray(per_million) * (partisans * hostile).sum(axis=1) / 1e6
