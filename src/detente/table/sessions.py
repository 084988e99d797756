"""The week's negotiating sessions: which runs the mediator is at work in (or a summit or direct talks bring a
session: `events.session_boost`), and, in each of them, a decision (`decision.decide`) on every agreement not in
force and its signing where all who must accept do.

Only the runs in session, the parties to each text and the issues it settles are computed. Draws in this
order: one uniform per run for the session, then agreement by agreement, run by run, the shuttle's normals.
"""

from __future__ import annotations

import numba
import numpy as np

from detente.dynamics.mechanism import cached_with
from detente.table import agenda, decision, mediation, ratification


@numba.njit(cache=True)
def sit(run, rng) -> None:
    """Which runs the table sits in this week (`in_session`): one uniform per run, below the chance of a session —
    sessions_per_week where the mediator is at work, raised by a summit or direct talks that week
    (`events.session_boost`). Drawn before the positions move (`positions.between_sessions` moves them only
    where the table sits) and before the shuttles' normals (`negotiate`)."""
    for n in range(run.shape[0]):
        p = run[n]
        usual = p.sessions_per_week if p.mediating > 0 else 0.0
        p.in_session = rng.random() < max(usual, p.session_boost)


@numba.njit(cache=True)
def negotiate(week, run, party, books, seats, negotiators, consent_at, issues_at, quo_at, issue, ideal, salience,
              capability, stand, status_quo, no_deal, side_sign, terms, readings, rng):
    """One week's sessions over the N runs of a block. run (N,), party (N, A), books (N, G): `records.RUN`,
    `PARTY`, `AGREEMENT`; seats (G,) `records.SEAT` with agreement g's negotiators negotiators[g, :P] (their
    consent consent_at[g, :P]) and its issues issues_at[g, :K] (status-quo issues quo_at[g, :K]); issue (K,)
    `records.ISSUE`; ideal, salience, capability, stand (N, A, K: the positions drafted from), status_quo (N, K),
    no_deal (N, A, K): the agenda;
    terms (N, G, K) and readings (N, G, 2, K) the books of agreed texts."""
    N, G = books.shape
    for g in range(G):
        seat = seats[g]
        P, K = seat.negotiators, seat.issues
        who, consent, issues, quo = negotiators[g, :P], consent_at[g, :P], issues_at[g, :K], quo_at[g, :K]
        own, heed, weight, copies = np.empty((P, K)), np.empty((P, K)), np.empty((P, K)), np.empty((P, K))
        text, read, conceded, quo_values = np.empty(K), np.empty((P, K)), np.empty(P), np.empty(K)
        stated = np.empty((P, K))
        for n in range(N):
            book = books[n, g]
            if not run[n].in_session or book.in_force:
                continue
            p = run[n]
            decision.seat_parties(n, who, issues, ideal, salience, capability, stand, status_quo, side_sign, p, own,
                                  heed, weight, stated, quo_values)
            agreed, divergence, in_principle = decision.decide(n, seat, who, issues, consent, quo, quo_values, no_deal,
                                                               p, party, book.relief, rng, own, heed, weight, stated,
                                                               copies, text, read, conceded)
            if in_principle:  # recorded; nothing is signed, so nothing changes in the war
                book.in_principle += 1
            if agreed:
                decision.sign(n, g, week, seat, who, issues, consent, issue, text, read, divergence, conceded, book,
                              terms, readings, party)


cached_with(negotiate, decision, agenda, mediation, ratification)  # its cache follows the equations it compiles in
