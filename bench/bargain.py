"""Time KTAB's SMP per round for 10, 100 and 1,000 random actors (fixed seed), and the wall time of a160.

Run: python bench/bargain.py [--a160 PATH]   (default: data/ktab/dummyData-a160.csv)
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

import numpy as np

from detente.bargaining import smp
from detente.bargaining.ktab_input import BargainingProblem, read_problem


def random_problem(n: int, dims: int = 2, seed: int = 20170530) -> BargainingProblem:
    """KTAB-like random actors: capability 10–200, positions 0–100, saliences summing to 0.75–0.99."""
    rng = np.random.default_rng(seed)
    sal = rng.uniform(0.1, 1.0, (n, dims))
    sal *= rng.uniform(0.75, 0.99, (n, 1)) / sal.sum(axis=1, keepdims=True)
    return BargainingProblem.from_arrays(rng.uniform(10, 200, n), rng.uniform(0, 100, (n, dims)), sal)


def time_per_round(p: BargainingProblem, rounds: int) -> float:
    """Seconds per SMP round (assessment of the state plus challenges, bargains and choices)."""
    state = smp.assess(p.positions, p.positions, p)
    started = time.perf_counter()
    for _ in range(rounds):
        new, _ = smp.step(state, p)
        state = smp.assess(new, smp.next_ideals(state.ideals, new, p.accommodation), p)
    return (time.perf_counter() - started) / rounds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    default = Path(__file__).resolve().parents[1] / "data" / "ktab" / "dummyData-a160.csv"
    parser.add_argument("--a160", type=Path, default=default)
    args = parser.parse_args()
    for n, rounds in ((10, 20), (100, 5), (1000, 1)):
        print(f"SMP, {n:>5} actors x 2 dims: {time_per_round(random_problem(n), rounds):8.4f} s per round")
    if args.a160.is_file():
        started = time.perf_counter()
        result = smp.run_smp(read_problem(args.a160))
        wall = time.perf_counter() - started
        print(f"dummyData-a160 (160 actors): {result.rounds} rounds, {wall:.2f} s wall "
              f"(KTAB's smpc: 18 min 20 s)")
    else:
        print(f"dummyData-a160 not found at {args.a160}; skipped")


if __name__ == "__main__":
    main()
