"""The per-user default store when an earlier détente (pinned to DuckDB 2.x) left one this DuckDB cannot read:
runs go beside it, the old file is never touched, and `detente runs` says where the earlier runs are."""

from __future__ import annotations

import gzip
import hashlib
import os
import subprocess
import sys
from pathlib import Path

from tests.conftest import ROOT

NEWER = ROOT / "tests" / "data" / "duckdb2-store.duckdb.gz"  # written by DuckDB 2.0.1 (storage version 69)


def detente(args: list[str], data_home: Path, cwd: Path) -> subprocess.CompletedProcess:
    env = {k: v for k, v in os.environ.items() if k not in ("DETENTE_STORE", "DETENTE_RESULTS")}
    env.update(XDG_DATA_HOME=str(data_home), PYTHONPATH=str(ROOT / "src"), COLUMNS="120")
    return subprocess.run([sys.executable, "-m", "detente.cli", *args], capture_output=True, text=True, env=env,
                          cwd=cwd, timeout=600)


def test_a_store_in_a_newer_duckdb_format_is_kept_and_runs_go_beside_it(tmp_path):
    folder = tmp_path / "data" / "detente"
    folder.mkdir(parents=True)
    old = folder / "detente.duckdb"
    old.write_bytes(gzip.decompress(NEWER.read_bytes()))
    before = hashlib.sha256(old.read_bytes()).hexdigest()
    scenario = tmp_path / "short.yaml"
    scenario.write_text(f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}\nname: short\nhorizon_weeks: 2\n")

    ran = detente(["run", str(scenario), "--runs", "20", "--seed", "1"], tmp_path / "data", tmp_path)
    assert ran.returncode == 0, ran.stderr[-600:]
    assert (folder / "detente-duckdb1.duckdb").is_file()
    assert hashlib.sha256(old.read_bytes()).hexdigest() == before  # never written, never moved

    listed = detente(["runs"], tmp_path / "data", tmp_path)
    assert listed.returncode == 0, listed.stderr[-600:]
    assert "1 stored run(s)" in listed.stdout
    assert "written by DuckDB 2.x" in " ".join(listed.stderr.split()) and "detente.duckdb" in listed.stderr


def test_a_readable_default_store_stays_where_it_was(tmp_path, monkeypatch):
    from detente.store.location import STORE_FILE, user_store_path, written_by_newer_duckdb

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    assert user_store_path() == tmp_path / "detente" / STORE_FILE  # nothing there yet
    (tmp_path / "detente").mkdir()
    (tmp_path / "detente" / STORE_FILE).write_bytes(b"")
    assert not written_by_newer_duckdb(tmp_path / "detente" / STORE_FILE)
    assert user_store_path() == tmp_path / "detente" / STORE_FILE
