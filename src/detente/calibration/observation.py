"""The observation model: what each source measures, in the model's terms, at the model's week ends.

Matching (the same rule the acceptance check recomputes from the record):

- The scenario's window is its start and the week ends start + 7·w days, w = 1 … horizon.
- Zero: the last observation on or before the start, if it lies within 7 days of it (the start is then week 0).
  A source observed more sparsely than that (monthly casualties starting mid-month) has its period across the
  start left out: its first observation after the start is zero, at the week end it matches.
- Each week end takes the observation on that date, or the latest one within the 7 days before (7 included);
  an observation already taken by an earlier week end is not taken again (monthly data), and week ends past
  the record's last date have none. Every observation is read as its change since the zero.

What the model is compared with (`model_value`): the change since the zero week, per run, of

- `area_controlled_km2` (ISW), `area_controlled_km2/ukraine_regions_sum` and `/ukraine_total` (DeepState): the
  Russian-controlled area summed over the map's Ukrainian regions (`ukraine_total` also counts ground off the map
  and water edits, so it is scored but not fitted);
- `area_controlled_km2/<region>`: control × area of that map region (DeepState's regions are the map's ids);
- `ua_held_km2/<region>`: (1 − control) × area of a Russian region (Ukraine's ground in Kursk);
- `casualties_russia/<source>`: the model's cumulative Russian casualties (killed and wounded; Mediazona's count
  is deaths only, a floor, so the model should lie above it).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import numpy as np

from detente.calibration.record import ObservedSeries
from detente.ensemble.streams import BlockContext
from detente.errors import InputError
from detente.world.model import WarModel
from detente.world.state import RUSSIA, WarState

MATCH_DAYS = 7
UKRAINE_SUMS = ("ukraine_regions_sum", "ukraine_total")
CASUALTIES = "casualties_russia"
MeasureKey = tuple[str, tuple[str, ...]]  # (kind, regions): see `model_key`


@dataclass(frozen=True)
class ObservedPoints:
    """One series' observations inside a scenario's window, as changes since its zero."""

    name: str
    zero_week: int
    zero_date: dt.date
    weeks: np.ndarray        # (P,) model week matched to each observation
    dates: tuple[dt.date, ...]
    values: np.ndarray       # (P,) change since the zero


def at_or_before(series: ObservedSeries, day: dt.date, within: int = MATCH_DAYS) -> int | None:
    """Index of the observation on `day` or the latest in the `within` days before it; None if there is none."""
    return series.index_on(day, within)


def week_end(start: dt.date, week: int) -> dt.date:
    """The date week `week` of a scenario ends (week 0 is the start itself)."""
    return start + dt.timedelta(weeks=week)


def observed_points(series: ObservedSeries, start: dt.date, horizon_weeks: int, path: Path) -> ObservedPoints:
    """The observations of `series` matched to the scenario's week ends, as changes since the zero."""
    level = series.level()
    days = np.array(level.dates, dtype="datetime64[D]")
    zero_week = 0
    zero = at_or_before(level, start)
    if zero is None:  # sparse source: the period across the start is partial, the first one after it is zero
        zero = int(np.searchsorted(days, np.datetime64(start), side="right"))
        if zero == 0 or zero >= len(level.dates):  # the record begins after the start, or ends before it
            _outside(path, series, start, horizon_weeks)
        zero_week = next((w for w in range(1, horizon_weeks + 1)
                          if at_or_before(level, week_end(start, w)) == zero), -1)
        if zero_week < 0:
            _outside(path, series, start, horizon_weeks)
    weeks, taken = [], {zero}
    for w in range(zero_week + 1, horizon_weeks + 1):
        i = at_or_before(level, week_end(start, w))
        if i is not None and i not in taken:
            taken.add(i)
            weeks.append((w, i))
    if not weeks:
        _outside(path, series, start, horizon_weeks)
    idx = np.array([i for _, i in weeks])
    return ObservedPoints(name=series.name, zero_week=zero_week, zero_date=level.dates[zero],
                          weeks=np.array([w for w, _ in weeks]), dates=tuple(level.dates[i] for i in idx),
                          values=level.values[idx] - level.values[zero])


def _outside(path: Path, series: ObservedSeries, start: dt.date, horizon_weeks: int) -> NoReturn:
    end = week_end(start, horizon_weeks)
    first, last = (series.dates[0], series.dates[-1]) if series.dates else ("none", "none")
    raise InputError.single(
        str(path), f"no observation of '{series.name}' to score in the scenario's window {start} … {end} "
        f"(the record runs {first} … {last}; it needs one on or within {MATCH_DAYS} days before the start "
        "and at least one at a later week end)", field=series.name,
        hint="score a scenario whose window the record covers (the record stops on 2025-03-18)")


class ObservationRecorder:
    """A controller that acts on nothing and keeps, per run, what each scored series measures at the weeks it is
    observed (its levels; the scorer takes the change since the zero week). It hands them on as per-run
    metrics named `observed:<series>@<week>`, so they travel with the ensemble's other metrics through any
    backend, and the runner's weekly summaries (quantiles only) stay as they are."""

    def __init__(self, model: WarModel, wanted: dict[str, tuple[MeasureKey, tuple[int, ...]]]):
        self.model = model
        self.wanted = wanted
        self.index = {rid: r for r, rid in enumerate(model.region_ids)}
        self.weeks = sorted({w for _, weeks in wanted.values() for w in weeks})
        self.values: dict[tuple[str, int], np.ndarray] = {}

    def start(self, model: WarModel, state: WarState, context: BlockContext) -> WarState:
        """Keep week 0 (the recorder draws nothing from the context's streams)."""
        self.values = {}
        self._keep(state)
        return state

    def act(self, state: WarState, context: BlockContext) -> WarState:
        """Nothing: the recorder only watches."""
        return state

    def observe(self, state: WarState, report: object) -> None:
        """Keep this week's measures if any series is observed at it."""
        self._keep(state)

    def _keep(self, state: WarState) -> None:
        week = int(state.week)
        for name, (key, weeks) in self.wanted.items():
            if week in weeks:
                self.values[(name, week)] = measure(key, self.index, self.model, state)

    def metrics(self) -> dict[str, np.ndarray]:
        """Per-run levels `observed:<series>@<week>`."""
        return {observed_metric(name, week): values for (name, week), values in self.values.items()}

    def weekly(self) -> dict[str, np.ndarray]:
        """No weekly series."""
        return {}

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        """No row tables."""
        return {}


def observed_metric(name: str, week: int) -> str:
    """The per-run metric an `ObservationRecorder` writes for series `name` at week `week`."""
    return f"observed:{name}@{week}"


def measure(key: MeasureKey, index: dict[str, int], model: WarModel, state: WarState) -> np.ndarray:
    """Per-run level of what a series measures in this state."""
    kind, regions = key
    if kind == "casualties":
        return np.array(state.casualties[:, RUSSIA], dtype=float)
    rows = [index[rid] for rid in regions]
    held = (state.control[:, rows] * model.area[rows]).sum(axis=1)
    if kind == "ua_held":
        return model.area[rows].sum() - held
    return held


def model_key(name: str, model: WarModel) -> MeasureKey | None:
    """How the model measures series `name`: (kind, regions), kind 'control' (Russian-held km² summed over the
    regions), 'ua_held' (Ukrainian-held km² of a Russian region) or 'casualties'; None where the model cannot
    (a region off its map)."""
    head, _, tail = name.partition("/")
    ukraine = tuple(rid for rid, country in zip(model.region_ids, model.geography.countries) if country == "UA")
    if head == CASUALTIES:
        return ("casualties", ())
    if head == "area_controlled_km2":
        if not tail or tail in UKRAINE_SUMS:
            return ("control", ukraine)
        return ("control", (tail,)) if tail in model.region_ids else None
    if head == "ua_held_km2" and tail in model.region_ids:
        return ("ua_held", (tail,))
    return None


def model_changes(levels: dict[str, np.ndarray], points: ObservedPoints) -> np.ndarray:
    """Per-run change since the zero week at each observation's week, (P, n), from an ensemble's metrics."""
    zero = levels[observed_metric(points.name, points.zero_week)]
    return np.stack([levels[observed_metric(points.name, int(w))] - zero for w in points.weeks])


@dataclass(frozen=True)
class RecorderFactory:
    """Builds an `ObservationRecorder` for each block (a plain object, so any backend can ship it)."""

    wanted: dict[str, tuple[MeasureKey, tuple[int, ...]]]

    def __call__(self, model: WarModel) -> ObservationRecorder:
        """A recorder for one block of runs."""
        return ObservationRecorder(model, self.wanted)
