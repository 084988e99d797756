"""Long-range strikes on energy infrastructure, repair, and what energy and sanctions do to war output.

Energy capacity E_s ∈ [0, 1] of side s (share of pre-war capacity working) falls under the other side's
strikes and is repaired toward 1:
    E_s' = E_s − k_o · (1 − D_s) · π_o · (1 − T_energy) · E_s · e^(σ ε − σ²/2) + ρ · (1 − E_s),
k_o the opponent's strike rate, D_s one's own air defence, π_o a policy multiplier, T_energy = 1 while an
energy-infrastructure truce holds (seed 000's 30-day ceasefire). Materiel output then follows energy
with elasticity η and, for Russia, sanctions:
    P_s = P̄_s · E_s^η · (1 − S_s),   S_russia = s₁ + s₂ · secondary.
"""

from __future__ import annotations

import numba

from detente.dynamics import mechanism
from detente.dynamics.mechanism import Mechanism, cached_with, shock


@numba.njit(cache=True, error_model="numpy")
def energy_after(energy: float, incoming: float, air_defence: float, energy_truce: float, repair: float,
                 noise_sd: float, eps: float) -> float:
    """E' for one side: `incoming` = k_o · π_o (the opponent's strike rate times its policy multiplier). With
    nothing exposed (a truce, no strikes) the shock is not evaluated: there is nothing for it to scale."""
    exposed = incoming * (1.0 - air_defence) * (1.0 - energy_truce)
    hit = exposed * shock(noise_sd, eps) if exposed != 0.0 else 0.0
    return min(max(energy - hit * energy + repair * (1.0 - energy), 0.0), 1.0)


@numba.njit(cache=True, error_model="numpy")
def russian_output_kept(sanctions: float, secondary_loss: float, secondary: float) -> float:
    """1 − S_russia, S_russia = s₁ + s₂ · secondary clipped to [0, 1]."""
    return 1.0 - min(max(sanctions + secondary_loss * secondary, 0.0), 1.0)


@numba.njit(cache=True, error_model="numpy")
def output(energy: float, production: float, elasticity: float, kept: float) -> float:
    """P_s = P̄_s · E_s^η · kept (€ bn this week); E = 1 needs no power."""
    working = energy ** elasticity if energy != 1.0 else 1.0
    return production * working * kept


cached_with(energy_after, mechanism)  # it calls mechanism.shock

MECHANISM = Mechanism(
    name="strikes",
    summary="long-range strikes on energy, repair, and the materiel output energy and sanctions allow",
    reads={"energy": "N 2", "strike_factor": "N 2", "truce": "N S", "secondary_sanctions": "N"},
    writes={"energy": "N 2"},
    params=("forces.strike_rate", "forces.air_defence", "forces.energy_repair_per_week",
            "forces.production_per_week", "economy.strike_noise", "economy.energy_output_elasticity",
            "economy.sanctions_output_loss", "economy.secondary_sanctions_output_loss"),
    metrics=("energy_russia", "energy_ukraine"),
    functions=(energy_after, russian_output_kept, output),
    draws={"strike": "2"},  # columns 2R + s of `drawn`
)
