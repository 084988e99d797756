"""The table's parameters and books as named records, and its compiled code read uncompiled.

The table's kernels read every parameter and every book by field name (`p.distortion`, `party.support`,
`book.weeks_left`) from NumPy records, one record per run (`RUN`), per run and party (`PARTY`), per run and
agreement (`AGREEMENT`), per agreement (`SEAT`) and per issue (`ISSUE`). numba reads a record field at a fixed
offset, as cheap as an array, and the same arrays seen as `np.recarray` read the same way in Python, so the
kernels run uncompiled (`dynamics.mechanism.uncompiled`, `on_records`) as the readable reference of the same
code: there is no second transcription of any equation and no positional list of parameters.

Parameters drawn per run (`detente.table.controller` draws them in the scenario's order) and the books the
table keeps are kept apart by comment only: a record is what the kernels of one shape read and write.
"""

from __future__ import annotations

from typing import Any, Callable

import numpy as np

from detente.dynamics.mechanism import uncompiled  # noqa: F401 (the table's kernels read uncompiled likewise)
from detente.table.schema import Compliance, Forecast, Mediation

F, I, B = np.float64, np.int64, np.bool_

# scenario keys (table.mediation.*, table.forecast.*, table.compliance.*) -> RUN fields, in the order drawn
MEDIATION = ("distortion", "relay_growth", "issue_growth", "amendment", "sessions_per_week", "leverage_weight",
             "acceptance_margin", "backer_weight", "support_weight")
FORECAST = {"pace_weight": "pace_weight", "materiel_weight": "materiel_weight", "manpower_weight": "manpower_weight",
            "will_weight": "will_weight", "noise": "forecast_noise",
            "reference_casualties_per_week": "reference_casualties_per_week"}
COMPLIANCE = tuple(Compliance.model_fields)
assert set(MEDIATION) <= set(Mediation.model_fields) and set(FORECAST) == set(Forecast.model_fields)

# (N,): one run's parameters, and the table's books and this week's reading of the war in that run
RUN = np.dtype([(name, F) for name in MEDIATION + tuple(FORECAST.values()) + COMPLIANCE] + [
    ("rearm", F),                     # table.rearm_factor: backers' deliveries during a quiet front, × aid
    ("rounds", I),                    # table.mediation.rounds: relays before the text is put to the parties
    # books
    ("pace", F),                      # recent Russian gains, km²/week (NaN before the first week)
    ("intensity", F),                 # this week's casualties over the reference
    ("last_aid", F),                  # Ukraine's backers' aid last week
    ("lev", F),                       # leverage L in Russia's favour (log-odds)
    ("trust", F),                     # trust T between the belligerents
    ("violations_seen", F),
    ("broke_down", B),
    ("any_in_force", I),              # weeks with any agreement but a one-off exchange in force
    ("front_quiet", B),               # a whole-front truce held last week (Ukraine's backers rearm it)
    # the war this week, as the table reads it
    ("mediating", F), ("pressure_on_ukraine", F),
    ("session_boost", F),             # P(session) this week's one-off events bring (a summit, direct talks)
    ("in_session", B),                # the table sits this week (`sessions.sit`)
    ("materiel_russia", F), ("materiel_ukraine", F), ("production_russia", F), ("production_ukraine", F),
], align=True)

# (N, A): a party's parameters (table.party_setup.<actor>.*), its leader's standing and its forecast
PARTY_PARAMS = {"optimism": "optimism", "cost": "cost_of_war", "threshold": "ratification_threshold",
                "anchor": "public_anchor"}
SUPPORT_PARAMS = {"war_response": "war_response", "casualty_response": "casualty_response",
                  "concession_cost": "concession_cost", "support_noise": "noise",
                  "casualty_log_response": "casualty_log_response", "casualties_before": "casualties_before",
                  "deal_response": "deal_response"}
PARTY = np.dtype([(name, F) for name in (*PARTY_PARAMS, *SUPPORT_PARAMS)] + [
    ("support", F), ("fall_threshold", F),   # the leader's domestic support and the support he falls below
    ("casualties_to_date", F),               # own casualties since before the start (casualties_before + the run's)
    ("rho", F),                              # this week's forecast ρ_a = P(Russia prevails)
    ("stake", F),                            # W_a(y_R) − W_a(y_U): what the war's outcome means to a
], align=True)

# (N, G): an agreement's parameters in a run (table.agreements.<scope>.*) and its books
AGREEMENT = np.dtype([
    ("relief", F), ("temptation", F, (2,)),            # temptation per side [Russia, Ukraine]
    ("duration", I), ("renewal", F),                   # weeks it runs (drawn per run); P(renewal taken up)
    ("in_force", B), ("violated", B), ("weeks_left", I), ("week_agreed", I), ("first_agreed", I),
    ("renewals", I), ("signings", I), ("streak", I), ("max_streak", I), ("weeks_in_force", I),
    ("divergence", F),                                 # D of the term sheets it was signed on
    ("surplus", F, (2,)),                              # U_s(x̃_s) − V_s of each side while in force
    ("held", B),                                       # in force during this week (what the week counts)
    ("ended", I),                                      # how it ended this week (agreements.IN_FORCE: not)
    ("in_principle", I),                               # sessions whose text was agreed but not ratified
], align=True)

# (G,): who sits where at each agreement's shuttle and what the agreement is (fixed by the scenario)
SEAT = np.dtype([
    ("negotiators", I), ("issues", I),                 # how many of each (rows of the padded arrays)
    ("mediator_at", I), ("russia_at", I), ("ukraine_at", I),  # seat among the negotiators; −1: not there
    ("front", B),                                      # stops the whole front: the commitment problem counts
    ("duration", I), ("renewable", B),
    ("counted", B),                                    # counts toward deal_weeks_in_force (not an exchange)
], align=True)

# (K,): an issue's range and what holds without a deal (agenda.STATUS_QUO, WAR or FRONT)
ISSUE = np.dtype([("low", F), ("high", F), ("no_deal", I)], align=True)


def records(dtype: np.dtype, shape: tuple[int, ...]) -> np.ndarray:
    """Zeroed records of `dtype`: fields read as `r["name"]` by NumPy, `r[n].name` by the kernels (compiled,
    or uncompiled on their `np.recarray` view: `on_records`). A plain structured array, not an `np.recarray`:
    numba dispatches on it in microseconds, and NumPy reads its fields without recarray's attribute lookup."""
    return np.zeros(shape, dtype)


def fill(target: np.ndarray, values: dict[str, Any]) -> np.ndarray:
    """Write each named field (broadcast over the record's shape); returns `target`."""
    for name, value in values.items():
        target[name] = value
    return target


def on_records(fn: Callable) -> Callable:
    """`fn` with its structured-array arguments seen as `np.recarray`, so that Python reads a record's fields
    by attribute (`p.distortion`) as the compiled kernels do."""
    def call(*args: Any) -> Any:
        return fn(*(a.view(np.recarray) if isinstance(a, np.ndarray) and a.dtype.names else a for a in args))

    return call
