"""Every command-line mistake is a short message (usage mistakes: exit 2), never a traceback or a database's
wording, and a refused command stores nothing. The real CLI, run in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import BASELINE, ROOT

LEAKS = ("Traceback", "Conversion Error", "Binder Error", "Catalog Error", "Invalid Input Error", "duckdb.", "_click")


def detente(args: list[str], cwd: Path, store: Path | None, **env: str) -> subprocess.CompletedProcess:
    environ = {**os.environ, "PYTHONPATH": str(ROOT / "src"), "COLUMNS": "80", **env}
    environ.pop("DETENTE_RESULTS", None)
    if store is not None:
        environ["DETENTE_STORE"] = str(store)
    return subprocess.run([sys.executable, "-m", "detente.cli", *args], cwd=cwd, env=environ, capture_output=True,
                          text=True, timeout=300)


@pytest.fixture()
def scenario(tmp_path: Path) -> Path:
    path = tmp_path / "b4.yaml"
    path.write_text(f"extends: {BASELINE}\nhorizon_weeks: 4\n")
    return path


USAGE_MISTAKES = {
    "no command": [],
    "run without a file": ["run"],
    "unknown option": ["run", "{s}", "--bogus"],
    "unknown command": ["frobnicate"],
    "--runs abc": ["run", "{s}", "--runs", "abc"],
    "--runs 0": ["run", "{s}", "--runs", "0"],
    "--seed -1": ["run", "{s}", "--seed", "-1"],
    "huge seed": ["run", "{s}", "--seed", "99999999999999999999999"],
    "--seed abc": ["run", "{s}", "--seed", "abc"],
    "--workers 0": ["run", "{s}", "--workers", "0"],
    "compare --runs -5": ["compare", "{s}", "{s}", "--runs", "-5"],
    "backtest --seed -2": ["backtest", "{s}", "--seed", "-2"],
    "claims --seed -1": ["claims", "{s}", "--seed", "-1"],
    "score --runs abc": ["score", "{s}", "--observed", "x.csv", "--runs", "abc"],
    "sensitivity without --params": ["sensitivity", "{s}"],
    "explain without --index": ["explain", "--week", "1"],
    "runs show without an id": ["runs", "show"],
    "report without --run": ["report"],
    "serve --port 0": ["serve", "--port", "0"],
}


@pytest.mark.parametrize("label", list(USAGE_MISTAKES))
def test_usage_mistake_is_one_line_and_a_hint(label: str, scenario: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    args = [a.replace("{s}", str(scenario)) for a in USAGE_MISTAKES[label]]
    done = detente(args, tmp_path, store)
    text = done.stdout + done.stderr
    assert done.returncode == 2, text
    assert not any(leak in text for leak in LEAKS), text
    if args:  # `detente` alone prints the help
        lines = [line for line in done.stderr.splitlines() if line.strip()]
        assert len(lines) == 2 and lines[0].startswith("error: ") and "--help" in lines[1], text
    assert not store.exists(), "a refused command must store nothing"


def test_refusals_are_short_and_leak_nothing(scenario: Path, tmp_path: Path) -> None:
    store = tmp_path / "store.duckdb"
    from detente.store.duck import ResultStore

    ResultStore(store)  # an empty store, so the refusals are about the run, not the file
    for args in (["report", "--run", "no-such-run"], ["runs", "show", "no-such-run"],
                 ["compare", str(scenario), str(tmp_path / "missing.yaml")], ["run", str(tmp_path / "missing.yaml")],
                 ["export", "no-such-run", "-o", str(tmp_path / "out")], ["runs", "delete", "no-such-run"],
                 ["explain", "--index", "0", "--week", "1"], ["runs", "--store", str(tmp_path)]):
        done = detente(args, tmp_path, store)
        text = done.stdout + done.stderr
        assert done.returncode != 0, (args, text)
        assert not any(leak in text for leak in LEAKS), (args, text)
        assert 1 <= len([line for line in text.splitlines() if line.strip()]) <= 4, (args, text)
        assert text.startswith("error: "), (args, text)
    assert "no-such-run" in detente(["report", "--run", "no-such-run"], tmp_path, store).stderr


def test_explain_says_which_flag_takes_what(tmp_path: Path) -> None:
    from detente.store.duck import ResultStore

    ResultStore(tmp_path / "s.duckdb")
    done = detente(["explain", "--run", "312", "--index", "0", "--week", "1"], tmp_path, tmp_path / "s.duckdb")
    assert done.returncode == 2
    assert "--run takes a run id" in done.stderr or "no decision log" in done.stderr, done.stderr


def test_library_refuses_a_bad_seed_before_running() -> None:
    from detente.ensemble.runner import simulate
    from detente.errors import RunRefused

    for seed in (-1, 2**63, 1.5):
        with pytest.raises(RunRefused, match="--seed"):
            simulate(BASELINE, runs=1, seed=seed)


def test_a_run_from_one_folder_is_seen_from_another(scenario: Path, tmp_path: Path) -> None:
    """No --store and no DETENTE_STORE: the per-user default (XDG_DATA_HOME here) is the same from any folder."""
    first, second, data = tmp_path / "first", tmp_path / "second", tmp_path / "xdg"
    first.mkdir(), second.mkdir()
    ran = detente(["run", str(scenario), "--runs", "5", "--seed", "3", "--workers", "1", "--json"], first, None,
                  XDG_DATA_HOME=str(data), DETENTE_STORE="")
    assert ran.returncode == 0, ran.stderr
    import json

    run_id = json.loads(ran.stdout)["run_id"]
    listed = detente(["runs", "--json"], second, None, XDG_DATA_HOME=str(data), DETENTE_STORE="")
    assert listed.returncode == 0, listed.stderr
    assert run_id in [r["run_id"] for r in json.loads(listed.stdout)["runs"]]
    assert (data / "detente" / "detente.duckdb").is_file()
    assert not (first / "results").exists()
