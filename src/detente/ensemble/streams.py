"""Random streams: one `SeedSequence` child per block of runs and purpose, so batching never changes a run's numbers.

Run i belongs to block i // BLOCK_RUNS. Block k draws, for each named purpose, from
`SeedSequence(seed, spawn_key=(k, STREAMS[name]))`, the same child `SeedSequence(seed).spawn(...)` would give,
so however blocks are grouped into batches or spread over workers, each run sees the same numbers (the Dask
backend relies on this). Streams are named, never numbered by a controller's place in a list: a variant that
switches the decisions off (`decisions: null`) leaves the war's and the table's streams where they were, so
`compare` pairs its runs with its parent's on common random numbers.

A controller receives its block as a `BlockContext` (seed, block, first run, streams by name), as
Axelrod's `Match(seed=...)` and Mesa's `Model(rng=...)` receive theirs: nothing infers its block from a
generator's spawn key.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass, field

import numpy as np

BLOCK_RUNS = 1000
LOGGED_RUNS = 1000  # row logs (decisions, agreements) cover the ensemble's first runs: enough to explain, flat memory

# Each named stream's spawn-key purpose. The table's is 11, the purpose it drew from while streams were numbered
# by position (decisions first, at 10, then the table at 11), so scenarios with decisions and a table (the
# baseline, the backtest, the seed scenarios) keep their numbers; only scenarios with a table and no
# decisions move (their table drew from 10).
STREAMS: dict[str, int] = {"dynamics": 0, "parameters": 1, "decisions": 2, "table": 11}
DYNAMICS, PARAMETERS, DECISIONS = STREAMS["dynamics"], STREAMS["parameters"], STREAMS["decisions"]
OTHER_STREAMS = 1_000  # streams not listed above: purpose OTHER_STREAMS + crc32(name), stable across processes


def block_plan(runs: int) -> list[tuple[int, int]]:
    """(block index, runs in block) for an ensemble of `runs` runs."""
    full, rest = divmod(runs, BLOCK_RUNS)
    plan = [(k, BLOCK_RUNS) for k in range(full)]
    return plan + ([(full, rest)] if rest else [])


def stream_purpose(name: str) -> int:
    """The spawn-key purpose of a named stream (listed ones as declared, any other from its name alone)."""
    return STREAMS[name] if name in STREAMS else OTHER_STREAMS + zlib.crc32(name.encode("utf-8"))


def block_generator(seed: int, block: int, purpose: int) -> np.random.Generator:
    """The generator of one block of runs for one purpose (see STREAMS)."""
    return np.random.Generator(np.random.PCG64(np.random.SeedSequence(seed, spawn_key=(block, purpose))))


@dataclass(frozen=True)
class BlockContext:
    """One block of runs as a controller sees it: the ensemble's seed, the block's index, its first run (in the
    ensemble), its size, and its random streams by name (each created once, then shared)."""

    seed: int
    block: int
    first_run: int
    runs: int
    _streams: dict[str, np.random.Generator] = field(default_factory=dict, repr=False, compare=False)
    # per-run values of table and decision parameters for this block (ensemble.per_run), by scenario path
    overrides: dict[tuple, np.ndarray] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def of_block(cls, seed: int, block: int, runs: int) -> "BlockContext":
        """The context of block `block` of an ensemble (its first run is block × BLOCK_RUNS)."""
        return cls(seed=seed, block=block, first_run=block * BLOCK_RUNS, runs=runs)

    def stream(self, name: str) -> np.random.Generator:
        """The block's generator for a named purpose (`dynamics`, `parameters`, `decisions`, `table`, …)."""
        if name not in self._streams:
            self._streams[name] = block_generator(self.seed, self.block, stream_purpose(name))
        return self._streams[name]

    @property
    def keeps_row_logs(self) -> bool:
        """Whether this block's row logs (decisions, agreements) are kept: the ensemble's first LOGGED_RUNS runs."""
        return self.first_run < LOGGED_RUNS
