"""Morris screening of the baseline over every numeric parameter the engine reads per run: which drive the
area Russia gains and Russian casualties. Writes data/calibration/morris_baseline.json, which `detente validate
--json` reads for `top_drivers` (each with its status: calibrated by a posterior, sourced, or placeholder).

Ranges: a parameter fitted by the scenario's posterior varies over its prior's bounds (from the posterior's
manifest); any other over ±50% of its value, kept inside what its type allows (shares at most 1). Starting
control (state from the record, not a parameter), parameters at zero and defaults the scenario does not set
(neutral: terrain 1; Ukraine's firepower 1, the unit Russia's is measured in) are left out, and so are the
bargaining table's and the decisions' parameters (not engine parameters); the war runs without them (baseline-war-only).
Each design point is run with `--replicates` runs whose outcomes are averaged (common random numbers across
points). Usage: python tools/morris_drivers.py [--trajectories 100] [--replicates 4] [--seed 0]
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from detente.analysis.sensitivity import ParameterRange, run_design
from detente.calibration.posterior import read_posterior
from detente.scenario.loader import iter_params, load_scenario
from detente.world.model import compile_model, model_key

ROOT = Path(__file__).resolve().parents[1]
SCENARIO = ROOT / "scenarios" / "baseline-war-only.yaml"
OUT = ROOT / "data" / "calibration" / "morris_baseline.json"
METRICS = ("area_gained_km2", "casualties_russia")
SHARES = ("front_share", "permanent_loss_share", "air_defence", "energy", "energy_repair_per_week", "will",
          "will_threshold", "helmbold_w", "materiel_quality_exponent", "threat_matching", "counterattack_posture",
          "sanctions_output_loss", "secondary_sanctions_output_loss", "partisan_logistics_damage",
          "max_garrison_share")


def ranges(loaded) -> tuple[list[ParameterRange], dict]:  # noqa: ANN001
    model = compile_model(loaded.scenario)
    priors = {}
    if loaded.scenario.posterior:
        manifest = read_posterior(loaded.scenario.posterior).manifest
        priors = {p["name"]: p["between"] for p in manifest.get("priors", [])}
    out = []
    for path, param in iter_params(loaded.scenario):
        name = ".".join(map(str, path))
        if path[-1] in ("control", "left_bank_share") or path[0] in ("table", "decisions", "actors", "claims"):
            continue
        if path not in loaded.located.lines:  # a default the scenario does not set is neutral (e.g. terrain 1,
            continue                         # Ukraine's firepower 1, the unit Russia's is measured in)
        try:
            model_key(model, path)
        except KeyError:
            continue
        if name in priors:
            low, high = priors[name]
        elif param.value == 0:
            continue
        else:
            low, high = sorted((0.5 * param.value, 1.5 * param.value))
            if path[-1] in SHARES:
                high = min(high, 1.0)
        if low < high:
            out.append(ParameterRange(name=name, path=path, low=float(low), high=float(high), line=None))
    return out, priors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--trajectories", type=int, default=100)
    parser.add_argument("--replicates", type=int, default=4)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    loaded = load_scenario(SCENARIO)
    varied, priors = ranges(loaded)
    began = time.perf_counter()
    result = run_design(loaded, varied, "morris", args.trajectories, args.replicates, args.seed,
                        metrics=list(METRICS))
    combined = {}
    for metric in METRICS:
        found = result.indices[metric]
        top = max(v["mu_star"] for v in found.values()) or 1.0
        for name, v in found.items():
            combined[name] = max(combined.get(name, 0.0), v["mu_star"] / top)
    ranking = sorted(combined, key=combined.get, reverse=True)
    payload = {
        "scenario": "scenarios/baseline-war-only.yaml (the baseline's war, posterior fit-2024)",
        "scenario_hash": loaded.digest, "method": "Morris elementary effects (SALib), 4 levels",
        "trajectories": args.trajectories, "replicates": args.replicates, "seed": args.seed, "runs": result.runs,
        "horizon_weeks": loaded.scenario.horizon_weeks, "wall_seconds": round(time.perf_counter() - began, 1),
        "parameters": len(varied), "metrics": list(METRICS),
        "ranges": {r.name: [r.low, r.high] for r in varied}, "prior_ranges": sorted(priors),
        "mu_star": {m: {n: round(v["mu_star"], 3) for n, v in result.indices[m].items()} for m in METRICS},
        "ranking": [{"name": n, "mu_star": round(combined[n], 4)} for n in ranking],
        "note": "mu_star in `ranking` is each parameter's largest mu* over the two metrics, as a share of that "
                "metric's largest",
    }
    OUT.write_text(json.dumps(payload, indent=2) + "\n")
    print(f"{len(varied)} parameters, {result.runs} runs, {payload['wall_seconds']} s; top ten:")
    for item in payload["ranking"][:10]:
        print(f"  {item['name']:45s} {item['mu_star']:.3f}")


if __name__ == "__main__":
    main()
