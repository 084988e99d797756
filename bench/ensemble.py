"""Throughput and peak memory of the ensemble engine on the baseline, against one run at a time.

Prints, for 1,000 / 10,000 / 100,000 runs of scenarios/baseline.yaml (104 weeks), the run-weeks per
second and the peak resident memory of a fresh process doing just that ensemble (import, load and
summaries included) on one core, then the same with blocks spread over every core (as `detente run`
does by default), and the same model advanced one run at a time in this process.

Usage: python bench/ensemble.py [--sizes 1000,10000,100000] [--single 30] [--scenario FILE] [--no-parallel]
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def child(runs: int, scenario: str, workers: int) -> None:
    """Run one ensemble in this process (and its forked workers) and print its figures as JSON."""
    start = time.perf_counter()
    import detente
    from detente.ensemble.backends import LocalBackend
    from detente.scenario.loader import load_scenario

    loaded = load_scenario(scenario)
    began, cpu_began = time.perf_counter(), _cpu_seconds()
    detente.simulate(loaded, runs=runs, seed=1, backend=LocalBackend(workers=workers))
    done, cpu = time.perf_counter(), _cpu_seconds() - cpu_began
    weeks = loaded.scenario.horizon_weeks
    peak = max(resource.getrusage(who).ru_maxrss for who in (resource.RUSAGE_SELF, resource.RUSAGE_CHILDREN))
    print(json.dumps({"runs": runs, "weeks": weeks, "engine_s": done - began, "total_s": done - start,
                      "peak_mb": peak / 1024, "engine_cpu_s": cpu}))


def _cpu_seconds() -> float:
    """CPU seconds (user + system) of this process and its finished workers: on a shared machine the engine's
    CPU time moves less with the other load than its wall time does."""
    return sum(u.ru_utime + u.ru_stime for u in (resource.getrusage(resource.RUSAGE_SELF),
                                                resource.getrusage(resource.RUSAGE_CHILDREN)))


def one_at_a_time(count: int, scenario: str) -> dict:
    """The same model with each run advanced on its own (a block of one run), as a loop would."""
    from detente.ensemble.controllers import default_controllers
    from detente.ensemble.runner import run_block
    from detente.scenario.loader import load_scenario
    from detente.world.model import compile_model

    loaded = load_scenario(scenario)
    model = compile_model(loaded.scenario)
    controllers = default_controllers(loaded.scenario)
    run_block(model, 1, count, 1, controllers)  # warm-up: kernels for one-run blocks load (or compile) here, untimed
    began = time.perf_counter()
    for i in range(count):
        run_block(model, 1, i, 1, controllers)
    seconds = time.perf_counter() - began
    return {"runs": count, "weeks": model.horizon_weeks, "engine_s": seconds}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--sizes", default="1000,10000,100000")
    parser.add_argument("--single", type=int, default=30, help="runs for the one-at-a-time loop")
    parser.add_argument("--scenario", default=str(ROOT / "scenarios" / "baseline.yaml"))
    parser.add_argument("--no-parallel", action="store_true", help="one core only")
    parser.add_argument("--child", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--workers", type=int, default=1, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        child(args.child, args.scenario, args.workers)
        return
    from detente.ensemble.cores import available_cores

    cores = available_cores()
    print(f"{'mode':<26}{'runs':>9}{'run-weeks/s (engine)':>22}{'run-weeks/s (process)':>23}{'peak MB':>9}"
          f"{'run-weeks/CPU s (engine)':>26}")
    rates = {}
    modes = [("vectorised, 1 core", 1)]
    if not args.no_parallel and cores > 1:
        modes.append((f"vectorised, {cores} cores", cores))
    for label, workers in modes:
        for runs in (int(x) for x in args.sizes.split(",")):
            out = subprocess.run([sys.executable, __file__, "--child", str(runs), "--scenario", args.scenario,
                                  "--workers", str(workers)], capture_output=True, text=True, check=True)
            figures = json.loads(out.stdout.strip().splitlines()[-1])
            run_weeks = figures["runs"] * figures["weeks"]
            if workers == 1:
                rates[runs] = run_weeks / figures["engine_s"]
            print(f"{label:<26}{runs:>9,}{run_weeks / figures['engine_s']:>22,.0f}"
                  f"{run_weeks / figures['total_s']:>23,.0f}{figures['peak_mb']:>9,.0f}"
                  f"{run_weeks / figures['engine_cpu_s']:>26,.0f}")
    single = one_at_a_time(args.single, args.scenario)
    single_rate = single["runs"] * single["weeks"] / single["engine_s"]
    print(f"{'one run at a time':<26}{single['runs']:>9,}{single_rate:>22,.0f}{'':>23}{'':>9}")
    best = max(rates.values())
    print(f"vectorised / one-at-a-time (both on one core): {best / single_rate:,.0f}x")


if __name__ == "__main__":
    main()
