"""Run an ensemble: blocks of runs advanced together as arrays, summaries streamed out as blocks finish.

`run_block` is the unit of work (a pure function of model, seed and block index), which is what makes
results independent of how blocks are batched or which machine runs them. `simulate` plans the blocks,
runs them through a backend, and merges their outputs in block order.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Iterable, Protocol

import numpy as np

from detente import __version__
from detente.engine import WeekReport, step
from detente.ensemble import metrics as metric_defs
from detente.ensemble.per_run import is_scenario_key
from detente.ensemble.result_views import ResultViews, block_paths, chosen_runs, join_paths
from detente.ensemble.streams import BLOCK_RUNS, BlockContext, block_plan
from detente.ensemble.summaries import RegionCounts, SpilledBlock, WeeklySeries, summarise
from detente.errors import RunRefused
from detente.scenario.loader import LoadedScenario, load_scenario
from detente.world.model import WarModel, compile_model, initial_state, realise
from detente.world.state import WarState

MAX_RUNS = 2_000_000          # beyond this the per-run metric table alone outgrows a laptop
BYTES_PER_RUN_METRIC = 8


class Controller(Protocol):
    """Something that acts on the war each week: the bargaining table, actors' decisions, scripts."""

    def start(self, model: WarModel, state: WarState, context: BlockContext) -> WarState:
        """Prepare for a block of runs; may set levers in the initial state. Randomness comes from the
        context's streams by name (`context.stream("table")`), never from the war's own streams."""

    def act(self, state: WarState, context: BlockContext) -> WarState:
        """Before the week's fighting: set truces, objectives, aid and strike levers."""

    def observe(self, state: WarState, report: WeekReport) -> None:
        """After the week's fighting: update beliefs, agreements, records."""

    def metrics(self) -> dict[str, np.ndarray]:
        """Per-run outcome metrics of this block (name -> (n,))."""

    def weekly(self) -> dict[str, np.ndarray]:
        """Per-run weekly series of this block (name -> (n, W+1))."""

    def tables(self) -> dict[str, dict[str, np.ndarray]]:
        """Row tables for the store (table -> column -> values); a column `run` holds block-local run indices."""


ControllerFactory = Callable[[WarModel], Controller]


@dataclass
class BlockOutput:
    """What one block of runs leaves behind."""

    block: int
    runs: int
    metrics: dict[str, np.ndarray]
    weekly: dict[str, np.ndarray] | SpilledBlock   # name -> (n, W+1), or already on disk (worker processes)
    regions: RegionCounts
    extras: dict[str, Any] = field(default_factory=dict)


def run_block(model: WarModel, seed: int, block: int, runs: int,
              controllers: Iterable[ControllerFactory] = (),
              overrides: dict[tuple, np.ndarray] | None = None) -> BlockOutput:
    """Simulate one block of runs from week 0 to the horizon.

    `overrides` maps model keys (see `world.model.model_key`) to per-run values for the whole ensemble;
    this block takes its slice.
    """
    context = BlockContext.of_block(seed, block, runs)
    params_rng, dynamics_rng = context.stream("parameters"), context.stream("dynamics")
    first = context.first_run
    sliced = {k: np.asarray(v)[first: first + runs] for k, v in (overrides or {}).items()}
    context.overrides.update({k: v for k, v in sliced.items() if is_scenario_key(k)})  # the table's, decisions'
    model = realise(model, runs, params_rng, {k: v for k, v in sliced.items() if not is_scenario_key(k)})
    state = initial_state(model, runs)
    active = [make(model) for make in controllers]
    for controller in active:
        state = controller.start(model, state, context)
    start = state
    weeks = model.horizon_weeks
    core_names = list(metric_defs.weekly_reporters(model))  # all of them, in the order record_core writes them
    # week-major (a week's runs side by side, as a week is written and as the summaries read it); each series
    # is handed on as its (runs, W+1) view
    core = np.empty((len(core_names), weeks + 1, runs))
    weekly = {name: core[i].T for i, name in enumerate(core_names)}
    regions = RegionCounts.empty(weeks, model.n_regions)
    start_majority = start.control > 0.5

    def record(s: WarState) -> None:
        metric_defs.record_core(model, start, s, core)
        regions.add_week(s.week, s.control, start_majority)

    record(state)
    for _ in range(weeks):
        for controller in active:
            state = controller.act(state, context)
        state, report = step(state, model, dynamics_rng, report=bool(active))
        for controller in active:
            controller.observe(state, report)
        record(state)
    regions.runs = runs
    outcome = metric_defs.final_metrics(model, start, state)
    gained = core[core_names.index("area_gained_km2")]   # (W+1, runs): a counter-attack shows only over time
    outcome["area_retaken_km2"] = gained.max(axis=0) - gained[weeks]
    tables: dict[str, dict[str, np.ndarray]] = {}
    for controller in active:
        outcome.update(controller.metrics())
        weekly.update(controller.weekly())
        for name, frame in (controller.tables() if hasattr(controller, "tables") else {}).items():
            frame = dict(frame)
            if "run" in frame:
                frame["run"] = np.asarray(frame["run"]) + first
            tables[name] = frame
    return BlockOutput(block=block, runs=runs, metrics=outcome, weekly=weekly, regions=regions,
                       extras={"tables": tables})


@dataclass(repr=False)
class EnsembleResult(ResultViews):
    """An ensemble's outcome: per-run metrics, their summaries, weekly fan-chart data, the region map.

    Its views for notebooks (`to_pandas`, `to_xarray`, `plot`, a short repr) are in `result_views.py`.
    """

    loaded: LoadedScenario
    runs: int
    seed: int
    metrics: dict[str, np.ndarray]
    weekly: dict[str, dict[str, np.ndarray]]
    regions: dict[str, np.ndarray]
    region_ids: tuple[str, ...]
    manifest: dict[str, Any]
    tables: dict[str, dict[str, np.ndarray]] = field(default_factory=dict)
    paths: dict[str, np.ndarray] = field(default_factory=dict)   # series -> (kept runs, W+1), see keep_paths
    path_runs: np.ndarray = field(default_factory=lambda: np.empty(0, dtype=np.int64))
    _summary: dict[str, dict[str, float]] | None = field(default=None, init=False, repr=False, compare=False)

    def summary(self) -> dict[str, dict[str, float]]:
        """metric -> {mean, sd, p05 … p95}; computed once (the CLI, the store and --json all read it)."""
        if self._summary is None:
            self._summary = {name: summarise(values) for name, values in self.metrics.items()}
        return self._summary

    def save(self, store: str | Path | None = None) -> str:
        """Store this ensemble (in `store`, else $DETENTE_STORE or the user's default store) and return its run
        id; an incomplete run of the same scenario, seed and runs left by a killed process is completed."""
        from detente.store.run import save_result

        return save_result(self, store)

    def to_json(self) -> dict[str, Any]:
        """The `--json` object: scenario, runs, seed and each metric's mean and quantiles."""
        keep = ("mean", "p10", "p50", "p90")
        return {"scenario": self.loaded.name, "runs": self.runs, "seed": self.seed,
                "scenario_hash": self.loaded.digest,
                "metrics": {k: {s: v[s] for s in keep} for k, v in self.summary().items()}}


def planned_manifest(loaded: LoadedScenario, runs: int, seed: int, backend: Any = None) -> dict[str, Any]:
    """What identifies an ensemble: scenario (name, path, hash, extends chain), seed, runs, horizon, start,
    package version, backend and when. A run is registered with it before it starts, and `simulate`
    records the same one with its results."""
    if backend is None:
        from detente.ensemble.backends import LocalBackend

        backend = LocalBackend()
    return {
        "scenario": loaded.name, "scenario_path": str(loaded.path), "scenario_hash": loaded.digest,
        "chain": [str(p) for p in loaded.chain], "seed": seed, "runs": runs,
        "horizon_weeks": loaded.scenario.horizon_weeks, "start": loaded.scenario.start.isoformat(),
        "package_version": __version__, "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
        "backend": type(backend).__name__,
    }


def check_runs(runs: int, n_metrics_hint: int = 80) -> None:
    """Refuse ensembles that are empty or would not fit in memory, saying what would."""
    if runs < 1:
        raise RunRefused(f"--runs must be at least 1 (got {runs}); try --runs 1000")
    if runs > MAX_RUNS:
        need_gb = runs * n_metrics_hint * BYTES_PER_RUN_METRIC * 3 / 1e9
        raise RunRefused(f"--runs {runs:,} is more than this machine can summarise in memory (limit {MAX_RUNS:,}; "
                         f"about {need_gb:.0f} GB needed); split it into several runs with different --seed values, "
                         "or use --backend dask on a cluster")


def check_seed(seed: int) -> None:
    """Refuse a seed the random streams or the store cannot take (negative, or past the store's BIGINT)."""
    if not isinstance(seed, (int, np.integer)) or isinstance(seed, bool) or not 0 <= int(seed) <= 2**63 - 1:
        raise RunRefused(f"--seed must be a whole number from 0 to 2^63−1 (got {seed!r}); try --seed 1")


def simulate(scenario: str | Path | LoadedScenario, runs: int = 1000, seed: int = 0,
             progress: Callable[[int], None] | None = None, backend: Any = None,
             controllers: Iterable[ControllerFactory] | None = None,
             overrides: dict[tuple, np.ndarray] | None = None,
             keep_paths: int | Iterable[int] | None = None) -> EnsembleResult:
    """Run an ensemble and summarise it; `progress(runs_done)` is called as blocks finish.

    `overrides` gives per-run values of parameters by model key (see `world.model.model_key`), each an
    array of length `runs`: how a sensitivity design runs all its samples as one ensemble.
    `keep_paths` keeps the weekly path of every series for some runs: n (the first n) or a list of indices.
    """
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    check_runs(runs)
    check_seed(seed)
    kept_runs = chosen_runs(keep_paths, runs)
    kept_parts: list[tuple[int, dict[str, np.ndarray]]] = []
    model = compile_model(loaded.scenario)
    if controllers is None:
        from detente.ensemble.controllers import default_controllers

        controllers = default_controllers(loaded.scenario)
    controllers = tuple(controllers)
    plan = block_plan(runs)
    if backend is None:
        from detente.ensemble.backends import LocalBackend

        backend = LocalBackend()
    collected: dict[str, list[np.ndarray]] = {}
    table_parts: dict[str, list[dict[str, np.ndarray]]] = {}
    regions = RegionCounts.empty(model.horizon_weeks, model.n_regions)
    weekly_store: WeeklySeries | None = None
    done = 0
    try:
        for output in backend.map_blocks(model, seed, plan, controllers, overrides):
            for name, values in output.metrics.items():
                collected.setdefault(name, []).append(values)
            for name, frame in output.extras.get("tables", {}).items():
                table_parts.setdefault(name, []).append(frame)
            if weekly_store is None:
                names = output.weekly.names if isinstance(output.weekly, SpilledBlock) else output.weekly
                weekly_store = WeeklySeries(list(names))
            if kept_runs.size:
                kept_parts.append((output.block, block_paths(output.weekly, output.block * BLOCK_RUNS, output.runs,
                                                             kept_runs)))
            weekly_store.add_block(output.weekly)
            regions.merge(output.regions)
            done += output.runs
            if progress:
                progress(done)
        weekly = weekly_store.summary() if weekly_store else {}
    finally:
        if weekly_store is not None:
            weekly_store.close()
    metrics = {name: np.concatenate(parts) for name, parts in collected.items()}
    tables = {name: {col: np.concatenate([np.asarray(p[col]) for p in parts]) for col in parts[0]}
              for name, parts in table_parts.items()}
    manifest = planned_manifest(loaded, runs, seed, backend)
    return EnsembleResult(loaded=loaded, runs=runs, seed=seed, metrics=metrics, weekly=weekly,
                          regions=regions.table(), region_ids=model.region_ids, manifest=manifest, tables=tables,
                          paths=join_paths(kept_parts), path_runs=kept_runs)
