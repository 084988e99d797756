"""Shared fixtures: paths of the repository, its scenarios, and the shared reference folder."""

from __future__ import annotations

from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ROOT / "scenarios"
BASELINE = SCENARIOS / "baseline.yaml"
SHARED = ROOT.parent / "shared"
ARTIFACTS = ROOT / "artifacts"
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="session", autouse=True)
def scratch_store(tmp_path_factory) -> Path:
    """Commands the tests run without naming a store write to a scratch one, never to the user's own store
    (a test that needs the default location sets DETENTE_STORE itself)."""
    import os

    path = tmp_path_factory.mktemp("default-store") / "detente.duckdb"
    if not os.environ.get("DETENTE_STORE"):
        os.environ["DETENTE_STORE"] = str(path)
    return Path(os.environ["DETENTE_STORE"])


@pytest.fixture(scope="session")
def baseline_path() -> Path:
    return BASELINE


@pytest.fixture(scope="session")
def baseline():
    from detente.scenario.loader import load_scenario

    return load_scenario(BASELINE)


@pytest.fixture(scope="session")
def baseline_model(baseline):
    from detente.world.model import compile_model

    return compile_model(baseline.scenario)


def write_variant(tmp_path: Path, text: str, name: str = "variant.yaml") -> Path:
    """A scenario file in tmp_path; `{baseline}` in the text is replaced by the baseline's path."""
    path = tmp_path / name
    path.write_text(text.replace("{baseline}", str(BASELINE)))
    return path


def table_after_block(scenario, seed: int, runs: int, before=()):  # noqa: ANN001, ANN201
    """The negotiating table's controller after one block of `scenario` (its state, books and memos to inspect);
    `before`: controllers that act ahead of it, as the ensemble orders them."""
    from detente.ensemble.runner import run_block
    from detente.table.controller import TableController
    from detente.world.model import compile_model

    made = []
    run_block(compile_model(scenario), seed=seed, block=0, runs=runs,
              controllers=[*before, lambda m: made.append(TableController(scenario, m)) or made[-1]])
    return made[0]
