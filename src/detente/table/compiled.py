"""The table's weekly work, compiled: the shuttle and decision on each agreement (its hot loop), and the
bookkeeping around it.

`TableController._decide_reference` composes a decision from the array functions of `mediation` (the
shuttle), `agenda` (utilities), and `ratification` (outside options, the commitment term, the public's
concession, ratification), which hold the equations and their sources; the other `_reference` methods of
the table do the same for the rest. Run over the few runs in session, those ~120 small array operations a
week cost more in dispatch than in arithmetic, so the table runs these kernels instead: per run, the same
equations over the handful of parties and issues at the table. tests/test_table_compiled.py holds the two
equal to rounding, week by week and through whole ensembles; a change to an equation must be made in both.

The kernels draw from the table's generator as they go, in the order in which the array forms draw the same
numbers in bulk (the relays' normals: run by run, relay by relay, party by party, issue by issue), so both
ways give the same runs.
"""

from __future__ import annotations

import math

import numba
import numpy as np


@numba.njit(cache=True)
def _logistic(z: float) -> float:
    return 0.5 * (1.0 + math.tanh(0.5 * z))


@numba.njit(cache=True)
def _rearm_odds(n, weeks, materiel, production, last_aid, rearm, materiel_weight) -> float:
    """What `weeks` of quiet front multiply a forecast's odds by (ratification.rearm_odds)."""
    k_r, k_u = max(materiel[n, 0], 1e-3), max(materiel[n, 1], 1e-3)
    new_r = k_r + weeks * production[n, 0]
    new_u = k_u + weeks * (rearm[n] * last_aid[n] + production[n, 1])
    return ((new_r / new_u) / (k_r / k_u)) ** materiel_weight[n]


@numba.njit(cache=True)
def _scaled_odds(p: float, factor: float) -> float:
    """ratification.scaled_odds for one forecast."""
    p = min(max(p, 1e-9), 1 - 1e-9)
    if math.isinf(factor):
        return 1.0
    return p * factor / (1.0 - p + p * factor)


@numba.njit(cache=True, inline="always")
def _weighted_column(values, weights, k, fallback) -> float:
    """Σ_a w_ak v_ak / Σ_a w_ak over the parties at the table (P, K), or `fallback` where nothing weighs: the
    mediator's draft and each redraft after a relay (mediation.compromise_draft)."""
    total, value = 0.0, 0.0
    for a in range(values.shape[0]):
        total += weights[a, k]
        value += weights[a, k] * values[a, k]
    return value / total if total > 0 else fallback


@numba.njit(cache=True)
def _reading_against_no_deal(n, party, a, i, issues, ideal, salience, readings, no_deal_all, cost, relief, intensity,
                             is_front, rho, odds, shadow, stake) -> tuple[float, float, float]:
    """Party a's (actor `party`) reading of the text in run n against going on without it: U_a(x̃_a) − V_a, the
    expected no-deal utility behind V_a, and U_a (agenda.text_utility, ratification.outside_option and
    commitment_term); ideal and salience (P, K) are the run's, readings (m, P, K) the texts as read."""
    total, outlook, fit = 0.0, 0.0, 0.0
    for k in range(issues.size):
        total += salience[a, k]
        outlook += salience[a, k] * no_deal_all[n, party, issues[k]]
        fit += salience[a, k] * (1.0 - abs(readings[i, a, k] - ideal[a, k]))
    expected = outlook / total if total > 0 else 1.0
    utility = fit / total if total > 0 else 1.0
    value = expected - cost[n, party] * (relief[n] * intensity[n])
    if is_front:
        after = _scaled_odds(rho[n, party], odds)
        value = value - shadow[n] * (after - rho[n, party]) * stake[n, party]
    return utility - value, expected, utility


@numba.njit(cache=True)
def surplus_in_force(in_force, sides, issue_index, issue_count, front_scope, readings_all, weeks_left, ideal_all,
                     salience_all, no_deal_all, cost, relief, intensity, rho, materiel, production, last_aid, rearm,
                     materiel_weight, stake, shadow, surplus):
    """U_a(x̃_a) − V_a of each side (`sides`: Russia's, Ukraine's actor) for every agreement in force, each
    reading its copy of the text (readings_all (N, G, 2, K)) with weeks_left of it to run; agreement g settles
    issue_index[g, :issue_count[g]]. Writes surplus (N, G, 2) where in force (TableController._surplus in
    array form)."""
    N, G = in_force.shape
    width = issue_index.shape[1]
    ideal, salience, reading = np.empty((2, width)), np.empty((2, width)), np.empty((1, 2, width))
    for g in range(G):  # agreement by agreement, so its issues and relief are sliced once, not once per run
        issues, relief_g, is_front = issue_index[g, :issue_count[g]], relief[:, g], front_scope[g]
        for n in range(N):
            if not in_force[n, g]:
                continue
            odds = _rearm_odds(n, float(weeks_left[n, g]), materiel, production, last_aid, rearm,
                               materiel_weight) if is_front else 1.0
            for a in range(2):
                for k in range(issues.size):
                    ideal[a, k] = ideal_all[n, sides[a], issues[k]]
                    salience[a, k] = salience_all[n, sides[a], issues[k]]
                    reading[0, a, k] = readings_all[n, g, a, issues[k]]
                surplus[n, g, a], _, _ = _reading_against_no_deal(n, sides[a], a, 0, issues, ideal, salience, reading,
                                                                  no_deal_all, cost, relief_g, intensity, is_front,
                                                                  rho, odds, shadow, stake)


@numba.njit(cache=True)
def decide(idx, who, issues, mediator, ukraine, consent, ideal_all, salience_all, capability_all, status_quo_all,
           status_quo_issue, no_deal_all, side_sign, lev, leverage_weight, distortion, relay_growth, issue_growth,
           amendment, rounds, rng, cost, relief, intensity, is_front, rho, materiel, production, last_aid, rearm,
           weeks, materiel_weight, stake, shadow, pressure, acceptance_margin, trust, anchor, support, threshold,
           concession_cost, fall_threshold, text_out, readings_out, divergence_out, conceded_out, agreed_out):
    """For each run idx[i] in session: shuttle a text for the agreement over `issues` among the parties `who`,
    then decide (see `TableController._decide_reference` for the composition in array form)."""
    P, K = who.size, issues.size
    ideal, salience, weight = np.empty((P, K)), np.empty((P, K)), np.empty((P, K))
    copies, text = np.empty((P, K)), np.empty(K)
    for i in range(idx.size):
        n = idx[i]
        # positions and weights at the table; belligerents' weight scaled by battlefield leverage
        for a in range(P):
            scale = math.exp(leverage_weight[n] * side_sign[who[a]] * lev[n] / 2.0)
            for k in range(K):
                ideal[a, k] = ideal_all[n, who[a], issues[k]]
                salience[a, k] = salience_all[n, who[a], issues[k]]
                weight[a, k] = capability_all[n, who[a], issues[k]] * salience[a, k] * scale
        # the mediator's first draft (mediation.compromise_draft)
        for k in range(K):
            if status_quo_issue[k]:
                fallback = status_quo_all[n, issues[k]]
            elif mediator >= 0:
                fallback = ideal[mediator, k]
            else:
                fallback = 0.0
                for a in range(P):
                    fallback += ideal[a, k]
                fallback /= P
            text[k] = _weighted_column(ideal, weight, k, fallback)
        # relays: distorted copies, amendments toward each ideal, redraft (mediation.shuttle)
        spread_issues = 1.0 + issue_growth[n] * max(K - 1, 0)
        for relay in range(1, rounds + 1):
            sd = distortion[n] * (1.0 + relay_growth[n] * relay) * spread_issues
            for a in range(P):
                for k in range(K):
                    eps = rng.standard_normal()
                    copy = min(max(text[k] + sd * eps * 1.0, 0.0), 1.0)
                    copies[a, k] = min(max(copy + amendment[n] * salience[a, k] * (ideal[a, k] - copy), 0.0), 1.0)
            for k in range(K):
                text[k] = _weighted_column(copies, weight, k, text[k])
        sd = distortion[n] * (1.0 + relay_growth[n] * (rounds + 1)) * spread_issues
        gap = 0.0
        for a in range(P):
            for k in range(K):
                eps = rng.standard_normal()
                reading = min(max(text[k] + sd * eps * 1.0, 0.0), 1.0)
                readings_out[i, a, k] = reading
                gap += abs(reading - text[k]) * 1.0
        for k in range(K):
            text_out[i, k] = text[k]
        divergence_out[i] = gap / max(P * max(K, 1), 1)
        odds = _rearm_odds(n, weeks, materiel, production, last_aid, rearm, materiel_weight) if is_front else 1.0
        need = acceptance_margin[n] * (1.0 - trust[n])
        agreed = True
        for a in range(P):
            party = who[a]
            surplus, expected, utility = _reading_against_no_deal(n, party, a, i, issues, ideal, salience, readings_out,
                                                                  no_deal_all, cost, relief, intensity, is_front, rho,
                                                                  odds, shadow, stake)
            if party == ukraine:
                surplus += pressure[n]
            conceded = max(anchor[n, party] + (1.0 - anchor[n, party]) * (expected - 0.0) - utility, 0.0)
            conceded_out[i, a] = conceded
            ok = (surplus > need and conceded <= threshold[n, party]
                  and support[n, party] - concession_cost[n, party] * conceded >= fall_threshold[n, party])
            cares = False
            for k in range(K):
                cares = cares or salience[a, k] > 0
            if not (ok or not consent[a] or not cares):
                agreed = False
        agreed_out[i] = agreed


@numba.njit(cache=True)
def negotiate(mediating, sessions_per_week, in_force, negotiators, negotiator_count, issue_index, issue_count,
              mediator_at, ukraine_at, consent_at, quo_issue, front_scope, durations, side_position, week, low, high,
              ideal_all, salience_all, capability_all, status_quo_all, no_deal_all, side_sign, lev, leverage_weight,
              distortion, relay_growth, issue_growth, amendment, rounds, rng, cost, relief, intensity, rho, materiel,
              production, last_aid, rearm, materiel_weight, stake, shadow, pressure, acceptance_margin, trust, anchor,
              support, threshold, concession_cost, fall_threshold, weeks_left, week_agreed, renewals, first_agreed,
              terms, kept_readings, kept_divergence):
    """The week's sessions (`TableController._negotiate`): who is in session, then for each agreement g not in
    force there, `decide` on a text and `sign` it where all who must accept do. Agreement g's negotiators are
    negotiators[g, :negotiator_count[g]] and its issues issue_index[g, :issue_count[g]]; mediator_at,
    ukraine_at and side_position give positions among the negotiators (−1: not at the table). Draws in
    NumPy's order: one uniform per run for the session, then agreement by agreement the shuttles' normals."""
    N, G = in_force.shape
    session = np.empty(N, np.bool_)
    for n in range(N):
        session[n] = rng.random() < sessions_per_week[n] and mediating[n] > 0
    open_runs = np.empty(N, np.int64)
    for g in range(G):
        m = 0
        for n in range(N):  # the runs in session where agreement g is not in force
            if session[n] and not in_force[n, g]:
                open_runs[m] = n
                m += 1
        if m == 0:
            continue
        idx = open_runs[:m]
        who, issues = negotiators[g, :negotiator_count[g]], issue_index[g, :issue_count[g]]
        consent = consent_at[g, :negotiator_count[g]]
        P, K = who.size, issues.size
        text, readings, divergence = np.empty((m, K)), np.empty((m, P, K)), np.empty(m)
        conceded, agreed = np.empty((m, P)), np.empty(m, np.bool_)
        decide(idx, who, issues, mediator_at[g], ukraine_at[g], consent, ideal_all, salience_all, capability_all,
               status_quo_all, quo_issue[g, :issue_count[g]], no_deal_all, side_sign, lev, leverage_weight,
               distortion, relay_growth, issue_growth, amendment, rounds, rng, cost, relief[:, g],
               intensity, front_scope[g], rho, materiel, production, last_aid, rearm, float(durations[g]),
               materiel_weight, stake, shadow, pressure, acceptance_margin, trust, anchor, support, threshold,
               concession_cost, fall_threshold, text, readings, divergence, conceded, agreed)
        sign(idx, agreed, g, week, durations[g], issues, low, high, text, readings, divergence, conceded, who, consent,
             side_position[g], in_force, weeks_left, week_agreed, renewals, first_agreed, terms, kept_readings,
             kept_divergence, support, concession_cost)


@numba.njit(cache=True)
def keep_or_break(in_force, surplus, temptation, divergence, outsider, fragility, outsider_defection, shadow,
                  violation_noise, walkout_margin, detection, false_alarm, trust_loss, trust_recovery,
                  breakdown_trust, trust, violations_seen, broke_down, how, violated, rng):
    """Each side keeps, breaks or walks out of each agreement in force; what is seen moves trust; too little
    trust collapses everything (`agreements`: violations, walkouts, observed, trust_after). Updates trust,
    violations_seen and broke_down in place; writes how each agreement ends this week (0: it goes on) and
    whether it was violated (see `TableController._keep_or_break_reference` for the array form).

    Draws first, in the order NumPy would fill them: the violation shocks (N, G, 2), then the detection and
    the false-alarm uniforms (N,) each."""
    N, G = in_force.shape
    noise, u_detect, u_false = np.empty((N, G, 2)), np.empty(N), np.empty(N)
    for n in range(N):
        for g in range(G):
            for s in range(2):
                noise[n, g, s] = rng.standard_normal()
    for n in range(N):
        u_detect[n] = rng.random()
    for n in range(N):
        u_false[n] = rng.random()
    left_russia, left_ukraine = np.zeros(G, np.bool_), np.zeros(G, np.bool_)
    for n in range(N):
        active, any_broke = False, False
        for g in range(G):
            violated[n, g], left_russia[g], left_ukraine[g] = False, False, False
            if not in_force[n, g]:
                continue
            active = True
            for s in range(2):
                extra = fragility[n] * divergence[n, g] + outsider_defection[n] * outsider[g, s]
                pull = temptation[n, g, s] + extra + violation_noise[n] * noise[n, g, s]
                if pull > shadow[n] * (1.0 - outsider[g, s]) * surplus[n, g, s]:  # no consent, no stake
                    violated[n, g] = True
                    any_broke = True
            left_russia[g] = surplus[n, g, 0] < -walkout_margin[n]
            left_ukraine[g] = surplus[n, g, 1] < -walkout_margin[n]
        seen = active and ((any_broke and u_detect[n] < detection[n])
                           or (not any_broke and u_false[n] < false_alarm[n]))
        violations_seen[n] += 1.0 if seen else 0.0
        moved = trust[n] - trust_loss[n] if seen else trust[n] + trust_recovery[n] * (1.0 - trust[n])
        trust[n] = min(max(moved, 0.0), 1.0)
        collapse = active and trust[n] < breakdown_trust[n]
        broke_down[n] = broke_down[n] or collapse
        for g in range(G):
            if not in_force[n, g]:
                how[n, g] = 0
            elif collapse:
                how[n, g] = 2   # agreements.BREAKDOWN
            elif left_russia[g]:
                how[n, g] = 3   # agreements.WALKOUT_RUSSIA
            elif left_ukraine[g]:
                how[n, g] = 4   # agreements.WALKOUT_UKRAINE
            else:
                how[n, g] = 0


@numba.njit(cache=True)
def sign(idx, agreed, g, week, duration, issues, low, high, text, readings, divergence, conceded, who, consent,
         side_position, in_force, weeks_left, week_agreed, renewals, first_agreed, terms, kept_readings,
         kept_divergence, support, concession_cost):
    """Put agreement g in force in the runs idx[agreed]: its clock, terms (in the issues' units), each side's
    reading of it (a side not at the table, side_position −1, reads the text as published), the divergence of
    the readings, and what signing costs each consenting party's leader in support."""
    for i in range(idx.size):
        if not agreed[i]:
            continue
        n = idx[i]
        in_force[n, g] = True
        weeks_left[n, g] = duration
        week_agreed[n, g] = week
        renewals[n, g] = 0
        if first_agreed[n, g] < 0:
            first_agreed[n, g] = week
        terms[n, g, :] = np.nan
        for k in range(issues.size):
            j = issues[k]
            terms[n, g, j] = low[j] + text[i, k] * (high[j] - low[j])
            for column in range(2):
                position = side_position[column]
                kept_readings[n, g, column, j] = readings[i, position, k] if position >= 0 else text[i, k]
        kept_divergence[n, g] = divergence[i]
        for a in range(who.size):
            if consent[a]:
                party = who[a]
                support[n, party] = min(max(support[n, party] - concession_cost[n, party] * conceded[i, a], 0.0), 1.0)


@numba.njit(cache=True)
def week_after(gain, casualties, aid, reference_casualties, pace, intensity, last_aid, led, side_sign, war_response,
               casualty_response, support_noise, rng, support, fall_threshold, falls, in_force, weeks_left, renewable,
               durations, surplus, acceptance_margin, trust, violated, renewals, counted, streak, max_streak,
               weeks_in_force, any_in_force, ended, counting):
    """The table's bookkeeping after a week of war (`TableController._week_after_reference` in array form):
    recent pace, intensity and aid; leaders' support (ratification.support_after) and who falls below his
    threshold (`falls`; successors are the caller's); agreements run down, renewed or expire (`ended`);
    streaks and weeks in force. Updates the arrays in place. Each actor's support shock is drawn from rng run
    by run, actor by actor (the order of NumPy's standard_normal((N, A))), led or not."""
    N, G = in_force.shape
    noise = np.empty(support.shape[1])
    for n in range(N):
        for a in range(noise.size):
            noise[a] = rng.standard_normal()
        pace[n] = gain[n] if math.isnan(pace[n]) else 0.75 * pace[n] + 0.25 * gain[n]
        intensity[n] = (casualties[n, 0] + casualties[n, 1]) / reference_casualties[n]
        total = 0.0
        for b in range(aid.shape[1]):
            total += aid[n, b]
        last_aid[n] = total
        for i in range(led.size):  # an index loop: iterating the array itself costs a reference count per run
            a = led[i]
            sign = side_sign[a]
            losses = casualties[n, 0] if sign > 0 else (casualties[n, 1] if sign < 0 else 0.0)
            change = (war_response[n, a] * (gain[n] * sign) / 1000.0 - casualty_response[n, a] * losses / 1e4
                      + support_noise[n, a] * noise[a])
            support[n, a] = min(max(support[n, a] + change, 0.0), 1.0)
            falls[n, a] = support[n, a] < fall_threshold[n, a]
        need = acceptance_margin[n] * (1.0 - trust[n])
        any_counted = False
        for g in range(G):
            live = in_force[n, g]
            counting[n, g] = live
            ended[n, g] = 0
            if live:
                weeks_left[n, g] -= 1
                if weeks_left[n, g] <= 0:
                    renew = renewable[g] and surplus[n, g, 0] > need and surplus[n, g, 1] > need and not violated[n, g]
                    if renew:
                        weeks_left[n, g] = durations[g]
                        renewals[n, g] += 1
                    else:
                        ended[n, g] = 1   # agreements.EXPIRED
                streak[n, g] += 1
                weeks_in_force[n, g] += 1
                any_counted = any_counted or counted[g]
            else:
                streak[n, g] = 0
            max_streak[n, g] = max(max_streak[n, g], streak[n, g])
        if any_counted:
            any_in_force[n] += 1


@numba.njit(cache=True)
def forecasts(pace, materiel, manpower, backer_will, backer_active, aid_weights, pace_weight, materiel_weight,
              manpower_weight, will_weight, optimism, side_sign, noise_sd, rng, lev, rho):
    """Leverage L and each party's forecast ρ (ratification.leverage and forecasts; `_forecasts_reference`):
    writes lev (N,) and rho (N, A), drawing each party's forecast error from rng run by run, party by party
    (the order of NumPy's standard_normal((N, A)))."""
    N, A = rho.shape
    noise = np.empty(A)
    for n in range(N):
        for a in range(A):
            noise[a] = rng.standard_normal()
        total, weights = 0.0, 0.0
        for b in range(backer_will.shape[1]):
            total += backer_will[n, b] * (1.0 if backer_active[n, b] else 0.0) * aid_weights[n, b]
            weights += aid_weights[n, b]
        will = total / max(weights, 1e-9) if backer_will.shape[1] else 0.5
        recent = 0.0 if math.isnan(pace[n]) else pace[n]
        k = math.log(max(materiel[n, 0], 1e-3) / max(materiel[n, 1], 1e-3))
        m = math.log(max(manpower[n, 0], 1.0) / max(manpower[n, 1], 1.0))
        lev[n] = (pace_weight[n] * recent / 100.0 + materiel_weight[n] * k + manpower_weight[n] * m
                  + will_weight[n] * (0.5 - will))
        for a in range(A):
            rho[n, a] = _logistic(lev[n] + side_sign[a] * optimism[n, a] + noise_sd[n] * noise[a])


@numba.njit(cache=True)
def no_deal_points(ideal, status_quo, rho, line, low, high, war_swing, code, russia, ukraine, issues, no_deal):
    """Each actor's expected utility of no deal on the given issues (agenda.no_deal_points), written into
    no_deal (N, A, K) in place."""
    N, A = rho.shape
    for n in range(N):
        for i in range(issues.size):
            j = issues[i]
            for a in range(A):
                y = ideal[n, a, j]
                if code[j] == 0:      # agenda.STATUS_QUO
                    no_deal[n, a, j] = 1.0 - abs(status_quo[n, j] - y)
                elif code[j] == 1:    # agenda.WAR
                    r = rho[n, a]
                    no_deal[n, a, j] = r * (1.0 - abs(ideal[n, russia, j] - y)) + (1.0 - r) * (
                        1.0 - abs(ideal[n, ukraine, j] - y))
                else:                 # agenda.FRONT
                    unit = (line[n, j] - low[j]) / (high[j] - low[j])
                    expected = min(max(unit + (rho[n, a] - 0.5) * war_swing[n, j], 0.0), 1.0)
                    no_deal[n, a, j] = 1.0 - abs(expected - y)
