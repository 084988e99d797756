"""Random streams: one `SeedSequence` child per block of runs, so batching never changes a run's numbers.

Run i belongs to block i // BLOCK_RUNS. Block k draws from `SeedSequence(seed, spawn_key=(k, purpose))`,
the same child `SeedSequence(seed).spawn(...)` would give, so however blocks are grouped into batches or
spread over workers, each run sees the same numbers (the Dask backend relies on this).
"""

from __future__ import annotations

import numpy as np

BLOCK_RUNS = 1000
LOGGED_RUNS = 1000  # row logs (decisions, agreements) cover the ensemble's first runs: enough to explain, flat memory
DYNAMICS, PARAMETERS, DECISIONS = 0, 1, 2


def block_plan(runs: int) -> list[tuple[int, int]]:
    """(block index, runs in block) for an ensemble of `runs` runs."""
    full, rest = divmod(runs, BLOCK_RUNS)
    plan = [(k, BLOCK_RUNS) for k in range(full)]
    return plan + ([(full, rest)] if rest else [])


def block_generator(seed: int, block: int, purpose: int) -> np.random.Generator:
    """The generator of one block of runs for one purpose (dynamics, parameter draws, decisions)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block, purpose))))


def keeps_row_logs(rng: np.random.Generator) -> bool:
    """Whether the block a controller's generator belongs to (its seed sequence's spawn key names the block)
    is among the first LOGGED_RUNS runs, whose row logs (decisions, agreements) are kept."""
    seq = getattr(rng.bit_generator, "seed_seq", None)
    block = seq.spawn_key[0] if isinstance(seq, np.random.SeedSequence) and seq.spawn_key else 0
    return block * BLOCK_RUNS < LOGGED_RUNS
