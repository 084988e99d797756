"""Outcome metrics of a run and the weekly series behind the fan charts, as declared reporters (Mesa-style).

Each reporter is a name and a function of (model, start state, state) returning one value per run; the
runner calls them, the store keeps them, the CLI prints them. Add a metric by adding a line here, or, for
a metric a mechanism reports from the state it writes, in the mechanism's declaration (`reporters`).
"""

from __future__ import annotations

from typing import Callable

import numba
import numpy as np

from detente.dynamics.catalogue import MECHANISMS
from detente.world.model import WarModel
from detente.world.state import RUSSIA, UKRAINE, WarState

Reporter = Callable[[WarModel, WarState, WarState], np.ndarray]


def area_gained(model: WarModel, start: WarState, state: WarState) -> np.ndarray:
    """Net km² that moved to Russian control since the start (negative: Ukraine gained)."""
    return ((state.control - start.control) * model.area).sum(axis=1)


WEEKLY_SERIES: dict[str, Reporter] = {
    "area_gained_km2": area_gained,
    "casualties_russia": lambda m, s0, s: s.casualties[:, RUSSIA],
    "casualties_ukraine": lambda m, s0, s: s.casualties[:, UKRAINE],
    "manpower_russia": lambda m, s0, s: s.manpower[:, RUSSIA],
    "manpower_ukraine": lambda m, s0, s: s.manpower[:, UKRAINE],
    "materiel_russia": lambda m, s0, s: s.materiel[:, RUSSIA],
    "materiel_ukraine": lambda m, s0, s: s.materiel[:, UKRAINE],
    "energy_russia": lambda m, s0, s: s.energy[:, RUSSIA],
    "energy_ukraine": lambda m, s0, s: s.energy[:, UKRAINE],
    "garrison_russia": lambda m, s0, s: s.garrison,
    "partisan_activity": lambda m, s0, s: (s.partisans * s.control * m.area).sum(axis=1)
    / np.maximum((s.control * m.area * m.occupiable).sum(axis=1), 1.0),
    "aid_delivered_eur_bn": lambda m, s0, s: s.aid_delivered.sum(axis=1),
}


CORE_SERIES = tuple(WEEKLY_SERIES)  # recorded each week by `record_core`, which the test holds to these functions


def record_core(model: WarModel, start: WarState, state: WarState, out: np.ndarray) -> None:
    """Write week `state.week` of the CORE_SERIES, then each backer's will, into out (len(CORE_SERIES) + B,
    W+1, N): the reporters above, compiled into one pass over the runs (they are the weekly hot spot)."""
    _record_core(state.control, start.control, model.area, model.occupiable, state.casualties, state.manpower,
                 state.materiel, state.energy, state.garrison, state.partisans, state.aid_delivered,
                 state.backer_will, state.week, out)


@numba.njit(cache=True)
def _record_core(control, start_control, area, occupiable, casualties, manpower, materiel, energy, garrison,
                 partisans, aid_delivered, will, week, out):
    N, R = control.shape
    for n in range(N):
        gained, partisan, occupied = 0.0, 0.0, 0.0
        for r in range(R):
            gained += (control[n, r] - start_control[n, r]) * area[r]
            partisan += partisans[n, r] * control[n, r] * area[r]
            if occupiable[r]:
                occupied += control[n, r] * area[r]
        aid = 0.0
        for b in range(aid_delivered.shape[1]):
            aid += aid_delivered[n, b]
        row = (gained, casualties[n, 0], casualties[n, 1], manpower[n, 0], manpower[n, 1], materiel[n, 0],
               materiel[n, 1], energy[n, 0], energy[n, 1], garrison[n], partisan / max(occupied, 1.0), aid)
        for i in range(len(row)):
            out[i, week, n] = row[i]
        for b in range(will.shape[1]):
            out[len(row) + b, week, n] = will[n, b]


def backer_series(model: WarModel) -> dict[str, Reporter]:
    """One will series per backer (`backer_will/<id>`)."""
    return {f"backer_will/{bid}": (lambda m, s0, s, b=b: s.backer_will[:, b]) for b, bid in
            enumerate(model.backer_ids)}


def weekly_reporters(model: WarModel) -> dict[str, Reporter]:
    """All weekly series for a model."""
    return {**WEEKLY_SERIES, **backer_series(model)}


def final_metrics(model: WarModel, start: WarState, state: WarState) -> dict[str, np.ndarray]:
    """Per-run outcome metrics at the horizon, including area changed per region."""
    out = {name: np.asarray(fn(model, start, state), dtype=float) for name, fn in weekly_reporters(model).items()}
    for mechanism in MECHANISMS:  # what each mechanism declares it reports from the state
        for reported in mechanism.reporters:
            out[reported.name] = reported.value(start, state)
    for b, bid in enumerate(model.backer_ids):
        out[f"backer_gave_up/{bid}"] = (~state.backer_active[:, b]).astype(float)
    gained = (state.control - start.control) * model.area
    for r, rid in enumerate(model.region_ids):
        if model.contestable[r]:
            out[f"area_gained_km2/{rid}"] = gained[:, r]
    return out
