"""Apply ground change to control shares, conserving area.

Control c_r ∈ [0, 1] is the share of region r held by Russia; a gain of G_r km² moves c_r by G_r / area_r,
capped by the ground left to take (or to lose). Area never appears or vanishes: Russian plus Ukrainian
area in each region is always exactly its area.
"""

from __future__ import annotations

import numba

from detente.dynamics.mechanism import Mechanism


@numba.njit(cache=True, error_model="numpy")
def apply_ground(control: float, gain_km2: float, area: float) -> tuple[float, float]:
    """New control of one region and the km² that actually changed hands (to Russia), after capping."""
    share = min(max(gain_km2 / area, -control), 1.0 - control)
    return control + share, share * area


MECHANISM = Mechanism(
    name="territory",
    summary="ground change applied to control shares, conserving area",
    reads={"control": "N R"},
    writes={"control": "N R"},
    params=(),
    reports=("ground_km2",),
    metrics=("area_gained_km2", "area_gained_km2/<region>"),
    functions=(apply_ground,),
)
