"""Apply ground change to control shares, conserving area.

Control c_r ∈ [0, 1] is the share of region r held by Russia; a gain of G_r km² moves c_r by G_r / area_r,
capped by the ground left to take (or to lose). Area never appears or vanishes: Russian plus Ukrainian
area in each region is always exactly its area.
"""

from __future__ import annotations

import numpy as np


def apply_ground(control: np.ndarray, gain_km2: np.ndarray, area: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Return new control (N, R) and the km² that actually changed hands (N, R), after capping."""
    wanted = gain_km2 / area[None, :]
    moved = np.minimum(np.maximum(wanted, -control), 1.0 - control)
    return control + moved, moved * area[None, :]
