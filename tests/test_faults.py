"""Faults survived: SIGKILL at random moments, two writers, a full disk, a read-only results folder.

The trials are those of tools/reliability.py (which runs more of them and writes docs/reliability.md).
`DETENTE_FAULT_KILLS` sets the number of kills (20 here).
"""

from __future__ import annotations

import importlib.util
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
_spec = importlib.util.spec_from_file_location("reliability", ROOT / "tools" / "reliability.py")
reliability = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(reliability)

KILLS = int(os.environ.get("DETENTE_FAULT_KILLS", "20"))


def test_sigkill_at_random_moments_loses_nothing(tmp_path: Path) -> None:
    outcome = reliability.kill_trials(KILLS, tmp_path, log=lambda *_: None)
    assert outcome["kills"] == KILLS >= 20 or KILLS < 20
    assert outcome["store_opened"] == KILLS
    assert outcome["earlier_intact"] == KILLS
    assert outcome["broken_complete"] == 0 and outcome["broken_after"] == 0
    assert outcome["killed_before_exit"] > 0
    if outcome["incomplete_before_rerun"]:
        assert outcome["rerun_resumed"] and outcome["rerun_same_id"]
    assert outcome["rerun_equals_clean_run"]
    assert outcome["incomplete_after_rerun"] == 0


def test_two_writers_both_complete(tmp_path: Path) -> None:
    outcome = reliability.concurrent_trial(tmp_path)
    assert outcome["exit_codes"] == [0, 0, 0], outcome["errors"]
    assert outcome["complete"] == 3 and outcome["broken"] == 0


def test_disk_full_is_a_clear_error_and_loses_nothing(tmp_path: Path) -> None:
    why = reliability.can_mount()
    if why:
        pytest.skip(f"cannot simulate a full disk here: {why}")
    outcome = reliability.disk_full_trial(tmp_path)
    assert outcome["exit_code"] == 2
    assert "disk is full" in outcome["message"]
    assert outcome["earlier_intact"] and outcome["broken"] == 0
    assert outcome["retry_after_freeing_space"] == 0


def test_read_only_folder_is_a_clear_error(tmp_path: Path) -> None:
    if os.geteuid() == 0 and reliability.can_mount():
        pytest.skip("root ignores chmod and mounts are refused here: no way to make a folder read-only")
    outcome = reliability.read_only_trial(tmp_path)
    assert outcome["exit_codes"] == [2, 2]
    assert all("read-only" in m or "permission" in m for m in outcome["messages"]), outcome["messages"]
    assert outcome["earlier_intact"]


def test_incomplete_run_is_listed_and_resumed_in_process(tmp_path: Path) -> None:
    """The store API directly: a run whose owner is gone is incomplete, and begin_or_resume claims it."""
    import json
    import subprocess
    import sys

    from detente.store.duck import ResultStore

    store = ResultStore(tmp_path / "s.duckdb")
    manifest = {"scenario": "x", "scenario_path": "x.yaml", "scenario_hash": "abc", "seed": 1, "runs": 10,
                "horizon_weeks": 4, "start": "2025-03-18", "package_version": "0", "backend": "LocalBackend"}
    gone = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True, text=True)
    run_id = store.begin_run(manifest, "{}")
    stored = json.loads(store.query("SELECT manifest FROM runs WHERE run_id = ?", [run_id])[0][0])
    assert store.list_runs()[0]["status"] == "running"          # this process owns it and is alive
    stored["owner"] = {**stored["owner"], "pid": int(gone.stdout)}
    with store._connect() as con:
        con.execute("UPDATE runs SET manifest = ? WHERE run_id = ?", [json.dumps(stored), run_id])
    assert store.list_runs()[0]["status"] == "incomplete"
    assert store.find_incomplete("abc", 1, 11) == [] and store.find_incomplete("abc", 2, 10) == []
    again, resumed = store.begin_or_resume(manifest, "{}")
    assert (again, resumed) == (run_id, True)
    assert store.list_runs()[0]["status"] == "running"


def _children(pid: int) -> list[int]:
    """Processes whose parent is pid (from /proc)."""
    out = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        if int(fields[1]) == pid:
            out.append(int(stat.parent.name))
    return out


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc")
def test_killing_a_run_kills_its_worker_processes_and_the_rerun_completes_it(tmp_path: Path) -> None:
    """SIGKILL leaves a pool no chance to shut down: the workers must end with their parent, not linger."""
    import json
    import signal
    import subprocess
    import sys
    import time

    variant = tmp_path / "short.yaml"
    variant.write_text(f"schema_version: 1\nextends: {ROOT / 'scenarios' / 'baseline.yaml'}\nname: short\n"
                       "horizon_weeks: 30\n")
    def command(store: str, workers: int) -> list[str]:
        return [sys.executable, "-c", "from detente.cli import main; main()", "run", str(variant), "--runs", "6000",
                "--seed", "4", "--out", str(tmp_path / store), "--workers", str(workers), "--json"]

    parent = subprocess.Popen(command("results.duckdb", 2), stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    deadline = time.monotonic() + 60
    workers: list[int] = []
    while time.monotonic() < deadline and len(workers) < 2 and parent.poll() is None:
        workers = _children(parent.pid)
        time.sleep(0.05)
    assert len(workers) == 2, "the run never started its two workers"
    os.kill(parent.pid, signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline and any(Path(f"/proc/{w}").exists() and
                                              "zombie" not in Path(f"/proc/{w}/status").read_text().lower()
                                              for w in workers if Path(f"/proc/{w}/status").exists()):
        time.sleep(0.1)
    alive = [w for w in workers if Path(f"/proc/{w}/status").exists()
             and "zombie" not in Path(f"/proc/{w}/status").read_text().lower()]
    assert alive == [], f"worker processes outlived their killed parent: {alive}"
    rerun = subprocess.run(command("results.duckdb", 2), capture_output=True, text=True, timeout=300)
    assert rerun.returncode == 0, rerun.stderr[-500:]
    one = subprocess.run(command("one.duckdb", 1), capture_output=True, text=True, timeout=300)
    resumed, reference = json.loads(rerun.stdout), json.loads(one.stdout)
    assert resumed["resumed"] and resumed["metrics"] == reference["metrics"]


def test_a_refitted_posterior_changes_the_scenario_hash(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The store keys a run (and resumes an incomplete one) by the scenario's hash: a scenario drawing from a
    posterior whose samples were refitted must not hash as before, or a resumed run would join two posteriors."""
    import shutil

    from detente.scenario.loader import scenario_digest

    real = Path(__file__).resolve().parents[1] / "data" / "posteriors" / "fit-2024"
    data = tmp_path / "data"
    shutil.copytree(real, data / "posteriors" / "fit-2024")
    monkeypatch.setenv("DETENTE_DATA", str(data))
    scenario = {"name": "x", "posterior": "fit-2024"}
    before = scenario_digest(scenario)
    assert scenario_digest(dict(scenario)) == before  # stable
    samples = data / "posteriors" / "fit-2024" / "samples.csv"
    lines = samples.read_text().splitlines()
    samples.write_text("\n".join([lines[0], lines[2], lines[1], *lines[3:]]) + "\n")  # same values, reordered
    assert scenario_digest(scenario) != before
    assert scenario_digest({"name": "x"}) == scenario_digest({"name": "x"})  # no posterior: content only
