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

import numpy as np

from detente.world.state import RUSSIA, UKRAINE


def energy_damage(energy: np.ndarray, strike_rate: np.ndarray, air_defence: np.ndarray, strike_factor: np.ndarray,
                  energy_truce: np.ndarray, repair: np.ndarray, noise_sd: float | np.ndarray,
                  noise: np.ndarray) -> np.ndarray:
    """New energy capacity (N, 2) after a week of strikes and repair."""
    incoming = np.stack([strike_rate[..., UKRAINE] * strike_factor[:, UKRAINE],
                         strike_rate[..., RUSSIA] * strike_factor[:, RUSSIA]], axis=1)
    sd = np.asarray(noise_sd)[..., None]
    hit = incoming * (1.0 - air_defence) * (1.0 - energy_truce[:, None]) * np.exp(sd * noise - 0.5 * sd**2)
    repaired = repair * (1.0 - energy)
    return np.minimum(np.maximum(energy - hit * energy + repaired, 0.0), 1.0)


def output(energy: np.ndarray, production: np.ndarray, elasticity: float | np.ndarray,
           sanctions: float | np.ndarray, secondary_loss: float | np.ndarray,
           secondary: float | np.ndarray) -> np.ndarray:
    """Materiel produced this week by each side (N, 2), € bn."""
    produced = production * energy ** np.asarray(elasticity)[..., None]
    russian_loss = np.minimum(np.maximum(np.asarray(sanctions) + np.asarray(secondary_loss) * np.asarray(secondary), 0.0), 1.0)
    keep = np.stack(np.broadcast_arrays(1.0 - russian_loss, np.ones_like(russian_loss)), axis=-1)
    return produced * keep
