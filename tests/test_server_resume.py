"""A run started from the dashboard is registered before it is simulated: a server killed mid-way leaves the run
listed as incomplete, and the same request to a new server completes it under the same run id.

A real server (`detente serve`) on 127.0.0.1 in its own process group, killed with SIGKILL (workers included)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

from detente.store.duck import ResultStore
from tests.conftest import BASELINE, ROOT

RUNS = 8000  # eight blocks of 1000: the server is killed after the first ones, long before the last


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _call(url: str, body: dict | None = None) -> dict:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, headers={"Content-Type": "application/json"} if data else {})
    with urllib.request.urlopen(request, timeout=30) as answer:
        return json.loads(answer.read())


def _serve(store: Path, scenarios: Path) -> tuple[subprocess.Popen, str]:
    port = _free_port()
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    server = subprocess.Popen([sys.executable, "-m", "detente.cli", "serve", "--port", str(port), "--store", str(store),
                               "--scenarios", str(scenarios)], env=env, start_new_session=True,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            _call(f"{url}/api/scenarios")
            return server, url
        except OSError:
            if time.monotonic() > deadline or server.poll() is not None:
                _kill(server)
                raise AssertionError("the server did not start")
            time.sleep(0.2)


def _kill(server: subprocess.Popen) -> None:
    """SIGKILL to the server's own process group (it and the workers it started), as a crash would."""
    try:
        os.killpg(server.pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    server.wait(timeout=30)


def _wait(url: str, job_id: str, until, timeout: float = 300) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        job = _call(f"{url}/api/jobs/{job_id}")
        if until(job) or job["status"] == "failed" or time.monotonic() > deadline:
            return job
        time.sleep(0.05)


def test_a_killed_server_run_is_listed_incomplete_and_resumes(tmp_path):
    scenarios = tmp_path / "scenarios"
    scenarios.mkdir()
    (scenarios / "short.yaml").write_text(f"schema_version: 1\nextends: {BASELINE}\nname: short\nhorizon_weeks: 26\n")
    store = tmp_path / "data" / "store.duckdb"
    request = {"scenario": "short.yaml", "runs": RUNS, "seed": 5}

    server, url = _serve(store, scenarios)
    try:
        job = _call(f"{url}/api/jobs", request)
        job = _wait(url, job["job_id"], lambda j: j["run_id"] and j["done"] >= 2000)
        assert job["status"] == "running" and 2000 <= job["done"] < RUNS, job
        run_id = job["run_id"]
        listed = _call(f"{url}/api/runs")["runs"]
        assert [(r["run_id"], r["status"]) for r in listed] == [(run_id, "running")]  # registered before simulated
    finally:
        _kill(server)

    runs = ResultStore(store, read_only=True).list_runs()
    assert [(r["run_id"], r["status"]) for r in runs] == [(run_id, "incomplete")]

    server, url = _serve(store, scenarios)
    try:
        job = _call(f"{url}/api/jobs", request)
        job = _wait(url, job["job_id"], lambda j: j["status"] == "complete")
        assert job["status"] == "complete", job
        assert job["run_id"] == run_id and job["resumed"] is True
        listed = _call(f"{url}/api/runs")["runs"]
    finally:
        _kill(server)
    assert [(r["run_id"], r["status"]) for r in listed] == [(run_id, "complete")]
    stored = ResultStore(store, read_only=True).query(
        "SELECT count(DISTINCT run), count(*) FILTER (WHERE metric = 'area_gained_km2') FROM run_metrics "
        "WHERE run_id = ?", [run_id])
    assert stored == [(RUNS, RUNS)]
