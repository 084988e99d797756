"""Global sensitivity analysis: which assumptions decide the outcome.

A parameter-range file names scenario parameters by dotted path and gives each a range::

    parameters:
      combat.ground_rate_km2: [0.5, 1.2]     # why this range
      forces.russia.manpower: [600000, 800000]

SALib draws the design (Saltelli's extension of Sobol's sequence, or Morris trajectories) and analyses it.
Every sample is one group of runs inside ONE ensemble: `simulate(..., overrides={model key: per-run values})`
gives each run its sample's parameter values, replicates of a sample share those values and differ only in
their random streams, and their outcomes are averaged before the analysis. One ensemble means one pass of
the vectorised engine, which is what makes a 20-parameter Sobol design fit in a minute.

- Sobol indices: I. M. Sobol' (2001), "Global sensitivity indices for nonlinear mathematical models and
  their Monte Carlo estimates", Math. Comput. Simul. 55; A. Saltelli et al. (2010), "Variance based
  sensitivity analysis of model output. Design and estimator for the total sensitivity index",
  Comput. Phys. Commun. 181. S1 is the share of the outcome's variance a parameter explains alone; ST
  adds its interactions.
- Morris elementary effects: M. D. Morris (1991), Technometrics 33(2); F. Campolongo, J. Cariboni and
  A. Saltelli (2007), Environ. Model. Softw. 22. mu_star ranks influence, sigma flags non-linearity and
  interactions.
"""

from __future__ import annotations

import datetime as dt
import difflib
import math
import time
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from detente.errors import InputError, RunRefused
from detente.scenario.loader import LoadedScenario, iter_params, load_scenario
from detente.scenario.yaml_source import load_yaml

METHODS = ("sobol", "morris")
MAX_SENSITIVITY_RUNS = 200_000
DEFAULT_SAMPLES = {"sobol": 256, "morris": 20}
# Outcome metrics analysed: the headline figures, plus any ceasefire, escalation or leader metrics present.
HEADLINE_METRICS = ("area_gained_km2", "casualties_russia", "casualties_ukraine", "materiel_russia",
                    "materiel_ukraine", "manpower_russia", "manpower_ukraine", "aid_delivered_eur_bn",
                    "partisan_activity", "garrison_russia", "energy_russia", "energy_ukraine")
# ... and every member of these declared families (detente.ensemble.registry), found by declaration, not by prefix.
HEADLINE_FAMILIES = frozenset({
    "backer_will/<backer>", "leader_support/<actor>", "escalation_peak", "escalation_mean", "escalation_score",
    "ceasefire_agreed/<scope>", "ceasefire_agreed_by_q<quarter>/<scope>", "ceasefire_held_30d/<scope>",
    "ceasefire_held_90d/<scope>", "ceasefire_in_force/<scope>", "deal_weeks_in_force", "deal_weeks_in_force/<scope>"})


@dataclass(frozen=True)
class ParameterRange:
    """One varied parameter: its scenario path, the engine key it feeds, its range and where it was set."""

    name: str
    path: tuple
    low: float
    high: float
    line: int | None


@dataclass
class SensitivityResult:
    """Indices per metric and parameter, with the design that produced them."""

    scenario: str
    scenario_hash: str
    method: str
    samples: int
    replicates: int
    runs: int
    seed: int
    parameters: list[ParameterRange]
    indices: dict[str, dict[str, dict[str, float]]]  # metric -> parameter -> {S1, S1_conf, ST, ST_conf} or Morris
    wall_seconds: float
    created_at: str = field(default_factory=lambda: dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"))

    def to_json(self) -> dict[str, Any]:
        """The `--json` object."""
        return {"scenario": self.scenario, "scenario_hash": self.scenario_hash, "method": self.method,
                "samples": self.samples, "replicates": self.replicates, "runs": self.runs, "seed": self.seed,
                "wall_seconds": round(self.wall_seconds, 2), "created_at": self.created_at,
                "parameters": [{"name": p.name, "low": p.low, "high": p.high} for p in self.parameters],
                "indices": self.indices, "outside_unit_interval": out_of_unit(self.indices),
                "noise_dominated": noise_dominated(self.indices)}


def load_ranges(file: str | Path, loaded: LoadedScenario) -> list[ParameterRange]:
    """Read a parameter-range file and check every name and range against the scenario.

    Raises InputError naming the file, the line and the field for an unknown parameter (with the closest
    valid names), a parameter the engine does not vary per run, or a range that is empty or not two numbers.
    """
    from detente.ensemble.per_run import override_key
    from detente.world.model import compile_model

    path = Path(file)
    located = load_yaml(path)
    data = located.data
    where = str(path)
    if not isinstance(data, dict) or not isinstance(data.get("parameters"), dict) or not data["parameters"]:
        raise InputError.single(where, "expected a mapping `parameters:` of dotted scenario paths to [low, high]",
                                line=located.where(("parameters",))[1], field="parameters",
                                hint="e.g.\n    parameters:\n      combat.ground_rate_km2: [0.5, 1.2]")
    unknown_top = sorted(set(data) - {"parameters", "description"})
    if unknown_top:
        raise InputError.single(where, f"unknown field '{unknown_top[0]}'", line=located.where((unknown_top[0],))[1],
                                field=unknown_top[0], hint="a range file has `parameters:` and an optional `description:`")
    model = compile_model(loaded.scenario)
    known = {".".join(map(str, p)): p for p, _ in iter_params(loaded.scenario)}
    ranges: list[ParameterRange] = []
    for name, bounds in data["parameters"].items():
        line = located.where(("parameters", name))[1]
        field_name = f"parameters.{name}"
        scenario_path = known.get(name)
        if scenario_path is None:
            close = difflib.get_close_matches(name, list(known), n=3, cutoff=0.6)
            hint = f"did you mean {', '.join(repr(c) for c in close)}?" if close else \
                "name a parameter of the scenario by its dotted path, e.g. combat.ground_rate_km2"
            raise InputError.single(where, f"unknown parameter '{name}' (not in scenario {loaded.name})",
                                    line=line, field=field_name, hint=hint)
        try:
            override_key(model, scenario_path)
        except KeyError:
            raise InputError.single(where, f"parameter '{name}' is not varied per run by the engine",
                                    line=line, field=field_name,
                                    hint="choose a force, region, backer, combat, economy or occupation "
                                         "parameter, or a table or decision parameter drawn per run (e.g. "
                                         "table.party_setup.russia.cost_of_war, decisions.actors.russia."
                                         "risk_aversion; an option's lever values are fixed when it compiles)"
                                    ) from None
        if not isinstance(bounds, list) or len(bounds) != 2 or not all(
                isinstance(b, (int, float)) and not isinstance(b, bool) and math.isfinite(b) for b in bounds):
            raise InputError.single(where, "a range must be two numbers [low, high]", line=line, field=field_name,
                                    value=bounds if not isinstance(bounds, (list, dict)) else str(bounds))
        low, high = float(bounds[0]), float(bounds[1])
        if not low < high:
            raise InputError.single(where, f"empty range [{low:g}, {high:g}]: low must be below high", line=line,
                                    field=field_name, hint="widen the range, or drop the parameter to keep it fixed")
        ranges.append(ParameterRange(name=name, path=scenario_path, low=low, high=high, line=line))
    return ranges


def design_size(method: str, samples: int, n_parameters: int) -> int:
    """Number of parameter samples a design draws (before replicates)."""
    return samples * (n_parameters + 2) if method == "sobol" else samples * (n_parameters + 1)


def _problem(ranges: list[ParameterRange]) -> dict[str, Any]:
    return {"num_vars": len(ranges), "names": [r.name for r in ranges],
            "bounds": [[r.low, r.high] for r in ranges]}


def analysed_metrics(names: list[str]) -> list[str]:
    """The outcome metrics worth an index: headline figures and ceasefire/escalation/leader series."""
    from detente.ensemble.registry import find

    def in_family(name: str) -> bool:
        declared = find(name)
        return declared is not None and declared.name in HEADLINE_FAMILIES

    return [m for m in HEADLINE_METRICS if m in names] + sorted(m for m in names if in_family(m))


def run_sensitivity(scenario: str | Path | LoadedScenario, ranges_file: str | Path, method: str = "sobol",
                    samples: int | None = None, replicates: int = 1, seed: int = 0,
                    progress: Callable[[int, int], None] | None = None, backend: Any = None) -> SensitivityResult:
    """Sample the ranges of a ranges file, run every sample as part of one ensemble, and compute indices."""
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    ranges = load_ranges(ranges_file, loaded)
    return run_design(loaded, ranges, method, samples, replicates, seed, progress, backend)


def run_design(loaded: LoadedScenario, ranges: list[ParameterRange], method: str = "sobol",
               samples: int | None = None, replicates: int = 1, seed: int = 0,
               progress: Callable[[int, int], None] | None = None, backend: Any = None,
               metrics: list[str] | None = None) -> SensitivityResult:
    """Run a Sobol or Morris design over checked ranges as one ensemble; indices for `metrics` (default: the
    headline metrics). `detente claims` calls this with ranges built from a variant's own levers."""
    from detente.ensemble.per_run import override_key
    from detente.ensemble.runner import simulate
    from detente.world.model import compile_model

    if method not in METHODS:
        raise RunRefused(f"unknown method '{method}'; use sobol or morris")
    samples = samples or DEFAULT_SAMPLES[method]
    if samples < 2 or replicates < 1:
        raise RunRefused(f"--samples must be at least 2 and replicates at least 1 (got {samples}, {replicates})")
    if method == "sobol" and samples & (samples - 1):
        below = 1 << (samples.bit_length() - 1)
        raise RunRefused(f"--samples {samples}: Sobol designs (Saltelli's sequence) need a power of two; "
                         f"the nearest valid sizes are {below} and {below * 2}")
    n_design = design_size(method, samples, len(ranges))
    runs = n_design * replicates
    if runs > MAX_SENSITIVITY_RUNS:
        raise RunRefused(f"{method} with {samples} samples of {len(ranges)} parameters and {replicates} replicates "
                         f"needs {runs:,} runs, more than the limit of {MAX_SENSITIVITY_RUNS:,}; lower --samples")
    problem = _problem(ranges)
    if method == "sobol":
        from SALib.sample import sobol as sampler

        design = sampler.sample(problem, samples, calc_second_order=False, seed=seed)
    else:
        from SALib.sample import morris as sampler

        design = sampler.sample(problem, samples, num_levels=4, seed=seed)
    model = compile_model(loaded.scenario)
    per_run = np.repeat(design, replicates, axis=0)  # sample i owns runs i*replicates … i*replicates+replicates-1
    overrides = {override_key(model, r.path): per_run[:, j] for j, r in enumerate(ranges)}
    started = time.perf_counter()
    result = simulate(loaded, runs=runs, seed=seed, overrides=overrides, backend=backend,
                      progress=(lambda done: progress(done, runs)) if progress else None)
    wanted = analysed_metrics(sorted(result.metrics)) if metrics is None else \
        [m for m in metrics if m in result.metrics]
    outcomes = {m: result.metrics[m].reshape(n_design, replicates).mean(axis=1) for m in wanted}
    with warnings.catch_warnings():  # SALib warns on metrics that are constant in some resamples
        warnings.simplefilter("ignore", UserWarning)
        indices = {m: _analyse(method, problem, design, y, seed) for m, y in outcomes.items()}
    wall = time.perf_counter() - started
    return SensitivityResult(scenario=loaded.name, scenario_hash=loaded.digest, method=method, samples=samples,
                             replicates=replicates, runs=runs, seed=seed, parameters=ranges, indices=indices,
                             wall_seconds=wall)


def _clean(value: Any) -> float:
    value = float(value)
    return value if math.isfinite(value) else 0.0


def _analyse(method: str, problem: dict[str, Any], design: np.ndarray, y: np.ndarray,
             seed: int) -> dict[str, dict[str, float]]:
    """Indices of one metric; a metric that does not vary has all indices zero."""
    names = problem["names"]
    if float(np.std(y)) == 0.0:
        keys = ("S1", "S1_conf", "ST", "ST_conf") if method == "sobol" else ("mu_star", "mu_star_conf", "sigma")
        return {n: {k: 0.0 for k in keys} for n in names}
    if method == "sobol":
        from SALib.analyze import sobol as analyser

        found = analyser.analyze(problem, y, calc_second_order=False, num_resamples=100, seed=seed)
        return {n: {"S1": _clean(found["S1"][j]), "S1_conf": _clean(found["S1_conf"][j]),
                    "ST": _clean(found["ST"][j]), "ST_conf": _clean(found["ST_conf"][j])} for j, n in enumerate(names)}
    from SALib.analyze import morris as analyser

    found = analyser.analyze(problem, design, y, num_resamples=100, num_levels=4, seed=seed)
    return {n: {"mu_star": _clean(found["mu_star"][j]), "mu_star_conf": _clean(found["mu_star_conf"][j]),
                "sigma": _clean(found["sigma"][j])} for j, n in enumerate(names)}


def out_of_unit(indices: dict[str, dict[str, dict[str, float]]]) -> list[dict[str, Any]]:
    """Sobol indices outside [0, 1] beyond their confidence interval (SALib's 95% bootstrap): a share of
    variance cannot be negative or above 1, so such an index says the design is too small or the outcome too
    noisy per sample (raise --samples or --replicates), not that the parameter matters that much."""
    flags = []
    for metric, by_param in indices.items():
        for name, v in by_param.items():
            for index in ("S1", "ST"):
                if index in v and (v[index] - v[f"{index}_conf"] > 1.0 or v[index] + v[f"{index}_conf"] < 0.0):
                    flags.append({"metric": metric, "parameter": name, "index": index, "value": v[index],
                                  "conf": v[f"{index}_conf"]})
    return flags


def noise_dominated(indices: dict[str, dict[str, dict[str, float]]], share: float = 0.5) -> list[str]:
    """Metrics whose every parameter's total index exceeds `share` beyond its interval (two parameters or more).

    Run-to-run noise that no parameter controls (each run draws its own random numbers) adds its share of the
    variance, σ²/V, to every parameter's ST (Saltelli's estimator differences two runs that differ in one
    parameter and in all their noise) and nothing to any S1; so when every ST lies above one half, most of the
    metric's variance is noise, not any parameter's, and the indices rank nothing: average runs per sample
    (--replicates) or read a longer horizon. Genuine interaction of every parameter with every other could
    give the same picture; replicates tell the two apart."""
    found = []
    for metric, by_param in indices.items():
        totals = [v["ST"] - v["ST_conf"] for v in by_param.values() if "ST" in v]
        if len(totals) >= 2 and min(totals) > share:
            found.append(metric)
    return found


def ranking(indices: dict[str, dict[str, float]], method: str) -> list[tuple[str, float, float]]:
    """Parameters by influence on one metric: (name, main index, total index), most influential first.

    For Sobol these are S1 and ST; for Morris, mu_star and sigma.
    """
    first, total = ("S1", "ST") if method == "sobol" else ("mu_star", "sigma")
    rows = [(name, v[first], v[total]) for name, v in indices.items()]
    return sorted(rows, key=lambda r: -(r[2] if method == "sobol" else r[1]))
