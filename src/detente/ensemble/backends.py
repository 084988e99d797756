"""Where blocks of runs are computed: on this machine (local) or on a Dask cluster (see `dask_backend`).

A block's outputs depend only on the model, the seed and the block's index, so every backend gives
bit-identical results however it spreads the blocks; they differ only in speed.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
from collections import deque
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice
from pathlib import Path
from typing import Any, Iterable, Iterator

import numpy as np

from detente.ensemble.cores import available_cores
from detente.ensemble.runner import BlockOutput, ControllerFactory, run_block
from detente.ensemble.summaries import spill_block
from detente.world.model import WarModel


_JOB: tuple | None = None  # (model, seed, controllers, overrides, spill folder) of the forked workers' ensemble


def _die_with_parent(parent: int) -> None:
    """Worker initializer: end with the process that forked it, even if that one is killed outright (SIGKILL
    leaves no chance to shut the pool down; orphans would wait forever on the results pipe)."""
    try:
        import ctypes

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
    except (OSError, AttributeError):  # not Linux: the pool's own shutdown still applies
        pass
    if os.getppid() != parent:  # the parent died before prctl took effect
        os._exit(1)


def _run_forked(block: int, runs: int) -> BlockOutput:
    """A block in a worker; its weekly series (the bulk of its output) go to disk here, not through the pipe."""
    assert _JOB is not None
    model, seed, controllers, overrides, folder = _JOB
    output = run_block(model, seed, block, runs, controllers, overrides)
    output.weekly = spill_block(output.weekly, Path(folder) / f"block-{block}.f64")
    return output


def _set_up_numba() -> None:
    """Set up numba's typing and lowering registries in this process before it forks its workers, so that they
    inherit them. numba does this at a process's first compiled call (~0.7 s of CPU: it imports its array,
    linear-algebra and random libraries, and SciPy's BLAS with them); this process makes that call anyway when it
    summarises the blocks, and each worker made it again before its first block."""
    from numba.core.registry import cpu_target

    cpu_target.typing_context.refresh()
    cpu_target.target_context.refresh()


class LocalBackend:
    """Runs blocks on this machine: one after another in this process (workers=1, the reference every other
    backend must match), or spread over forked worker processes, one per core by default.

    Workers are forked, so they share the compiled model and controllers without pickling them; only block
    outputs travel back, and at most two per worker are in flight, so memory stays flat.
    """

    def __init__(self, workers: int | None = 1):
        self.workers = workers

    def map_blocks(self, model: WarModel, seed: int, plan: list[tuple[int, int]],
                   controllers: Iterable[ControllerFactory],
                   overrides: dict[tuple, np.ndarray] | None = None) -> Iterator[BlockOutput]:
        """Yield block outputs in block order."""
        controllers = tuple(controllers)
        workers = min(self.workers or available_cores(), len(plan))
        if workers <= 1 or "fork" not in multiprocessing.get_all_start_methods() \
                or multiprocessing.current_process().daemon:
            for block, runs in plan:
                yield run_block(model, seed, block, runs, controllers, overrides)
            return
        global _JOB
        _set_up_numba()
        folder = tempfile.TemporaryDirectory(prefix="detente-blocks-")
        _JOB = (model, seed, controllers, overrides, folder.name)
        try:
            with ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                     initializer=_die_with_parent, initargs=(os.getpid(),)) as pool:
                queue = iter(plan)  # two blocks in flight per worker: each finished one makes room for the next
                pending: deque[Future] = deque(pool.submit(_run_forked, block, runs)
                                               for block, runs in islice(queue, 2 * workers))
                while pending:
                    output = pending.popleft().result()
                    following = next(queue, None)
                    if following is not None:
                        pending.append(pool.submit(_run_forked, *following))
                    yield output
        finally:
            _JOB = None
            folder.cleanup()


BACKENDS = ("local", "dask")


def make_backend(name: str = "local", scheduler: str | None = None, workers: int | None = None,
                 batch_blocks: int | None = None) -> LocalBackend | Any:
    """The backend a command asked for (`--backend`, `--scheduler`, `--workers`, `--batch-blocks`).

    One function for every command that runs ensembles (run, compare, sensitivity), so they all accept
    the same options and say the same thing when one is wrong.
    """
    from detente.errors import RunRefused

    if name == "local":
        if scheduler:
            raise RunRefused("--scheduler applies to --backend dask; add --backend dask")
        if workers is not None and workers < 1:
            raise RunRefused(f"--workers must be at least 1 (got {workers}); leave it out to use every core")
        return LocalBackend(workers=workers or available_cores())
    if name == "dask":
        from detente.ensemble.dask_backend import DEFAULT_BATCH_BLOCKS, DaskBackend

        return DaskBackend(scheduler=scheduler, workers=workers, batch_blocks=batch_blocks or DEFAULT_BATCH_BLOCKS)
    raise RunRefused(f"unknown backend '{name}'; use one of: {', '.join(BACKENDS)}")
