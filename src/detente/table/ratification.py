r"""Outside options, domestic ratification, and leaders' support and fall: the two-level game.

**Leverage and forecasts.** The front gives each week a leverage in Russia's favour (log-odds)

    L = w_p · pace/100 + w_m · ln(K_R / K_U) + w_n · ln(M_R / M_U) + w_w · (½ − W̄)

(pace: recent Russian gains, km²/week; K materiel, M manpower; W̄ backers' aid-weighted will), and party a
forecasts P(Russia prevails) as ρ_a = logistic(L + σ_a b_a + η ε), with b_a its optimism and σ_a = +1 for
Russia's side, −1 for Ukraine's, 0 for others: each side can overrate its own prospects (seed 000: Moscow
believes "she's as close to having won on the battlefield as she needs to be"). Fearon (1995) names such
private optimism as a rationalist cause of war.

**Outside option.** For an agreement over issues m, a's value of going on without it is

    V_a = Σ_k m_k s_ak u_ak / Σ_k m_k s_ak − c_a · relief · I − κ_a

(u_ak from `agenda.no_deal_points`; c_a the cost of a week of war at reference intensity, I this week's
casualties over the reference, relief the share of the war's cost the scope lifts, κ_a the commitment term
below). A party accepts its reading x̃_a of a text when U_a(x̃_a) − V_a > μ (1 − T) + π_a, μ the margin at
full distrust, T trust, π_a = the pressure on Ukraine (a lever the decisions set) for Ukraine's side.

**Commitment problem** (Fearon 1995; Powell 2006; seed 002: a ceasefire as "an opportunity for Kiev to
rearm to Russia's disadvantage"). While the whole front is quiet, materiel is not used up; Ukraine's
backers deliver r ≥ 1 times their aid. Over the d weeks of the truce the forecast shifts to

    ρ'_a = logistic(logit ρ_a + w_m [ln((K_R + d P_R)/(K_U + d (r a_U + P_U))) − ln(K_R/K_U)])

and a truce is worth κ_a = φ (ρ'_a − ρ_a) · stake_a less to a (stake_a = W_a(y_R) − W_a(y_U) over the
issues the war decides, φ the shadow of the future): negative for Russia, positive for Ukraine.

**Ratification** (Putnam 1988, win-sets; seed 001: a deal "they can sell to their respective constituents
without jeopardizing their own (political) survival"). What a party's public sees conceded is how much worse
the terms are than its public's reference point, C_a = max(0, h_a + (1 − h_a) Σ m s u_ak / Σ m s − U_a(x̃_a)):
a mix, by the public's anchor h_a, of the leader's stated ideal (worth 1) and what the war is expected to
bring (the cost of war left out: publics judge terms; Tversky & Kahneman's reference dependence). A party ratifies when C_a ≤ θ_a and S_a − γ_a C_a ≥ F_a: within its
home's threshold θ_a, and not so costly that support S_a would fall below the leader's survival threshold F_a.

**Support and fall.** Weekly, S' = clip(S + β_a G_a/1000 − δ_a X_a/10⁴ + ν ε, 0, 1), with G_a km² gained
by a's side and X_a its casualties; signing costs γ_a C_a. A leader whose support falls below F_a falls;
his successor (from the scenario) brings his own support, threshold and positions (seed 001: "the fastest
and easiest path to peace is for Zelensky to be removed from the equation").

Sources: J. Fearon (1995), "Rationalist explanations for war", IO 49(3); R. Powell (2006), "War as a
commitment problem", IO 60(1); R. Putnam (1988), "Diplomacy and domestic politics", IO 42(3);
B. Bueno de Mesquita et al. (2003), The Logic of Political Survival (leader survival and concessions).
"""

from __future__ import annotations

import numpy as np


def logistic(z: np.ndarray) -> np.ndarray:
    """1 / (1 + e^{−z}), safe for large |z|."""
    return 0.5 * (1.0 + np.tanh(0.5 * np.asarray(z, dtype=float)))


def logit(p: np.ndarray) -> np.ndarray:
    """ln(p / (1 − p)), clipped away from 0 and 1."""
    p = np.clip(p, 1e-9, 1 - 1e-9)
    return np.log(p / (1.0 - p))


def leverage(pace_km2: np.ndarray, materiel: np.ndarray, manpower: np.ndarray, will: np.ndarray,
             pace_weight: np.ndarray, materiel_weight: np.ndarray, manpower_weight: np.ndarray,
             will_weight: np.ndarray) -> np.ndarray:
    """L (N,): Russia's battlefield leverage in log-odds; materiel, manpower (N, 2) [Russia, Ukraine]."""
    k = np.log(np.maximum(materiel[:, 0], 1e-3) / np.maximum(materiel[:, 1], 1e-3))
    m = np.log(np.maximum(manpower[:, 0], 1.0) / np.maximum(manpower[:, 1], 1.0))
    return pace_weight * pace_km2 / 100.0 + materiel_weight * k + manpower_weight * m + will_weight * (0.5 - will)


def forecasts(lev: np.ndarray, optimism: np.ndarray, side_sign: np.ndarray, noise_sd: np.ndarray,
              noise: np.ndarray) -> np.ndarray:
    """ρ_a (N, A): each party's P(Russia prevails), biased by its optimism toward its own side."""
    return logistic(lev[:, None] + side_sign * optimism + noise_sd[:, None] * noise)


def rearmed_forecast(rho: np.ndarray, materiel: np.ndarray, production: np.ndarray, aid: np.ndarray,
                     rearm_factor: np.ndarray, weeks: np.ndarray | float,
                     materiel_weight: np.ndarray) -> np.ndarray:
    """ρ'_a (N, A): the forecast after `weeks` of quiet front in which both stock up, Ukraine's backers r-fold:
    logistic(logit ρ + w ln((K'_R/K'_U)/(K_R/K_U))), the materiel term of `leverage` moved by the new stocks."""
    return scaled_odds(rho, rearm_odds(materiel, production, aid, rearm_factor, weeks, materiel_weight)[:, None])


def rearm_odds(materiel: np.ndarray, production: np.ndarray, aid: np.ndarray, rearm_factor: np.ndarray,
               weeks: np.ndarray | float, materiel_weight: np.ndarray) -> np.ndarray:
    """(N,) e^shift = ((K'_R/K'_U)/(K_R/K_U))^w: what `weeks` of rearming multiply the odds of a forecast by."""
    k_r, k_u = np.maximum(materiel[:, 0], 1e-3), np.maximum(materiel[:, 1], 1e-3)
    new_r = k_r + weeks * production[..., 0]
    new_u = k_u + weeks * (rearm_factor * aid + production[..., 1])
    return ((new_r / new_u) / (k_r / k_u)) ** materiel_weight


def scaled_odds(p: np.ndarray, factor: np.ndarray) -> np.ndarray:
    """logistic(logit p + ln f) = p f / (1 − p + p f): odds p/(1 − p) times f, p clipped as `logit` clips it.
    The same as shifting the log-odds, without a logarithm and a tanh per forecast."""
    p = np.clip(p, 1e-9, 1 - 1e-9)
    with np.errstate(invalid="ignore"):
        return np.where(np.isinf(factor), 1.0, p * factor / (1.0 - p + p * factor))


def commitment_term(rho: np.ndarray, rho_after: np.ndarray, stake: np.ndarray, shadow: np.ndarray) -> np.ndarray:
    """κ_a (N, A) = φ (ρ' − ρ) stake_a: what the other side's rearming during a truce costs (−) or gives (+) a."""
    return shadow[:, None] * (rho_after - rho) * stake


def outside_option(no_deal: np.ndarray, salience: np.ndarray, mask: np.ndarray, cost: np.ndarray,
                   relief: np.ndarray | float, intensity: np.ndarray) -> np.ndarray:
    """V_a (N, A) before the commitment term: expected no-deal utility less the war cost the deal would lift."""
    weight = salience * mask
    total = weight.sum(axis=-1)
    value = np.where(total > 0, (weight * no_deal).sum(axis=-1) / np.where(total > 0, total, 1.0), 1.0)
    return value - cost * (np.asarray(relief) * intensity)[..., None]


def public_concession(utility: np.ndarray, expected: np.ndarray, anchor: np.ndarray) -> np.ndarray:
    """C_a (N, A) = max(0, h_a + (1 − h_a) E_a − U_a): the terms' shortfall from the public's reference point."""
    return np.maximum(anchor + (1.0 - anchor) * expected - utility, 0.0)


def ratifies(concession: np.ndarray, support: np.ndarray, threshold: np.ndarray, concession_cost: np.ndarray,
             fall_threshold: np.ndarray) -> np.ndarray:
    """(N, A) bool: the concession is within the home threshold and does not bring the leader down."""
    return (concession <= threshold) & (support - concession_cost * concession >= fall_threshold)


def support_after(support: np.ndarray, gained_km2: np.ndarray, casualties: np.ndarray, war_response: np.ndarray,
                  casualty_response: np.ndarray, noise_sd: np.ndarray, noise: np.ndarray) -> np.ndarray:
    """S' (N, A): support after a week of war (gains G_a, casualties X_a of each party's side)."""
    change = war_response * gained_km2 / 1000.0 - casualty_response * casualties / 1e4 + noise_sd * noise
    return np.clip(support + change, 0.0, 1.0)
