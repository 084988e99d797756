r"""Agreements and their life: scope and duration, compliance, violations seen through noise, trust, breakdown.

An agreement g has a scope (a column of `WarState.truce`: the war engine stops what it covers), a duration
d_g weeks, the parties who signed it and its terms. While it is in force, each belligerent side s decides
every week whether to break it, comparing what breaking brings with what the deal is worth to it:

    violate_s  ⇔  τ_gs + f·D_g + o_s + σ ε_s  >  φ · k_gs · (U_s(x̃_s) − V_s)

τ_gs the weekly temptation of the scope to side s, D_g the divergence of the term sheets (a ceasefire built
on texts that read differently is fragile, seed 001), o_s the extra temptation of a belligerent that was
not at the table (seed 000: a deal struck "over Kyiv's head"), φ the shadow of the future and U_s − V_s the
deal's surplus over s's outside option, recomputed each week from the front, and k_gs = 1 if side s
consented to g, else 0: a side that never accepted the text has no stake of its own in the deal's future to
restrain it (Fortna 2004: agreements the parties themselves made hold better), so a deal struck over Kyiv's
head is kept by Kyiv only as long as its temptation and shocks stay below zero. A side walks out when its
outside option beats the deal outright, U_s − V_s < −ω.

Violations are seen through noise: a violation is observed with probability p_d, and in a quiet week a
violation is reported with probability p_f (false alarm). Trust T between the belligerents moves as

    T' = T − λ  (a violation observed)        T' = T + ρ (1 − T)  (a quiet week)

and when T < T_min every agreement collapses (Axelrod 1984 on reciprocity and noise; Downs & Rocke 1990
on noise in compliance; Fortna 2004 on what makes ceasefires last). In a week in which an agreement is
violated, a share v of what its scope covers resumes: `truce = 1 − v` (the engine stops the whole front
only at truce = 1, so a violated front truce is a week of fighting), and the scope is marked broken for the
week (`WarState.truce_violated` = 1, what the escalation score counts as a violation: a truce level under 1
alone says only how much of the week the scope was stopped, as a holiday truce of hours also writes it).

Sources: R. Axelrod (1984), The Evolution of Cooperation; G. Downs & D. Rocke (1990), Tacit Bargaining,
Arms Races and Arms Control; V. P. Fortna (2004), Peace Time: Cease-Fire Agreements and the Durability of
Peace, Princeton UP.
"""

from __future__ import annotations

import numba
import numpy as np

IN_FORCE, EXPIRED, BREAKDOWN, WALKOUT_RUSSIA, WALKOUT_UKRAINE = range(5)
HOW_ENDED = ("in_force", "expired", "breakdown", "walkout_russia", "walkout_ukraine")


def duration_weeks(days: float) -> int:
    """Whole weeks an agreement of `days` days runs (at least one): 30 days → 4 weeks, 90 → 13."""
    return max(1, int(round(days / 7.0)))


@numba.njit(cache=True, inline="always")
def violates(temptation, extra, noise_sd, eps, shadow, consented, surplus) -> bool:
    """Side s breaks the agreement this week: τ + f·D + o + σ ε > φ k U − V (`extra` = f·D + o; consented: k,
    1 where s consented to the text, 0 where it was struck over its head)."""
    pull = temptation + extra + noise_sd * eps
    return pull > shadow * consented * surplus


@numba.njit(cache=True, inline="always")
def walks_out(surplus: float, margin: float) -> bool:
    """Side s's outside option beats the agreement by more than the margin ω."""
    return surplus < -margin


@numba.njit(cache=True, inline="always")
def observed(violated: bool, detection: float, false_alarm: float, u_detect: float, u_false: float) -> bool:
    """A violation is seen this week: a real one with p_d, a false alarm with p_f in a quiet week."""
    return (violated and u_detect < detection) or (not violated and u_false < false_alarm)


@numba.njit(cache=True, inline="always")
def trust_after(trust: float, seen: bool, loss: float, recovery: float) -> float:
    """T': loses λ on a seen violation, recovers a share ρ of the gap to 1 in a quiet week."""
    moved = trust - loss if seen else trust + recovery * (1.0 - trust)
    return min(max(moved, 0.0), 1.0)


@numba.njit(cache=True, inline="always")
def renews(renewable: bool, surplus_russia: float, surplus_ukraine: float, need: float, violated: bool) -> bool:
    """An agreement at expiry is renewed when renewable, unbroken this week, and both sides still prefer it by
    the margin they need to accept it (`ratification.acceptance_need`)."""
    return renewable and surplus_russia > need and surplus_ukraine > need and not violated


def truce_levels(in_force: np.ndarray, violated: np.ndarray, violation_share: np.ndarray, scope_columns: np.ndarray,
                 n_scopes: int) -> np.ndarray:
    """`WarState.truce` (N, S): 1 where an agreement of the scope is in force, 1 − v in a violated week."""
    level = in_force * (1.0 - violated * violation_share[:, None])
    truce = np.zeros((in_force.shape[0], n_scopes))
    for g, column in enumerate(scope_columns):
        truce[:, column] = np.maximum(truce[:, column], level[:, g])
    return truce


def scopes_violated(in_force: np.ndarray, violated: np.ndarray, scope_columns: np.ndarray,
                    n_scopes: int) -> np.ndarray:
    """`WarState.truce_violated` (N, S): 1 where an agreement of the scope in force was broken this week."""
    broken = np.zeros((in_force.shape[0], n_scopes))
    for g, column in enumerate(scope_columns):
        broken[:, column] = np.maximum(broken[:, column], in_force[:, g] & violated[:, g])
    return broken
