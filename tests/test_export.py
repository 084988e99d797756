"""`detente export`: a stored run's tables as Parquet and CSV files that DuckDB and pandas read back equal."""

from __future__ import annotations

import json

import numpy as np
import pytest

from tests.conftest import BASELINE
from tests.test_cli_errors import detente


@pytest.fixture(scope="module")
def stored(tmp_path_factory):
    folder = tmp_path_factory.mktemp("export")
    scenario = folder / "b6.yaml"
    scenario.write_text(f"extends: {BASELINE}\nhorizon_weeks: 6\n")
    store = folder / "store.duckdb"
    done = detente(["run", str(scenario), "--runs", "40", "--seed", "2", "--workers", "1", "--json"], folder, store)
    assert done.returncode == 0, done.stderr
    return store, json.loads(done.stdout)


@pytest.mark.parametrize("fmt", ["parquet", "csv"])
def test_export_writes_every_table_readable_by_others(stored, tmp_path, fmt):
    import duckdb
    import pandas as pd

    store, ran = stored
    out = tmp_path / fmt
    done = detente(["export", ran["run_id"], "--format", fmt, "-o", str(out), "--json"], tmp_path, store)
    assert done.returncode == 0, done.stderr
    files = {p.name for p in out.iterdir()}
    for name in ("run", "metrics_per_run", "metrics_wide", "metric_summary", "weekly_quantiles", "region_weekly"):
        assert f"{name}.{fmt}" in files
    assert "manifest.json" in files
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["run_id"] == ran["run_id"] and manifest["manifest"]["seed"] == 2
    if fmt == "parquet":  # pandas reads Parquet through pyarrow, not a dependency here: DuckDB reads it
        def read(f):
            return duckdb.sql(f"SELECT * FROM read_parquet('{f}')").df()
    else:
        read = pd.read_csv
    per_run = read(out / f"metrics_per_run.{fmt}")
    assert len(per_run) == 40 * per_run.metric.nunique()
    wide = read(out / f"metrics_wide.{fmt}")
    assert len(wide) == 40 and "area_gained_km2" in wide.columns
    assert np.isclose(np.median(wide["area_gained_km2"]), ran["metrics"]["area_gained_km2"]["p50"])
    weekly = read(out / f"weekly_quantiles.{fmt}")
    assert weekly.week.max() == 6 and {"series", "date", "p50"} <= set(weekly.columns)
    reader = "read_parquet" if fmt == "parquet" else "read_csv_auto"
    counted = duckdb.sql(f"SELECT count(*) FROM {reader}('{out / f'region_weekly.{fmt}'}')").fetchall()[0][0]
    assert counted == 7 * duckdb.sql(f"SELECT count(DISTINCT region) FROM {reader}('{out / f'region_weekly.{fmt}'}')"
                                     ).fetchall()[0][0]


def test_export_refusals(stored, tmp_path):
    store, ran = stored
    bad = detente(["export", ran["run_id"], "--format", "xlsx", "-o", str(tmp_path / "x")], tmp_path, store)
    assert bad.returncode == 2 and "parquet" in bad.stderr
    (tmp_path / "file").write_text("")
    onto_file = detente(["export", ran["run_id"], "-o", str(tmp_path / "file")], tmp_path, store)
    assert onto_file.returncode == 2 and "not a folder" in onto_file.stderr


def test_every_table_of_a_store_is_documented(stored):
    """docs/store.md has a section for every table a run (with a table and decisions), a label and the
    sensitivity schema create."""
    import re

    import duckdb

    from tests.conftest import ROOT

    store, ran = stored
    assert detente(["runs", "label", ran["run_id"], "kept"], store.parent, store).returncode == 0
    from detente.store.duck import ResultStore
    from detente.store.sensitivity import SCHEMA

    with ResultStore(store)._connect() as con:
        con.execute(SCHEMA)
    with duckdb.connect(str(store), read_only=True) as con:
        tables = {row[0] for row in con.execute("SELECT table_name FROM information_schema.tables").fetchall()}
    documented = set(re.findall(r"`([a-z_]+)`", " ".join(re.findall(r"^### (.*)$", (ROOT / "docs" / "store.md")
                                                                       .read_text(), re.M))))
    assert {"runs", "agreements", "decisions", "run_labels", "sensitivity"} <= tables
    assert tables <= documented, f"undocumented: {sorted(tables - documented)}"
