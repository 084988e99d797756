"""Force pools: manpower from recruitment less permanent losses; materiel from output and aid less use.

    M_s' = M_s + r_s − χ_s · C_s          (χ: share of casualties that never return)
    K_s' = K_s + P_s + [s = Ukraine] Σ_b a_b − u_s · L_s / 100,000
with L_s the troops in the line and u_s the € bn a 100,000-strong line uses in a week. Pools never go
negative: a side that runs out of materiel fights on with what firepower its soldiers have left.
χ_russia is derived from the Russian grouping growing from 617,000 (Dec 2023) to 700,000 (Jun 2024)
while recruiting ~30,000 a month and losing ~1,000–1,500 a day (see the scenario's sources).
"""

from __future__ import annotations

import numba

from detente.dynamics.mechanism import Mechanism


@numba.njit(cache=True, error_model="numpy")
def manpower_after(manpower: float, recruits: float, permanent_share: float, casualties: float) -> float:
    """M_s' (troops in the theatre next week)."""
    return max(manpower + recruits - permanent_share * casualties, 0.0)


@numba.njit(cache=True, error_model="numpy")
def materiel_after(materiel: float, inflow: float, use_per_week: float, line: float) -> float:
    """K_s' (€ bn), `inflow` = P_s plus, for Ukraine, the aid delivered."""
    return max(materiel + inflow - use_per_week * line / 1e5, 0.0)


MECHANISM = Mechanism(
    name="forces",
    summary="manpower and materiel pools: recruitment, permanent losses, output, aid and use",
    reads={"manpower": "N 2", "materiel": "N 2", "casualties": "N 2", "recruitment_factor": "N 2"},
    writes={"manpower": "N 2", "materiel": "N 2", "casualties": "N 2"},
    params=("forces.recruitment_per_week", "forces.permanent_loss_share", "forces.materiel_use_per_week"),
    reports=("casualties",),
    metrics=("casualties_russia", "casualties_ukraine", "manpower_russia", "manpower_ukraine",
             "materiel_russia", "materiel_ukraine"),
    functions=(manpower_after, materiel_after),
    initial={"casualties": 0.0},
)
