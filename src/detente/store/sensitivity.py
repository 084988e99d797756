"""Sensitivity analyses in the results store: one manifest row per analysis, one row per index.

Tables (created on first write, beside the run tables of `store.duck`):
- `sensitivity_analyses`: analysis_id, scenario, scenario_hash, method, samples, replicates, runs, seed,
  wall_seconds, created_at, parameters (JSON list of {name, low, high});
- `sensitivity`: analysis_id, metric, parameter, index (S1, S1_conf, ST, ST_conf or mu_star, mu_star_conf,
  sigma), value.
"""

from __future__ import annotations

import json
import uuid
from pathlib import Path
from typing import Any

import duckdb

from detente.errors import StoreError
from detente.store.duck import ResultStore

SCHEMA = """
CREATE TABLE IF NOT EXISTS sensitivity_analyses (analysis_id VARCHAR PRIMARY KEY, scenario VARCHAR,
    scenario_hash VARCHAR, method VARCHAR, samples INTEGER, replicates INTEGER, runs INTEGER, seed BIGINT,
    wall_seconds DOUBLE, created_at VARCHAR, parameters VARCHAR);
CREATE TABLE IF NOT EXISTS sensitivity (analysis_id VARCHAR, metric VARCHAR, parameter VARCHAR, "index" VARCHAR,
    value DOUBLE);
"""


def save_sensitivity(path: str | Path, result: Any) -> str:
    """Store a SensitivityResult in one transaction and return its analysis id."""
    store = ResultStore(path)
    analysis_id = f"{result.scenario}-{result.method}-{uuid.uuid4().hex[:8]}"
    rows = [(analysis_id, metric, parameter, index, float(value))
            for metric, by_param in result.indices.items()
            for parameter, values in by_param.items()
            for index, value in values.items()]
    params = json.dumps([{"name": p.name, "low": p.low, "high": p.high} for p in result.parameters])
    try:
        with store._connect() as con:
            con.execute(SCHEMA)
            con.execute("BEGIN TRANSACTION")
            con.execute("INSERT INTO sensitivity_analyses VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", [
                analysis_id, result.scenario, result.scenario_hash, result.method, result.samples,
                result.replicates, result.runs, result.seed, result.wall_seconds, result.created_at, params])
            if rows:
                con.executemany("INSERT INTO sensitivity VALUES (?, ?, ?, ?, ?)", rows)
            con.execute("COMMIT")
    except duckdb.Error as error:
        raise StoreError(f"could not store the sensitivity analysis in {store.path}: "
                         f"{str(error).splitlines()[0]}") from None
    return analysis_id


def _has_tables(store: ResultStore) -> bool:
    found = store.query("SELECT count(*) FROM information_schema.tables WHERE table_name = 'sensitivity_analyses'")
    return bool(found and found[0][0])


def list_sensitivity(path: str | Path) -> list[dict[str, Any]]:
    """Every stored analysis (newest first), without its indices."""
    store = ResultStore(path, read_only=True)
    if not _has_tables(store):
        return []
    rows = store.query("SELECT analysis_id, scenario, scenario_hash, method, samples, replicates, runs, seed, "
                       "wall_seconds, created_at, parameters FROM sensitivity_analyses ORDER BY created_at DESC")
    keys = ("analysis_id", "scenario", "scenario_hash", "method", "samples", "replicates", "runs", "seed",
            "wall_seconds", "created_at", "parameters")
    listed = [dict(zip(keys, row)) for row in rows]
    for item in listed:
        item["parameters"] = json.loads(item["parameters"])
    return listed


def load_sensitivity(path: str | Path, analysis_id: str) -> dict[str, Any] | None:
    """One analysis with its indices {metric: {parameter: {index: value}}}, or None if there is none."""
    found = [a for a in list_sensitivity(path) if a["analysis_id"] == analysis_id]
    if not found:
        return None
    analysis = found[0]
    rows = ResultStore(path, read_only=True).query(
        'SELECT metric, parameter, "index", value FROM sensitivity WHERE analysis_id = ? '
        "ORDER BY metric, parameter", [analysis_id])
    indices: dict[str, dict[str, dict[str, float]]] = {}
    for metric, parameter, index, value in rows:
        indices.setdefault(metric, {}).setdefault(parameter, {})[index] = value
    analysis["indices"] = indices
    return analysis


def latest_for_scenario(path: str | Path, scenario: str) -> dict[str, Any] | None:
    """The newest analysis of a scenario (by name), with its indices, or None."""
    for analysis in list_sensitivity(path):
        if analysis["scenario"] == scenario:
            return load_sensitivity(path, analysis["analysis_id"])
    return None
