"""Wall time of a Sobol analysis of 20 baseline parameters (scenarios/sensitivity/baseline-20.yaml).

python bench/sensitivity.py [--samples N] [--replicates R]
"""

from __future__ import annotations

import argparse
import time
from pathlib import Path

from detente.analysis.sensitivity import ranking, run_sensitivity

ROOT = Path(__file__).resolve().parents[1]

parser = argparse.ArgumentParser()
parser.add_argument("--samples", type=int, default=256)
parser.add_argument("--replicates", type=int, default=1)
args = parser.parse_args()
started = time.perf_counter()
result = run_sensitivity(ROOT / "scenarios" / "baseline.yaml", ROOT / "scenarios" / "sensitivity" / "baseline-20.yaml",
                         "sobol", samples=args.samples, replicates=args.replicates, seed=0)
wall = time.perf_counter() - started
print(f"sobol, {len(result.parameters)} parameters, N={args.samples}, replicates={args.replicates}: "
      f"{result.runs:,} runs in {wall:.1f} s in one process (one core)")
for metric in ("area_gained_km2", "casualties_russia", "backer_will/europe"):
    top = ranking(result.indices[metric], "sobol")[:3]
    print(f"  {metric}: " + ", ".join(f"{n} ST={t:.2f}±{result.indices[metric][n]['ST_conf']:.2f}" for n, _, t in top))
