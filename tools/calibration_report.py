"""Figures of docs/calibration.md: prior against posterior per fitted parameter, the posterior-predictive bands
of the fit against the record (in sample), and the out-of-time forecasts' bands against what happened.
Writes static HTML (plotly, loaded from its CDN) under docs/img/ and prints the figures quoted in the docs,
among them the baseline's first-year gain. Usage: python tools/calibration_report.py [--runs 1000]
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

import detente
from detente.calibration import abc
from detente.calibration.posterior import read_posterior
from detente.calibration.priors import fitted_priors
from detente.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
IMG = ROOT / "docs" / "img"
RECORD = ROOT / "data" / "record"
FILES = [RECORD / f for f in ("isw_area_daily.csv", "deepstate_oblast_weekly.csv", "russian_casualties_monthly.csv")]


def prior_posterior(fit: str, scenario) -> None:  # noqa: ANN001
    posterior = read_posterior(fit)
    priors = [p for p in fitted_priors(scenario) if p.name in posterior.names]
    fig = make_subplots(rows=-(-len(priors) // 5), cols=5, subplot_titles=[p.name.split(".", 1)[1] for p in priors])
    rng = np.random.default_rng(0)
    for i, p in enumerate(priors):
        row, col = divmod(i, 5)
        prior = p.sample(5000, rng)
        post = posterior.column(p.name)
        log = p.logscale
        edges = np.linspace(np.log10(p.lo) if log else p.lo, np.log10(p.hi) if log else p.hi, 31)
        for values, label, colour in ((prior, "prior", "#bbbbbb"), (post, f"posterior {fit}", "#c0392b")):
            density, _ = np.histogram(np.log10(values) if log else values, bins=edges, density=True)
            fig.add_trace(go.Bar(x=np.round((edges[:-1] + edges[1:]) / 2, 4), y=np.round(density, 4), name=label,
                                 marker_color=colour, opacity=0.6, showlegend=i == 0), row=row + 1, col=col + 1)
        fig.update_xaxes(title_text="log10" if log else "", row=row + 1, col=col + 1)
    fig.update_layout(barmode="overlay", title=f"Prior (grey) and posterior {fit} (red) of the fitted parameters",
                      height=600, width=1400)
    fig.write_html(IMG / f"calibration-prior-posterior-{fit}.html", include_plotlyjs="cdn")


def bands(title: str, start: dt.date, weeks: np.ndarray, sims: dict[str, np.ndarray], record: dict, out: str) -> None:
    kinds = ["isw", "donetsk", "kharkiv", "zaporizhzhia"]
    fig = make_subplots(rows=2, cols=2, subplot_titles=["ISW area (Ukraine)", "DeepState Donetsk",
                                                        "DeepState Kharkiv", "DeepState Zaporizhzhia"])
    dates = [start + dt.timedelta(weeks=int(w)) for w in weeks]
    for i, kind in enumerate(kinds):
        row, col = divmod(i, 2)
        p10, p50, p90 = np.percentile(sims[kind], [10, 50, 90], axis=0)
        fig.add_trace(go.Scatter(x=dates + dates[::-1], y=list(p90) + list(p10[::-1]), fill="toself",
                                 fillcolor="rgba(192,57,43,0.2)", line={"width": 0}, name="model 10–90%",
                                 showlegend=i == 0), row=row + 1, col=col + 1)
        fig.add_trace(go.Scatter(x=dates, y=p50, line={"color": "#c0392b"}, name="model median", showlegend=i == 0),
                      row=row + 1, col=col + 1)
        zero = abc._at_or_before(record[kind], start)
        obs = [(abc._at_or_before(record[kind], d) or np.nan) - zero for d in dates]
        fig.add_trace(go.Scatter(x=dates, y=obs, line={"color": "black"}, name="record", showlegend=i == 0),
                      row=row + 1, col=col + 1)
    fig.update_layout(title=title, height=700, width=1200, yaxis_title="km² since the start")
    fig.write_html(IMG / out, include_plotlyjs="cdn")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--runs", type=int, default=1000)
    args = parser.parse_args()
    IMG.mkdir(parents=True, exist_ok=True)
    record = abc.read_record(FILES)
    fit_scenario = load_scenario(ROOT / "scenarios" / "fit-2023-2024.yaml").scenario
    for fit, until in (("fit-2023", dt.date(2023, 12, 31)), ("fit-2024", dt.date(2024, 12, 31))):
        prior_posterior(fit, fit_scenario)
        posterior = read_posterior(fit)
        simulator = abc.Simulator.for_posterior(fit_scenario, posterior.names, until)
        samples = posterior.samples
        sims = simulator.run(samples[np.random.default_rng(1).integers(0, len(samples), args.runs)], seed=7)
        weeks = np.arange(simulator.weeks + 1)
        bands(f"In sample: posterior {fit} on the fit scenario against the record to {until}", fit_scenario.start,
              weeks, sims, record, f"calibration-fit-{fit}.html")
        end = {k: np.percentile(v[:, -1], [10, 50, 90]).round() for k, v in sims.items() if k not in ("casualties", "fire")}
        print(f"{fit} in sample, change at {until}: {end}")
    for name in ("forecast-2024", "forecast-2024h2", "forecast-2025q1"):
        loaded = load_scenario(ROOT / "scenarios" / f"{name}.yaml")
        scenario = loaded.scenario
        until = scenario.start + dt.timedelta(weeks=scenario.horizon_weeks)
        posterior = read_posterior(scenario.posterior)
        simulator = abc.Simulator.for_posterior(scenario, posterior.names, until)
        samples = posterior.samples
        sims = simulator.run(samples[np.random.default_rng(2).integers(0, len(samples), args.runs)], seed=11)
        bands(f"Out of time: {name} (posterior {scenario.posterior}) against the record", scenario.start,
              np.arange(simulator.weeks + 1), sims, record, f"{name}-bands.html")
    result = detente.simulate(ROOT / "scenarios" / "baseline.yaml", runs=args.runs, seed=1)
    area = result.weekly["area_gained_km2"]
    print("baseline first-year gain (week 52): p10 {:.0f}, p50 {:.0f}, p90 {:.0f}; two years p50 {:.0f}".format(
        area["p10"][52], area["p50"][52], area["p90"][52], area["p50"][-1]))


if __name__ == "__main__":
    main()
