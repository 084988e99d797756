"""Throughput of the Dask backend with 1 and 2 local workers, against the local backend, and the parallel efficiency.

    python bench/scaling.py [--runs 4000] [--weeks 52] [--batch-blocks 1]

Prints run-weeks per second for each, and efficiency = throughput(2 workers) / (2 × throughput(1 worker)).
Needs the `cluster` extra. On a machine whose cores are busy with other work the efficiency is lower.
"""

from __future__ import annotations

import argparse
import tempfile
import time
from pathlib import Path

from detente.ensemble.backends import LocalBackend
from detente.ensemble.dask_backend import DaskBackend
from detente.ensemble.runner import simulate
from detente.ensemble.streams import BLOCK_RUNS
from detente.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=4000)
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--batch-blocks", type=int, default=1)
    args = parser.parse_args()
    import distributed

    with tempfile.TemporaryDirectory() as folder:
        variant = Path(folder) / "bench.yaml"
        variant.write_text(f"schema_version: 1\nextends: {ROOT / 'scenarios' / 'baseline.yaml'}\nname: bench\n"
                           f"horizon_weeks: {args.weeks}\n")
        loaded = load_scenario(variant)
        run_weeks = args.runs * args.weeks
        rates = {}
        start = time.perf_counter()
        reference = simulate(loaded, runs=args.runs, seed=1, backend=LocalBackend())
        rates["local (this process)"] = run_weeks / (time.perf_counter() - start)
        for workers in (1, 2):
            with distributed.LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                                          dashboard_address=None, silence_logs=40, host="127.0.0.1") as cluster:
                backend = DaskBackend(scheduler=cluster.scheduler_address, batch_blocks=args.batch_blocks)
                # warm every worker (a block each: numba's first load of the kernels is ~1 s a process)
                simulate(loaded, runs=workers * BLOCK_RUNS, seed=0, backend=backend)
                start = time.perf_counter()
                result = simulate(loaded, runs=args.runs, seed=1, backend=backend)
                rates[f"dask, {workers} worker{'s' if workers > 1 else ''}"] = run_weeks / (time.perf_counter() - start)
                same = all((result.metrics[k] == reference.metrics[k]).all() for k in reference.metrics)
                print(f"dask with {workers} worker(s) identical to local: {same}")
    print(f"{args.runs:,} runs × {args.weeks} weeks = {run_weeks:,} run-weeks, batch of {args.batch_blocks} block(s)")
    for name, rate in rates.items():
        print(f"  {name:24s} {rate:12,.0f} run-weeks/s")
    one, two = rates["dask, 1 worker"], rates["dask, 2 workers"]
    print(f"  speed-up with 2 workers: {two / one:.2f}×, parallel efficiency {two / (2 * one):.0%}")


if __name__ == "__main__":
    main()
