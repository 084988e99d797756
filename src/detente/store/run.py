"""Run a scenario and store it: the one way every face (CLI, dashboard server, Python API) does it.

The order is what makes a run traceable and resumable: the run is registered (`running`, with its planned
manifest and owner) before a single week is simulated, its rows and the flip to `complete` are written in
one transaction at the end, and a run left `incomplete` by a killed process is claimed and completed
under the same id by the next request for the same scenario hash, seed and runs (ensembles are
deterministic, so the rerun computes exactly what the lost one would have). A run that fails inside a
process that lives on (the server) is released, so it shows as incomplete rather than running forever.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

from detente.ensemble.runner import EnsembleResult, check_runs, check_seed, planned_manifest, simulate
from detente.scenario.loader import LoadedScenario, load_scenario
from detente.store.duck import ResultStore
from detente.store.location import store_path


@dataclass(frozen=True)
class StoredRun:
    """An ensemble that was run and stored: its results, run id, store, and whether it completed a lost run."""

    result: EnsembleResult
    run_id: str
    store: Path
    resumed: bool


def run_and_store(scenario: str | Path | LoadedScenario, runs: int = 1000, seed: int = 0,
                  store: str | Path | ResultStore | None = None, backend: Any = None,
                  progress: Callable[[int], None] | None = None,
                  registered: Callable[[str, bool], None] | None = None) -> StoredRun:
    """Register the run, simulate it, store it; `registered(run_id, resumed)` is called once the run is in
    the store (before simulating), `progress(runs_done)` as blocks finish."""
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    check_runs(runs)
    check_seed(seed)  # refused before anything is registered: a bad seed leaves no incomplete run behind
    target = store if isinstance(store, ResultStore) else ResultStore(store_path(store))
    run_id, resumed = target.begin_or_resume(planned_manifest(loaded, runs, seed, backend), _scenario_json(loaded))
    if registered is not None:
        registered(run_id, resumed)
    try:
        result = simulate(loaded, runs=runs, seed=seed, progress=progress, backend=backend)
        target.complete_run(run_id, result)
    except BaseException:
        target.release_run(run_id)  # this process lives on (a server): show the run as incomplete, resumable
        raise
    return StoredRun(result=result, run_id=run_id, store=target.path, resumed=resumed)


def save_result(result: EnsembleResult, store: str | Path | ResultStore | None = None) -> str:
    """Store an ensemble already simulated (`EnsembleResult.save`); returns its run id."""
    target = store if isinstance(store, ResultStore) else ResultStore(store_path(store))
    run_id, _ = target.begin_or_resume(dict(result.manifest), _scenario_json(result.loaded))
    target.complete_run(run_id, result)
    return run_id


def _scenario_json(loaded: LoadedScenario) -> str:
    """The scenario as merged from its `extends` chain, kept with the run (the report reads it)."""
    return json.dumps(loaded.located.data, default=str)
