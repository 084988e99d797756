"""Per-run parameter arrays whose runs all agree, kept as one row seen N times.

A block's per-run parameters (the war kernel's stacked model, the table's draws) are mostly the same in every
run: a scenario gives a spread for few of them. Kept once, the compiled passes over the runs read kilobytes
where they read megabytes, which kept them waiting on memory. Values are unchanged, so results are too.
"""

from __future__ import annotations

import numpy as np


def shared_rows(values: np.ndarray) -> np.ndarray:
    """`values` (N, ...) as one row seen N times (a read-only view) where every run has the same values.

    A parameter that is later changed in some runs is copied back to a row per run first (`own_rows`);
    writing to a shared view raises rather than changing every run."""
    if values.ndim == 0 or values.shape[0] < 2 or not (values == values[:1]).all():
        return values
    return np.broadcast_to(values[:1], values.shape)


def own_rows(values: np.ndarray) -> np.ndarray:
    """`values` with a row of its own per run, ready to be changed in some runs (see `shared_rows`)."""
    return values if values.flags.writeable else values.copy()
