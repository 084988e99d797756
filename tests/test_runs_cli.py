"""`detente runs`: ids in full at 80 columns, labels, delete, prune of identical reruns; run ids the same in
every command. The real CLI in a subprocess over a real DuckDB store."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from tests.conftest import BASELINE
from tests.test_cli_errors import detente


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> tuple[Path, list[str]]:
    """Three runs: two identical (same scenario, seed, runs) and one with another seed."""
    from detente.ensemble.backends import LocalBackend
    from detente.ensemble.runner import planned_manifest, simulate
    from detente.scenario.loader import load_scenario
    from detente.store.duck import ResultStore

    folder = tmp_path_factory.mktemp("runs")
    scenario = folder / "seed002-expansion-escalate-short.yaml"
    scenario.write_text(f"extends: {BASELINE}\nhorizon_weeks: 3\n")
    loaded = load_scenario(scenario)
    path = folder / "store.duckdb"
    results = ResultStore(path)
    ids = []
    for seed in (1, 1, 2):
        result = simulate(loaded, runs=4, seed=seed, backend=LocalBackend(workers=1))
        run_id = results.begin_run(planned_manifest(loaded, 4, seed, LocalBackend(workers=1)),
                                   json.dumps(loaded.located.data, default=str))
        results.complete_run(run_id, result)
        ids.append(run_id)
    return path, ids


def first_column(text: str) -> str:
    """The first column of a boxed table, its wrapped pieces joined (as a reader reads a wrapped id)."""
    cells = []
    for line in text.splitlines():
        parts = re.split(r"[│┃|]", line)
        if len(parts) > 2:
            cells.append(parts[1].strip())
    return "".join(cells)


def test_ids_in_full_within_80_columns(store, tmp_path):
    path, ids = store
    done = detente(["runs", "--store", str(path)], tmp_path, None)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert max(len(line) for line in lines) <= 80
    assert all(run_id in first_column(done.stdout) for run_id in ids)
    assert "…" not in done.stdout
    listed = json.loads(detente(["runs", "--json"], tmp_path, path).stdout)  # --json: every field, raw
    assert {r["run_id"] for r in listed["runs"]} == set(ids)
    assert {"run_id", "scenario", "scenario_hash", "seed", "runs", "status", "label"} <= set(listed["runs"][0])


def test_show_by_label_and_prefix_and_metric_titles(store, tmp_path):
    path, ids = store
    assert detente(["runs", "label", ids[2], "other-seed", "--store", str(path)], tmp_path, None).returncode == 0
    shown = detente(["runs", "show", "other-seed", "--store", str(path)], tmp_path, None)
    assert shown.returncode == 0, shown.stderr
    assert ids[2] in shown.stdout and "area gained by Russia" in shown.stdout and "km²" in shown.stdout
    assert max(len(line) for line in shown.stdout.splitlines()) <= 80
    by_prefix = json.loads(detente(["runs", "show", ids[2][:-2], "--json"], tmp_path, path).stdout)
    assert by_prefix["run_id"] == ids[2]
    ambiguous = detente(["runs", "show", "baseline-"], tmp_path, path)
    assert ambiguous.returncode == 2 and "names 3 runs" in ambiguous.stderr
    clash = detente(["runs", "label", ids[0], "other-seed"], tmp_path, path)
    assert clash.returncode == 2 and "already names" in clash.stderr


def test_explain_takes_a_run_id_and_an_index(store, tmp_path):
    path, ids = store
    done = detente(["explain", "--run", ids[2][:-3], "--index", "1", "--week", "2", "--json"], tmp_path, path)
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout)
    assert answer["run_id"] == ids[2] and answer["run"] == 1 and answer["actors"]
    outside = detente(["explain", "--run", ids[2], "--index", "4", "--week", "2"], tmp_path, path)
    assert outside.returncode == 2 and "--index 4 is outside" in outside.stderr


def test_prune_keeps_the_newest_of_identical_reruns_then_delete(store, tmp_path):
    path, ids = store
    dry = detente(["runs", "prune", "--dry-run"], tmp_path, path)
    assert dry.returncode == 0 and ids[0] in dry.stdout and ids[1] not in dry.stdout and ids[2] not in dry.stdout
    assert detente(["runs", "prune"], tmp_path, path).returncode == 0
    left = {r["run_id"] for r in json.loads(detente(["runs", "--json"], tmp_path, path).stdout)["runs"]}
    assert left == {ids[1], ids[2]}
    import duckdb

    with duckdb.connect(str(path), read_only=True) as con:
        assert con.execute("SELECT count(*) FROM run_metrics WHERE run_id = ?", [ids[0]]).fetchone()[0] == 0
        assert con.execute("SELECT count(*) FROM run_metrics WHERE run_id = ?", [ids[1]]).fetchone()[0] > 0
    gone = detente(["runs", "delete", "other-seed"], tmp_path, path)
    assert gone.returncode == 0, gone.stderr
    left = {r["run_id"] for r in json.loads(detente(["runs", "--json"], tmp_path, path).stdout)["runs"]}
    assert left == {ids[1]}
