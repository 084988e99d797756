"""Export one stored run as files other tools read: Parquet or CSV, one file per table, and its manifest.

Written by DuckDB's own COPY, so the files hold exactly the stored rows with their column types (dates as
dates, integers as integers). What a run exports (docs/store.md describes every table):

- `manifest.json`: the run's manifest (scenario, hash, seed, runs, horizon, start, version, backend, when)
  and the scenario as it was run;
- `run.<fmt>`: its row of the `runs` table (without the scenario document, which is in manifest.json);
- `metrics_per_run.<fmt>`: one row per run and metric (run, metric, value): the outcome at the horizon;
- `metrics_wide.<fmt>`: the same, one row per run and a column per metric (what a spreadsheet wants);
- `metric_summary.<fmt>`, `weekly_quantiles.<fmt>` (the fan charts), `region_weekly.<fmt>` (the map);
- every scenario-dependent table with rows for the run: `agreements`, `decisions`, `leaders_fallen`, …
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import duckdb

from detente.errors import DetenteError, StoreError
from detente.store.duck import COMPLETE, ResultStore

FORMATS = ("parquet", "csv")
FIXED = {  # stored table -> exported file name
    "run_metrics": "metrics_per_run",
    "metric_summary": "metric_summary",
    "weekly_summary": "weekly_quantiles",
    "region_weekly": "region_weekly",
}
NOT_EXPORTED = {"runs", "store_info", "run_labels"}  # the run's row and manifest are written on their own


def export_run(store: ResultStore, run_id: str, folder: str | Path, fmt: str = "parquet") -> list[Path]:
    """Write the run's tables into `folder` (created if needed) and return the files written."""
    if fmt not in FORMATS:
        raise DetenteError(f"unknown format '{fmt}'; choose one of: {', '.join(FORMATS)}")
    shown = store.get_run(run_id)
    if shown is None:
        raise DetenteError(f"no run '{run_id}' in {store.path}; `detente runs --store {store.path}` lists them")
    if shown["status"] != COMPLETE:
        raise StoreError(f"run '{run_id}' is {shown['status']}, not complete; nothing to export")
    folder = Path(folder)
    if folder.exists() and not folder.is_dir():
        raise DetenteError(f"{folder} exists and is not a folder; give a folder for the exported files")
    try:
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as error:
        raise DetenteError(f"cannot create {folder}: {error.strerror or error}") from None
    written: list[Path] = []
    scenario_json = store.query("SELECT scenario_json FROM runs WHERE run_id = ?", [run_id])[0][0]
    manifest = folder / "manifest.json"
    manifest.write_text(json.dumps({"run_id": run_id, "status": shown["status"],
                                    "completed_at": shown["completed_at"], "manifest": shown["manifest"],
                                    "scenario": json.loads(scenario_json) if scenario_json else None},
                                   indent=2, default=str))
    written.append(manifest)
    with store._connect() as con:
        tables = _tables_with_run_id(con)
        written.append(_copy(con, "SELECT * EXCLUDE (scenario_json) FROM runs WHERE run_id = $run", run_id,
                             folder / f"run.{fmt}", fmt))
        for table, name in FIXED.items():
            order = {"run_metrics": "run, metric", "metric_summary": "metric", "weekly_summary": "series, week",
                     "region_weekly": "week, region"}[table]
            written.append(_copy(con, f'SELECT * FROM "{table}" WHERE run_id = $run ORDER BY {order}', run_id,
                                 folder / f"{name}.{fmt}", fmt))
        written.append(_copy_wide(con, run_id, folder / f"metrics_wide.{fmt}", fmt))
        for table in sorted(tables - set(FIXED) - NOT_EXPORTED):
            count = con.execute(f'SELECT count(*) FROM "{table}" WHERE run_id = ?', [run_id]).fetchone()[0]
            if count:
                columns = _select_list(con, table)
                written.append(_copy(con, f'SELECT {columns} FROM "{table}" WHERE run_id = $run', run_id,
                                     folder / f"{table}.{fmt}", fmt))
    return written


def _tables_with_run_id(con: duckdb.DuckDBPyConnection) -> set[str]:
    return {row[0] for row in con.execute(
        "SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name = 'run_id'").fetchall()}


def _select_list(con: duckdb.DuckDBPyConnection, table: str) -> str:
    """Every column, those of DuckDB's NULL type (a column no run has filled yet) cast to text so writers take them."""
    parts = []
    for name, kind, *_ in con.execute(f'DESCRIBE "{table}"').fetchall():
        quoted = '"' + name.replace('"', '""') + '"'
        parts.append(f"CAST({quoted} AS VARCHAR) AS {quoted}" if kind == '"NULL"' or kind == "NULL" else quoted)
    return ", ".join(parts)


def _copy(con: duckdb.DuckDBPyConnection, select: str, run_id: str, path: Path, fmt: str) -> Path:
    options = "FORMAT parquet" if fmt == "parquet" else "FORMAT csv, HEADER true"
    target = str(path).replace("'", "''")
    try:
        con.execute(f"COPY ({select}) TO '{target}' ({options})", {"run": run_id})
    except duckdb.Error as error:
        raise StoreError(f"could not write {path}: {str(error).splitlines()[0]}") from None
    return path


def _copy_wide(con: duckdb.DuckDBPyConnection, run_id: str, path: Path, fmt: str) -> Path:
    """One row per run, one column per metric (the metric names are the column names)."""
    names = [row[0] for row in con.execute("SELECT DISTINCT metric FROM run_metrics WHERE run_id = ? ORDER BY 1",
                                           [run_id]).fetchall()]
    columns = ", ".join(f"max(value) FILTER (WHERE metric = {_literal(n)}) AS {_identifier(n)}" for n in names)
    select = (f"SELECT run{', ' + columns if columns else ''} FROM run_metrics WHERE run_id = $run "
              "GROUP BY run ORDER BY run")
    return _copy(con, select, run_id, path, fmt)


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _identifier(text: str) -> str:
    return '"' + text.replace('"', '""') + '"'


def describe_export(written: list[Path]) -> list[dict[str, Any]]:
    """Each written file with its size, for the command's summary and --json."""
    return [{"file": str(p), "bytes": p.stat().st_size} for p in written]
