"""Summaries that stream: weekly quantiles without keeping every run in memory, region maps as histograms.

Weekly scalar series go, block by block, into a spill-to-disk DuckDB table and come back as exact
quantiles; control shares live on [0, 1] and are counted in 101 bins per region and week, which merge
exactly across blocks (the median map is read off the counts).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

from pathlib import Path

import numba
import numpy as np

QUANTILES = (0.05, 0.10, 0.25, 0.50, 0.75, 0.90, 0.95)
QUANTILE_NAMES = ("p05", "p10", "p25", "p50", "p75", "p90", "p95")
CONTROL_BINS = 101


def summarise(values: np.ndarray) -> dict[str, float]:
    """Mean and quantiles of one metric over runs (NaN-free input)."""
    q = np.quantile(values, QUANTILES)
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
        n, regions = control.shape
        bins = np.rint(control * (CONTROL_BINS - 1)).astype(np.int64) + np.arange(regions) * CONTROL_BINS
        self.histogram[week] += np.bincount(bins.ravel(), minlength=regions * CONTROL_BINS).reshape(regions, -1)
        self.control_sum[week] += control.sum(axis=0)
        majority = control > 0.5
        self.majority[week] += majority.sum(axis=0)
        self.changed[week] += (majority != start_majority).sum(axis=0)

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


class WeeklySeries:
    """Per-run weekly values spilled to disk block by block; exact quantiles per week at the end.

    Each series is one file of float64, each block written week-major (its runs contiguous per week), so a
    week's values over the whole ensemble are a few contiguous reads, one per block; memory holds one
    week of one series at a time. Quantiles are exact order statistics with linear interpolation (numpy's
    and DuckDB's `quantile_cont` definition), found in linear time by `order_statistics`.
    """

    def __init__(self, names: list[str]):
        self.names = names
        self._tmp = tempfile.TemporaryDirectory(prefix="detente-weekly-")
        self._files = {name: open(Path(self._tmp.name) / f"{i}.f64", "wb") for i, name in enumerate(names)}
        self._blocks: list[int] = []     # runs per block, in order
        self._weeks = 0

    def add_block(self, series: dict[str, np.ndarray]) -> None:
        """Append one block: each series (n, W+1)."""
        n, self._weeks = np.shape(series[self.names[0]])
        for name in self.names:
            self._files[name].write(np.ascontiguousarray(np.asarray(series[name], np.float64).T).tobytes())
        self._blocks.append(n)

    def summary(self) -> dict[str, dict[str, np.ndarray]]:
        """series -> statistic -> (W+1,) array: mean and the QUANTILES of each week over all runs."""
        weeks, runs = self._weeks, sum(self._blocks)
        starts = np.cumsum([0] + [n * weeks for n in self._blocks])[:-1]
        out: dict[str, dict[str, np.ndarray]] = {}
        for name in self.names:
            self._files[name].flush()
            stats = {key: np.full(weeks, np.nan) for key in ("mean", *QUANTILE_NAMES)}
            if runs:
                data = np.memmap(self._files[name].name, dtype=np.float64, mode="r")
                week = np.empty(runs)
                for w in range(weeks):
                    at = 0
                    for start, n in zip(starts, self._blocks):
                        week[at: at + n] = data[start + w * n: start + (w + 1) * n]
                        at += n
                    stats["mean"][w] = week.mean()
                    for qn, value in zip(QUANTILE_NAMES, order_statistics(week, np.array(QUANTILES))):
                        stats[qn][w] = value
                del data
            out[name] = stats
        return out

    def close(self) -> None:
        """Drop the spill files."""
        for handle in self._files.values():
            handle.close()
        self._tmp.cleanup()


@numba.njit(cache=True)
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
    scale = bins / (high - low)
    index = np.minimum(((finite - low) * scale).astype(np.int64), bins - 1)
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
        out[j] = pair[0] + (position - np.floor(position)) * (pair[1] - pair[0])
    return out
