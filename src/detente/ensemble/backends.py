"""Where blocks of runs are computed: in this process (local) or on a Dask cluster (see `dask_backend`)."""

from __future__ import annotations

from typing import Any, Iterable, Iterator

import numpy as np

from detente.ensemble.runner import BlockOutput, ControllerFactory, run_block
from detente.world.model import WarModel


class LocalBackend:
    """Runs blocks one after another in this process; the reference every other backend must match."""

    def map_blocks(self, model: WarModel, seed: int, plan: list[tuple[int, int]],
                   controllers: Iterable[ControllerFactory],
                   overrides: dict[tuple, np.ndarray] | None = None) -> Iterator[BlockOutput]:
        """Yield block outputs in block order."""
        for block, runs in plan:
            yield run_block(model, seed, block, runs, controllers, overrides)


BACKENDS = ("local", "dask")


def make_backend(name: str = "local", scheduler: str | None = None, workers: int | None = None,
                 batch_blocks: int | None = None) -> LocalBackend | Any:
    """The backend a command asked for (`--backend`, `--scheduler`, `--workers`, `--batch-blocks`).

    One function for every command that runs ensembles (run, compare, sensitivity), so they all accept
    the same options and say the same thing when one is wrong.
    """
    from detente.errors import RunRefused

    if name == "local":
        if scheduler or workers:
            raise RunRefused("--scheduler and --workers apply to --backend dask; add --backend dask")
        return LocalBackend()
    if name == "dask":
        from detente.ensemble.dask_backend import DEFAULT_BATCH_BLOCKS, DaskBackend

        return DaskBackend(scheduler=scheduler, workers=workers, batch_blocks=batch_blocks or DEFAULT_BATCH_BLOCKS)
    raise RunRefused(f"unknown backend '{name}'; use one of: {', '.join(BACKENDS)}")
