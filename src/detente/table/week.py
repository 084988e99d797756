"""The table's week as few compiled calls: the kernels of `forecasting`, `agenda`, `compliance`, `sessions` and
`bookkeeping` composed in the order the controller calls them, with the controller's own book-keeping between
them (the rearming of a quiet front, the week's reading of the war, closing the agreements that ended, the
truces and their counts) compiled with them.

Nothing here is a new equation: each function only calls the kernels named in its docstring, in the order of
their draws, and copies or compares values as NumPy did (`close_talks` computes the truce levels with the same
products and maxima as `agreements.truce_levels`). A call from Python costs more than the work of some kernels
(a `np.random.Generator` argument alone costs tens of microseconds to pass), so the week is one call before the
sessions (`before_talks`), the sessions (`sessions.negotiate`), one call after them (`close_talks`) and one
after the fighting (`after_week`). `records.uncompiled` runs the same code in Python as the reference.
"""

from __future__ import annotations

import numba

from detente.dynamics.mechanism import cached_with
from detente.table import agenda, agreements, bookkeeping, compliance, decision, forecasting, ratification, sessions

RUSSIA, UKRAINE = 0, 1  # columns of the war's (N, 2) arrays (`detente.world.state`)
REARMED, COMPLIED = 1, 2  # what `before_talks` did: materiel changed; agreements in force were kept or ended


@numba.njit(cache=True)
def end_agreements(books) -> None:
    """Close every agreement whose `ended` says how it ended this week (not agreements.IN_FORCE): no longer in
    force, no weeks left (the controller keeps their rows, which these two fields are not part of)."""
    N, G = books.shape
    for n in range(N):
        for g in range(G):
            book = books[n, g]
            if book.ended != agreements.IN_FORCE:
                book.in_force = False
                book.weeks_left = 0


@numba.njit(cache=True)
def before_talks(run, party, books, seats, side_sign, materiel, manpower, backer_will, backer_active, aid_weights,
                 mediating, pressure_on_ukraine, session_boost, ideal, status_quo, war_swing, line, issue, russia,
                 ukraine, columns, no_deal, issues_at, readings, salience, sides, outsider, rng) -> int:
    """Everything the table does before its sessions, over the N runs of a block: Ukraine's backers' extra
    deliveries where the front was quiet (added to materiel (N, 2), a copy the controller hands the war where the
    result has REARMED), the war this week as the table reads it (the run records' materiel, mediating, pressure on
    Ukraine, session_boost (N,)), the forecasts (`forecasting.forecasts`), the no-deal points on the issues
    `columns` (`agenda.no_deal_points`), compliance with the agreements in force (`compliance.surplus_in_force`,
    `keep_or_break`; `quiet_week` where none is in force anywhere) and the closing of those that ended
    (`end_agreements`; the result has COMPLIED where any was in force), and who sits this week (`sessions.sit`).
    Draws in that order."""
    N, G = books.shape
    quiet = False
    for n in range(N):
        quiet = quiet or run[n].front_quiet
    if quiet:  # every run gets its (possibly zero) extra, as `materiel[:, UKRAINE] += extra` gave it
        for n in range(N):
            p = run[n]
            materiel[n, UKRAINE] += (p.rearm - 1.0) * p.last_aid if p.front_quiet else 0.0
    for n in range(N):
        p = run[n]
        p.materiel_russia, p.materiel_ukraine = materiel[n, RUSSIA], materiel[n, UKRAINE]
        p.mediating, p.pressure_on_ukraine, p.session_boost = mediating[n], pressure_on_ukraine[n], session_boost[n]
    forecasting.forecasts(run, party, side_sign, manpower, backer_will, backer_active, aid_weights, rng)
    if columns.size:  # war- and front-decided issues: the only no-deal points that change
        agenda.no_deal_points(ideal, status_quo, war_swing, line, issue, party, russia, ukraine, columns, no_deal)
    any_in_force = False
    for n in range(N):
        for g in range(G):
            books[n, g].violated = False
            any_in_force = any_in_force or books[n, g].in_force
    if any_in_force:
        compliance.surplus_in_force(run, party, books, seats, issues_at, readings, ideal, salience, no_deal, sides)
        compliance.keep_or_break(run, books, outsider, rng)
        end_agreements(books)
        for n in range(N):
            for g in range(G):  # an agreement that ended this week is over, not violated
                books[n, g].violated = books[n, g].violated and books[n, g].in_force
    else:
        compliance.quiet_week(run)
    sessions.sit(run, rng)  # who sits this week: drawn before the shuttles, as it always was
    return (REARMED if quiet else 0) + (COMPLIED if any_in_force else 0)


@numba.njit(cache=True)
def close_talks(week, run, books, scope_columns, front_scopes, truce, broken) -> None:
    """After the sessions: one-off agreements signed this week count as events (`signings`); the truce level of
    each scope (truce (N, S), zeroed here) is the largest of its agreements': 1 in force, 1 − v in a violated
    week (`agreements.truce_levels`), 0 where none; a scope is broken (broken (N, S), zeroed here: 1 where an
    agreement of it in force was violated this week, `agreements.scopes_violated`); the front was quiet where a
    whole-front agreement is in force and unbroken (`front_quiet`)."""
    N, G = books.shape
    any_front = False
    for g in range(G):
        any_front = any_front or front_scopes[g]
    for n in range(N):
        p = run[n]
        for s in range(truce.shape[1]):
            truce[n, s], broken[n, s] = 0.0, 0.0
        quiet = False
        for g in range(G):
            book = books[n, g]
            if book.in_force and book.week_agreed == week:
                book.signings += 1
            level = (1.0 if book.in_force else 0.0) * (1.0 - (1.0 if book.violated else 0.0) * p.violation_share)
            column = scope_columns[g]
            held = truce[n, column]  # np.maximum: the first where it is not smaller, or NaN
            truce[n, column] = held if (held >= level or held != held) else level
            if book.in_force and book.violated:
                broken[n, column] = 1.0
            quiet = quiet or (front_scopes[g] and book.in_force and not book.violated)
        for s in range(truce.shape[1]):
            held = truce[n, s]
            truce[n, s] = held if (held >= 0.0 or held != held) else 0.0
        p.front_quiet = quiet and any_front


@numba.njit(cache=True)
def after_week(run, party, books, seats, led, side_sign, gain, casualties, aid, rng, falls) -> bool:
    """After the fighting: the books' week (`bookkeeping.week_after`: pace, intensity, aid, support and falls,
    the agreements' clocks) and the closing of the agreements that expired (`end_agreements`); True where a
    leader fell in any run (falls (N, A))."""
    bookkeeping.week_after(run, party, books, seats, led, side_sign, gain, casualties, aid, rng, falls)
    end_agreements(books)
    N = falls.shape[0]
    for n in range(N):
        for i in range(led.size):
            if falls[n, led[i]]:
                return True
    return False


for _kernel in (end_agreements, before_talks, close_talks, after_week):  # caches follow the equations compiled in
    cached_with(_kernel, agenda, agreements, bookkeeping, compliance, decision, forecasting, ratification, sessions)
