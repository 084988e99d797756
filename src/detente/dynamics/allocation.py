"""Where the fronts are, and how each side spreads its troops across them.

A region is on the front when ground there can change hands this week:
    contested (0 < c_r < 1), or untouched (c_r = 0) with Russian-held ground next door (max_n c_n > ½)
    and a Russian objective there, or fully Russian (c_r = 1) with Ukrainian-held ground next door,
and only if the scenario marks the region contestable.

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

import numpy as np

EDGE = 1e-6


def neighbour_max(values: np.ndarray, neighbours: np.ndarray) -> np.ndarray:
    """For each region, the largest value among its neighbours ((N, R) -> (N, R)); padding counts as 0."""
    padded = np.concatenate([values, np.zeros((values.shape[0], 1))], axis=1)
    return padded[:, neighbours].max(axis=2)


def russian_presence(control: np.ndarray, neighbours: np.ndarray, across: np.ndarray, bank: np.ndarray,
                     left_share: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Russian presence next door, reachable by land and only across the Dnipro ((N, R) each).

    Russia holding a region the Dnipro splits reaches a right-bank neighbour by land only with what it
    holds beyond the left bank, (c − l)/(1 − l), and a left-bank neighbour with c/l; the rest of its
    presence there lies across the river.
    """
    padded = np.concatenate([control, np.zeros((control.shape[0], 1))], axis=1)
    near = padded[:, neighbours]                                   # (N, R, K)
    right_side = np.clip((near - left_share) / (1.0 - left_share), 0.0, 1.0)
    left_side = np.clip(near / left_share, 0.0, 1.0)
    same_bank = np.where(bank == 1, right_side, np.where(bank == 2, left_side, near))
    other_bank = np.where(bank == 1, left_side, np.where(bank == 2, right_side, 0.0))
    by_land = np.where(across, 0.0, same_bank).max(axis=2)
    by_river = np.maximum(np.where(across, near, 0.0).max(axis=2), other_bank.max(axis=2))
    return by_land, by_river


def front_mask(control: np.ndarray, objective: np.ndarray, counter_objective: np.ndarray, contestable: np.ndarray,
               neighbours: np.ndarray, russian_reach: np.ndarray) -> np.ndarray:
    """Bool (N, R): regions where the two sides are in contact and one of them means to fight this week."""
    ukrainian_next_door = neighbour_max(np.where(contestable, 1.0 - control, 0.0), neighbours) > 0.5
    contested = (control > EDGE) & (control < 1.0 - EDGE)
    entry = (control <= EDGE) & (russian_reach > 0.5) & (objective > 0)
    counter = (control >= 1.0 - EDGE) & ukrainian_next_door & (counter_objective > 0)
    return (contested | entry | counter) & contestable


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
