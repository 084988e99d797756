"""Aid from Ukraine's backers, and their political will eroding with cost, time and events.

Aid delivered by backer b in a week:   a_b = ā_b · W_b · π_b · 1[active_b]
(ā_b: aid at full will, € bn/week, from the Kiel Institute's Ukraine Support Tracker; π_b: a policy
multiplier that decisions set, e.g. a US cut-off). Will then moves as
    W_b' = W_b − λ_b · W_b · (a_b / ā_b) + κ_b · ΔA_U / 1000 + σ_b ε,
cost-driven decay while giving, a response to the front (ΔA_U = km² Ukraine regained this week; Russian
gains count negative), and shocks. A backer whose will falls below its threshold stops for good: the
"will breaks" of seed 001, after which Ukraine fights on what it has.
"""

from __future__ import annotations

import numba

from detente.dynamics.mechanism import Mechanism


@numba.njit(cache=True, error_model="numpy")
def aid_flow(backer, will: float, aid_factor: float, active: bool) -> float:  # noqa: ANN001 (a BACKER record)
    """a_b, € bn this week."""
    return backer.aid_per_week * will * aid_factor * (1.0 if active else 0.0)


@numba.njit(cache=True, error_model="numpy")
def update_will(backer, will: float, active: bool, aid: float, russian_gain_km2: float,  # noqa: ANN001
                eps: float) -> tuple[float, bool]:
    """W_b' in [0, 1] and whether the backer still gives (ΔA_U = −russian_gain_km2)."""
    per_week = backer.aid_per_week
    burden = aid / (per_week if per_week > 0 else 1.0)
    change = (-backer.will_erosion_per_week * will * burden
              + backer.will_response_to_front * (-russian_gain_km2) / 1000.0 + backer.will_noise * eps)
    new_will = min(max(will + change, 0.0), 1.0)
    return new_will, active and new_will >= backer.will_threshold


MECHANISM = Mechanism(
    name="backers",
    summary="aid from Ukraine's backers, and their will eroding with cost, the front and shocks",
    reads={"backer_will": "N B", "backer_active": "N B", "aid_factor": "N B", "aid_delivered": "N B"},
    writes={"backer_will": "N B", "backer_active": "N B", "aid_delivered": "N B"},
    params=("backers.aid_per_week", "backers.will_erosion_per_week", "backers.will_response_to_front",
            "backers.will_threshold", "backers.will_noise"),
    reports=("aid",),
    metrics=("aid_delivered_eur_bn", "backer_will/<backer>", "backer_gave_up/<backer>"),
    functions=(aid_flow, update_will),
    initial={"aid_delivered": 0.0},
    draws={"will": "B"},  # columns 2R + 2 + b of `drawn`
)
