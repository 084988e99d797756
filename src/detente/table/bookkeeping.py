"""The table's books after a week of war: recent pace, intensity and aid; leaders' support
(`ratification.support_after`) and who falls below his threshold (successors are the controller's); the
agreements' clocks run down, and each is renewed (`agreements.renews`) or expires; streaks and weeks in force.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from detente.dynamics.mechanism import cached_with
from detente.table import agreements, ratification


@numba.njit(cache=True)
def week_after(run, party, books, seats, led, side_sign, gain, casualties, aid, rng, falls):
    """Updates the records in place (run (N,), party (N, A), books (N, G): `records.RUN`, `PARTY`,
    `AGREEMENT`; seats (G,) `records.SEAT`) from the week's Russian gain (N,), casualties (N, 2) and aid (N, B);
    writes falls (N, A) and each agreement's `held` (in force this week) and `ended` (agreements.EXPIRED where
    it expired). Each actor's support shock is drawn run by run, actor by actor (NumPy's standard_normal((N, A))
    order), led or not."""
    N, G = books.shape
    noise = np.empty(party.shape[1])
    for n in range(N):
        for a in range(noise.size):
            noise[a] = rng.standard_normal()
        p = run[n]
        p.pace = gain[n] if math.isnan(p.pace) else 0.75 * p.pace + 0.25 * gain[n]
        p.intensity = (casualties[n, 0] + casualties[n, 1]) / p.reference_casualties_per_week
        total = 0.0
        for b in range(aid.shape[1]):
            total += aid[n, b]
        p.last_aid = total
        for i in range(led.size):  # an index loop: iterating the array itself costs a reference count per run
            a = led[i]
            sign = side_sign[a]
            losses = casualties[n, 0] if sign > 0 else (casualties[n, 1] if sign < 0 else 0.0)
            holder = party[n, a]
            holder.support = ratification.support_after(holder.support, gain[n] * sign, losses, holder.war_response,
                                                        holder.casualty_response, holder.support_noise, noise[a],
                                                        holder.casualty_log_response, holder.casualties_to_date)
            holder.casualties_to_date += losses
            falls[n, a] = holder.support < holder.fall_threshold
        need = ratification.acceptance_need(p.acceptance_margin, p.trust)
        any_counted = False
        for g in range(G):
            book = books[n, g]
            book.held = book.in_force
            book.ended = agreements.IN_FORCE
            if book.in_force:
                book.weeks_left -= 1
                if book.weeks_left <= 0:
                    taken_up = book.renewal >= 1.0 or rng.random() < book.renewal  # the record's prior
                    if taken_up and agreements.renews(seats[g].renewable, book.surplus[0], book.surplus[1], need,
                                                      book.violated):
                        book.weeks_left = book.duration
                        book.renewals += 1
                    else:
                        book.ended = agreements.EXPIRED
                book.streak += 1
                book.weeks_in_force += 1
                any_counted = any_counted or seats[g].counted
            else:
                book.streak = 0
            book.max_streak = max(book.max_streak, book.streak)
        if any_counted:
            p.any_in_force += 1


cached_with(week_after, agreements, ratification)  # its cache follows the equations it compiles in
