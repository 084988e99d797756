"""Aid from Ukraine's backers, and their political will eroding with cost, time and events.

Aid delivered by backer b in a week:   a_b = ā_b · W_b · π_b · 1[active_b]
(ā_b: aid at full will, € bn/week, from the Kiel Institute's Ukraine Support Tracker; π_b: a policy
multiplier that decisions set, e.g. a US cut-off). Will then moves as
    W_b' = W_b − λ_b · W_b · (a_b / ā_b) + κ_b · ΔA_U / 1000 + σ_b ε,
cost-driven decay while giving, a response to the front (ΔA_U = km² Ukraine regained this week; Russian
gains count negative), and shocks. A backer whose will falls below its threshold stops for good: the
"will breaks" of seed 001, after which Ukraine fights on what it has.
"""

from __future__ import annotations

import numpy as np


def aid_flow(will: np.ndarray, active: np.ndarray, aid_factor: np.ndarray,
             aid_per_week: np.ndarray) -> np.ndarray:
    """€ bn each backer delivers this week (N, B)."""
    return aid_per_week * will * aid_factor * active


def update_will(will: np.ndarray, active: np.ndarray, aid: np.ndarray, aid_per_week: np.ndarray,
                erosion: np.ndarray, response: np.ndarray, threshold: np.ndarray, noise_sd: np.ndarray,
                ukraine_gain_km2: np.ndarray, noise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """New will (N, B) in [0, 1] and which backers are still giving."""
    burden = aid / np.where(aid_per_week > 0, aid_per_week, 1.0)
    change = -erosion * will * burden + response * ukraine_gain_km2[:, None] / 1000.0 + noise_sd * noise
    new_will = np.minimum(np.maximum(will + change, 0.0), 1.0)
    return new_will, active & (new_will >= threshold)
