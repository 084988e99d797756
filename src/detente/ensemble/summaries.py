"""Summaries that stream: weekly quantiles without keeping every run in memory, region maps as histograms.

Weekly scalar series go, block by block, into a spill-to-disk DuckDB table and come back as exact
quantiles; control shares live on [0, 1] and are counted in 101 bins per region and week, which merge
exactly across blocks (the median map is read off the counts).
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass

import duckdb
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
    """Per-run weekly values, spilled to a DuckDB temp table; exact quantiles per week at the end."""

    def __init__(self, names: list[str], memory_limit: str = "256MB"):
        self.names = names
        self._tmp = tempfile.TemporaryDirectory(prefix="detente-weekly-")
        self.con = duckdb.connect(":memory:", config={"memory_limit": memory_limit, "threads": 1,
                                                      "temp_directory": self._tmp.name,
                                                      "preserve_insertion_order": True})
        cols = ", ".join(f'"{n}" DOUBLE' for n in names)
        self.con.execute(f"CREATE TABLE weekly (week INTEGER, {cols})")

    def add_block(self, series: dict[str, np.ndarray]) -> None:
        """Append one block: each series (n, W+1)."""
        first = series[self.names[0]]
        n, weeks = first.shape
        frame = {"week": np.tile(np.arange(weeks, dtype=np.int32), n)}
        frame.update({name: np.ascontiguousarray(series[name]).ravel() for name in self.names})
        self.con.register("block_frame", frame)
        self.con.execute("INSERT INTO weekly SELECT * FROM block_frame")
        self.con.unregister("block_frame")

    def summary(self) -> dict[str, dict[str, np.ndarray]]:
        """series -> statistic -> (W+1,) array."""
        qs = "[" + ", ".join(str(q) for q in QUANTILES) + "]"
        out: dict[str, dict[str, np.ndarray]] = {}
        for name in self.names:
            rows = self.con.execute(
                f'SELECT week, avg("{name}"), quantile_cont("{name}", {qs}) FROM weekly GROUP BY week ORDER BY week'
            ).fetchall()
            stats = {"mean": np.array([r[1] for r in rows])}
            for i, qn in enumerate(QUANTILE_NAMES):
                stats[qn] = np.array([r[2][i] for r in rows])
            out[name] = stats
        return out

    def close(self) -> None:
        """Drop the temp table and its spill files."""
        self.con.close()
        self._tmp.cleanup()
