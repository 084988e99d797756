"""Time the refit of the baseline's posterior (fit-2024): SMC-ABC on scenarios/fit-2023-2024.yaml against the
record to 2024-12-31, with the settings of the shipped posteriors (4,000 particles; `detente calibrate` defaults to 2,000). Prints wall
time, run-weeks simulated and the effective sample size (unique particles and by copies). Writes nothing.

Usage: python bench/calibrate.py [--particles 4000] [--seed 0]
"""

from __future__ import annotations

import argparse
import datetime as dt
import time
from pathlib import Path

from detente.calibration import abc
from detente.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "data" / "record"
FILES = ("isw_area_daily.csv", "deepstate_oblast_weekly.csv", "russian_casualties_monthly.csv")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--particles", type=int, default=4000)
    parser.add_argument("--generations", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--simulations", type=int, default=abc.SIMULATIONS)
    args = parser.parse_args()
    began = time.perf_counter()
    scenario = load_scenario(ROOT / "scenarios" / "fit-2023-2024.yaml").scenario
    until = dt.date(2024, 12, 31)
    targets = abc.targets(abc.read_record([RECORD / f for f in FILES]), scenario.start, until)
    simulator = abc.Simulator.of(scenario, abc.fit_priors(scenario), until)
    fit = abc.smc_abc(simulator, targets, particles=args.particles, generations=args.generations, seed=args.seed,
                         simulations=args.simulations)
    wall = time.perf_counter() - began
    d = fit.diagnostics()
    print(f"refit of fit-2024: wall {wall:.1f} s (sampler {fit.seconds:.1f} s), {fit.run_weeks:,} run-weeks simulated "
          f"({fit.run_weeks / max(fit.seconds, 1e-9):,.0f} per second), ESS {d['ess']} unique of {d['particles']} "
          f"particles ({d['ess_copies']} by copies), {d['simulations_per_particle']} simulations per particle, {len(d['generations']) - 1} generations, final tolerance {d['final_tolerance']:.2f}")


if __name__ == "__main__":
    main()
