"""Weekly casualties and ground change on each front: a Helmbold-form Lanchester law with a force-ratio advance.

Casualties in region r, for Russian troops R and Ukrainian troops U engaged there (Helmbold 1964; Weiss 1966):
    C_R = a_R · q_U · φ_r      · U^w · R^(1−w) · e^(σ_c ε − σ_c²/2)
    C_U = a_U · q_R · ℓ_r / φ_r · R^w · U^(1−w) · e^(σ_c ε − σ_c²/2)
w = 1 is Lanchester's square law (aimed fire: losses set by the enemy's numbers), w = 0 the logarithmic
law (losses set by one's own exposed numbers), w = ½ losses growing with √(RU). The ratio of losses then
depends on the force ratio as C_R/C_U ∝ (R/U)^(1−2w): `tools/fit_helmbold.py` fits w on ~1,000 historical
battles (Rubio-Campillo 2016) and finds w ≈ 0.17, close to the logarithmic law — the bigger force loses
more men, as under the area fire of artillery and drones that dominates this war; the scenario cites the
fit. φ_r = fortification × terrain of the defended region.

Ground change (km², positive = to Russia). Each side's effective power P_R = R q_R ℓ_r, P_U = U q_U
(q includes each side's firepower factor) is set against the other's, defences counting for whoever
holds the ground (φ_r; β_r = Dnipro barrier when the assault must cross the river). The share of its
troops' potential advance an attacker realises is a logistic function of the force ratio:
    ρ_R = P_R / (κ P_U φ_r β_r),   π(ρ) = ρ^ε / (1 + ρ^ε)                       (`advance_share`)
    G_r = g/1000 · (R ι_R π(ρ_R) − U ι_U π(ρ_U)) · e^(σ_g ε − σ_g²/2),
ι the intent to attack there (Russia: where it has an objective and supplied ground next door; Ukraine:
its counter-objectives and its general counter-attack posture). κ is the ratio at which an attacker
realises half its potential; ε (`ratio_elasticity`) is the elasticity of the advance to the force ratio
at small ratios (at ρ the elasticity of π is ε (1 − π) ≤ ε), a bounded, fitted parameter: the earlier
form tanh(s · max(ln ρ, 0)) rose from zero at ρ = κ with unbounded relative slope, so a 12% change of
one side's manpower moved the yearly gain by 40%. The law saturates (a breakthrough cannot outrun its
own troops) and is smooth in the force ratio. g, κ, ε are fitted to the record (`detente calibrate`).

Logistics: ℓ_r = exp(−d_r / L) · (1 − λ_p p̄) with d_r the distance from Russia's home bases and p̄ the
partisan activity behind the Russian line: the further the advance, the weaker it gets (over-extension).
Materiel per soldier scales firepower: q_s = f_s · ((K_s/M_s) / (K_s⁰/M_s⁰))^μ, f_s the side's firepower factor.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from detente.dynamics import mechanism
from detente.dynamics.mechanism import Mechanism, cached_with, shock

TINY = 1e-9


@numba.njit(cache=True, error_model="numpy")
def advance_share(power, resistance, elasticity):  # noqa: ANN001, ANN201  (scalars, or arrays in tests)
    """π(ρ) = ρ^ε / (1 + ρ^ε), ρ = (P + tiny) / (resistance + tiny): the share of its potential advance an
    attacker realises. Plain arithmetic: the same code also runs on arrays (`advance_share.py_func`)."""
    return 1.0 / (1.0 + ((resistance + TINY) / (power + TINY)) ** elasticity)


@numba.njit(cache=True, error_model="numpy")
def firepower_quality(materiel, manpower, materiel0, manpower0, firepower, exponent):  # noqa: ANN001, ANN201
    """q_s for one side: firepower factor times equipment per soldier against the start (K⁰, M⁰). NumPy's
    maximum and minimum (the same on scalars): the same code also runs on arrays (`firepower_quality.py_func`,
    as the fire-ratio target reads it)."""
    ratio = (materiel / np.maximum(manpower, 1.0)) / (np.maximum(materiel0, 1e-9) / np.maximum(manpower0, 1.0))
    return firepower * np.minimum(np.maximum(ratio, 0.02), 50.0) ** exponent


@numba.njit(cache=True, error_model="numpy")
def supply(reach: float, partisan_damage: float, partisan_level: float) -> float:
    """ℓ_r = exp(−d_r / L) · (1 − λ_p p̄), with `reach` = exp(−d_r / L) (fixed in a run)."""
    return reach * (1.0 - partisan_damage * partisan_level)


@numba.njit(cache=True, error_model="numpy")
def casualties(russia: float, ukraine: float, q_russia: float, q_ukraine: float, supply: float, defence: float,
               p, eps: float) -> tuple[float, float]:  # noqa: ANN001 (the PARAMS record)
    """C_R, C_U in one region this week; zero where either side is absent. U^w R^(1−w) = R (U/R)^w and
    R^w U^(1−w) = U (R/U)^w: one power per region."""
    if russia > 0 and ukraine > 0:
        shocked = shock(p.casualty_noise, eps)
        ratio_w = (ukraine / russia) ** p.helmbold_w
        return (p.russian_loss_rate * q_ukraine * defence * russia * ratio_w * shocked,
                p.ukrainian_loss_rate * q_russia * supply / defence * ukraine * (1.0 / ratio_w) * shocked)
    return 0.0, 0.0


@numba.njit(cache=True, error_model="numpy")
def river_barrier(control: float, by_land: bool, by_river: bool, left_bank_share: float, barrier: float) -> float:
    """β_r, the defender's multiplier: the Dnipro's where Russia can reach the ground only across the river,
    (a) in a region the river splits once Russia holds its whole left bank, (b) in a region Russia has not
    entered whose Russian-held neighbourhood lies across the river (see allocation.reach)."""
    if (control <= 1e-6 and not by_land and by_river) or (not math.isnan(left_bank_share)
                                                          and control >= left_bank_share - 0.01 and control < 1.0):
        return barrier
    return 1.0


@numba.njit(cache=True, error_model="numpy")
def ground_change(russia: float, ukraine: float, power_russia: float, power_ukraine: float, defence: float,
                  barrier: float, intent_russia: float, intent_ukraine: float, p, eps: float) -> float:  # noqa: ANN001
    """G_r, km² moving to Russia in one region this week before capping by the ground available; the powers
    are P_R = R q_R ℓ_r and P_U = U q_U, `defence` φ_r, `barrier` β_r. Each side advances only where it means to
    attack; a side with no intent costs no power law, and no net push no shock."""
    net = 0.0
    if intent_russia > 0:
        resistance = p.ratio_threshold * power_ukraine * defence * barrier
        net += russia * intent_russia * advance_share(power_russia, resistance, p.ratio_elasticity)
    if intent_ukraine > 0:
        resistance = p.ratio_threshold * power_russia * defence * barrier
        net -= ukraine * intent_ukraine * advance_share(power_ukraine, resistance, p.ratio_elasticity)
    return p.ground_rate_km2 * net / 1000.0 * shock(p.ground_noise, eps) if net != 0.0 else 0.0


cached_with(casualties, mechanism)  # it calls mechanism.shock
cached_with(ground_change, mechanism)  # it calls mechanism.shock

MECHANISM = Mechanism(
    name="attrition",
    summary="casualties (Helmbold) and ground change (force-ratio advance) on each front",
    reads={"manpower": "N 2", "materiel": "N 2", "partisans": "N R", "objective": "N R", "counterattack": "N"},
    writes={"casualties": "N 2", "control": "N R"},
    params=("forces.firepower", "forces.materiel", "forces.manpower", "combat.materiel_quality_exponent",
            "combat.logistics_range_km", "combat.russian_loss_rate", "combat.ukrainian_loss_rate",
            "combat.helmbold_w", "combat.casualty_noise", "combat.dnipro_barrier", "combat.ground_rate_km2",
            "combat.ratio_threshold", "combat.ratio_elasticity", "combat.ground_noise",
            "occupation.partisan_logistics_damage", "regions.fortification", "regions.terrain"),
    reports=("casualties", "ground_km2"),
    metrics=("casualties_russia", "casualties_ukraine", "area_gained_km2"),
    functions=(advance_share, firepower_quality, supply, casualties, river_barrier, ground_change),
    draws={"ground": "R", "battle": "R"},  # columns r and R + r of `drawn`
)
