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

import numba

from detente.dynamics import mechanism
from detente.dynamics.mechanism import Mechanism, cached_with, nonnegative


@numba.njit(cache=True, error_model="numpy", inline="always")
def behind_the_line(control, partisans, n: int, occupied_regions, area, hostile_population, p,  # noqa: ANN001, ANN201
                    manpower_russia: float):
    """Run n's occupation this week, from control and partisans (N, R) over the occupied regions:
    the garrison G, its coverage κ in [0, 1], the partisan level p̄ = Σ p_r c_r area_r / Σ c_r area_r that
    cuts supply (attrition.supply), and the casualties C_p partisans inflict. `area` and
    `hostile_population` are the map's (R,), `p` the PARAMS record."""
    hostile_total, occupied, partisan_sum, partisan_hits = 0.0, 0.0, 0.0, 0.0
    for i in range(occupied_regions.size):  # index loops: iterating an array costs a reference count per run
        r = nonnegative(occupied_regions[i])
        c = control[n, r]
        if c == 0.0:  # adds nothing to any sum (most occupiable regions, in most runs): skipped
            continue
        h = c * hostile_population[r]
        hostile_total += h
        partisan_hits += partisans[n, r] * h
        occupied += c * area[r]
        partisan_sum += partisans[n, r] * c * area[r]
    needed = p.garrison_per_1000_hostile * hostile_total / 1000.0
    garrison = min(needed, p.max_garrison_share * manpower_russia)
    coverage = garrison / needed if needed > 0 else 1.0
    partisan_level = partisan_sum / max(occupied, 1.0)
    return garrison, coverage, partisan_level, p.partisan_casualties_per_week * partisan_hits / 1e6


@numba.njit(cache=True, error_model="numpy")
def partisans_after(partisans: float, control: float, occupiable: bool, hostility: float, growth: float,
                    suppression: float, coverage: float) -> float:
    """p_r' in [0, 1] for one region; zero where Russia holds nothing, suppressed only where it is not an
    occupation (home ground)."""
    if not control > 0:  # first: most regions, in most runs, hold no Russian ground
        return 0.0
    if occupiable:
        grown = partisans + growth * hostility * control * (1.0 - partisans) - suppression * coverage * partisans
        return min(max(grown, 0.0), 1.0)
    return min(max(partisans - suppression * coverage * partisans, 0.0), 1.0)


cached_with(behind_the_line, mechanism)  # it calls mechanism.nonnegative

MECHANISM = Mechanism(
    name="occupation",
    summary="garrisons for hostile occupied ground, and the partisans that grow where they are short",
    reads={"control": "N R", "partisans": "N R", "manpower": "N 2"},
    writes={"partisans": "N R", "garrison": "N"},
    params=("occupation.garrison_per_1000_hostile", "occupation.max_garrison_share",
            "occupation.partisan_logistics_damage", "occupation.partisan_casualties_per_week",
            "occupation.partisan_growth", "occupation.partisan_suppression"),
    metrics=("garrison_russia", "partisan_activity"),
    functions=(behind_the_line, partisans_after),
    initial={"partisans": 0.0, "garrison": 0.0},
)
