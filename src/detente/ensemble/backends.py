"""Where blocks of runs are computed: in this process (local) or on a Dask cluster (see `dask_backend`)."""

from __future__ import annotations

from typing import Iterable, Iterator

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
