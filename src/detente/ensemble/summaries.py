"""Summaries that stream: weekly quantiles without keeping every run in memory, region maps as histograms.

Weekly scalar series go, block by block, into spill files and come back as exact quantiles; control shares
live on [0, 1] and are counted in 101 bins per region and week, which merge exactly across blocks (the
median map is read off the counts).
"""

from __future__ import annotations

import math
import shutil
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import numba
import numpy as np

from detente.ensemble.cores import available_cores

QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
QUANTILE_NAMES = ("p05", "p10", "p25", "p50", "p75", "p90", "p95")
CONTROL_BINS = 101
SUMMARY_CHUNK_BYTES = 32 * 2**20  # weekly values read at once per series when summarising


def summarise(values: np.ndarray) -> dict[str, float]:
    """Mean and quantiles of one metric over runs (NaN-free input)."""
    values = np.asarray(values, dtype=np.float64)
    q = order_statistics(values, np.array(QUANTILES))
    out = {"mean": float(np.mean(values)), "sd": float(np.std(values))}
    out.update({name: float(v) for name, v in zip(QUANTILE_NAMES, q)})
    return out


@dataclass
class RegionCounts:
    """Per week and region: control histogram, sums for the mean, and counts of majority and change of hands."""

    histogram: np.ndarray   # (W+1, R, 101) int64
    control_sum: np.ndarray  # (W+1, R)
    majority: np.ndarray    # (W+1, R) int64 runs with Russian majority
    changed: np.ndarray     # (W+1, R) int64 runs where the majority differs from the start
    runs: int

    @classmethod
    def empty(cls, weeks: int, regions: int) -> "RegionCounts":
        """Zero counts for W weeks (plus week 0) and R regions."""
        shape = (weeks + 1, regions)
        return cls(np.zeros((*shape, CONTROL_BINS), np.int64), np.zeros(shape), np.zeros(shape, np.int64),
                   np.zeros(shape, np.int64), 0)

    def add_week(self, week: int, control: np.ndarray, start_majority: np.ndarray) -> None:
        """Count one week of one block's control shares (N, R)."""
        _count_week(control, start_majority, self.histogram[week], self.control_sum[week], self.majority[week],
                    self.changed[week])

    def merge(self, other: "RegionCounts") -> None:
        """Add another block's counts (merge in block order for bit-identical sums)."""
        self.histogram += other.histogram
        self.control_sum += other.control_sum
        self.majority += other.majority
        self.changed += other.changed
        self.runs += other.runs

    def quantile(self, q: float) -> np.ndarray:
        """Control share at quantile q per week and region, read off the histogram (W+1, R)."""
        cumulative = np.cumsum(self.histogram, axis=2)
        target = q * self.runs
        index = (cumulative < target).sum(axis=2)
        return np.minimum(index, CONTROL_BINS - 1) / (CONTROL_BINS - 1)

    def table(self) -> dict[str, np.ndarray]:
        """The map's statistics per week and region."""
        n = max(self.runs, 1)
        return {"mean_control": self.control_sum / n, "p10_control": self.quantile(0.10),
                "p50_control": self.quantile(0.50), "p90_control": self.quantile(0.90),
                "p_russian_majority": self.majority / n, "p_changed_hands": self.changed / n}


@dataclass(frozen=True)
class SpilledBlock:
    """A block's weekly series already written to disk (by the worker that ran it): one float64 file holding,
    series after series in `names` order, each week's values of the block's `runs` runs."""

    path: str
    runs: int
    weeks: int
    names: tuple[str, ...]


def spill_block(series: dict[str, np.ndarray], path: str | Path) -> SpilledBlock:
    """Write one block's weekly series (name -> (n, W+1)) in the layout `WeeklySeries` reads."""
    names = tuple(sorted(series))
    runs, weeks = np.shape(series[names[0]])
    with open(path, "wb") as handle:
        for name in names:
            handle.write(np.ascontiguousarray(np.asarray(series[name], np.float64).T).tobytes())
    return SpilledBlock(str(path), runs, weeks, names)


@numba.njit(cache=True)
def _count_week(control, start_majority, histogram, control_sum, majority, changed) -> None:
    """Add a week's control shares (N, R) to its histogram (R, bins), sums and counts (R,).

    A run's row is taken in two passes: the sums and counts (which vectorise over regions), then the
    histogram's scattered increments, which in the same loop kept the first from vectorising (a third
    faster so; each sum still adds the runs in order)."""
    N, R = control.shape
    bins = np.empty(R, np.int64)
    for n in range(N):
        for r in range(R):
            c = control[n, r]
            control_sum[r] += c
            held = c > 0.5
            majority[r] += held
            changed[r] += held != start_majority[n, r]
            bins[r] = int(np.rint(c * (CONTROL_BINS - 1)))
        for r in range(R):
            histogram[r, bins[r]] += 1


class WeeklySeries:
    """Per-run weekly values spilled to disk block by block; exact quantiles per week at the end.

    Each block is one file, each series in it week-major (the block's runs contiguous per week), so a few
    weeks of a series over the whole ensemble are one contiguous read per block. Plain reads, not memory
    maps: mapped spill files would count, page by page, as the process's own memory. Worker processes
    spill their blocks themselves (`spill_block`); the files then only change hands. Quantiles are exact
    order statistics with linear interpolation (numpy's and DuckDB's `quantile_cont` definition), found in
    linear time by `order_statistics`.
    """

    def __init__(self, names: list[str]):
        self.names = sorted(names)
        self._tmp = tempfile.TemporaryDirectory(prefix="detente-weekly-")
        self._blocks: list[SpilledBlock] = []

    def add_block(self, series: dict[str, np.ndarray] | SpilledBlock) -> None:
        """Append one block: its series (name -> (n, W+1)), or a block a worker spilled (the file moves here)."""
        path = Path(self._tmp.name) / f"{len(self._blocks)}.f64"
        if isinstance(series, SpilledBlock):
            assert list(series.names) == self.names
            shutil.move(series.path, path)
            block = SpilledBlock(str(path), series.runs, series.weeks, series.names)
        else:
            block = spill_block(series, path)
        self._blocks.append(block)

    def summary(self) -> dict[str, dict[str, np.ndarray]]:
        """series -> statistic -> (W+1,) array: mean and the QUANTILES of each week over all runs.

        Series are summarised on as many threads as there are cores (the quantile kernel releases the GIL),
        each reading a few weeks of its series at a time (at most SUMMARY_CHUNK_BYTES), so memory stays flat
        however many runs there are."""
        values = sum(b.runs for b in self._blocks) * (self._blocks[0].weeks if self._blocks else 0)
        threads = min(available_cores(), max(len(self.names), 1)) if values > 1_000_000 else 1
        if threads == 1:  # a small ensemble: starting threads would cost more than they save
            stats = [self._series(s) for s in range(len(self.names))]
        else:
            with ThreadPoolExecutor(threads) as pool:
                stats = list(pool.map(self._series, range(len(self.names))))
        return dict(zip(self.names, stats))

    def _series(self, s: int) -> dict[str, np.ndarray]:
        runs = sum(b.runs for b in self._blocks)
        weeks = self._blocks[0].weeks if self._blocks else 0
        stats = {key: np.full(weeks, np.nan) for key in ("mean", *QUANTILE_NAMES)}
        chunk = max(1, min(weeks, SUMMARY_CHUNK_BYTES // max(8 * runs, 1)))
        handles = [open(b.path, "rb") for b in self._blocks]
        try:
            for first in range(0, weeks, chunk):
                last = min(first + chunk, weeks)
                span = np.empty((last - first, runs))
                at = 0
                for block, handle in zip(self._blocks, handles):  # weeks first..last of series s: contiguous
                    part = np.empty((last - first, block.runs))
                    handle.seek((s * weeks + first) * block.runs * 8)
                    handle.readinto(memoryview(part).cast("B"))
                    span[:, at: at + block.runs] = part
                    at += block.runs
                stats["mean"][first: last] = span.mean(axis=1)  # row by row, as each week's own mean
                for qn, values in zip(QUANTILE_NAMES, rows_order_statistics(span, np.array(QUANTILES)).T):
                    stats[qn][first: last] = values
        finally:
            for handle in handles:
                handle.close()
        return stats

    def close(self) -> None:
        """Drop the spill files."""
        self._tmp.cleanup()


@numba.njit(cache=True, nogil=True)
def rows_order_statistics(rows: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """`order_statistics` of each row (weeks, runs) -> (weeks, quantiles): one call for a chunk of weeks."""
    out = np.empty((rows.shape[0], quantiles.size))
    for w in range(rows.shape[0]):
        out[w] = order_statistics(rows[w], quantiles)
    return out


@numba.njit(cache=True, nogil=True)
def order_statistics(values: np.ndarray, quantiles: np.ndarray) -> np.ndarray:
    """Exact quantiles (linear interpolation between order statistics) in linear time: count the values in
    2,048 equal bins between min and max, then sort only the few bins that hold the ranks asked for.
    NaN where there are no values; NaNs among the values are ignored."""
    out = np.full(quantiles.size, np.nan)
    finite = values[~np.isnan(values)]
    n = finite.size
    if n == 0:
        return out
    low, high = finite.min(), finite.max()
    if low == high:
        out[:] = low
        return out
    bins = 2048
    span = high - low
    index = np.empty(n, np.int64)
    for i in range(n):
        if math.isinf(span):  # beyond ±9e307 both ways, or infinite values: by halves (an infinity lands in bin 0)
            x = (0.5 * finite[i] - 0.5 * low) * (bins / (0.5 * high - 0.5 * low))
        elif math.isinf(bins / span):  # a subnormal span: the fraction first (bins / span would be infinite)
            x = (finite[i] - low) / span * bins
        else:
            x = (finite[i] - low) * (bins / span)
        index[i] = int(min(x, bins - 1.0)) if x >= 0.0 else 0  # NaN (∞·0) to bin 0: one bin, sorted whole
    before = np.zeros(bins + 1, np.int64)      # before[b]: values in the bins below b
    for b in index:
        before[b + 1] += 1
    before = np.cumsum(before)
    ranks = np.empty(2 * quantiles.size, np.int64)
    for j in range(quantiles.size):
        rank = int(np.floor(quantiles[j] * (n - 1)))
        ranks[2 * j], ranks[2 * j + 1] = rank, min(rank + 1, n - 1)
    slot = np.full(bins, -1)                  # the bins holding those ranks, each gathered and sorted once
    wanted = 0
    for k in ranks:
        b = np.searchsorted(before, k, side="right") - 1
        if slot[b] < 0:
            slot[b] = wanted
            wanted += 1
    start = np.zeros(wanted + 1, np.int64)
    for b in range(bins):
        if slot[b] >= 0:
            start[slot[b] + 1] = before[b + 1] - before[b]
    start = np.cumsum(start)
    gathered, filled = np.empty(start[-1]), start[:-1].copy()
    for i in range(n):
        s = slot[index[i]]
        if s >= 0:
            gathered[filled[s]] = finite[i]
            filled[s] += 1
    for s in range(wanted):
        part = gathered[start[s]: start[s + 1]]
        if part.size > 1 and part.min() < part.max():  # a bin of ties (0/1 series, floors, caps) is sorted already
            part[:] = np.sort(part)
    for j in range(quantiles.size):
        position = quantiles[j] * (n - 1)
        pair = np.empty(2)
        for t in range(2):
            k = ranks[2 * j + t]
            b = np.searchsorted(before, k, side="right") - 1
            pair[t] = gathered[start[slot[b]] + k - before[b]]
        t, gap = position - np.floor(position), pair[1] - pair[0]
        out[j] = pair[1] - gap * (1.0 - t) if t >= 0.5 else pair[0] + gap * t  # NumPy's lerp, rounding included
    return out
