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
only at truce = 1, so a violated front truce is a week of fighting).

Sources: R. Axelrod (1984), The Evolution of Cooperation; G. Downs & D. Rocke (1990), Tacit Bargaining,
Arms Races and Arms Control; V. P. Fortna (2004), Peace Time: Cease-Fire Agreements and the Durability of
Peace, Princeton UP.
"""

from __future__ import annotations

import numpy as np

IN_FORCE, EXPIRED, BREAKDOWN, WALKOUT_RUSSIA, WALKOUT_UKRAINE = range(5)
HOW_ENDED = ("in_force", "expired", "breakdown", "walkout_russia", "walkout_ukraine")


def duration_weeks(days: float) -> int:
    """Whole weeks an agreement of `days` days runs (at least one): 30 days → 4 weeks, 90 → 13."""
    return max(1, int(round(days / 7.0)))


def violations(temptation: np.ndarray, extra: np.ndarray, surplus: np.ndarray, shadow: np.ndarray,
               noise_sd: np.ndarray, noise: np.ndarray, in_force: np.ndarray,
               consent: np.ndarray | None = None) -> np.ndarray:
    """(N, G, 2) bool: side s breaks agreement g this week (only agreements in force can be broken);
    `consent` (G, 2), 1 where side s consented to g (default: both did), scales what the deal's surplus
    restrains."""
    pull = temptation + extra + noise_sd[:, None, None] * noise
    stake = shadow[:, None, None] * (np.ones(surplus.shape[1:]) if consent is None else consent)[None]
    return in_force[:, :, None] & (pull > stake * surplus)


def walkouts(surplus: np.ndarray, margin: np.ndarray, in_force: np.ndarray) -> np.ndarray:
    """(N, G, 2) bool: side s's outside option beats agreement g by more than the margin."""
    return in_force[:, :, None] & (surplus < -margin[:, None, None])


def observed(violated: np.ndarray, detection: np.ndarray, false_alarm: np.ndarray, u_detect: np.ndarray,
             u_false: np.ndarray) -> np.ndarray:
    """(N,) bool: a violation is seen this week (a real one with p_d, a false alarm with p_f)."""
    real = violated & (u_detect < detection)
    alarm = (~violated) & (u_false < false_alarm)
    return real | alarm


def trust_after(trust: np.ndarray, seen: np.ndarray, loss: np.ndarray, recovery: np.ndarray) -> np.ndarray:
    """T' (N,): loses λ on a seen violation, recovers a share of the gap to 1 in a quiet week."""
    return np.clip(np.where(seen, trust - loss, trust + recovery * (1.0 - trust)), 0.0, 1.0)


def truce_levels(in_force: np.ndarray, violated: np.ndarray, violation_share: np.ndarray, scope_columns: np.ndarray,
                 n_scopes: int) -> np.ndarray:
    """`WarState.truce` (N, S): 1 where an agreement of the scope is in force, 1 − v in a violated week."""
    level = in_force * (1.0 - violated * violation_share[:, None])
    truce = np.zeros((in_force.shape[0], n_scopes))
    for g, column in enumerate(scope_columns):
        truce[:, column] = np.maximum(truce[:, column], level[:, g])
    return truce
