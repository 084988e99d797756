"""Compute blocks of runs on a Dask distributed cluster (the `cluster` extra: `pip install -e '.[cluster]'`).

A batch is a few consecutive blocks computed by one task. Batches are submitted a window at a time and
their outputs yielded strictly in block order, so `simulate` merges exactly what the local backend would:
each block draws from its own `SeedSequence` child (see `ensemble.streams`), so neither the number of
workers nor the batch size changes a single number. The model and any per-run overrides are scattered to
the workers once, not shipped with every task.

Without a scheduler address the backend starts a `LocalCluster` (one single-threaded worker process per
core, or `workers`), and closes it when the ensemble is done. HPC users start a cluster with dask-jobqueue
(SLURM, PBS) and pass its scheduler address; see docs/cluster.md.
"""

from __future__ import annotations

from collections import deque
from typing import Any, Iterable, Iterator

import numpy as np

from detente.ensemble.runner import BlockOutput, ControllerFactory, run_block
from detente.errors import RunRefused
from detente.world.model import WarModel

DEFAULT_BATCH_BLOCKS = 1
CONNECT_TIMEOUT_S = 20


def run_batch(model: WarModel, seed: int, batch: list[tuple[int, int]], controllers: tuple[ControllerFactory, ...],
              overrides: dict[tuple, np.ndarray] | None) -> list[BlockOutput]:
    """The task a worker runs: consecutive blocks, each exactly as the local backend computes it."""
    return [run_block(model, seed, block, runs, controllers, overrides) for block, runs in batch]


def _import_distributed() -> Any:
    try:
        import distributed
    except ImportError:
        raise RunRefused("--backend dask needs Dask distributed: pip install -e '.[cluster]' "
                         "(or pip install 'detente[cluster]')") from None
    return distributed


class DaskBackend:
    """Send batches of blocks to a Dask cluster and yield block outputs in block order."""

    def __init__(self, scheduler: str | None = None, workers: int | None = None,
                 batch_blocks: int = DEFAULT_BATCH_BLOCKS, in_flight: int | None = None):
        if workers is not None and workers < 1:
            raise RunRefused(f"--workers must be at least 1 (got {workers})")
        if batch_blocks < 1:
            raise RunRefused(f"the batch size must be at least one block (got {batch_blocks})")
        if scheduler is not None and workers is not None:
            raise RunRefused("--workers sizes the LocalCluster détente starts; with --scheduler the cluster "
                             "already has its workers (scale it with dask-jobqueue or your cluster manager)")
        self.scheduler = scheduler
        self.workers = workers
        self.batch_blocks = batch_blocks
        self.in_flight = in_flight
        _import_distributed()

    def _client(self) -> tuple[Any, Any]:
        distributed = _import_distributed()
        if self.scheduler:
            try:
                client = distributed.Client(self.scheduler, timeout=CONNECT_TIMEOUT_S)
            except (OSError, TimeoutError) as error:
                raise RunRefused(f"cannot reach the Dask scheduler at {self.scheduler} ({error}); "
                                 "check the address (tcp://HOST:8786) or leave --scheduler out to "
                                 "start a local cluster") from None
            return client, None
        import os

        n = self.workers or max(1, os.cpu_count() or 1)
        cluster = distributed.LocalCluster(n_workers=n, threads_per_worker=1, processes=True,
                                           dashboard_address=None, silence_logs=40, host="127.0.0.1")
        return distributed.Client(cluster), cluster

    def map_blocks(self, model: WarModel, seed: int, plan: list[tuple[int, int]],
                   controllers: Iterable[ControllerFactory],
                   overrides: dict[tuple, np.ndarray] | None = None) -> Iterator[BlockOutput]:
        """Yield block outputs in block order, computed on the cluster a batch at a time."""
        controllers = tuple(controllers)
        batches = [plan[i: i + self.batch_blocks] for i in range(0, len(plan), self.batch_blocks)]
        client, cluster = self._client()
        try:
            width = self.in_flight or 2 * max(1, len(client.scheduler_info().get("workers", {})) or 1)
            model_ref = client.scatter(model, broadcast=True)
            overrides_ref = client.scatter(overrides, broadcast=True) if overrides else None
            pending: deque = deque()
            upcoming = iter(batches)

            def submit_next() -> None:
                batch = next(upcoming, None)
                if batch is not None:
                    pending.append(client.submit(run_batch, model_ref, seed, batch, controllers, overrides_ref,
                                                 pure=False))

            for _ in range(width):
                submit_next()
            while pending:
                outputs = pending.popleft().result()
                submit_next()
                yield from outputs
        finally:
            client.close()
            if cluster is not None:
                cluster.close()
