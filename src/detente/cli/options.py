"""Options shared by several commands, declared once so every command validates them the same way.

Values are checked by the option itself (a range on `--seed`, `--runs`, `--workers`), so a bad value is a
usage error (exit 2) before anything is loaded, computed or stored.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

MAX_SEED = 2**63 - 1  # the store keeps seeds as BIGINT; numpy's SeedSequence takes any non-negative integer

RUNS_HELP = "number of runs in the ensemble"
SEED_HELP = "seed of the random streams (0 … 2^63−1): the same scenario and seed give identical results"
RUN_ID_HELP = "run id of a stored ensemble, as `detente runs` lists it"
INDEX_HELP = "index of one run within the ensemble (0-based; decisions are logged for the first runs)"
STORE_HELP = ("results store (a DuckDB file) [default: $DETENTE_STORE, else the user's data folder; "
              "`detente runs` prints where]")


def seed_option(default: int = 0) -> Any:
    """`--seed/-s`: a non-negative integer that fits the store's BIGINT."""
    return typer.Option(default, "--seed", "-s", min=0, max=MAX_SEED, help=SEED_HELP)


def runs_option(default: int = 1000) -> Any:
    """`--runs/-n`: at least one run (the upper limit, memory, is checked by `check_runs` with its reason)."""
    return typer.Option(default, "--runs", "-n", min=1, help=RUNS_HELP)


def store_option() -> Any:
    """`--store PATH` (also `--out` and `--results`, the names older versions used)."""
    return typer.Option(None, "--store", "--out", "--results", help=STORE_HELP, show_default=False)


def workers_option(help_text: str) -> Any:
    """`--workers`: a positive number of worker processes."""
    return typer.Option(None, "--workers", min=1, help=help_text)


def resolve_store(path: Path | None) -> Path:
    """The store a command uses: `--store`, else `$DETENTE_STORE`, else the default location."""
    from detente.store.location import store_path

    return store_path(path)
