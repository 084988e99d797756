"""Compliance, every week, with the agreements in force: what each is worth to each side now (its reading of
the text against going on without it, `decision.reading_surplus`), whether each side keeps it, breaks it or
walks out, what is seen of it, trust, and the breakdown of everything when trust runs out (`agreements`).
"""

from __future__ import annotations

import numba
import numpy as np

from detente.dynamics.mechanism import cached_with
from detente.table import agenda, agreements, decision, ratification


@numba.njit(cache=True)
def surplus_in_force(run, party, books, seats, issues_at, readings, ideal_all, salience_all, no_deal, sides):
    """U_s(x̃_s) − V_s of each side (sides: Russia's and Ukraine's actor) for every agreement in force, each
    reading its kept copy of the text (readings (N, G, 2, K)) with weeks_left of it to run; written into the
    books' `surplus` (records as in `sessions.negotiate`)."""
    N, G = books.shape
    width = issues_at.shape[1]
    ideal, salience, reading = np.empty((2, width)), np.empty((2, width)), np.empty((2, width))
    for g in range(G):  # agreement by agreement, so its issues are sliced once, not once per run
        seat = seats[g]
        issues = issues_at[g, :seat.issues]
        for n in range(N):
            book = books[n, g]
            if not book.in_force:
                continue
            p = run[n]
            odds = ratification.rearm_odds(float(book.weeks_left), p) if seat.front else 1.0
            for a in range(2):
                for k in range(issues.size):
                    ideal[a, k] = ideal_all[n, sides[a], issues[k]]
                    salience[a, k] = salience_all[n, sides[a], issues[k]]
                    reading[a, k] = readings[n, g, a, issues[k]]
                book.surplus[a], _, _ = decision.reading_surplus(n, sides[a], a, issues, ideal, salience, reading,
                                                                 no_deal, party, book.relief, p, seat.front, odds)


@numba.njit(cache=True)
def keep_or_break(run, books, outsider, rng):
    """Each side keeps, breaks or walks out of each agreement in force; what is seen moves trust; too little
    trust collapses everything. Writes the books' `violated` and `ended` (how each agreement ends this week,
    agreements.IN_FORCE where it goes on) and the run's trust, violations seen and breakdown. outsider (G, 2):
    1 where a side was not party to the agreement.

    Draws first, in the order NumPy would fill them: the violation shocks (N, G, 2), then the detection and
    the false-alarm uniforms (N,) each."""
    N, G = books.shape
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
        p = run[n]
        active, any_broke = False, False
        for g in range(G):
            book = books[n, g]
            book.violated, left_russia[g], left_ukraine[g] = False, False, False
            if not book.in_force:
                continue
            active = True
            for s in range(2):
                extra = p.fragility * book.divergence + p.outsider_defection * outsider[g, s]
                if agreements.violates(book.temptation[s], extra, p.violation_noise, noise[n, g, s],
                                       p.shadow_of_future, 1.0 - outsider[g, s], book.surplus[s]):
                    book.violated = True
                    any_broke = True
            left_russia[g] = agreements.walks_out(book.surplus[0], p.walkout_margin)
            left_ukraine[g] = agreements.walks_out(book.surplus[1], p.walkout_margin)
        seen = active and agreements.observed(any_broke, p.detection, p.false_alarm, u_detect[n], u_false[n])
        p.violations_seen += 1.0 if seen else 0.0
        p.trust = agreements.trust_after(p.trust, seen, p.trust_loss, p.trust_recovery)
        collapse = active and p.trust < p.breakdown_trust
        p.broke_down = p.broke_down or collapse
        for g in range(G):
            book = books[n, g]
            if not book.in_force:
                book.ended = agreements.IN_FORCE
            elif collapse:
                book.ended = agreements.BREAKDOWN
            elif left_russia[g]:
                book.ended = agreements.WALKOUT_RUSSIA
            elif left_ukraine[g]:
                book.ended = agreements.WALKOUT_UKRAINE
            else:
                book.ended = agreements.IN_FORCE


@numba.njit(cache=True)
def quiet_week(run):
    """A week with no agreement in force anywhere: nothing to break, nothing seen, trust recovers."""
    for n in range(run.shape[0]):
        p = run[n]
        p.trust = agreements.trust_after(p.trust, False, p.trust_loss, p.trust_recovery)


for _kernel in (surplus_in_force, keep_or_break, quiet_week):  # caches follow the equations compiled in
    cached_with(_kernel, agenda, agreements, decision, ratification)
