"""Tend the runs in a store: find a run by id, label or prefix; label it; delete it; prune identical reruns.

Identical reruns: ensembles are deterministic, so two complete runs of the same scenario hash, seed and
number of runs hold the same numbers. `prune` keeps the newest of each such group (and any run with a
label, which someone chose to keep) and deletes the rest, with every row that names them in any table.
"""

from __future__ import annotations

from typing import Any

from detente.errors import DetenteError
from detente.store.duck import COMPLETE, ResultStore

LABELS = "CREATE TABLE IF NOT EXISTS run_labels (run_id VARCHAR PRIMARY KEY, label VARCHAR)"


def labels(store: ResultStore) -> dict[str, str]:
    """run id -> label, for the runs that have one."""
    if not _has_table(store, "run_labels"):
        return {}
    return dict(store.query("SELECT run_id, label FROM run_labels"))


def resolve_run(store: ResultStore, ref: str) -> str:
    """The run id that `ref` names: the id itself, a label, or a prefix of exactly one id."""
    ids = [row[0] for row in store.query("SELECT run_id FROM runs ORDER BY created_at DESC")]
    if ref in ids:
        return ref
    by_label = [run_id for run_id, label in labels(store).items() if label == ref]
    if len(by_label) == 1:
        return by_label[0]
    prefixed = [run_id for run_id in ids if run_id.startswith(ref)] if ref else []
    if len(prefixed) == 1:
        return prefixed[0]
    if len(by_label) > 1 or len(prefixed) > 1:
        some = ", ".join((by_label or prefixed)[:3])
        raise DetenteError(f"'{ref}' names {len(by_label) or len(prefixed)} runs in {store.path} ({some}, …); "
                           "give the full run id")
    raise DetenteError(f"no run '{ref}' in {store.path}; `detente runs --store {store.path}` lists them")


def set_label(store: ResultStore, run_id: str, label: str | None) -> None:
    """Give a run a label (None or "" removes it); a label names one run at a time."""
    with store._connect() as con:
        con.execute(LABELS)
        con.execute("BEGIN TRANSACTION")
        con.execute("DELETE FROM run_labels WHERE run_id = ?", [run_id])
        if label:
            clash = con.execute("SELECT run_id FROM run_labels WHERE label = ?", [label]).fetchone()
            if clash is not None:
                con.execute("ROLLBACK")
                raise DetenteError(f"the label '{label}' already names run {clash[0]}; "
                                   f"remove it there first (`detente runs label {clash[0]} --clear`)")
            con.execute("INSERT INTO run_labels VALUES (?, ?)", [run_id, label])
        con.execute("COMMIT")


def delete_runs(store: ResultStore, run_ids: list[str]) -> int:
    """Delete runs and every row that names them, in one transaction; returns the rows removed."""
    if not run_ids:
        return 0
    removed = 0
    with store._connect() as con:
        tables = [row[0] for row in con.execute(
            "SELECT DISTINCT table_name FROM information_schema.columns WHERE column_name = 'run_id'").fetchall()]
        con.execute("BEGIN TRANSACTION")
        try:
            for table in sorted(tables, key=lambda t: t == "runs"):  # the runs table last
                for run_id in run_ids:
                    count = con.execute(f'SELECT count(*) FROM "{table}" WHERE run_id = ?', [run_id]).fetchone()[0]
                    if count:
                        con.execute(f'DELETE FROM "{table}" WHERE run_id = ?', [run_id])
                        removed += count
            con.execute("COMMIT")
        except BaseException:
            con.execute("ROLLBACK")
            raise
    return removed


def identical_reruns(store: ResultStore) -> list[dict[str, Any]]:
    """Complete runs that an identical, newer complete run makes redundant (labelled runs are kept)."""
    kept_labels = labels(store)
    seen: set[tuple] = set()
    redundant = []
    for run in store.list_runs():  # newest first
        if run["status"] != COMPLETE:
            continue
        key = (run["scenario_hash"], run["seed"], run["runs"])
        if key in seen and run["run_id"] not in kept_labels:
            redundant.append(run)
        seen.add(key)
    return redundant


def _has_table(store: ResultStore, name: str) -> bool:
    return bool(store.query("SELECT count(*) FROM information_schema.tables WHERE table_name = ?", [name])[0][0])
