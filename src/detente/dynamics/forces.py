"""Force pools: manpower from recruitment less permanent losses; materiel from output and aid less use.

    M_s' = M_s + r_s − χ_s · C_s          (χ: share of casualties that never return)
    K_s' = K_s + P_s + [s = Ukraine] Σ_b a_b − u_s · L_s / 100,000
with L_s the troops in the line and u_s the € bn a 100,000-strong line uses in a week. Pools never go
negative: a side that runs out of materiel fights on with what firepower its soldiers have left.
χ_russia is derived from the Russian grouping growing from 617,000 (Dec 2023) to 700,000 (Jun 2024)
while recruiting ~30,000 a month and losing ~1,000–1,500 a day (see the scenario's sources).
"""

from __future__ import annotations

import numpy as np


def manpower_after(manpower: np.ndarray, recruitment: np.ndarray, casualties: np.ndarray,
                   permanent_share: np.ndarray) -> np.ndarray:
    """Troops in the theatre next week (N, 2)."""
    return np.maximum(manpower + recruitment - permanent_share * casualties, 0.0)


def materiel_after(materiel: np.ndarray, produced: np.ndarray, aid_total: np.ndarray, line: np.ndarray,
                   use_per_week: np.ndarray) -> np.ndarray:
    """Materiel stock next week (N, 2), € bn; aid goes to Ukraine (column 1)."""
    inflow = produced.copy()
    inflow[:, 1] += aid_total
    return np.maximum(materiel + inflow - use_per_week * line / 1e5, 0.0)
