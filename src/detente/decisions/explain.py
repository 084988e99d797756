"""Answer "why did this actor do that in week w of run i?" from the decision log in a results store."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from detente.ensemble.streams import LOGGED_RUNS
from detente.errors import DetenteError


def _pairs(text: str) -> dict[str, float]:
    out: dict[str, float] = {}
    for part in (text or "").split("; "):
        if "=" in part:
            key, value = part.split("=", 1)
            out[key] = float(value)
    return out


def explain_decision(results: str | Path, run: int, week: int, run_id: str | None = None,
                     actor: str | None = None) -> dict[str, Any]:
    """For each actor, the latest logged decision at or before `week` in run `run`, with values and beliefs."""
    from detente.store.duck import ResultStore

    store = ResultStore(results, read_only=True)
    tables = {r[0] for r in store.query("SELECT table_name FROM information_schema.tables")}
    if "decisions" not in tables:
        raise DetenteError(f"{results} holds no decision log; run a scenario with a `decisions:` section first")
    if run_id is None:
        found = store.query("SELECT r.run_id FROM runs r WHERE r.status = 'complete' AND r.run_id IN "
                            "(SELECT DISTINCT run_id FROM decisions) ORDER BY r.created_at DESC LIMIT 1")
        if not found:
            raise DetenteError(f"{results} has no complete run with a decision log")
        run_id = found[0][0]
    meta = store.query("SELECT scenario, runs, horizon_weeks FROM runs WHERE run_id = ?", [run_id])
    if not meta:
        raise DetenteError(f"no run '{run_id}' in {results}; `detente runs --store {results}` lists them")
    scenario, runs, weeks = meta[0]
    if not 0 <= run < runs:
        raise DetenteError(f"--index {run} is outside the ensemble {run_id} (indices 0 … {runs - 1})")
    if not 0 <= week <= weeks:
        raise DetenteError(f"--week {week} is outside the horizon (weeks 0 … {weeks})")
    sql = ("SELECT actor, week, option, previous, changed, rule, option_values, beliefs FROM decisions "
           "WHERE run_id = ? AND run = ? AND week <= ?" + (" AND actor = ?" if actor else "") +
           " QUALIFY row_number() OVER (PARTITION BY actor ORDER BY week DESC) = 1 ORDER BY actor")
    rows = store.query(sql, [run_id, run, week] + ([actor] if actor else []))
    if not rows and run >= LOGGED_RUNS:
        raise DetenteError(f"decisions are logged for runs 0 … {LOGGED_RUNS - 1} of an ensemble (run {run} is not); "
                           "pick one of those")
    if not rows:
        raise DetenteError(f"no decision logged up to week {week} of run {run}" + (f" for '{actor}'" if actor else ""))
    return {"run_id": run_id, "scenario": scenario, "run": run, "week": week,
            "actors": [{"actor": a, "decided_week": int(w), "option": o, "previous": p, "changed": bool(c),
                        "rule": int(r), "option_values": _pairs(v), "beliefs": _pairs(b)}
                       for a, w, o, p, c, r, v, b in rows]}
