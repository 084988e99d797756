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

import numba
import numpy as np

TINY = 1e-9


@numba.njit(cache=True, error_model="numpy")
def advance_share(power, resistance, elasticity):  # noqa: ANN001, ANN201  (scalars in the kernel, arrays in the reference)
    """π(ρ) = ρ^ε / (1 + ρ^ε), ρ = (P + tiny) / (resistance + tiny): the share of its potential advance an
    attacker realises. Written in plain arithmetic so that the kernel calls it on scalars and the array
    reference calls the very same code on arrays (`advance_share.py_func`)."""
    return 1.0 / (1.0 + ((resistance + TINY) / (power + TINY)) ** elasticity)


def firepower_quality(materiel: np.ndarray, manpower: np.ndarray, materiel0: np.ndarray, manpower0: np.ndarray,
                      exponent: float | np.ndarray, firepower: np.ndarray) -> np.ndarray:
    """q_s per run and side ((N, 2)): firepower factor times equipment per soldier against the start."""
    ratio = (materiel / np.maximum(manpower, 1.0)) / (np.maximum(materiel0, 1e-9) / np.maximum(manpower0, 1.0))
    return firepower * np.clip(ratio, 0.02, 50.0) ** np.asarray(exponent)[..., None]


def logistics(home_distance_km: np.ndarray, range_km: float | np.ndarray, partisan_level: np.ndarray,
              partisan_damage: float | np.ndarray) -> np.ndarray:
    """ℓ_r per run and region ((N, R)): supply reaching the front from Russia's bases."""
    reach = np.exp(-home_distance_km[None, :] / np.asarray(range_km)[..., None])
    return reach * (1.0 - np.asarray(partisan_damage)[..., None] * partisan_level[:, None])


def casualties(russia: np.ndarray, ukraine: np.ndarray, quality: np.ndarray, supply: np.ndarray,
               defence: np.ndarray, loss_rate_russia: float | np.ndarray, loss_rate_ukraine: float | np.ndarray,
               w: float | np.ndarray, noise_sd: float | np.ndarray, noise: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Weekly casualties per region (N, R) for Russia and Ukraine; zero where either side is absent."""
    w = np.asarray(w)[..., None]
    sd = np.asarray(noise_sd)[..., None]
    shock = np.exp(sd * noise - 0.5 * sd**2)
    engaged = (russia > 0) & (ukraine > 0)
    # U^w R^(1-w) = R (U/R)^w and R^w U^(1-w) = U (R/U)^w: one power per region and week
    ratio_w = np.where(engaged, (ukraine / np.where(engaged, russia, 1.0)) ** w, 0.0)
    inverse_w = np.where(engaged, 1.0 / np.where(engaged, ratio_w, 1.0), 0.0)
    lost_russia = np.asarray(loss_rate_russia)[..., None] * quality[:, 1:2] * defence * russia * ratio_w * shock
    lost_ukraine = (np.asarray(loss_rate_ukraine)[..., None] * quality[:, 0:1] * supply / defence * ukraine
                    * inverse_w * shock)
    return lost_russia, lost_ukraine


def ground_change(russia: np.ndarray, ukraine: np.ndarray, quality: np.ndarray, supply: np.ndarray,
                  defence: np.ndarray, barrier: np.ndarray, russian_intent: np.ndarray, ukrainian_intent: np.ndarray,
                  rate_km2: float | np.ndarray, threshold: float | np.ndarray, elasticity: float | np.ndarray,
                  noise_sd: float | np.ndarray, noise: np.ndarray) -> np.ndarray:
    """Weekly km² moving to Russian control per region (N, R), before capping by the ground available.

    Each side advances only where it means to attack (intent in [0, 1]), by the share `advance_share` of
    its potential that its effective power against `threshold` times the defender's gives; the defender's
    terrain and fortification count for whoever defends.
    """
    russian_power = russia * quality[:, 0:1] * supply
    ukrainian_power = ukraine * quality[:, 1:2]
    e = np.asarray(elasticity)[..., None]
    t = np.asarray(threshold)[..., None]
    share = advance_share.py_func
    russian_push = np.where(russian_intent > 0, share(russian_power, t * ukrainian_power * defence * barrier, e), 0.0)
    ukrainian_push = np.where(ukrainian_intent > 0, share(ukrainian_power, t * russian_power * defence * barrier, e), 0.0)
    sd = np.asarray(noise_sd)[..., None]
    shock = np.exp(sd * noise - 0.5 * sd**2)
    net = russia * russian_intent * russian_push - ukraine * ukrainian_intent * ukrainian_push
    return np.asarray(rate_km2)[..., None] * net / 1000.0 * shock


def river_barrier(control: np.ndarray, by_land: np.ndarray, by_river: np.ndarray, left_bank_share: np.ndarray,
                  barrier: float | np.ndarray) -> np.ndarray:
    """Defender multiplier (N, R): the Dnipro's where Russia can reach the ground only across the river.

    Applies (a) in regions the river splits once Russia holds their whole left bank, and (b) in regions
    Russia has not entered whose Russian-held neighbourhood lies across the river (see
    allocation.russian_reach).
    """
    blocked_from_outside = (control <= 1e-6) & ~by_land & by_river
    split = ~np.isnan(left_bank_share)
    at_bank = split[None] & (control >= np.nan_to_num(left_bank_share)[None] - 0.01) & (control < 1.0)
    factor = np.asarray(barrier)[..., None]
    return np.where(blocked_from_outside | at_bank, factor, 1.0)
