"""The README's first two commands, as written, in a clean virtual environment (slow: about two minutes)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import venv
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def readme_commands() -> list[str]:
    """The first two shell lines of the README's fenced code blocks (what a newcomer types)."""
    text = (ROOT / "README.md").read_text()
    lines = []
    for block in re.findall(r"```(?:bash|sh|shell|console)?\n(.*?)```", text, re.S):
        lines += [ln.strip().lstrip("$ ").strip() for ln in block.splitlines()
                  if ln.strip() and not ln.strip().startswith("#")]
    return lines[:2]


@pytest.mark.skipif(os.environ.get("DETENTE_INSIDE_README_TEST") == "1", reason="already inside the README test")
def test_readme_commands_in_a_clean_venv(tmp_path):
    install_and_run, run_tests = readme_commands()
    assert install_and_run.startswith("pip install -e .") and "detente run scenarios/baseline.yaml" in install_and_run
    assert run_tests == "bash scripts/test"
    assert "bash scripts/test" in (ROOT / ".ci" / "run").read_text()
    env_dir = tmp_path / "venv"
    # the venv is ~850 MB: remove it whatever the outcome (the assertions carry the output), so repeated
    # sessions on one CI disk do not pile them up (CI once failed with 'No space left on device')
    try:
        venv.create(env_dir, with_pip=True)
        env = {**os.environ, "PATH": f"{env_dir / 'bin'}:{os.environ['PATH']}", "VIRTUAL_ENV": str(env_dir),
               "DETENTE_INSIDE_README_TEST": "1", "DETENTE_STORE": str(tmp_path / "results" / "detente.duckdb")}
        env.pop("PYTHONPATH", None)
        first = subprocess.run(["bash", "-c", install_and_run], cwd=ROOT, env=env, capture_output=True, text=True,
                               timeout=1200)
        assert first.returncode == 0, first.stderr[-2000:]
        # the outcome table prints each metric under its registry title (rich may wrap it, so compare without spaces)
        from detente.ensemble.registry import title
        printed = re.sub(r"\s+", "", first.stdout)
        assert re.sub(r"\s+", "", title("area_gained_km2")) in printed
        assert (tmp_path / "results" / "detente.duckdb").exists()
        # the test command itself, on one test file so the suite does not run inside itself
        second = subprocess.run(["bash", "-c", run_tests], cwd=ROOT, capture_output=True, text=True, timeout=1200,
                                env={**env, "PYTEST_ADDOPTS": "tests/test_scenario_errors.py -p no:cacheprovider"})
        assert second.returncode == 0, second.stdout[-2000:] + second.stderr[-2000:]
        assert re.search(r"\d+ passed", second.stdout)
        assert (env_dir / "bin" / "detente").exists() and (env_dir / "bin" / "pytest").exists()  # installed there
    finally:
        shutil.rmtree(env_dir, ignore_errors=True)
