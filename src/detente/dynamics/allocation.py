"""Where the fronts are, and how each side spreads its troops across them.

A region is on the front when ground there can change hands this week:
    contested (0 < c_r < 1), or untouched (c_r = 0) with supplied Russian-held ground next door and a
    Russian objective there, or fully Russian (c_r = 1) with Ukrainian-held ground next door,
and only if the scenario marks the region contestable.

Contiguity: Russian-held ground (c > ½) is *supplied* when a chain of Russian-held regions joins it by
land to one of Russia's home regions (`supplied_ground`). Only supplied ground launches an attack: Russia
enters a region only from supplied ground next door (by land, or across the Dnipro where the crossing is
modelled), and it attacks in a contested region only if that region is supplied or touches supplied
ground. An enclave (Transnistria, cut off from Russia by Moldova and Ukraine) holds but cannot attack;
a landing from the sea is not modelled.

Russia places its line troops F_R in proportion to its objectives on active fronts (a front it only
holds gets the holding weight h):
    R_r = F_R · max(o_r, h)·f_r / Σ max(o, h)·f.
Ukraine places F_U by blending threat matching (where Russia attacks) with its own priorities p_r
(defence priority plus, where it attacks, its counter-objective):
    U_r = F_U · [ τ · R_r/ΣR + (1 − τ) · p_r·f_r / Σ p·f ],  τ = `combat.threat_matching`.
Defenders matching attackers is the standard operational assumption (Biddle 2004, "Military Power", ch. 3);
τ < 1 keeps a share of the line where Ukraine itself chooses to hold.
"""

from __future__ import annotations

import numba
import numpy as np

from detente.dynamics import mechanism
from detente.dynamics.mechanism import Mechanism, cached_with, nonnegative

EDGE = 1e-6


@numba.njit(cache=True, error_model="numpy")
def supplied_ground(held, home, adjacent, out):  # noqa: ANN001, ANN201
    """Mark in `out` (R + 1,) the held regions joined to a held home region through held neighbours
    (`adjacent` (R, K) padded with R, the never-held slot); returns `out`. A search from the held home regions
    over held neighbours, O(R K) per run."""
    R = adjacent.shape[0]
    for r in range(R + 1):
        out[r] = False
    stack = np.empty(R, np.int64)
    top = 0
    for r in range(R):
        if held[r] and home[r]:
            out[r] = True
            stack[top] = r
            top += 1
    while top > 0:
        top -= 1
        r = stack[top]
        for k in range(adjacent.shape[1]):
            m = adjacent[r, k]
            if m < R and held[m] and not out[m]:
                out[m] = True
                stack[top] = m
                top += 1
    return out


@numba.njit(cache=True, error_model="numpy")
def neighbour_held(held, table, r: int) -> bool:  # noqa: ANN001
    """Whether some neighbour of r listed in `table` (R, K), padded with the never-held slot R, is held."""
    for k in range(table.shape[1]):
        if held[nonnegative(table[r, k])]:
            return True
    return False


@numba.njit(cache=True, error_model="numpy", inline="always")
def held_ground(control, n: int, contestable, held, held_ukraine) -> bool:  # noqa: ANN001
    """Mark Russian-held (c > ½) and Ukrainian-held contestable (c < ½) regions of run n in the (R + 1,)
    buffers; return whether Russia holds exactly what the buffer held before (then its contiguity, which
    depends on the held regions only, is unchanged: consecutive runs that agree share it)."""
    changed = False
    for r in range(control.shape[1]):  # no branch in the loop (`|`, `&` on flags, not `or`, `and`): it vectorises
        russian = control[n, r] > 0.5
        changed |= held[r] != russian
        held[r] = russian
        held_ukraine[r] = contestable[r] & (control[n, r] < 0.5)
    return not changed


@numba.njit(cache=True, error_model="numpy")
def contiguity(held, home, adjacent, contested_regions, supplied, connected) -> None:  # noqa: ANN001
    """Supplied ground (`supplied_ground`), and in `connected` the contested regions where Russia can attack at
    all: supplied, or next to supplied ground."""
    supplied_ground(held, home, adjacent, supplied)
    for i in range(contested_regions.size):
        r = contested_regions[i]
        connected[r] = supplied[r] or neighbour_held(supplied, adjacent, r)


@numba.njit(cache=True, error_model="numpy")
def russian_reach(control, n: int, supplied, land, across, adjacent, split_edges,  # noqa: ANN001
                  r: int) -> tuple[bool, bool]:
    """Whether supplied Russian-held ground lies next to region r by land, and across the Dnipro (run n).

    Russia holding a region the Dnipro splits reaches a right-bank neighbour by land only with what it
    holds beyond the left bank, and a left-bank neighbour with what it holds of the left bank; the rest of
    its presence there lies across the river (`split_edges` (E, 4): region, neighbour, land threshold,
    river threshold; see `world.model.EdgeList`)."""
    by_land, by_river = neighbour_held(supplied, land, r), neighbour_held(supplied, across, r)
    for i in range(split_edges.shape[0]):
        if int(split_edges[i, 0]) == r:
            m = int(split_edges[i, 1])
            if supplied[m] or neighbour_held(supplied, adjacent, m):
                by_land = by_land or control[n, m] > split_edges[i, 2]
                by_river = by_river or control[n, m] > split_edges[i, 3]
    return by_land, by_river


@numba.njit(cache=True, error_model="numpy", inline="always")
def find_fronts(control, objective, n: int, region, contested_regions, supplied, held_ukraine,  # noqa: ANN001, ANN201
                land, across, adjacent, split_edges, holding_weight: float, front, fronts, by_land, by_river):
    """Run n's front regions (the rule above), in map order: marks `front` (N, R), lists them in `fronts`,
    records Russia's reach (`by_land`, `by_river`) where it would enter untouched ground (the only regions where
    `attrition.river_barrier` reads them: elsewhere they keep what an earlier run left); returns their number F
    and the attack and hold weights Σ max(o, h)·f and Σ p·f. `region` is the REGION record (R,); the
    neighbour tables are those of `world.model.EdgeList`. Block arrays and a run index, not row views: a
    view costs two reference counts per run."""
    attack_total, hold_total, F = 0.0, 0.0, 0
    for i in range(contested_regions.size):
        r = nonnegative(contested_regions[i])
        f = False
        c = control[n, r]
        if c > EDGE and c < 1.0 - EDGE:
            f = True
        elif c <= EDGE and objective[n, r] > 0:  # entering untouched ground needs Russian reach
            by_land[r], by_river[r] = russian_reach(control, n, supplied, land, across, adjacent, split_edges, r)
            f = by_land[r] or by_river[r]
        if (not f and region[r].counter_objective > 0 and c >= 1.0 - EDGE
                and neighbour_held(held_ukraine, adjacent, r)):
            f = True
        if f:
            front[n, r] = True
            fronts[F] = r
            F += 1
            attack_total += max(objective[n, r], holding_weight)
            hold_total += region[r].defence_priority + region[r].counter_objective
    return F, attack_total, hold_total


@numba.njit(cache=True, error_model="numpy")
def line_troops(available: float, front_share: float, line_factor: float) -> float:
    """F_s: the troops a side puts in the line (`available`: Russia's net of its garrison)."""
    return available * min(front_share * line_factor, 1.0)


@numba.njit(cache=True, error_model="numpy", inline="always")
def allocate(line_russia: float, line_ukraine: float, F: int, fronts,  # noqa: ANN001, ANN201
             attack_total: float, hold_total: float, objective, foreign, n: int, region, p, russia, ukraine):
    """Place run n's line troops on its F fronts (R_r and U_r above, plus third-country troops where
    they stand) into `russia`, `ukraine` (N, R); return the totals engaged. Totals are conserved."""
    safe_attack = attack_total if attack_total > 0 else 1.0
    safe_hold = hold_total if hold_total > 0 else 1.0
    tau = p.threat_matching
    line_sum_russia, line_sum_ukraine = 0.0, 0.0
    for i in range(F):
        r = nonnegative(fronts[i])
        weight = max(objective[n, r], p.holding_weight)
        ru = line_russia * weight / safe_attack
        hold_share = (region[r].defence_priority + region[r].counter_objective) / safe_hold
        uk = line_ukraine * (tau * (weight / safe_attack) + (1.0 - tau) * hold_share) + foreign[n, r]
        russia[n, r], ukraine[n, r] = ru, uk
        line_sum_russia += ru
        line_sum_ukraine += uk
    return line_sum_russia, line_sum_ukraine


for _calls_nonnegative in (neighbour_held, find_fronts, allocate):
    cached_with(_calls_nonnegative, mechanism)

MECHANISM = Mechanism(
    name="allocation",
    summary="where the fronts are (contiguity, the Dnipro) and how each side spreads its line troops",
    reads={"control": "N R", "objective": "N R", "foreign_troops": "N R", "truce": "N S", "manpower": "N 2",
           "line_factor": "N 2"},
    writes={},
    params=("forces.front_share", "combat.threat_matching", "combat.holding_weight", "regions.defence_priority",
            "regions.counter_objective"),
    reports=("front", "russia_line", "ukraine_line"),
    functions=(supplied_ground, neighbour_held, held_ground, contiguity, russian_reach, find_fronts, line_troops,
               allocate),
)
