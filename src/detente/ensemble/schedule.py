"""Dated inputs: levers a scenario sets from outside the model, week by week (`inputs:` in the scenario).

A fit scenario replays what happened (aid allocated each month, the US aid pause of late 2023 to April 2024,
Ukraine's summer counter-offensive of 2023, the Kursk incursion of August 2024); a forecast states what was
assumed at its start (aid stays paused, with a chance of resumption). Each lever becomes a (weeks, runs)
table when a block starts: a monthly series gives every week the value of the month its middle day falls
in, and each dated step replaces it from its date on, in the runs that draw it (probability) and after the
delay they draw. NaN in the table means "leave the lever as it is" (the decisions and the table may move it).
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from detente.errors import InputError
from detente.scenario.schema import Input, Scenario
from detente.world.geography import _default_data_dir
from detente.world.model import WarModel
from detente.world.state import RUSSIA, UKRAINE, WarState

SIDES = {"russia": RUSSIA, "ukraine": UKRAINE}
KINDS = ("aid", "line", "recruitment", "production", "counterattack", "objective", "control")


def repository_root() -> Path:
    """Where relative input files are found: the folder that holds `data/`."""
    return _default_data_dir().resolve().parent


def lever_problem(name: str, scenario: Scenario, region_ids: tuple[str, ...] | list[str]) -> str | None:
    """Why an input's lever name is not one the engine knows (None if it is)."""
    kind, _, target = name.partition(".")
    if kind not in KINDS:
        return f"unknown lever kind '{kind}' (known: {', '.join(KINDS)})"
    if kind == "counterattack":
        return None if not target else "`counterattack` takes no target"
    if kind == "aid" and target not in scenario.backers:
        return f"'{target}' is not a backer of this scenario ({', '.join(scenario.backers) or 'none'})"
    if kind in ("line", "recruitment", "production") and target not in SIDES:
        return f"'{target}' is not a side (russia, ukraine)"
    if kind in ("objective", "control") and target not in region_ids:
        return f"'{target}' is not a region of the map"
    return None


def read_monthly(path: Path, month_column: str, column: str) -> dict[str, float]:
    """{YYYY-MM: value} from a CSV file of the record; empty cells are left out."""
    with path.open(newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    if not rows or column not in rows[0] or month_column not in rows[0]:
        raise InputError.single(str(path), f"no column '{column}' (or '{month_column}') in this file",
                                field=column, hint=f"columns: {', '.join(rows[0]) if rows else 'none'}")
    return {r[month_column][:7]: float(r[column]) for r in rows if r[column] not in ("", None)}


@dataclass(frozen=True)
class CompiledInput:
    """One lever: its kind and column, the series' weekly values (NaN: none), and its steps."""

    kind: str
    column: int
    series: np.ndarray                 # (W,) value from the monthly series, NaN where there is none
    steps: tuple[tuple[int, float, float, int], ...]  # (week it starts, value, probability, delay weeks)


def compile_inputs(scenario: Scenario, model: WarModel) -> tuple[CompiledInput, ...]:
    """The scenario's inputs as weekly tables on its calendar (week w starts on start + 7w days)."""
    weeks = scenario.horizon_weeks
    middles = [scenario.start + dt.timedelta(days=7 * w + 3) for w in range(weeks)]
    out = []
    for name, spec in scenario.inputs.items():
        kind, _, target = name.partition(".")
        column = {"aid": lambda: model.backer_ids.index(target), "line": lambda: SIDES[target],
                  "recruitment": lambda: SIDES[target], "production": lambda: SIDES[target], "objective": lambda: model.region_ids.index(target),
                  "control": lambda: model.region_ids.index(target), "counterattack": lambda: 0}[kind]()
        out.append(CompiledInput(kind=kind, column=column, series=_series(spec, kind, column, model, middles),
                                 steps=tuple((_step_week(s.date, scenario.start), s.value, s.probability,
                                              s.delay_weeks) for s in spec.steps)))
    return tuple(out)


def _step_week(on: dt.date, start: dt.date) -> int:
    """The first week whose start is on or after `on` (week 0 for a date on or before the start)."""
    return ((on - start).days + 6) // 7 if on > start else 0


def _series(spec: Input, kind: str, column: int, model: WarModel, middles: list[dt.date]) -> np.ndarray:
    values = np.full(len(middles), np.nan)
    if spec.monthly is None:
        return values
    path = repository_root() / spec.monthly.file
    monthly = read_monthly(path, spec.monthly.month_column, spec.monthly.column)
    for w, day in enumerate(middles):
        value = monthly.get(f"{day.year:04d}-{day.month:02d}")
        if value is None:
            continue
        value *= spec.monthly.scale
        if kind == "aid":  # € bn in the month -> multiplier of the backer's weekly aid at full will
            per_week = value / (calendar.monthrange(day.year, day.month)[1] / 7.0)
            base = float(np.mean(np.asarray(model.backers["aid_per_week"])[..., column]))
            value = per_week / base if base > 0 else 0.0
        values[w] = value
    return values


class ScheduleController:
    """Sets the scenario's dated levers before each week's fighting (runs first, so the decisions and the
    bargaining table, which run after it, can still move a lever it set)."""

    def __init__(self, inputs: tuple[CompiledInput, ...], model: WarModel):
        self.inputs = inputs
        self.model = model
        self.levels: list[np.ndarray] = []
        self.produced = np.zeros((0, 2))
        self.elasticity = np.ones((0, 2))
        self.versions: list[np.ndarray] = []  # per lever: (W,) how many times its row has changed by week w
        self.extra: dict[int, tuple[int, np.ndarray]] = {}  # lever position -> (version, extra) last worked out

    def start(self, model: WarModel, state: WarState, context) -> WarState:  # noqa: ANN001
        """Draw each run's steps (whether a step with a probability happens, and its delay) from the block's
        `inputs` stream (`context` a BlockContext; a plain Generator where the calibration drives it)."""
        rng = context.stream("inputs") if hasattr(context, "stream") else context
        runs, weeks = state.runs, model.horizon_weeks
        self.levels, self.versions, self.extra = [], [], {}
        self.produced = np.broadcast_to(np.asarray(model.sides["production_per_week"], float), (runs, 2))
        self.elasticity = np.broadcast_to(np.asarray(model.sides["production_budget_elasticity"], float), (runs, 2))
        for lever in self.inputs:
            table = np.repeat(lever.series[:weeks, None], runs, axis=1)
            for week, value, probability, delay in lever.steps:
                happens = rng.random(runs) < probability if probability < 1 else np.ones(runs, bool)
                begins = week + (rng.integers(0, delay + 1, runs) if delay else np.zeros(runs, int))
                if lever.kind == "control":  # an event: set once, in the week it happens
                    for n in np.flatnonzero(happens & (begins < weeks)):
                        table[begins[n], n] = value
                else:
                    mask = happens[None, :] & (np.arange(weeks)[:, None] >= begins[None, :])
                    table[mask] = value
            self.levels.append(table)
            changed = np.ones(weeks, bool)  # where a week's row differs from the week before's (NaN equal to NaN)
            if weeks > 1:
                now, before = table[1:], table[:-1]
                changed[1:] = ~((now == before) | (np.isnan(now) & np.isnan(before))).all(axis=1)
            self.versions.append(np.cumsum(changed))
        return state

    def act(self, state: WarState, rng: np.random.Generator) -> WarState:
        w = state.week
        changes: dict[str, np.ndarray] = {}
        for position, (lever, table, version) in enumerate(zip(self.inputs, self.levels, self.versions)):
            if w >= table.shape[0]:
                continue
            row = table[w]
            set_here = ~np.isnan(row)
            if not set_here.any():
                continue
            if lever.kind == "production":
                changes["materiel"] = self._produce(changes.get("materiel", state.materiel), lever.column, row,
                                                   set_here, position, int(version[w]))
                continue
            field = {"aid": "aid_factor", "line": "line_factor", "recruitment": "recruitment_factor",
                     "objective": "objective", "control": "control", "counterattack": "counterattack"}[lever.kind]
            values = changes.get(field)
            if values is None:
                values = getattr(state, field).copy()
                changes[field] = values
            if values.ndim == 1:
                values[set_here] = row[set_here]
            else:
                values[set_here, lever.column] = row[set_here]
        return state.replace(**changes) if changes else state

    def _produce(self, materiel: np.ndarray, side: int, index: np.ndarray, set_here: np.ndarray, position: int,
                 version: int) -> np.ndarray:
        """A side's extra output this week where a production index is set: its materiel grows by
        (index^β − 1) × production_per_week, β the side's `production_budget_elasticity` (0: the index buys no
        materiel, 1: output in proportion). Added before the week's fighting, beside the kernel's own output
        (not reduced by energy strikes or sanctions: a stated simplification, keeping the kernel unchanged). β and
        the output are fixed in a block, so the extra output is worked out again only when the lever's row has
        changed since (`version`, counted per lever: a dated step holds the index for months)."""
        out = materiel.copy()
        known = self.extra.get(position)
        if known is not None and known[0] == version:
            extra = known[1]
        else:
            beta = self.elasticity[set_here, side]
            extra = (np.power(np.maximum(index[set_here], 0.0), beta) - 1.0) * self.produced[set_here, side]
            self.extra[position] = (version, extra)
        out[set_here, side] = np.maximum(out[set_here, side] + extra, 0.0)
        return out

    def observe(self, state: WarState, report: object) -> None:
        """Nothing to learn: the inputs are fixed in advance."""

    def metrics(self) -> dict[str, np.ndarray]:
        return {}

    def weekly(self) -> dict[str, np.ndarray]:
        return {}

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        return {}


class ScheduleFactory:
    """Makes a block's schedule controller (picklable: holds the scenario, compiles per model)."""

    def __init__(self, scenario: Scenario):
        self.scenario = scenario

    def __call__(self, model: WarModel) -> ScheduleController:
        return ScheduleController(compile_inputs(self.scenario, model), model)
