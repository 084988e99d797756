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

**Support and fall.** Weekly, S' = clip(S + β_a G_a/1000 − δ_a X_a/10⁴ − κ_a ln(1 + X_a/C_a) + ν ε, 0, 1),
with G_a km² gained by a's side, X_a its casualties and C_a its casualties to date (Mueller 1973: support for a
war falls with the log of its cumulative casualties, so each week's losses weigh less as they mount; κ_a is
fitted to the polls, data/calibration/leader_support.json); signing a whole-front ceasefire moves it by ρ_a
(`deal_response`), and signing any deal costs γ_a C_a. A leader whose support falls below F_a falls;
his successor (from the scenario) brings his own support, threshold and positions (seed 001: "the fastest
and easiest path to peace is for Zelensky to be removed from the equation").

Sources: J. Fearon (1995), "Rationalist explanations for war", IO 49(3); R. Powell (2006), "War as a
commitment problem", IO 60(1); R. Putnam (1988), "Diplomacy and domestic politics", IO 42(3);
B. Bueno de Mesquita et al. (2003), The Logic of Political Survival (leader survival and concessions).
"""

from __future__ import annotations

import math

import numba

# Each function is one equation of the module docstring for one run and one party, compiled; the table's
# kernels (`detente.table.forecasting`, `decision`, `compliance`) compose them, and `records.uncompiled` runs
# the same code in Python as its reference.


@numba.njit(cache=True, inline="always")
def logistic(z: float) -> float:
    """1 / (1 + e^{−z}), safe for large |z|."""
    return 0.5 * (1.0 + math.tanh(0.5 * z))


@numba.njit(cache=True, inline="always")
def logit(p: float) -> float:
    """ln(p / (1 − p)), p clipped away from 0 and 1."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    return math.log(p / (1.0 - p))


@numba.njit(cache=True, inline="always")
def backers_will(will, active, weights, n) -> float:
    """W̄ of run n: the backers' will, weighted by their aid (weights (N, B)), an inactive backer's as 0; ½
    where there are no backers."""
    total, weight = 0.0, 0.0
    for b in range(will.shape[1]):
        total += will[n, b] * (1.0 if active[n, b] else 0.0) * weights[n, b]
        weight += weights[n, b]
    return total / max(weight, 1e-9) if will.shape[1] else 0.5


@numba.njit(cache=True, inline="always")
def leverage(pace, materiel_russia, materiel_ukraine, manpower_russia, manpower_ukraine, will, p) -> float:
    """L: Russia's battlefield leverage in log-odds (p: the run's `records.RUN`); pace NaN (no week yet) reads 0."""
    recent = 0.0 if math.isnan(pace) else pace
    k = math.log(max(materiel_russia, 1e-3) / max(materiel_ukraine, 1e-3))
    m = math.log(max(manpower_russia, 1.0) / max(manpower_ukraine, 1.0))
    return (p.pace_weight * recent / 100.0 + p.materiel_weight * k + p.manpower_weight * m
            + p.will_weight * (0.5 - will))


@numba.njit(cache=True, inline="always")
def forecast(lev: float, side_sign: float, optimism: float, noise_sd: float, eps: float) -> float:
    """ρ_a: a party's P(Russia prevails), biased by its optimism toward its own side, read with error."""
    return logistic(lev + side_sign * optimism + noise_sd * eps)


@numba.njit(cache=True, inline="always")
def rearm_odds(weeks, w) -> float:
    """e^shift = ((K'_R/K'_U)/(K_R/K_U))^w_m: what `weeks` of quiet front, in which both sides stock up and
    Ukraine's backers deliver r times their aid, multiply the odds of a forecast by (w: the run's `records.RUN`:
    materiel, production, last aid, r and w_m)."""
    k_r, k_u = max(w.materiel_russia, 1e-3), max(w.materiel_ukraine, 1e-3)
    new_r = k_r + weeks * w.production_russia
    new_u = k_u + weeks * (w.rearm * w.last_aid + w.production_ukraine)
    return ((new_r / new_u) / (k_r / k_u)) ** w.materiel_weight


@numba.njit(cache=True, inline="always")
def scaled_odds(p: float, factor: float) -> float:
    """logistic(logit p + ln f) = p f / (1 − p + p f): odds p/(1 − p) times f, p clipped as `logit` clips it.
    The same as shifting the log-odds, without a logarithm and a tanh per forecast."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    if math.isinf(factor):
        return 1.0
    return p * factor / (1.0 - p + p * factor)


@numba.njit(cache=True, inline="always")
def commitment_term(rho: float, rho_after: float, stake: float, shadow: float) -> float:
    """κ_a = φ (ρ' − ρ) stake_a: what the other side's rearming during a truce costs (−) or gives (+) a."""
    return shadow * (rho_after - rho) * stake


@numba.njit(cache=True, inline="always")
def expected_no_deal(no_deal, n, party, issues, salience, a) -> float:
    """Σ_k s_ak u_ak / Σ_k s_ak over the agreement's issues (1 where a cares about none): what a expects
    without the deal. no_deal (N, A, K) all issues; salience (P, K) a's row a over the agreement's issues."""
    total, outlook = 0.0, 0.0
    for k in range(issues.size):
        total += salience[a, k]
        outlook += salience[a, k] * no_deal[n, party, issues[k]]
    return outlook / total if total > 0 else 1.0


@numba.njit(cache=True, inline="always")
def outside_option(expected: float, cost: float, relief: float, intensity: float) -> float:
    """V_a before the commitment term: expected no-deal utility less the war cost the deal would lift."""
    return expected - cost * (relief * intensity)


@numba.njit(cache=True, inline="always")
def acceptance_need(margin: float, trust: float) -> float:
    """μ (1 − T): the surplus over its outside option a party needs to accept (or renew) a text."""
    return margin * (1.0 - trust)


@numba.njit(cache=True, inline="always")
def public_concession(utility: float, expected: float, anchor: float) -> float:
    """C_a = max(0, h_a + (1 − h_a) E_a − U_a): the terms' shortfall from the public's reference point."""
    return max(anchor + (1.0 - anchor) * expected - utility, 0.0)


@numba.njit(cache=True, inline="always")
def ratifies(concession: float, support: float, threshold: float, concession_cost: float,
             fall_threshold: float) -> bool:
    """The concession is within the home threshold and does not bring the leader down."""
    return concession <= threshold and support - concession_cost * concession >= fall_threshold


@numba.njit(cache=True, inline="always")
def support_after(support: float, gained_km2: float, casualties: float, war_response: float,
                  casualty_response: float, noise_sd: float, eps: float, log_response: float = 0.0,
                  to_date: float = 0.0) -> float:
    """S': support after a week of war (gains G_a of a's side, its casualties X_a, its casualties to date C_a
    before the week: the log term −κ ln(1 + X_a / C_a), Mueller's form, is 0 where C_a is not known)."""
    change = war_response * gained_km2 / 1000.0 - casualty_response * casualties / 1e4 + noise_sd * eps
    if log_response > 0.0 and to_date > 0.0:
        change -= log_response * math.log1p(casualties / to_date)
    return min(max(support + change, 0.0), 1.0)
