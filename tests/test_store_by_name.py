"""The store writes scenario-dependent tables by column name: scenarios with different issue sets share a file."""

from __future__ import annotations

import duckdb
import numpy as np

from detente.ensemble.runner import simulate
from detente.store.duck import ResultStore
from tests.conftest import write_variant

SHORT = "schema_version: 1\nextends: {baseline}\nname: short\nhorizon_weeks: 20\n"
EXTRA = """schema_version: 1
extends: {baseline}
name: extra-issue
horizon_weeks: 20
table:
  issues:
    aaa_extra_issue:
      description: "an extra issue settled with the whole front"
      no_deal: status_quo
      status_quo: {value: 0.0, placeholder: true}
      positions:
        russia: {ideal: {value: 0.0, placeholder: true}, salience: {value: 0.1, placeholder: true}, capability: {value: 1.0, placeholder: true}}
        ukraine: {ideal: {value: 1.0, placeholder: true}, salience: {value: 0.1, placeholder: true}, capability: {value: 0.6, placeholder: true}}
  agreements:
    whole_front:
      issues: [front_ceasefire, line_of_control, nato_membership, security_guarantees, sanctions_relief, odesa_naval_presence, aaa_extra_issue]
"""
KEY = ("run", "scope", "week_agreed", "week_ended")


def _store(store: ResultStore, result) -> str:
    manifest = dict(result.manifest)
    run_id = store.begin_run(manifest, "{}")
    store.complete_run(run_id, result)
    return run_id


def _sorted_rows(frame: dict[str, np.ndarray]) -> np.ndarray:
    return np.lexsort([np.asarray(frame[k]).astype(str) if k == "scope" else np.asarray(frame[k]) for k in KEY[::-1]])


def test_two_issue_sets_share_one_store_and_read_back_by_name(tmp_path):
    base = simulate(write_variant(tmp_path, SHORT, "short.yaml"), runs=300, seed=1)
    extra = simulate(write_variant(tmp_path, EXTRA, "extra.yaml"), runs=300, seed=1)
    assert "terms_aaa_extra_issue" in extra.tables["agreements"]
    assert "terms_aaa_extra_issue" not in base.tables["agreements"]
    store = ResultStore(tmp_path / "one.duckdb")
    ids = [_store(store, base), _store(store, extra)]
    assert [r["status"] for r in store.list_runs()] == ["complete", "complete"]
    con = duckdb.connect(str(store.path), read_only=True)
    try:
        columns = [c[0] for c in con.execute('DESCRIBE "agreements"').fetchall()]
        assert "terms_aaa_extra_issue" in columns
        for run_id, result in zip(ids, (base, extra)):
            mine = result.tables["agreements"]
            assert len(mine["run"]) > 0
            names = [c for c in columns if c != "run_id"]
            rows = con.execute(f"SELECT {', '.join(names)} FROM agreements WHERE run_id = ? "
                               "ORDER BY run, scope, week_agreed, week_ended", [run_id]).fetchall()
            back = {c: np.array([r[i] for r in rows], dtype=object) for i, c in enumerate(names)}
            order = _sorted_rows(mine)
            for column in names:
                if column not in mine:  # the baseline has no extra issue: NULL in every one of its rows
                    assert all(v is None for v in back[column]), column
                    continue
                expect = np.asarray(mine[column])[order]
                got = back[column]
                if expect.dtype.kind == "f":
                    got = np.array([np.nan if v is None else v for v in got], float)
                    np.testing.assert_array_equal(got, expect, err_msg=column)
                else:
                    assert got.tolist() == expect.tolist(), column
    finally:
        con.close()


def test_save_and_run_and_store_share_one_path(tmp_path):
    """`EnsembleResult.save` stores a simulated ensemble; `run_and_store` registers, simulates and stores, and
    completes (under the same id) a run whose process died before finishing."""
    from detente.store.duck import RUNNING
    from detente.store.run import run_and_store

    path = write_variant(tmp_path, SHORT, "short.yaml")
    result = simulate(path, runs=50, seed=4)
    saved = result.save(tmp_path / "api.duckdb")
    assert [(r["run_id"], r["status"]) for r in ResultStore(tmp_path / "api.duckdb").list_runs()] == \
        [(saved, "complete")]

    store = ResultStore(tmp_path / "cli.duckdb")
    lost = store.begin_run(dict(result.manifest), "{}")
    with duckdb.connect(str(store.path)) as con:  # its owner: a process that no longer exists
        manifest = con.execute("SELECT manifest FROM runs WHERE run_id = ?", [lost]).fetchone()[0]
        con.execute("UPDATE runs SET manifest = ? WHERE run_id = ? AND status = ?",
                    [manifest.replace('"pid": ', '"pid": 999999999, "was": '), lost, RUNNING])
    assert [r["status"] for r in store.list_runs()] == ["incomplete"]
    seen = []
    stored = run_and_store(path, runs=50, seed=4, store=store, registered=lambda rid, resumed: seen.append((rid, resumed)))
    assert seen == [(lost, True)] and stored.run_id == lost and stored.resumed
    assert [(r["run_id"], r["status"]) for r in store.list_runs()] == [(lost, "complete")]
    assert stored.result.metrics["area_gained_km2"].tolist() == result.metrics["area_gained_km2"].tolist()


def test_metric_summary_carries_the_registry_kind_unit_and_section(tmp_path):
    from detente.ensemble import registry

    result = simulate(write_variant(tmp_path, SHORT, "short.yaml"), runs=20, seed=2)
    store = ResultStore(tmp_path / "kinds.duckdb")
    run_id = _store(store, result)
    rows = store.query("SELECT metric, kind, unit, section FROM metric_summary WHERE run_id = ?", [run_id])
    assert len(rows) == len(result.metrics)
    for metric, kind, unit, section in rows:
        declared = registry.lookup(metric)
        assert (kind, unit, section) == (declared.kind, declared.unit, declared.section), metric
    assert {kind for _, kind, _, _ in rows} >= {"probability", "quantity", "count", "score"}
