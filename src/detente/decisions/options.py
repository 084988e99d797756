"""Options and what they do: the engine levers an option may set, the state features a choice may read.

An option's `effects` set decision levers of `WarState` (`objective.sumy: 0.6`, `aid_factor.europe: 1.3`,
`secondary_sanctions: 1`). A lever keeps the value an actor's option set until another option of that actor
sets it: a US that cuts aid off and then threatens (an option that sets no aid lever) still sends no aid,
rather than arming Ukraine at the starting rate again. Where several actors move the same lever, their
departures from the lever's starting value add up:

    L_e = L_e⁰ + Σ_a 1[a has set e] · (v_{a,e} − L_e⁰),   v_{a,e}: the value a's latest option setting e gave it,

then the lever is clipped to its range. Levers no option of any actor mentions are never written (so the
bargaining table's levers stay the table's). An option that means to undo another's effect says so
(`limited_campaign` sets the Odesa objective back to 0), and `start` sets a lever back to the run's own starting
value (drawn per run where the scenario draws it), so a default option never overrides a per-run draw with a constant.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable

import numpy as np

from detente.dynamics.scopes import SCOPES
from detente.world.model import WarModel
from detente.world.state import RUSSIA, UKRAINE, WarState

SIDES = {"russia": RUSSIA, "ukraine": UKRAINE}

# lever -> (what its index names: region, backer, side or None, lower bound, upper bound)
LEVERS: dict[str, tuple[str | None, float, float]] = {
    "objective": ("region", 0.0, np.inf),
    "foreign_troops": ("region", 0.0, np.inf),
    "aid_factor": ("backer", 0.0, 100.0),
    "strike_factor": ("side", 0.0, 100.0),
    "recruitment_factor": ("side", 0.0, 100.0),
    "line_factor": ("side", 0.0, 100.0),
    "counterattack": (None, 0.0, 1.0),
    "secondary_sanctions": (None, 0.0, 1.0),
    "mediating": (None, 0.0, 1.0),
    "pressure_on_ukraine": (None, 0.0, 1.0),
    "truce": ("scope", 0.0, 1.0),
}


@dataclass(frozen=True)
class Situation:
    """What a feature may read: the model, the state at week 0, the state now, last week's escalation score."""

    model: WarModel
    start: WarState
    state: WarState
    escalation: np.ndarray


def _share(now: np.ndarray, then: np.ndarray) -> np.ndarray:
    return now / np.where(then > 0, then, 1.0)


FEATURES: dict[str, Callable[[Situation], np.ndarray]] = {
    "week": lambda s: np.full(s.state.runs, float(s.state.week)),
    "russian_gains_1000km2": lambda s: ((s.state.control - s.start.control) * s.model.area).sum(axis=1) / 1000.0,
    "ukraine_manpower_share": lambda s: _share(s.state.manpower[:, UKRAINE], s.start.manpower[:, UKRAINE]),
    "russia_manpower_share": lambda s: _share(s.state.manpower[:, RUSSIA], s.start.manpower[:, RUSSIA]),
    "ukraine_materiel_share": lambda s: _share(s.state.materiel[:, UKRAINE], s.start.materiel[:, UKRAINE]),
    "russia_materiel_share": lambda s: _share(s.state.materiel[:, RUSSIA], s.start.materiel[:, RUSSIA]),
    "ukraine_casualty_share": lambda s: _share(s.state.casualties[:, UKRAINE], s.start.manpower[:, UKRAINE]),
    "russia_home_control": lambda s: (s.state.control * s.model.area * s.model.home).sum(axis=1)
    / max(float((s.model.area * s.model.home).sum()), 1.0),
    "escalation": lambda s: s.escalation,
}
INDEXED_FEATURES = {"control": "region", "backer_will": "backer", "backer_active": "backer", "energy": "side",
                    "truce": "scope"}


def feature_names(region_ids: tuple[str, ...] | list[str], backer_ids: tuple[str, ...] | list[str]) -> list[str]:
    """Every feature name a scenario may use."""
    names = list(FEATURES)
    names += [f"control.{r}" for r in region_ids] + [f"truce.{s}" for s in SCOPES]
    names += [f"backer_will.{b}" for b in backer_ids] + [f"backer_active.{b}" for b in backer_ids]
    names += [f"energy.{s}" for s in SIDES]
    return names


def feature(name: str, situation: Situation) -> np.ndarray:
    """Value of a feature (or a product `a*b` of features) per run (N,)."""
    if "*" in name:
        parts = [feature(p.strip(), situation) for p in name.split("*")]
        out = parts[0]
        for p in parts[1:]:
            out = out * p
        return out
    if name in FEATURES:
        return np.asarray(FEATURES[name](situation), dtype=float)
    head, _, index = name.partition(".")
    st, model = situation.state, situation.model
    if head == "control":
        return st.control[:, model.region_ids.index(index)]
    if head == "backer_will":
        return st.backer_will[:, model.backer_ids.index(index)]
    if head == "backer_active":
        return st.backer_active[:, model.backer_ids.index(index)].astype(float)
    if head == "energy":
        return st.energy[:, SIDES[index]]
    if head == "truce":
        return st.truce[:, SCOPES.index(index)]
    raise KeyError(name)


def parse_effect(name: str) -> tuple[str, str | None]:
    """'objective.sumy' -> ('objective', 'sumy'); 'counterattack' -> ('counterattack', None)."""
    lever, _, index = name.partition(".")
    return lever, (index or None)


@dataclass(frozen=True)
class LeverEntry:
    """One writable cell of a lever: `aid_factor` column of backer `europe`, or a per-run scalar lever."""

    lever: str
    column: int | None

    def read(self, state: WarState) -> np.ndarray:
        """Current value per run (N,)."""
        array = getattr(state, self.lever)
        return array if self.column is None else array[:, self.column]


def lever_entry(name: str, model: WarModel) -> LeverEntry:
    """Resolve an effect name against the compiled model (names were checked when the scenario loaded)."""
    lever, index = parse_effect(name)
    kind = LEVERS[lever][0]
    if kind is None:
        return LeverEntry(lever, None)
    if kind == "region":
        return LeverEntry(lever, model.region_ids.index(index))
    if kind == "backer":
        return LeverEntry(lever, model.backer_ids.index(index))
    if kind == "scope":
        return LeverEntry(lever, SCOPES.index(index))
    return LeverEntry(lever, SIDES[index])


def write_levers(state: WarState, entries: list[LeverEntry], values: np.ndarray, where: np.ndarray) -> WarState:
    """A copy of the state with each entry's lever set to values[:, e] in the runs where[:, e] (clipped to
    the lever's range); elsewhere the lever keeps what it has (another controller may own it there)."""
    arrays: dict[str, np.ndarray] = {}
    for e, entry in enumerate(entries):
        if not where[:, e].any():
            continue
        _, low, high = LEVERS[entry.lever]
        if entry.lever not in arrays:
            arrays[entry.lever] = np.array(getattr(state, entry.lever), dtype=float, copy=True)
        value = np.clip(values[:, e], low, high)
        if entry.column is None:
            arrays[entry.lever][:] = np.where(where[:, e], value, arrays[entry.lever])
        else:
            column = arrays[entry.lever][:, entry.column]
            arrays[entry.lever][:, entry.column] = np.where(where[:, e], value, column)
    return state.replace(**arrays) if arrays else state
