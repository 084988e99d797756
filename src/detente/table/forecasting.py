"""What the front tells the table each week: Russia's leverage and each party's forecast of the war
(`ratification.leverage`, `forecast`), and from them what each actor expects without a deal on the issues
the war decides (`agenda.no_deal_points`).
"""

from __future__ import annotations

import numba
import numpy as np

from detente.dynamics.mechanism import cached_with
from detente.table import ratification


@numba.njit(cache=True)
def forecasts(run, party, side_sign, manpower, backer_will, backer_active, aid_weights, rng):
    """Leverage L (the runs' `lev`) and each party's forecast ρ (the parties' `rho`) from the front: materiel in
    the run records, manpower (N, 2), the backers' will (N, B) weighted by aid_weights. Draws each party's
    forecast error run by run, party by party (the order of NumPy's standard_normal((N, A)))."""
    N, A = party.shape
    noise = np.empty(A)
    for n in range(N):
        for a in range(A):
            noise[a] = rng.standard_normal()
        p = run[n]
        will = ratification.backers_will(backer_will, backer_active, aid_weights, n)
        p.lev = ratification.leverage(p.pace, p.materiel_russia, p.materiel_ukraine, manpower[n, 0], manpower[n, 1],
                                      will, p)
        for a in range(A):
            holder = party[n, a]
            holder.rho = ratification.forecast(p.lev, side_sign[a], holder.optimism, p.forecast_noise, noise[a])


cached_with(forecasts, ratification)  # its cache follows the equations it compiles in
