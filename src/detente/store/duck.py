"""Store ensembles in DuckDB: a manifest per run, per-run metrics, weekly fan-chart data, the region map.

A run is first registered as `running` (committed at once), then all its rows and the flip to `complete`
go in one transaction: a process killed halfway leaves earlier runs intact and its own run visibly
incomplete, never half-written and reported as done. The file is opened only for the moment of a write,
so two processes can share it; a file that is not DuckDB is refused, never overwritten.

Resuming. Each `running` run records its owner (host, pid and the process's start time). A run whose
owner is gone (killed, crashed, interrupted) is listed as `incomplete`. `begin_or_resume` given the same
scenario hash, seed and number of runs claims such a run and hands back its id, so the rerun completes it
under the same run id: ensembles are deterministic, so the rerun computes exactly what the lost one
would have. A run owned by a live process (or one on another host) is never claimed.
"""

from __future__ import annotations

import datetime as dt
import errno
import json
import os
import socket
import time
import uuid
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Iterator

import duckdb
import numpy as np

from detente.errors import StoreError

SCHEMA_VERSION = 1
DUCKDB_MAGIC = b"DUCK"
LOCK_WAIT_SECONDS = 30.0
METRIC_ROWS_PER_INSERT = 2_000_000  # per-run metric rows written per statement (bounds the frame in memory)

SCHEMA = """
CREATE TABLE IF NOT EXISTS store_info (key VARCHAR PRIMARY KEY, value VARCHAR);
CREATE TABLE IF NOT EXISTS runs (
    run_id VARCHAR PRIMARY KEY, scenario VARCHAR, scenario_path VARCHAR, scenario_hash VARCHAR,
    scenario_json VARCHAR, seed BIGINT, runs INTEGER, horizon_weeks INTEGER, start_date DATE,
    package_version VARCHAR, backend VARCHAR, created_at TIMESTAMP, completed_at TIMESTAMP, status VARCHAR,
    manifest VARCHAR);
CREATE TABLE IF NOT EXISTS run_metrics (run_id VARCHAR, run INTEGER, metric VARCHAR, value DOUBLE);
CREATE TABLE IF NOT EXISTS metric_summary (run_id VARCHAR, metric VARCHAR, mean DOUBLE, sd DOUBLE, p05 DOUBLE,
    p10 DOUBLE, p25 DOUBLE, p50 DOUBLE, p75 DOUBLE, p90 DOUBLE, p95 DOUBLE);
ALTER TABLE metric_summary ADD COLUMN IF NOT EXISTS kind VARCHAR;
ALTER TABLE metric_summary ADD COLUMN IF NOT EXISTS unit VARCHAR;
ALTER TABLE metric_summary ADD COLUMN IF NOT EXISTS section VARCHAR;
CREATE TABLE IF NOT EXISTS weekly_summary (run_id VARCHAR, series VARCHAR, week INTEGER, date DATE, mean DOUBLE,
    p05 DOUBLE, p10 DOUBLE, p25 DOUBLE, p50 DOUBLE, p75 DOUBLE, p90 DOUBLE, p95 DOUBLE);
CREATE TABLE IF NOT EXISTS region_weekly (run_id VARCHAR, region VARCHAR, week INTEGER, date DATE,
    mean_control DOUBLE, p10_control DOUBLE, p50_control DOUBLE, p90_control DOUBLE,
    p_russian_majority DOUBLE, p_changed_hands DOUBLE);
"""


RUNNING, COMPLETE, INCOMPLETE = "running", "complete", "incomplete"


def owner_stamp(pid: int | None = None) -> dict[str, Any]:
    """Who is writing a run: host, pid and the process's start time (so a reused pid is not mistaken)."""
    pid = os.getpid() if pid is None else pid
    return {"host": socket.gethostname(), "pid": pid, "started": _process_start(pid)}


def _process_start(pid: int) -> str | None:
    """The kernel's start time of a process (clock ticks since boot), None where /proc is not there."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat.rsplit(")", 1)[1].split()
    return fields[19] if len(fields) > 19 else None


def owner_alive(owner: dict[str, Any] | None) -> bool:
    """Whether the process that registered a run is still running (runs on another host count as alive)."""
    if not owner or "pid" not in owner:
        return False
    if owner.get("host") != socket.gethostname():
        return True
    pid = int(owner["pid"])
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        pass
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return True
    state = stat.rsplit(")", 1)[1].split()[0]
    if state in ("Z", "X"):
        return False
    return owner.get("started") in (None, _process_start(pid))


def _displayed_status(status: str, manifest_json: str | None) -> str:
    if status != RUNNING:
        return status
    try:
        owner = json.loads(manifest_json or "{}").get("owner")
    except ValueError:
        owner = None
    return RUNNING if owner_alive(owner) else INCOMPLETE


def _why(error: BaseException) -> str:
    """One line saying why a write failed, in the user's terms (disk full, read-only, …)."""
    text = str(error).splitlines()[0] if str(error) else type(error).__name__
    low = text.lower()
    if "no space" in low or "disk is full" in low or "enospc" in low or getattr(error, "errno", None) == errno.ENOSPC:
        return "the disk is full (free some space or choose another --store)"
    if "read-only" in low or "read only" in low or getattr(error, "errno", None) == errno.EROFS:
        return "the results folder is read-only (choose another --store)"
    if "permission" in low or getattr(error, "errno", None) == errno.EACCES:
        return "no permission to write there (choose another --store)"
    return text


def default_store_path() -> Path:
    """The store used when none is named: $DETENTE_STORE, else $DETENTE_RESULTS (its older name), else the
    user's data folder (see `store.location`); always absolute, so what a command reports is the file it wrote."""
    from detente.store.location import store_path

    return store_path(None).absolute()


def _check_file(path: Path) -> None:
    if path.is_dir():
        raise StoreError(f"{path} is a directory; give a file name such as {path / 'detente.duckdb'}")
    if path.exists() and path.stat().st_size > 0:
        with path.open("rb") as handle:
            head = handle.read(16)
        if DUCKDB_MAGIC not in head:
            raise StoreError(f"{path} exists and is not a DuckDB file; refusing to touch it "
                             "(choose another --store, or move that file away)")


def _no_progress_bar(con: duckdb.DuckDBPyConnection) -> None:
    """DuckDB draws a progress bar on stdout for a query over 2 s (a loaded machine's resume), which would corrupt
    `--json` output; progress is ours to show, on stderr. Inside Jupyter without ipywidgets DuckDB refuses to
    change the setting at all, and there is no stdout document to protect, so a refusal is ignored."""
    try:
        con.execute("SET enable_progress_bar = false")
    except duckdb.Error:
        pass


class ResultStore:
    """A DuckDB results file; every public method opens, does one thing in a transaction, and closes."""

    def __init__(self, path: str | Path, read_only: bool = False):
        self.path = Path(path).absolute()
        self.read_only = read_only
        _check_file(self.path)
        if not read_only:
            try:
                self.path.parent.mkdir(parents=True, exist_ok=True)
            except OSError as error:
                raise StoreError(f"cannot create the results folder {self.path.parent}: {_why(error)}") from None
            try:
                with self._connect() as con:
                    con.execute(SCHEMA)
                    con.execute("INSERT OR IGNORE INTO store_info VALUES ('schema_version', ?)",
                                [str(SCHEMA_VERSION)])
            except duckdb.Error as error:
                raise StoreError(f"cannot write to {self.path}: {_why(error)}; nothing stored there was changed") \
                    from None
        elif not self.path.exists():
            raise StoreError(f"no results store at {self.path}; run `detente run SCENARIO` first")

    @contextmanager
    def _connect(self) -> Iterator[duckdb.DuckDBPyConnection]:
        deadline = time.monotonic() + LOCK_WAIT_SECONDS
        while True:
            try:
                con = duckdb.connect(str(self.path), read_only=self.read_only)
                _no_progress_bar(con)
                break
            except duckdb.IOException as error:
                text = str(error)
                if ("lock" in text.lower() or "Conflicting" in text) and time.monotonic() < deadline:
                    time.sleep(0.2)
                    continue
                if "lock" in text.lower():
                    raise StoreError(f"{self.path} is in use by another process (held for more than "
                                     f"{LOCK_WAIT_SECONDS:.0f} s); try again when it finishes, or use --store") from None
                if "Read-only" in text or "read-only" in text or "Permission" in text or "No space" in text:
                    raise StoreError(f"{self.path} cannot be written: {_why(error)}") from None
                raise StoreError(f"{self.path} cannot be opened as a DuckDB store: {text.splitlines()[0]}") from None
            except duckdb.Error as error:
                raise StoreError(f"{self.path} cannot be opened as a DuckDB store: {str(error).splitlines()[0]}") from None
        try:
            yield con
        finally:
            con.close()

    def begin_run(self, manifest: dict[str, Any], scenario_json: str) -> str:
        """Register a run as `running` and return its id."""
        stamp = dt.datetime.now(dt.timezone.utc).strftime("%Y%m%d-%H%M%S")
        run_id = f"{manifest['scenario']}-{stamp}-{uuid.uuid4().hex[:6]}"
        manifest = {**manifest, "owner": owner_stamp()}
        try:
            with self._connect() as con:
                con.execute("INSERT INTO runs VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, 'running', ?)", [
                    run_id, manifest["scenario"], manifest["scenario_path"], manifest["scenario_hash"], scenario_json,
                    manifest["seed"], manifest["runs"], manifest["horizon_weeks"], manifest["start"],
                    manifest["package_version"], manifest.get("backend", ""), dt.datetime.now(dt.timezone.utc),
                    json.dumps(manifest)])
        except duckdb.Error as error:
            raise StoreError(f"cannot write to {self.path}: {_why(error)}; earlier runs are intact") from None
        return run_id

    def find_incomplete(self, scenario_hash: str, seed: int, runs: int) -> list[str]:
        """Ids of runs of this scenario hash, seed and size whose writer is gone, oldest first."""
        with self._connect() as con:
            rows = con.execute("SELECT run_id, manifest FROM runs WHERE status = ? AND scenario_hash = ? AND seed = ? "
                               "AND runs = ? ORDER BY created_at", [RUNNING, scenario_hash, seed, runs]).fetchall()
        return [run_id for run_id, manifest in rows if _displayed_status(RUNNING, manifest) == INCOMPLETE]

    def begin_or_resume(self, manifest: dict[str, Any], scenario_json: str) -> tuple[str, bool]:
        """Claim an incomplete run of the same scenario hash, seed and runs, or register a new one.

        Returns (run id, resumed). The claim re-checks the run inside a transaction while this process
        holds the file, so two reruns never claim the same run.
        """
        for run_id in self.find_incomplete(manifest["scenario_hash"], manifest["seed"], manifest["runs"]):
            try:
                with self._connect() as con:
                    con.execute("BEGIN TRANSACTION")
                    row = con.execute("SELECT status, manifest FROM runs WHERE run_id = ?", [run_id]).fetchone()
                    if row is None or _displayed_status(row[0], row[1]) != INCOMPLETE:
                        con.execute("ROLLBACK")
                        continue
                    stored = json.loads(row[1])
                    stored["owner"] = owner_stamp()
                    stored["resumed"] = int(stored.get("resumed", 0)) + 1
                    con.execute("UPDATE runs SET manifest = ? WHERE run_id = ?", [json.dumps(stored), run_id])
                    con.execute("COMMIT")
            except duckdb.Error as error:
                raise StoreError(f"cannot write to {self.path}: {_why(error)}; earlier runs are intact") from None
            return run_id, True
        return self.begin_run(manifest, scenario_json), False

    def release_run(self, run_id: str) -> None:
        """Give up a `running` run this process cannot finish (its ensemble failed, the process lives on): its
        owner is cleared, so it is listed as incomplete and the next identical request completes it."""
        try:
            with self._connect() as con:
                row = con.execute("SELECT manifest FROM runs WHERE run_id = ? AND status = ?",
                                  [run_id, RUNNING]).fetchone()
                if row is not None:
                    stored = json.loads(row[0])
                    stored["owner"] = None
                    con.execute("UPDATE runs SET manifest = ? WHERE run_id = ?", [json.dumps(stored), run_id])
        except (duckdb.Error, StoreError):
            pass  # the run then shows as running until this process ends, and as incomplete after

    def complete_run(self, run_id: str, result: Any) -> None:
        """Write every table of a finished ensemble and mark it complete, all in one transaction."""
        start = dt.date.fromisoformat(result.manifest["start"])
        metric_names = sorted(result.metrics)
        run_index = np.arange(result.runs, dtype=np.int32)
        summary = result.summary()
        summary_rows = [(run_id, m, s["mean"], s["sd"], s["p05"], s["p10"], s["p25"], s["p50"], s["p75"], s["p90"],
                         s["p95"], *_declared(m)) for m, s in summary.items()]
        weekly_frame = _weekly_frame(run_id, start, result.weekly)
        weeks, regions = result.regions["mean_control"].shape
        region_frame = {
            "run_id": np.full(weeks * regions, run_id, dtype=object),
            "region": np.tile(np.array(result.region_ids, dtype=object), weeks),
            "week": np.repeat(np.arange(weeks, dtype=np.int32), regions),
            "date": np.repeat(np.array([start + dt.timedelta(weeks=w) for w in range(weeks)], dtype="datetime64[us]"),
                              regions),
        }
        for key in ("mean_control", "p10_control", "p50_control", "p90_control", "p_russian_majority",
                    "p_changed_hands"):
            region_frame[key] = result.regions[key].ravel()
        try:
            with self._connect() as con:
                # one thread: the rows are appended in order, and a second thread only contends for the same
                # appender (20,000 runs: 4.2 M metric rows, 4.2 s CPU against 6.3–8.1 s with DuckDB's default
                # of a thread per core, 70 MB less peak memory, wall no longer, on the shared 2-core machine)
                con.execute("SET threads = 1")
                con.execute("BEGIN TRANSACTION")
                try:
                    status = con.execute("SELECT status FROM runs WHERE run_id = ?", [run_id]).fetchone()
                    if status is not None and status[0] == COMPLETE:
                        raise StoreError(f"run {run_id} is already complete in {self.path}; nothing was changed")
                    for table in ("run_metrics", "metric_summary", "weekly_summary", "region_weekly"):
                        con.execute(f"DELETE FROM {table} WHERE run_id = ?", [run_id])  # leftovers of a lost attempt
                    per_insert = max(1, METRIC_ROWS_PER_INSERT // max(result.runs, 1))
                    for first in range(0, len(metric_names), per_insert):  # memory stays flat however many runs
                        names = metric_names[first: first + per_insert]
                        con.register("metric_frame", {
                            "metric": np.repeat(np.array(names, dtype=object), result.runs),
                            "run": np.tile(run_index, len(names)),
                            "value": np.concatenate([np.asarray(result.metrics[m], float) for m in names])})
                        con.execute("INSERT INTO run_metrics SELECT ?, run, metric, value FROM metric_frame", [run_id])
                        con.unregister("metric_frame")
                    con.executemany("INSERT INTO metric_summary (run_id, metric, mean, sd, p05, p10, p25, p50, p75, "
                                    "p90, p95, kind, unit, section) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                                    summary_rows)
                    if weekly_frame:
                        con.register("weekly_frame", weekly_frame)
                        con.execute("INSERT INTO weekly_summary SELECT run_id, series, week, CAST(date AS DATE), mean, "
                                    "p05, p10, p25, p50, p75, p90, p95 FROM weekly_frame")
                        con.unregister("weekly_frame")
                    con.register("region_frame", region_frame)
                    con.execute("INSERT INTO region_weekly SELECT run_id, region, week, CAST(date AS DATE), mean_control, "
                                "p10_control, p50_control, p90_control, p_russian_majority, p_changed_hands "
                                "FROM region_frame")
                    for name, frame in getattr(result, "tables", {}).items():
                        frame = {"run_id": np.full(len(next(iter(frame.values()))), run_id, dtype=object), **frame}
                        insert_by_name(con, name, frame, run_id)
                    con.execute("UPDATE runs SET status = 'complete', completed_at = ? WHERE run_id = ?",
                                [dt.datetime.now(dt.timezone.utc), run_id])
                    con.execute("COMMIT")
                except BaseException:
                    con.execute("ROLLBACK")
                    raise
        except duckdb.Error as error:
            raise StoreError(f"could not store run {run_id} in {self.path}: {_why(error)}; "
                             "earlier runs are intact, and this one is listed as incomplete: rerun the same "
                             "command to complete it") from None

    def list_runs(self) -> list[dict[str, Any]]:
        """Every run with its manifest fields, newest first."""
        with self._connect() as con:
            rows = con.execute("SELECT run_id, scenario, scenario_hash, seed, runs, horizon_weeks, start_date, "
                               "package_version, created_at, completed_at, status, manifest FROM runs "
                               "ORDER BY created_at DESC").fetchall()
        keys = ("run_id", "scenario", "scenario_hash", "seed", "runs", "horizon_weeks", "start_date",
                "package_version", "created_at", "completed_at", "status")
        listed = []
        for row in rows:
            entry = {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in zip(keys, row[:-1])}
            entry["status"] = _displayed_status(entry["status"], row[-1])
            listed.append(entry)
        return listed

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """One run's manifest and metric summary, or None if there is no such run."""
        with self._connect() as con:
            row = con.execute("SELECT manifest, status, completed_at FROM runs WHERE run_id = ?", [run_id]).fetchone()
            if row is None:
                return None
            metrics = con.execute("SELECT metric, mean, p10, p50, p90 FROM metric_summary WHERE run_id = ? "
                                  "ORDER BY metric", [run_id]).fetchall()
        manifest = json.loads(row[0])
        return {"run_id": run_id, "status": _displayed_status(row[1], row[0]), "completed_at": row[2].isoformat() if row[2] else None,
                "manifest": manifest,
                "metrics": {m: {"mean": a, "p10": b, "p50": c, "p90": d} for m, a, b, c, d in metrics}}

    def query(self, sql: str, params: list[Any] | None = None) -> list[tuple]:
        """Read-only helper for the report and the server."""
        with self._connect() as con:
            return con.execute(sql, params or []).fetchall()


def _declared(metric: str) -> tuple[str | None, str | None, str | None]:
    """(kind, unit, section) of a metric as the registry declares it, kept beside its summary so that SQL and
    exported files tell a probability from a quantity without decoding names; NULLs if undeclared."""
    from detente.ensemble import registry

    found = registry.find(metric)
    return (found.kind, found.unit, found.section) if found else (None, None, None)


def insert_by_name(con: duckdb.DuckDBPyConnection, table: str, frame: dict[str, np.ndarray], run_id: str) -> None:
    """Append a run's rows to a scenario-dependent table (agreements with a column per issue, decisions, …)
    matching columns by name: the table's columns become the union of every run's, a column a run lacks is
    NULL in its rows, and the order of a scenario's issues never matters. Rows of `run_id` already there (a
    lost attempt) are replaced."""
    con.register("extra_frame", frame)
    try:
        con.execute(f'CREATE TABLE IF NOT EXISTS "{table}" AS SELECT * FROM extra_frame WHERE false')
        have = {row[0] for row in con.execute(f'DESCRIBE "{table}"').fetchall()}
        for column, kind, *_ in con.execute("DESCRIBE extra_frame").fetchall():
            if column not in have:
                con.execute(f'ALTER TABLE "{table}" ADD COLUMN "{column}" {kind}')
        con.execute(f'DELETE FROM "{table}" WHERE run_id = ?', [run_id])
        con.execute(f'INSERT INTO "{table}" BY NAME SELECT * FROM extra_frame')
    finally:
        con.unregister("extra_frame")


def _weekly_frame(run_id: str, start: dt.date, weekly: dict[str, dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """The weekly_summary rows of an ensemble as columns (one row per series and week); {} when there are none."""
    if not weekly:
        return {}
    names = list(weekly)
    weeks = len(weekly[names[0]]["mean"])
    dates = np.array([start + dt.timedelta(weeks=w) for w in range(weeks)], dtype="datetime64[us]")
    frame = {"run_id": np.full(len(names) * weeks, run_id, dtype=object),
             "series": np.repeat(np.array(names, dtype=object), weeks),
             "week": np.tile(np.arange(weeks, dtype=np.int32), len(names)), "date": np.tile(dates, len(names))}
    for stat in ("mean", "p05", "p10", "p25", "p50", "p75", "p90", "p95"):
        frame[stat] = np.concatenate([np.asarray(weekly[name][stat], float) for name in names])
    return frame
