"""Outcome metrics of a run and the weekly series behind the fan charts, as declared reporters (Mesa-style).

Each reporter is a name and a function of (model, start state, state) returning one value per run; the
runner calls them, the store keeps them, the CLI prints them. Add a metric by adding a line here.
"""

from __future__ import annotations

from typing import Callable

import numpy as np

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
    for b, bid in enumerate(model.backer_ids):
        out[f"backer_gave_up/{bid}"] = (~state.backer_active[:, b]).astype(float)
    gained = (state.control - start.control) * model.area
    for r, rid in enumerate(model.region_ids):
        if model.contestable[r]:
            out[f"area_gained_km2/{rid}"] = gained[:, r]
    return out
