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

EDGE = 1e-6


@numba.njit(cache=True)
def supplied_ground(held, home, adjacent, out):  # noqa: ANN001, ANN201
    """Mark in `out` (R + 1,) the held regions joined to a held home region through held neighbours
    (`adjacent` (R, K) padded with R, the never-held slot); returns `out`. A search from the held home regions
    over held neighbours, O(R K) per run; the kernel calls it per run and week, the array reference through
    `.py_func`."""
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


def supplied(control: np.ndarray, edges, home: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """Bool (R + 1, N): supplied Russian-held ground per run (row R: the padding region, never supplied)."""
    held = np.zeros(control.shape[1] + 1, bool)
    out = np.zeros((control.shape[1] + 1, control.shape[0]), bool)
    row = np.zeros(control.shape[1] + 1, bool)
    for n in range(control.shape[0]):
        held[:-1] = control[n] > 0.5
        out[:, n] = supplied_ground.py_func(held, home, edges.adjacent, row)
    return out


def russian_reach(control: np.ndarray, edges, home: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:  # noqa: ANN001
    """Whether supplied Russian-held ground lies next door by land, and across the Dnipro (bool (N, R)
    each), and whether Russia can attack in the region at all: it is supplied or touches supplied ground.

    Russia holding a region the Dnipro splits reaches a right-bank neighbour by land only with what it
    holds beyond the left bank, and a left-bank neighbour with what it holds of the left bank; the rest of
    its presence there lies across the river (thresholds in `EdgeList.split_edges`).
    """
    control_t = control.T
    held = supplied(control, edges, home)
    by_land, by_river = _any_neighbour(held, edges.land), _any_neighbour(held, edges.across)
    connected = held[:-1] | _any_neighbour(held, edges.adjacent)
    for r, n, land_threshold, river_threshold in edges.split_edges:
        by_land[r] |= connected[n] & (control_t[n] > land_threshold)
        by_river[r] |= connected[n] & (control_t[n] > river_threshold)
    return by_land.T, by_river.T, connected.T


def _any_neighbour(held: np.ndarray, table: np.ndarray) -> np.ndarray:
    """(R, N) bool: some neighbour listed in `table` (R, K) is held; `held` is (R + 1, N)."""
    out = held[table[:, 0]]
    for k in range(1, table.shape[1]):
        out |= held[table[:, k]]
    return out


def front_mask(control: np.ndarray, objective: np.ndarray, counter_objective: np.ndarray, contestable: np.ndarray,
               edges, russian_next_door: np.ndarray) -> np.ndarray:  # noqa: ANN001
    """Bool (N, R): regions where the two sides are in contact and one of them means to fight this week."""
    contested = (control > EDGE) & (control < 1.0 - EDGE)
    entry = (control <= EDGE) & russian_next_door & (objective > 0)
    front = contested | entry
    if np.any(counter_objective > 0):
        held = np.zeros((control.shape[1] + 1, control.shape[0]), bool)
        held[:-1] = (contestable[None, :] & (control < 0.5)).T
        ukrainian_next_door = _any_neighbour(held, edges.adjacent).T
        front |= (control >= 1.0 - EDGE) & ukrainian_next_door & (counter_objective > 0)
    return front & contestable


def allocate(line_russia: np.ndarray, line_ukraine: np.ndarray, front: np.ndarray, objective: np.ndarray,
             defence_priority: np.ndarray, threat_matching: float | np.ndarray,
             holding_weight: float | np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Troops per region for each side ((N,), (N,) -> (N, R), (N, R)); totals are conserved on any front."""
    attack_weight = np.where(front, np.maximum(objective, np.asarray(holding_weight)[..., None]), 0.0)
    attack_total = attack_weight.sum(axis=1, keepdims=True)
    safe_total = np.where(attack_total > 0, attack_total, 1.0)
    russia = line_russia[:, None] * attack_weight / safe_total
    hold_weight = np.where(front, defence_priority, 0.0)
    hold_total = hold_weight.sum(axis=1, keepdims=True)
    hold_share = hold_weight / np.where(hold_total > 0, hold_total, 1.0)
    threat_share = attack_weight / safe_total
    tau = np.asarray(threat_matching)[..., None]
    ukraine = line_ukraine[:, None] * (tau * threat_share + (1.0 - tau) * hold_share)
    return russia, ukraine
