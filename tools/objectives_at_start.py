"""Where Russia's effort lies at a scenario's start, nowcast from the record: `regions.<r>.objective`.

Russia places its line troops in proportion to its objective weights (`dynamics/allocation.py`: weight 1 = the
main effort, Donetsk; the others relative to it). Which sectors Russia pushes in is a state of the campaign, and
a forecaster knows it on the day from where the front moved in the weeks before: in the 13 weeks to 31 December
2023 DeepState's Donetsk took 66% of the regions' net Russian gains, in the 13 weeks to 17 March 2025 83%. The
weights of the secondary sectors had been placeholders (0.3, 0.1) that put about half of Russia's line outside
Donetsk whatever the record showed.

This tool sets each secondary weight so that the model's first weeks divide the gains among the sectors as the
record's weeks before the start did: the target for region r is its net gain over the main effort's
(g_r / g_main, DeepState's occupied km², `--weeks` weeks to the day before the start; a sector where Russia lost
ground or stood still has target 0), the model's the same ratio of its mean gains over its first `--weeks`
weeks. The weights are moved multiplicatively, damped (w ← w·(target/model)^½, on [h, 1.5]), until every ratio is
within 5% or `--iterations` are spent. h is the holding weight: a sector on the front gets at least h of the line
(`allocate`), and Russia attacks there only where its weight is above 0 (`kernel`: the intent to attack). So the
choice below h is between attacking with h's troops and holding only (weight 0): where the model at h still gains
more than the record did, the tool keeps whichever of the two comes closer to the record's gain, and a sector
with target 0 gets 0 at once: held only. The main effort keeps its weight 1 (the scale is free: only ratios and h
matter).

Regions in Russia (Kursk) are left as their scenario sets them: the record's gain there is Russia retaking its
own ground, capped by what Ukraine still holds, and is not a choice among Ukrainian sectors.

Only the record up to the day before the start is read: it is the starting state's rule (data up to the start
may set it). The fit scenarios keep their weights.

    python tools/objectives_at_start.py scenarios/forecast-2024.yaml [--weeks 13] [--runs 2000]
"""

from __future__ import annotations

import argparse
import datetime as dt
import functools
from pathlib import Path
from typing import NamedTuple

import numpy as np

import detente
from detente.calibration.record import load_record
from detente.errors import DetenteError
from detente.scenario.loader import LoadedScenario, load_scenario
from detente.world.model import WarModel, compile_model

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "data" / "record" / "deepstate_oblast_weekly.csv"
CLOSE = 0.05        # |log(model / target)| at which a weight is settled
DAMPING = 0.5       # the exponent of each multiplicative step
MOST = 1.5          # the objective field's upper bound
WITHIN_DAYS = 7     # a start past the record's end is refused, not read as its last week


class Nowcast(NamedTuple):
    """The record's and the model's gains per sector, and the weights that make them agree."""

    main: str
    regions: list[str]
    record_km2: dict[str, float]
    model_km2: dict[str, float]
    weights: dict[str, float]
    settled: dict[str, str]


@functools.cache
def setup(scenario: Path) -> tuple[LoadedScenario, WarModel]:
    """The scenario loaded and compiled once: every iteration runs it again with other weights."""
    loaded = load_scenario(scenario)
    return loaded, compile_model(loaded.scenario)


def record_gains(regions: list[str], start: dt.date, weeks: int) -> dict[str, float]:
    """DeepState's change of Russian-occupied km² per region over `weeks` weeks to the day before `start`."""
    series = load_record(RECORD).series
    end = start - dt.timedelta(days=1)
    gains = {}
    for region in regions:
        s = series[f"area_controlled_km2/{region}"]
        gains[region] = s.level_on(end, WITHIN_DAYS) - s.level_on(end - dt.timedelta(weeks=weeks), WITHIN_DAYS)
    return gains


def sectors(scenario: Path) -> tuple[str, list[str], dt.date]:
    """The main effort (the largest weight) and the secondary sectors: the other regions of Ukraine contested at
    the start, whatever weight the scenario gives them (a weight of 0, held only, is one of the answers); and the
    start."""
    loaded, model = setup(scenario)
    objective = np.asarray(model.regions["objective"], float)
    control = np.asarray(model.regions["control"], float)
    candidates = [rid for r, (rid, country) in enumerate(zip(model.region_ids, model.geography.countries))
                  if country == "UA" and 0.0 < control[r] < 1.0]
    main = max(candidates, key=lambda rid: objective[model.region_ids.index(rid)])
    return main, [rid for rid in candidates if rid != main], loaded.scenario.start


def model_gains(scenario: Path, weights: dict[str, float], weeks: int, runs: int, seed: int) -> dict[str, float]:
    """Mean over runs of the Russian-held km² gained per region in the first `weeks` weeks, with `weights` set in
    every run (the scenario's per-run spread of those weights replaced)."""
    loaded, model = setup(scenario)
    index = {rid: r for r, rid in enumerate(model.region_ids)}
    overrides = {("regions", "objective", index[rid]): np.full(runs, w) for rid, w in weights.items()}
    result = detente.simulate(loaded, runs=runs, seed=seed, overrides=overrides)
    mean = result.regions["mean_control"]
    weeks = min(weeks, mean.shape[0] - 1)  # a forecast shorter than the record's window
    return {rid: float((mean[weeks, index[rid]] - mean[0, index[rid]]) * model.area[index[rid]])
            for rid in weights}


def nowcast(scenario: Path, weeks: int = 13, runs: int = 2000, seed: int = 0, iterations: int = 20) -> Nowcast:
    """The secondary sectors' weights (main effort 1) that make the model's first weeks share out the gains as
    the record's weeks before the start did."""
    main, regions, start = sectors(scenario)
    seen = record_gains([main, *regions], start, weeks)
    if seen[main] <= 0:
        raise SystemExit(f"{scenario}: the main effort ({main}) gained nothing in the record's {weeks} weeks")
    target = {rid: max(seen[rid], 0.0) / seen[main] for rid in regions}
    holding = float(np.mean(setup(scenario)[1].combat["holding_weight"]))
    weights = {main: 1.0, **{rid: (0.0 if target[rid] == 0 else 0.3) for rid in regions}}
    made: dict[str, float] = {}
    for _ in range(iterations):
        made = model_gains(scenario, weights, weeks, runs, seed)
        if made[main] <= 0:
            raise SystemExit(f"{scenario}: the model's main effort ({main}) gains nothing in {weeks} weeks")
        misses = {rid: np.log(max(made[rid], 1e-9) / made[main] / target[rid])
                  for rid in regions if target[rid] > 0}
        open_ = [rid for rid, miss in misses.items() if abs(miss) > CLOSE
                 and not (miss > 0 and weights[rid] <= holding) and not (miss < 0 and weights[rid] >= MOST)]
        if not open_:
            break
        for rid in open_:
            weights[rid] = float(np.clip(weights[rid] * np.exp(-DAMPING * misses[rid]), holding, MOST))
    settled = {rid: "no net gain in the record: held only" for rid in regions if target[rid] == 0}
    for rid in regions:
        if rid in settled:
            continue
        if abs(misses[rid]) <= CLOSE:
            settled[rid] = "matched"
        elif misses[rid] > 0 and weights[rid] <= holding:
            # attacking with the holding weight's troops gains too much: would holding only (no attack) be closer?
            without = model_gains(scenario, {**weights, rid: 0.0}, weeks, runs, seed)
            wanted = target[rid] * made[main]
            if abs(without[rid] - wanted) < abs(made[rid] - wanted):
                weights[rid], made = 0.0, without
                settled[rid] = "held only: attacking even with the holding weight gains more than the record"
            else:
                settled[rid] = "attacking at the holding weight: holding only would gain less than the record"
        else:
            settled[rid] = "not settled"
    return Nowcast(main, regions, seen, made, {rid: round(w, 3) for rid, w in weights.items()}, settled)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("scenario", type=Path)
    parser.add_argument("--weeks", type=int, default=13, help="weeks of the record before the start, and of the "
                                                             "model after it (default 13)")
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    result = nowcast(args.scenario, args.weeks, args.runs, args.seed)
    print(f"{args.scenario.name}: main effort {result.main}; the record's {args.weeks} weeks before the start, "
          f"the model's first {args.weeks} or its horizon ({args.runs} runs, seed {args.seed}), km²:")
    for rid in [result.main, *result.regions]:
        print(f"  {rid:<14} record {result.record_km2[rid]:8.1f}  model {result.model_km2.get(rid, float('nan')):8.1f}"
              f"  regions.{rid}.objective = {result.weights[rid]:.3f}"
              + ("" if rid == result.main else f"  ({result.settled[rid]})"))


if __name__ == "__main__":
    try:
        main()
    except DetenteError as error:  # a start the record cannot nowcast: the message, not a traceback
        raise SystemExit(error.render()) from None
