"""Russia's offensive effort at a scenario's start, nowcast from the record: `forces.russia.effort_at_start`.

The tempo mechanism (`dynamics/tempo.py`) carries the part of the pace the model does not explain as a latent
log-tempo that starts at ln e₀ and returns towards 0 (the fitted median) at its persistence φ. Where it starts
is a state, and a forecaster knows something about it on the day: the pace of the weeks just before. This
tool estimates e₀ as the record's pace over the weeks before the start (ISW's Russian-controlled area, the
series the forecasts are scored on: its mean weekly change over `--weeks` weeks to the day before the start)
over the pace the model makes at the median tempo (the median over runs of the ground gained in the first
`--model-weeks` weeks with e₀ = 1, per week). The ground law is linear in a side's intent to attack, which the
effort multiplies, so the ratio is the effort that makes the model's first weeks run at the record's pace.

Only the record up to the day before the start is read: it is the starting state's rule (data up to the start
may set it). The fit scenarios keep e₀ = 1.

    python tools/effort_at_start.py scenarios/forecast-2024.yaml [--weeks 13] [--model-weeks 4] [--runs 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
from pathlib import Path

import numpy as np

import detente
from detente.calibration.record import load_record
from detente.errors import DetenteError
from detente.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "data" / "record" / "isw_area_daily.csv"
SERIES = "area_controlled_km2"
WITHIN_DAYS = 7   # a start past the record's end is refused, not read as its last week


def observed_pace(start: dt.date, weeks: int) -> float:
    """Mean weekly change of the record over `weeks` weeks to the day before `start` (km² a week)."""
    series = load_record(RECORD).series[SERIES]
    end = start - dt.timedelta(days=1)
    return (series.level_on(end, WITHIN_DAYS)
            - series.level_on(end - dt.timedelta(weeks=weeks), WITHIN_DAYS)) / weeks


def model_pace(scenario: Path, model_weeks: int, runs: int, seed: int) -> float:
    """Median over runs of the area gained in the first `model_weeks` weeks at e₀ = 1, per week."""
    effort_one = {("sides", "effort_at_start", 0): np.ones(runs)}
    result = detente.simulate(scenario, runs=runs, seed=seed, keep_paths=runs, overrides=effort_one)
    return float(np.median(result.paths["area_gained_km2"][:, model_weeks])) / model_weeks


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--weeks", type=int, default=13, help="weeks of the record before the start (default 13)")
    parser.add_argument("--model-weeks", type=int, default=4, help="the model's first weeks (default 4)")
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    start = load_scenario(args.scenario).scenario.start
    seen = observed_pace(start, args.weeks)
    made = model_pace(args.scenario, args.model_weeks, args.runs, args.seed)
    print(f"{args.scenario.name}: start {start}; record {seen:.1f} km²/week over the {args.weeks} weeks before; "
          f"model at the median tempo {made:.1f} km²/week over its first {args.model_weeks} "
          f"({args.runs} runs, seed {args.seed})")
    print(f"forces.russia.effort_at_start = {seen / made:.3f}")


if __name__ == "__main__":
    try:
        main()
    except DetenteError as error:  # a start the record cannot nowcast: the message, not a traceback
        raise SystemExit(error.render()) from None
