"""The decision on one agreement in one run: the mediator's shuttle, then each party's reading of the text
against going on without it, and its home's ratification; and the signing of an agreed text.

Composed, run by run, from the equations of `mediation` (draft, relays, readings), `agenda` (a text's
utility), `ratification` (outside option, commitment term, the public's concession, ratification) and
compiled with them; `sessions.negotiate` calls it for every run in session and every agreement not in force,
`compliance.surplus_in_force` reuses `reading_surplus` for the agreements in force. docs/table.md.
"""

from __future__ import annotations

import numba
import numpy as np

from detente.dynamics.mechanism import cached_with
from detente.table import agenda, mediation, ratification


@numba.njit(cache=True, inline="always")
def reading_surplus(n, actor, a, issues, ideal, salience, reading, no_deal, party, relief, p, front, odds):
    """(U_a(x̃_a) − V_a, the expected no-deal utility behind V_a, U_a) of party a (actor index `actor`) reading
    its copy of a text over `issues` (ideal, salience, reading (P, K): the parties' rows over those issues) in
    run n; relief the share of the war's cost the agreement lifts; on a whole-front truce V_a carries the
    commitment term of `odds` (ratification.rearm_odds)."""
    expected = ratification.expected_no_deal(no_deal, n, actor, issues, salience, a)
    utility = agenda.text_utility(reading, ideal, salience, a, issues.size)
    holder = party[n, actor]
    value = ratification.outside_option(expected, holder.cost, relief, p.intensity)
    if front:
        after = ratification.scaled_odds(holder.rho, odds)
        value = value - ratification.commitment_term(holder.rho, after, holder.stake, p.shadow_of_future)
    return utility - value, expected, utility


@numba.njit(cache=True, inline="always")
def seat_parties(n, who, issues, ideal_all, salience_all, capability_all, stand_all, status_quo, side_sign, p, ideal,
                 salience, weight, stand, quo_values):
    """The positions at agreement's table in run n: each negotiator's ideal, salience, weight (capability ×
    salience, a belligerent's scaled by its leverage, `mediation.leverage_scale`) and stated position (what the
    mediator drafts from: its ideal, or where KTAB's SMP has moved it, `positions`) on its issues (P, K), and the
    status quo on them (K,), from the agenda's (N, A, K) and (N, K) arrays."""
    for a in range(who.size):
        scale = mediation.leverage_scale(p.leverage_weight, side_sign[who[a]], p.lev)
        for k in range(issues.size):
            ideal[a, k] = ideal_all[n, who[a], issues[k]]
            salience[a, k] = salience_all[n, who[a], issues[k]]
            weight[a, k] = capability_all[n, who[a], issues[k]] * salience[a, k] * scale
            stand[a, k] = stand_all[n, who[a], issues[k]]
    for k in range(issues.size):
        quo_values[k] = status_quo[n, issues[k]]


@numba.njit(cache=True, inline="always")
def decide(n, seat, who, issues, consent, quo, quo_values, no_deal, p, party, relief, rng, ideal, salience, weight,
           stand, copies, text, readings, conceded):
    """Shuttle a text for the agreement (seat: its `records.SEAT`) over `issues` among the parties `who` in run
    n (p: its `records.RUN`), and decide: True where every party whose consent it needs (`consent`) and who
    cares about its issues accepts its reading. ideal, salience, weight, stand (P, K) and quo_values (K,): the
    table's positions (`seat_parties`; the mediator drafts from `stand`); quo (K,): the issues whose no-deal point
    is the status quo; copies (P, K): scratch. Writes text (K,), readings (P, K), conceded (P,); returns (agreed,
    divergence, in_principle): in_principle where every such party accepted its reading at the table (surplus over
    the need) but a home would not ratify it or its leader would not survive it, so the text is agreed in principle
    and never implemented (the Istanbul communique of 2022, the Black Sea text of March 2024;
    docs/partial-deals.md)."""
    P, K = who.size, issues.size
    mediation.first_draft(stand, weight, quo, quo_values, seat.mediator_at, text)
    divergence = mediation.shuttle(text, ideal, salience, weight, p, rng, copies, readings)
    odds = ratification.rearm_odds(float(seat.duration), p) if seat.front else 1.0
    need = ratification.acceptance_need(p.acceptance_margin, p.trust)
    agreed, accepted = True, True
    for a in range(P):
        actor = who[a]
        surplus, expected, utility = reading_surplus(n, actor, a, issues, ideal, salience, readings, no_deal, party,
                                                     relief, p, seat.front, odds)
        if a == seat.ukraine_at:
            surplus += p.pressure_on_ukraine
        holder = party[n, actor]
        conceded[a] = ratification.public_concession(utility, expected, holder.anchor)
        ok = surplus > need and ratification.ratifies(conceded[a], holder.support, holder.threshold,
                                                      holder.concession_cost, holder.fall_threshold)
        cares = False  # a party with no stake in the agreement's issues abstains
        for k in range(K):
            cares = cares or salience[a, k] > 0
        if not (ok or not consent[a] or not cares):
            agreed = False
        if not (surplus > need or not consent[a] or not cares):
            accepted = False
    return agreed, divergence, accepted and not agreed


@numba.njit(cache=True)
def sign(n, g, week, seat, who, issues, consent, issue, text, readings, divergence, conceded, book, terms, kept,
         party):
    """Put agreement g in force in run n (book: its `records.AGREEMENT`): its clock, terms in the issues' units
    (terms (N, G, K)), each side's reading of it (kept (N, G, 2, K); a side not at the table reads the text as
    published), the divergence of the readings, and what signing costs each consenting party's leader."""
    book.in_force = True
    book.weeks_left = book.duration
    book.week_agreed = week
    book.renewals = 0
    if book.first_agreed < 0:
        book.first_agreed = week
    terms[n, g, :] = np.nan
    for k in range(issues.size):
        j = issues[k]
        terms[n, g, j] = issue[j].low + text[k] * (issue[j].high - issue[j].low)
        kept[n, g, 0, j] = readings[seat.russia_at, k] if seat.russia_at >= 0 else text[k]
        kept[n, g, 1, j] = readings[seat.ukraine_at, k] if seat.ukraine_at >= 0 else text[k]
    book.divergence = divergence
    for a in range(who.size):
        if consent[a]:
            holder = party[n, who[a]]
            lift = holder.deal_response if seat.front else 0.0  # a ceasefire on the whole front
            holder.support = min(max(holder.support + lift - holder.concession_cost * conceded[a], 0.0), 1.0)


# a kernel's disk cache also depends on the modules whose equations it compiles in (`cached_with`)
for _kernel in (reading_surplus, seat_parties, decide):
    cached_with(_kernel, agenda, mediation, ratification)
