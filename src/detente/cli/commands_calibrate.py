"""`detente calibrate`: fit a scenario's prior-carrying parameters to the record by SMC-ABC (see
`detente.calibration.abc`), and write the posterior under data/posteriors/NAME with its manifest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import subprocess
from pathlib import Path

import numpy as np
import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from detente.cli import app
from detente.errors import InputError

METHOD = ("SMC-ABC, adaptive (Drovandi & Pettitt 2011), K simulations per particle with the share within the tolerance "
          "as the likelihood estimate (Del Moral, Doucet & Jasra 2012), the result the last generation with ESS by copies "
          ">= N/10, generations as vectorised ensembles")


def _sha256(path: Path) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()


def _commit() -> str:
    try:
        return subprocess.run(["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True,
                              cwd=Path(__file__).resolve().parent).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        return "unknown"


def calibrate(scenario_path: Path, observed: list[Path], until: dt.date, out: str, particles: int = 2000,
              generations: int = 25, seed: int = 0, quiet: bool = False,
              simulations: int | None = None) -> dict:
    """Fit, write data/posteriors/OUT, and return the manifest (the library entry point of the command)."""
    from detente.calibration import abc
    from detente.calibration.posterior import write_posterior
    from detente.scenario.loader import load_scenario

    loaded = load_scenario(scenario_path)
    scenario = loaded.scenario
    if until <= scenario.start:
        raise InputError.single(str(scenario_path), f"--until {until} is not after the scenario's start {scenario.start}",
                                field="--until")
    last = scenario.start + dt.timedelta(weeks=scenario.horizon_weeks)
    if until > last:
        raise InputError.single(str(scenario_path), f"--until {until} lies beyond the scenario's horizon ({last})",
                                field="--until")
    priors = abc.fit_priors(scenario)
    if not priors:
        raise InputError.single(str(scenario_path), "no parameter declares a `prior:`; nothing to fit", field="prior",
                                hint="add prior: {dist: uniform, between: [lo, hi], reason: ...} to the parameters to fit")
    for path in observed:
        if not Path(path).exists():
            raise InputError.single(str(path), "no such file", field="--observed")
    record = abc.read_record([Path(p) for p in observed])
    obs = abc.targets(record, scenario.start, until)
    simulator = abc.Simulator.of(scenario, priors, until, fire=bool(obs.fire_ratios.size))
    simulations = abc.SIMULATIONS if simulations is None else simulations
    console = Console(stderr=True, quiet=quiet)
    with Progress(TextColumn("[bold]calibrating[/]"), BarColumn(), TextColumn("gen {task.completed:.0f}/{task.total:.0f}"),
                  TextColumn("{task.fields[info]}"), TimeElapsedColumn(), console=console, disable=quiet) as bar:
        task = bar.add_task("fit", total=generations, info="")
        fit = abc.smc_abc(simulator, obs, particles=particles, generations=generations, seed=seed,
                          simulations=simulations,
                          progress=lambda g, h: bar.update(task, completed=g, info=(
                              f"ε={h['tolerance']:.2f} acc={h['acceptance']:.3f}")))
    names, samples = abc.posterior_columns(simulator, fit.names, fit.samples)
    manifest = {
        "name": out, "scenario": str(Path(scenario_path)), "scenario_hash": loaded.digest,
        "fit_start": scenario.start.isoformat(), "fit_end": until.isoformat(), "samples": int(len(fit.samples)),
        "parameters": names,                  # the columns of samples.csv
        "fitted": fit.names,                  # what the sampler moved (a nuisance included, e.g. the shell ratio)
        "data": [{"file": Path(p).name, "sha256": _sha256(Path(p))} for p in observed],
        "method": METHOD,
        "settings": {"particles": particles, "generations": generations, "alpha": 0.5, "seed": seed,
                     "simulations_per_particle": simulations,
                     "min_acceptance": abc.MIN_ACCEPTANCE, "min_ess_share": abc.MIN_ESS_SHARE,
                     "proposal": "Gaussian random walk on z, covariance (2.38^2/P) x the survivors' covariance "
                                 "(Roberts, Gelman & Gilks 1997)",
                     "summary_stride_weeks": abc.STRIDE,
                     "target_scales": {**abc.TARGET_SCALES, "fire_ratio_log": abc.fire_ratio.FIRE_SCALE},
                     "fit_regions": list(abc.FIT_REGIONS),
                     "pace_spans_weeks": [k * abc.STRIDE for k in abc.PACE_SPANS],
                     "observed_pace_log_sd": [round(float(x), 4) for x in obs.pace]},
        "fixed_at_commit": _commit(),
        "priors": [p.describe() for p in fit.priors],
        "diagnostics": fit.diagnostics(),
        "created_at": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
    }
    if names != fit.names:
        f_r = samples[:, names.index(abc.fire_ratio.FIREPOWER)]
        manifest["derived"] = {abc.fire_ratio.FIREPOWER: {
            "how": "f_R = (S * L_U / L_R)^mu per row: S the shell ratio at the start (the nuisance "
                   f"'{abc.fire_ratio.SHELL_RATIO_PRIOR['name']}'), L the troops in the line then, mu the fitted "
                   "materiel exponent (detente.calibration.fire_ratio)",
            "p10_p50_p90": [round(float(x), 4) for x in np.percentile(f_r, [10, 50, 90])]}}
    write_posterior(out, names, samples, manifest)
    return manifest


@app.command("calibrate")
def calibrate_command(
    scenario: Path = typer.Argument(..., help="a fit scenario whose uncertain parameters declare `prior:`"),
    observed: list[Path] = typer.Option(..., "--observed", help="record files (ISW area, DeepState regions, casualties)"),
    until: str = typer.Option(..., "--until", help="last date of the record the fit may see (YYYY-MM-DD)"),
    out: str = typer.Option(..., "--out", help="posterior name: written to data/posteriors/NAME"),
    particles: int = typer.Option(2000, "--particles", min=50),
    generations: int = typer.Option(25, "--generations", min=1),
    seed: int = typer.Option(0, "--seed"),
    simulations: int = typer.Option(4, "--simulations", min=1,
                                    help="simulations per particle (the likelihood estimate's share within tolerance)"),
    json_out: bool = typer.Option(False, "--json", help="print the manifest as JSON"),
) -> None:
    """Fit the scenario's prior-carrying parameters to the record up to --until (likelihood-free, SMC-ABC)."""
    try:
        cutoff = dt.date.fromisoformat(until)
    except ValueError:
        raise InputError.single("--until", f"not a date: '{until}'", field="--until", hint="YYYY-MM-DD") from None
    manifest = calibrate(scenario, observed, cutoff, out, particles, generations, seed, quiet=json_out,
                         simulations=simulations)
    if json_out:
        typer.echo(json.dumps(manifest, indent=2, default=str))
        return
    d = manifest["diagnostics"]
    typer.echo(f"posterior {out}: {manifest['samples']} samples, ESS (unique particles) {d['ess']}, "
               f"by copies {d['ess_copies']}, "
               f"{len(d['generations']) - 1} generations, {d['wall_seconds']} s, {d['run_weeks_simulated']:,} run-weeks")
    for name, ratio in d["posterior_to_prior_spread"].items():
        typer.echo(f"  {name:45s} posterior/prior spread {ratio:.2f}")
