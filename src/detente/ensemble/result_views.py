"""An ensemble's results as an analyst uses them in a notebook: pandas, xarray, plotly, a short repr.

`EnsembleResult` (in `runner.py`) holds plain numpy arrays; this module is the view of them that notebooks
and other tools read, kept apart so the runner stays about running. Nothing here computes a statistic of its
own: every number is one the ensemble already holds (per-run metrics, weekly quantiles, the region table, and
the per-run weekly paths of the runs chosen with `simulate(..., keep_paths=...)`).

pandas and xarray are imported when a view is asked for, never when the model runs.
"""

from __future__ import annotations

import datetime as dt
from typing import TYPE_CHECKING, Any, Iterable

import numpy as np

from detente.errors import DetenteError

if TYPE_CHECKING:  # pragma: no cover
    import pandas as pd
    import plotly.graph_objects as go
    import xarray as xr

REPR_METRICS = ("area_gained_km2", "casualties_russia", "casualties_ukraine", "aid_delivered_eur_bn")


class ResultViews:
    """Mixed into `EnsembleResult`: `to_pandas`, `to_xarray`, `plot`, `paths` and a short `repr`."""

    # --- the short repr -----------------------------------------------------------------------------------
    def __repr__(self) -> str:
        """A few lines: what was run, how big it is, a few headline medians, and how to get at the rest."""
        summary = self.summary()
        weeks = self.loaded.scenario.horizon_weeks
        lines = [f"<EnsembleResult {self.loaded.name}: {self.runs:,} runs × {weeks} weeks from "
                 f"{self.loaded.scenario.start}, seed {self.seed}>",
                 f"  {len(self.metrics)} metrics per run, {len(self.weekly)} weekly series, "
                 f"{len(self.region_ids)} regions" + (f", tables: {', '.join(sorted(self.tables))}" if self.tables
                                                      else "")
                 + (f", paths of {len(self.path_runs)} runs" if len(self.path_runs) else "")]
        for name in REPR_METRICS:
            if name in summary:
                s = summary[name]
                title, unit, _ = describe(name)
                lines.append(f"  {title}: median {number(s['p50'])} {unit} "
                             f"(10–90%: {number(s['p10'])} … {number(s['p90'])})")
        lines.append("  .to_pandas()  .to_xarray()  .plot.fan(series)  .plot.map(week)  .summary()  .save()")
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        """The same few lines in a notebook (never a dump of the arrays)."""
        import html

        return f"<pre>{html.escape(repr(self))}</pre>"

    # --- dates ---------------------------------------------------------------------------------------------
    def dates(self) -> np.ndarray:
        """The date of each week 0 … horizon (week 0 is the scenario's start)."""
        start = dt.date.fromisoformat(str(self.manifest.get("start", self.loaded.scenario.start)))
        weeks = self.loaded.scenario.horizon_weeks
        return np.array([start + dt.timedelta(weeks=w) for w in range(weeks + 1)], dtype="datetime64[D]")

    # --- pandas --------------------------------------------------------------------------------------------
    def to_pandas(self, by: str = "run") -> "pd.DataFrame":
        """A tidy DataFrame.

        by="run": one row per run, a column per metric (the outcome at the horizon) — the default.
        by="week": one row per weekly series and week: date, mean and the quantiles over the runs.
        by="run-week": one row per kept run and week, a column per series (the per-run paths; ask for them
        with `simulate(..., keep_paths=...)`).
        """
        import pandas as pd

        if by == "run":
            frame = pd.DataFrame({name: np.asarray(values) for name, values in sorted(self.metrics.items())})
            frame.insert(0, "run", np.arange(self.runs))
        elif by == "week":
            dates = self.dates()
            parts = []
            for series, stats in sorted(self.weekly.items()):
                part = pd.DataFrame({k: np.asarray(v) for k, v in stats.items()})
                part.insert(0, "date", pd.to_datetime(dates[: len(part)]))
                part.insert(0, "week", np.arange(len(part)))
                part.insert(0, "series", series)
                parts.append(part)
            frame = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
        elif by == "run-week":
            runs, paths = self._require_paths()
            weeks = self.loaded.scenario.horizon_weeks + 1
            frame = pd.DataFrame({"run": np.repeat(runs, weeks), "week": np.tile(np.arange(weeks), len(runs)),
                                  "date": pd.to_datetime(np.tile(self.dates(), len(runs)))})
            for series, values in sorted(paths.items()):
                frame[series] = np.asarray(values).ravel()
        else:
            raise DetenteError(f"to_pandas(by={by!r}): choose 'run', 'week' or 'run-week'")
        frame.attrs.update({"scenario": self.loaded.name, "seed": self.seed, "runs": self.runs,
                            "scenario_hash": self.loaded.digest})
        return frame

    # --- xarray --------------------------------------------------------------------------------------------
    def to_xarray(self) -> "xr.Dataset":
        """One Dataset: `outcome` (run × metric), `weekly` (series × week × stat, quantiles over the runs),
        `control` (week × region × stat, the map), and `paths` (path_run × week × series) where runs were kept;
        the date of each week is a coordinate on `week`."""
        import xarray as xr

        names = sorted(self.metrics)
        series = sorted(self.weekly)
        stats = list(next(iter(self.weekly.values())).keys()) if self.weekly else []
        weeks = np.arange(self.loaded.scenario.horizon_weeks + 1)
        data: dict[str, Any] = {
            "outcome": (("run", "metric"), np.column_stack([np.asarray(self.metrics[m], float) for m in names])
                        if names else np.empty((self.runs, 0))),
        }
        if series:
            data["weekly"] = (("series", "week", "stat"),
                              np.stack([np.column_stack([self.weekly[s][k] for k in stats]) for s in series]))
        region_stats = sorted(self.regions)
        if region_stats:
            data["control"] = (("week", "region", "region_stat"),
                               np.stack([np.asarray(self.regions[k], float) for k in region_stats], axis=-1))
        coords: dict[str, Any] = {"run": np.arange(self.runs), "metric": names, "series": series, "stat": stats,
                                  "week": weeks, "date": ("week", self.dates()), "region": list(self.region_ids),
                                  "region_stat": region_stats}
        if len(self.path_runs):
            runs, paths = self._require_paths()
            kept = sorted(paths)
            data["paths"] = (("path_run", "week", "path_series"), np.stack([paths[s] for s in kept], axis=-1))
            coords.update({"path_run": runs, "path_series": kept})
        return xr.Dataset(data, coords=coords, attrs={"scenario": self.loaded.name, "seed": self.seed,
                                                      "runs": self.runs, "scenario_hash": self.loaded.digest})

    # --- paths ---------------------------------------------------------------------------------------------
    def _require_paths(self) -> tuple[np.ndarray, dict[str, np.ndarray]]:
        if not len(self.path_runs):
            raise DetenteError("no per-run paths were kept; run with simulate(..., keep_paths=20) (the first 20 "
                               "runs) or keep_paths=[0, 5, 9] (those runs)")
        return np.asarray(self.path_runs), self.paths

    # --- plots ---------------------------------------------------------------------------------------------
    @property
    def plot(self) -> "ResultPlots":
        """Plotly figures of this ensemble: `.fan(series)`, `.map(week)`, `.histogram(metric)`."""
        return ResultPlots(self)


class ResultPlots:
    """Figures of one ensemble, each a plotly Figure (show it, or `write_html`)."""

    def __init__(self, result: Any):
        self.result = result

    def fan(self, series: str, paths: bool = True) -> "go.Figure":
        """Fan chart of a weekly series against dates: median, 50% and 90% bands, and the kept runs' paths."""
        import plotly.graph_objects as go

        r = self.result
        if series not in r.weekly:
            raise DetenteError(f"no weekly series '{series}'; weekly series are: {', '.join(sorted(r.weekly)[:12])}"
                               + (" …" if len(r.weekly) > 12 else ""))
        title, unit, percent = describe(series)
        stats = r.weekly[series]
        dates = [str(d) for d in r.dates()[: len(stats["mean"])]]
        scale = 100.0 if percent else 1.0
        figure = go.Figure()
        if percent:
            figure.add_trace(go.Scatter(x=dates, y=np.asarray(stats["mean"]) * scale, name="share of runs",
                                        line={"color": "#2f855a"}))
        else:
            for low, high, colour, label in (("p05", "p95", "rgba(49,130,206,0.18)", "5–95%"),
                                             ("p25", "p75", "rgba(49,130,206,0.38)", "25–75%")):
                figure.add_trace(go.Scatter(x=dates, y=stats[high], line={"width": 0}, showlegend=False,
                                            hoverinfo="skip"))
                figure.add_trace(go.Scatter(x=dates, y=stats[low], fill="tonexty", fillcolor=colour,
                                            line={"width": 0}, name=label))
            figure.add_trace(go.Scatter(x=dates, y=stats["p50"], name="median", line={"color": "#1a365d"}))
        if paths and len(r.path_runs) and series in r.paths:
            for run, values in zip(r.path_runs[:20], r.paths[series][:20]):
                figure.add_trace(go.Scatter(x=dates, y=np.asarray(values) * scale, mode="lines", name=f"run {run}",
                                            line={"width": 0.8, "color": "rgba(100,100,100,0.5)"}, showlegend=False))
        figure.update_layout(title=f"{title} — {r.loaded.name}, {r.runs:,} runs", xaxis_title="date",
                             yaxis_title=("% of runs" if percent else unit), height=380,
                             margin={"l": 60, "r": 20, "t": 50, "b": 40})
        return figure

    def map(self, week: int | None = None, value: str = "p50_control") -> "go.Figure":
        """Map of one week (default: the horizon): each region's median Russian share of control (or `value`:
        mean_control, p_changed_hands, p_russian_majority …), regions outside the model left out."""
        import plotly.graph_objects as go

        from detente.world.geography import load_geography

        r = self.result
        horizon = r.loaded.scenario.horizon_weeks
        week = horizon if week is None else int(week)
        if not 0 <= week <= horizon:
            raise DetenteError(f"week {week} is outside the run (weeks 0 … {horizon})")
        if value not in r.regions:
            raise DetenteError(f"no region value '{value}'; choose one of {', '.join(sorted(r.regions))}")
        z = np.asarray(r.regions[value][week], float)
        date = r.dates()[week]
        probability = value.startswith("p_")
        hover = [f"{rid}<br>median Russian control {r.regions['p50_control'][week][i]:.0%} "
                 f"(10–90%: {r.regions['p10_control'][week][i]:.0%} … {r.regions['p90_control'][week][i]:.0%})"
                 f"<br>P(changed hands) {r.regions['p_changed_hands'][week][i]:.0%}"
                 for i, rid in enumerate(r.region_ids)]
        figure = go.Figure(go.Choropleth(
            geojson=load_geography().geojson(), featureidkey="properties.id", locations=list(r.region_ids),
            z=z * 100, zmin=0, zmax=100, text=hover, hoverinfo="text",
            colorscale=[[0.0, "#2b6cb0"], [0.5, "#f7f7f7"], [1.0, "#c53030"]] if not probability
            else [[0.0, "#fffbea"], [1.0, "#7b341e"]],
            colorbar={"title": {"text": "%"}, "thickness": 12}, marker={"line": {"color": "#555", "width": 0.5}}))
        figure.update_geos(fitbounds="locations", visible=False)
        what = {"p50_control": "median Russian control", "mean_control": "mean Russian control",
                "p_changed_hands": "P(changed hands)", "p_russian_majority": "P(Russian majority)"}.get(value, value)
        figure.update_layout(title=f"{what}, week {week} ({date}) — {r.loaded.name}", height=460,
                             margin={"l": 5, "r": 5, "t": 45, "b": 5})
        return figure

    def histogram(self, metric: str) -> "go.Figure":
        """Distribution over the runs of one outcome at the horizon."""
        import plotly.graph_objects as go

        r = self.result
        if metric not in r.metrics:
            raise DetenteError(f"no metric '{metric}'; `detente metrics` lists them")
        title, unit, _ = describe(metric)
        figure = go.Figure(go.Histogram(x=np.asarray(r.metrics[metric]), nbinsx=40))
        figure.update_layout(title=f"{title} at the horizon — {r.loaded.name}", xaxis_title=unit,
                             yaxis_title="runs", height=340)
        return figure


def describe(name: str) -> tuple[str, str, bool]:
    """(title, unit, shown as a percentage) of a metric or series, from the registry (the raw name if undeclared)."""
    from detente.ensemble import registry

    found = registry.find(name)
    if found is None:
        return name, "", False
    return found.title(name), found.unit, found.percent


def number(value: float) -> str:
    """A readable number: thousands separated, two decimals below 100, a dash for NaN."""
    if value != value:
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


# --- choosing and collecting per-run paths (called by `simulate`) ----------------------------------------------
def chosen_runs(keep_paths: int | Iterable[int] | None, runs: int) -> np.ndarray:
    """The run indices whose weekly paths to keep: None or 0 none, n the first n, or the given indices."""
    if keep_paths is None or keep_paths is False:
        return np.empty(0, dtype=np.int64)
    if isinstance(keep_paths, (int, np.integer)) and not isinstance(keep_paths, bool):
        if keep_paths < 0:
            raise DetenteError(f"keep_paths={keep_paths}: give a number of runs (≥ 0) or a list of run indices")
        return np.arange(min(int(keep_paths), runs), dtype=np.int64)
    chosen = np.unique(np.asarray(list(keep_paths), dtype=np.int64))
    if chosen.size and (chosen[0] < 0 or chosen[-1] >= runs):
        raise DetenteError(f"keep_paths: run indices must be within 0 … {runs - 1}")
    return chosen


def block_paths(weekly: Any, first: int, runs_in_block: int, chosen: np.ndarray) -> dict[str, np.ndarray]:
    """The weekly paths (series -> (k, W+1)) of the chosen runs that fall in one block, read before the block
    is summarised (from memory, or from the file a worker spilled it to)."""
    from detente.ensemble.summaries import SpilledBlock

    local = chosen[(chosen >= first) & (chosen < first + runs_in_block)] - first
    if not local.size:
        return {}
    if isinstance(weekly, SpilledBlock):
        table = np.fromfile(weekly.path, dtype=np.float64).reshape(len(weekly.names), weekly.weeks, weekly.runs)
        return {name: table[i][:, local].T.copy() for i, name in enumerate(weekly.names)}
    return {name: np.asarray(values)[local].copy() for name, values in weekly.items()}


def join_paths(parts: list[tuple[int, dict[str, np.ndarray]]]) -> dict[str, np.ndarray]:
    """Blocks' kept paths (block index, paths), in run order whatever order the blocks arrived in."""
    parts = [p for _, p in sorted(parts, key=lambda part: part[0]) if p]
    if not parts:
        return {}
    return {name: np.concatenate([p[name] for p in parts]) for name in parts[0]}
