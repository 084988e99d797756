"""Fit the ground-change and Russian loss rates of the baseline on the 2024 backtest.

Fits `combat.ground_rate_km2` and `combat.russian_loss_rate` so that the simulated medians of
scenarios/backtest-2024.yaml match ISW's published 2024 figures (4,168 km² gained; ~420,000 Russian
casualties), by fixed-point iteration (area scales about linearly with the first, casualties with the
second). Uses nothing dated after 2024. Writes data/calibration/fit_2024.json; copy the two values into
scenarios/baseline.yaml (the scenario cites that file).

Usage: python tools/calibrate.py [--runs 2000] [--seed 2024]
"""

from __future__ import annotations

import argparse
import json
import tempfile
from pathlib import Path

import numpy as np

import detente
from detente.scenario.loader import load_scenario

ROOT = Path(__file__).resolve().parents[1]
BACKTEST = ROOT / "scenarios" / "backtest-2024.yaml"
TARGETS = {"area_gained_km2": 4168.0, "casualties_russia": 420000.0}
FITTED = {"area_gained_km2": "ground_rate_km2", "casualties_russia": "russian_loss_rate"}


def medians(values: dict[str, float], runs: int, seed: int) -> dict[str, float]:
    lines = [f"extends: {BACKTEST}", "name: calibration-trial", "set:"]
    lines += [f"  combat.{name}: {value!r}" for name, value in values.items()]
    with tempfile.NamedTemporaryFile("w", suffix=".yaml", delete=False) as handle:
        handle.write("\n".join(lines) + "\n")
    result = detente.simulate(load_scenario(handle.name), runs=runs, seed=seed)
    Path(handle.name).unlink()
    return {metric: float(np.median(result.metrics[metric])) for metric in TARGETS}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=2000)
    parser.add_argument("--seed", type=int, default=2024)
    parser.add_argument("--iterations", type=int, default=6)
    args = parser.parse_args()
    combat = load_scenario(BACKTEST).scenario.combat
    values = {name: float(getattr(combat, name).value) for name in FITTED.values()}
    history = []
    for _ in range(args.iterations):
        got = medians(values, args.runs, args.seed)
        history.append({**values, **got})
        print(json.dumps(history[-1]))
        if all(abs(got[m] / t - 1) < 0.01 for m, t in TARGETS.items()):
            break
        for metric, target in TARGETS.items():
            values[FITTED[metric]] *= target / got[metric]
    fit = {"fitted": {k: round(v, 5) for k, v in values.items()}, "targets": TARGETS,
           "sources": "ISW year-end assessment, 2 Jan 2025 (area 4,168 km²; ~420,000 Russian casualties)",
           "scenario": "scenarios/backtest-2024.yaml", "runs": args.runs, "seed": args.seed, "iterations": history}
    out = ROOT / "data" / "calibration" / "fit_2024.json"
    out.write_text(json.dumps(fit, indent=2) + "\n")
    print(json.dumps(fit["fitted"]))


if __name__ == "__main__":
    main()
