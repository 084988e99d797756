"""Likelihood-free Bayesian calibration: SMC-ABC over the vectorised ensemble.

Why our own sampler and not pyabc or elfi: both call the simulator once per parameter vector (pyabc through
a per-particle model function, elfi through batched but per-node Python graphs), whereas this engine runs a
whole generation of particles as ONE ensemble, each run with its own parameter values (`realise` with
per-run overrides): a generation of 1,000 particles over two years is a fraction of a second of compiled
kernel. A compact sampler that proposes a generation at a time keeps that speed; pyabc's multiprocessing
would instead pay Python and pickling per particle and add a heavy dependency for no gain on two cores.

The sampler is the adaptive SMC-ABC of Drovandi & Pettitt (2011, Biometrics 67:225): N equally weighted
particles; each generation drops the fraction α with the largest distance (the new tolerance ε is the
largest distance kept), refills by resampling the survivors, and moves each resampled particle by
Metropolis–Hastings steps (Gaussian random walk on the unbounded z scale with covariance (2.38²/P) × the
survivors' covariance, P the number of sampled parameters; accepted if the prior ratio allows and the simulated
distance is within ε). The scale is the standard one for a random-walk Metropolis step in P dimensions (Roberts,
Gelman & Gilks 1997, Ann. Appl. Probab. 7:110; Roberts & Rosenthal 2001, Statist. Sci. 16:351; Gelman et al.,
Bayesian Data Analysis), decided once from that literature, not tuned against any check: a fixed multiple of the
covariance (twice it, until this change) makes the step grow relative to the posterior's width as P grows, so
the acceptance falls with dimension (at P = 11 the fit-2024 refit stopped at generation 6 on the 1% rule). It stops when the
move acceptance falls below `min_acceptance` (1%; pushed lower, the tolerance keeps falling on the luck of
single noisy simulations and the population collapses onto a few particles: at 0.2% the fit-2024 spreads fell
to 0.04–0.2 of the priors' with ESS ~190, an artefact, not information) or after `generations`.

Several simulations per particle. Each parameter vector is simulated K times (`simulations`, 4 by default) and
the share of its K distances within the tolerance is its ABC likelihood estimate, L̂(θ) = (1/K) Σ 1{d_k ≤ ε}:
unbiased for the same ABC likelihood as one simulation, so the target posterior is unchanged (pseudo-marginal
exactness, Andrieu & Roberts 2009, Ann. Statist. 37:697), but less noisy, so a particle whose one simulation was
lucky no longer holds its place (with K = 1 the population stuck on a few such particles: ESS by copies 113, 95
and 73 of 4,000 in the posteriors of 089847f). This is the adaptive SMC-ABC of Del Moral, Doucet & Jasra (2012,
Statist. Comput. 22:1009), which uses K pseudo-samples in the same way: each generation the tolerance is the
smallest whose incremental weights L̂(ε)/L̂(ε_prev) keep an ESS of (1 − α)N (with K = 1 the weights are 0 or 1
and this is Drovandi & Pettitt's "keep the better half"); the population is resampled by those weights
(systematic); the first copy of each particle stays, the other copies are moved by the Metropolis–Hastings step
above with acceptance min(1, prior ratio × L̂(θ')/L̂(θ)), L̂(θ) kept with the particle. Averaging the K distances
instead would change the target (a posterior on the expected distance, narrower than the model's noise warrants);
a synthetic likelihood (Wood 2010) would add a normality assumption on the summaries that the pace's log s.d.
and the casualty ratios do not obviously meet. K = 4: the estimate's relative error at a given likelihood
halves against K = 1 (1/√K), and the refit of the baseline's posterior (137 s at K = 1, 17 generations) stays
well inside the 20 minutes at up to 25 generations (4 × 25/17 × 137 s ≈ 13 min on a quiet machine); chosen
before any fit was run with it, not tuned against a score.

The result is the last population holding at least a tenth of N effective particles by copies (Kish's 1/Σw²,
w each unique row's share; `min_ess_share`). Measured on `fit-2023` with K = 4 and the 1% rule alone: 18
generations, ESS by copies 2,566 at generation 3, 853 at 8, 126 at 13 and 53 at the end (113 with K = 1),
while the tolerance fell only from 4.3 to 2.8: the collapse is the endgame of the sampler, not only the noise
of one simulation. Once the move acceptance is a few per cent, the at most 12 moves a generation move few of
the copies that resampling makes (at 1%, 1 − 0.99¹² = 11%), so each generation lowers the tolerance on fewer
distinct particles, and the last population is a handful of points repeated — a sample too poor to describe a
posterior (its spreads and intervals come from the few). Stopping at a tenth keeps a population that describes
one, at a somewhat higher tolerance (an ABC posterior at a larger ε, stated in the manifest); a tenth is the
ordinary floor below which an importance or SMC sample is called degenerate (SMC practice resamples at a half;
the forecasts draw 2,000 runs, so 400 effective parameter sets still vary across most of them). Chosen from the
sampler's own diagnostics above, before any forecast was scored with these fits.

Summary statistics (all changes since the scenario's start, at the model's week ends, up to --until only):
ISW-assessed Russian-controlled area (every 4th week), DeepState's occupied area in the regions where the
front moved (every 4th week), the UK MoD's Russian casualties cumulated by month, and, where its file is given,
the ratio of Russian to Ukrainian artillery fire over reported periods (`detente.calibration.fire_ratio`). Each enters the
distance as a root-mean-square deviation in a scale that says what a "close" fit is (see `TARGET_SCALES`).

And the variability of the pace (`pace_variability`): the log standard deviations of ISW's 4-week and 12-week
changes over the fit window. The levels say where the front went; these say how much its pace swung and for how
long, which is what identifies the offensive tempo's volatility and persistence (`detente.dynamics.tempo`): a
level distance from one noisy simulation rewards a large noise only through lucky draws. Autocovariances and
variances of the series are the usual summaries for the noise of a dynamical model fitted without a likelihood
(Wood 2010, Nature 466:1102). Scale 0.25 in log s.d.: about the sampling error of a s.d. from the ~12 changes a
year holds (1/√(2·12) ≈ 0.2).
"""

from __future__ import annotations

import datetime as dt
import time
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Callable

import numpy as np

from detente.calibration import fire_ratio
from detente.calibration.priors import FittedPrior, fitted_priors
from detente.engine import step
from detente.ensemble.schedule import ScheduleFactory
from detente.errors import InputError
from detente.scenario.schema import Scenario
from detente.world.model import WarModel, compile_model, initial_state, model_key, path_of, realise
from detente.world.state import RUSSIA

FIT_REGIONS = ("donetsk", "kharkiv", "zaporizhzhia", "luhansk", "kherson")
# What a close fit is, per series: km² for areas, a share for cumulative casualties.
TARGET_SCALES = {"isw": 150.0, "donetsk": 150.0, "kharkiv": 60.0, "zaporizhzhia": 60.0, "luhansk": 60.0,
                 "kherson": 60.0, "casualties": 0.08, "pace": 0.25}
MIN_ACCEPTANCE = 0.01  # stop when fewer moves than this are accepted (see the module docstring)
SIMULATIONS = 4       # simulations per particle (see the module docstring: "Several simulations per particle")
MIN_ESS_SHARE = 0.1   # the result is the last population holding at least this share of N effective particles by copies


def proposal_scale(P: int) -> float:  # noqa: N803
    """2.38²/P: the random-walk Metropolis scaling of Roberts, Gelman & Gilks (1997); see the module docstring."""
    return 2.38**2 / P


STRIDE = 4  # weeks between compared points of the weekly series (fewer, less correlated points)
PACE_SPANS = (1, 3)  # the pace's changes compared: over 1 and 3 strides (4 and 12 weeks)
PACE_FLOOR = 10.0    # km²: a s.d. below this reads as this (a front that never moves has log s.d. log 10, not −∞)


def pace_variability(levels: np.ndarray) -> np.ndarray:
    """(..., k) changes since the start at weeks STRIDE, 2·STRIDE, … → (..., 2) the log s.d. of the changes over
    1 and 3 strides (the start, 0, included as the first level)."""
    levels = np.asarray(levels, float)
    full = np.concatenate([np.zeros(levels.shape[:-1] + (1,)), levels], axis=-1)
    return np.stack([np.log(np.std(full[..., k:] - full[..., :-k], axis=-1) + PACE_FLOOR) for k in PACE_SPANS],
                    axis=-1)


# ---------------------------------------------------------------- the record (detente.calibration.record's loaders)

def _at_or_before(series: dict[dt.date, float], day: dt.date, within: int = 7) -> float | None:
    for k in range(within + 1):
        value = series.get(day - dt.timedelta(days=k))
        if value is not None:
            return value
    return None


def read_record(files: list[Path]) -> dict[str, dict[dt.date, float]]:
    """The series the fit uses, by kind: 'isw' (daily km²), region ids (weekly km²), 'casualties' (the UK MoD's
    monthly estimate, dated at the month's last day), read by `detente.calibration.record.load_record` (which
    refuses a file of another layout, naming it); and 'fire_ratio' (a list of `fire_ratio.FirePeriod`) from
    data/calibration/artillery_fire_ratio.csv."""
    from detente.calibration.record import load_record

    out: dict = {}
    for path in files:
        if fire_ratio.is_fire_ratio_file(path):
            out["fire_ratio"] = fire_ratio.read_fire_ratio(path)
            continue
        for name, series in load_record(path).series.items():
            points = {d: float(v) for d, v in zip(series.dates, series.values) if np.isfinite(v)}
            head, _, region = name.partition("/")
            if name == "area_controlled_km2":
                out["isw"] = points
            elif head == "area_controlled_km2" and region in FIT_REGIONS:
                out[region] = points
            elif name == "casualties_russia/ukmod_estimate":
                out["casualties"] = points
    return out


@dataclass(frozen=True)
class Targets:
    """Observed changes since the start at the compared week ends (and month ends for casualties)."""

    weeks: np.ndarray                           # compared week indices (1-based week ends)
    series: dict[str, np.ndarray]               # kind -> observed change at those weeks (NaN: none)
    casualty_days: np.ndarray = field(default_factory=lambda: np.zeros(0))  # month ends, days since start
    casualties: np.ndarray = field(default_factory=lambda: np.zeros(0))     # cumulative since start
    fire_spans: np.ndarray = field(default_factory=lambda: np.zeros((0, 2), int))  # week ends of each fire period
    fire_ratios: np.ndarray = field(default_factory=lambda: np.zeros(0))    # observed Russian:Ukrainian shells
    pace_weeks: np.ndarray = field(default_factory=lambda: np.zeros(0, int))  # ISW's regular STRIDE weeks
    pace: np.ndarray = field(default_factory=lambda: np.zeros(0))           # observed `pace_variability` there


def targets(record: dict[str, dict[dt.date, float]], start: dt.date, until: dt.date) -> Targets:
    """Changes since `start` of every record series, at every STRIDE-th week end on or before `until`."""
    last_week = (until - start).days // 7
    weeks = np.arange(STRIDE, last_week + 1, STRIDE)
    if weeks.size == 0 or weeks[-1] != last_week:
        weeks = np.append(weeks, last_week)
    series = {}
    for kind, values in record.items():
        if kind in ("casualties", "fire_ratio"):
            continue
        zero = _at_or_before(values, start)
        if zero is None:
            raise InputError.single(kind, f"the record has no {kind} observation on or within 7 days before {start}",
                                    field="--observed")
        series[kind] = np.array([(_at_or_before(values, start + dt.timedelta(weeks=int(w))) or np.nan) - zero
                                 for w in weeks])
    days, cumulative, total = [], [], 0.0
    for day in sorted(record.get("casualties", {})):
        first = day.replace(day=1)
        if first < start or day > until:
            continue
        total += record["casualties"][day]
        days.append((day - start).days)
        cumulative.append(total)
    fire = fire_ratio.usable(record.get("fire_ratio", []), start, until)
    pace_weeks, pace = np.zeros(0, int), np.zeros(0)
    if "isw" in series:
        regular = weeks % STRIDE == 0  # the last compared week may fall off the stride: left out here
        levels = series["isw"][regular]
        if not np.isnan(levels).any() and levels.size > max(PACE_SPANS):  # a gap in the record: no pace summary
            pace_weeks, pace = weeks[regular], pace_variability(levels)
    return Targets(weeks=weeks, series=series, casualty_days=np.array(days, float), casualties=np.array(cumulative),
                   fire_spans=fire_ratio.week_spans(fire, start), fire_ratios=np.array([p.ratio for p in fire]),
                   pace_weeks=pace_weeks, pace=pace)


# ---------------------------------------------------------------- simulation of a generation

@dataclass(frozen=True)
class Simulator:
    """Runs a batch of parameter vectors as one ensemble and returns their summaries."""

    scenario: Scenario
    model: WarModel
    priors: tuple[FittedPrior, ...]
    weeks: int
    keys: tuple[tuple, ...]
    fire: bool = False  # record the fire ratio (`fire_ratio.log_fire_ratio`) for a fit that targets it

    @classmethod
    def of(cls, scenario: Scenario, priors: list[FittedPrior], until: dt.date, fire: bool = False) -> "Simulator":
        weeks = (until - scenario.start).days // 7
        model = compile_model(scenario.model_copy(update={"posterior": None}))
        model = replace(model, horizon_weeks=weeks)
        keys = tuple(None if p.name == fire_ratio.SHELL_RATIO_PRIOR["name"] else model_key(model, path_of(p.name))
                     for p in priors)
        return cls(scenario=scenario, model=model, priors=tuple(priors), weeks=weeks, keys=keys, fire=fire)

    @classmethod
    def for_posterior(cls, scenario: Scenario, names: tuple[str, ...] | list[str], until: dt.date) -> "Simulator":
        """A simulator whose parameter vectors are rows of a posterior with these columns (every column set as
        drawn: a derived firepower is stored, so nothing is linked again)."""
        priors = [FittedPrior(name=n, dist="uniform", lo=0.0, hi=1.0, centre=0.5, sd=None, reason="posterior column")
                  for n in names]
        return cls.of(scenario, priors, until)

    @property
    def linked(self) -> bool:
        """Russia's firepower is derived from the shell ratio and μ (`fire_ratio.linked_firepower`)."""
        return None in self.keys

    def start(self, theta: np.ndarray, rng: np.random.Generator):  # noqa: ANN201
        """The realised model, the state at the start and the schedule for a batch of parameter vectors; where
        the firepower is linked, each run's f_R = (S · L_U/L_R)^μ from its own line troops at the start."""
        n = theta.shape[0]
        overrides = {key: theta[:, i] for i, key in enumerate(self.keys) if key is not None}
        model = realise(self.model, n, rng, overrides)
        state = initial_state(model, n)
        schedule = ScheduleFactory(self.scenario)(model) if self.scenario.inputs else None
        if schedule is not None:
            state = schedule.start(model, state, rng)
        if self.linked:
            names = [p.name for p in self.priors]
            f_r = fire_ratio.linked_firepower(theta[:, self.keys.index(None)], theta[:, names.index(fire_ratio.EXPONENT)],
                                              fire_ratio.log_line_ratio(state, model))
            firepower = np.array(np.broadcast_to(np.asarray(model.sides["firepower"], float), (n, 2)))
            firepower[:, RUSSIA] = f_r
            model = replace(model, sides={**model.sides, "firepower": firepower})
        return model, state, schedule

    def derived_firepower(self, theta: np.ndarray) -> np.ndarray:
        """Russia's firepower per parameter vector where it is linked (what the posterior stores for it)."""
        model, _, _ = self.start(theta, np.random.default_rng(0))
        return np.asarray(model.sides["firepower"])[:, RUSSIA]

    def run(self, theta: np.ndarray, seed: int) -> dict[str, np.ndarray]:
        """theta (n, P) -> {kind: (n, weeks + 1) change since the start} and 'casualties' cumulative."""
        n = theta.shape[0]
        rng = np.random.default_rng(seed)
        model, state, schedule = self.start(theta, rng)
        ukrainian = np.array([c == "UA" for c in model.geography.countries])
        columns = {rid: model.region_ids.index(rid) for rid in FIT_REGIONS}
        kinds = ("isw", *FIT_REGIONS, "casualties") + (("fire",) if self.fire else ())
        out = {kind: np.zeros((n, self.weeks + 1)) for kind in kinds}
        start_control = state.control.copy()
        for w in range(1, self.weeks + 1):
            if schedule is not None:
                state = schedule.act(state, rng)
            state, _ = step(state, model, rng, report=False)
            change = (state.control - start_control) * model.area
            out["isw"][:, w] = change[:, ukrainian].sum(axis=1)
            for rid, r in columns.items():
                out[rid][:, w] = change[:, r]
            out["casualties"][:, w] = state.casualties[:, RUSSIA]
            if self.fire:
                out["fire"][:, w] = fire_ratio.log_fire_ratio(state, model)
        return out


def fit_priors(scenario: Scenario) -> list[FittedPrior]:
    """The scenario's priors, plus the shell ratio at the start where Russia's firepower is linked to it: the
    scenario fits the materiel exponent and declares no prior of its own on the firepower."""
    priors = fitted_priors(scenario)
    names = {p.name for p in priors}
    if fire_ratio.EXPONENT in names and fire_ratio.FIREPOWER not in names:
        priors.append(FittedPrior(**fire_ratio.SHELL_RATIO_PRIOR))
    return priors


def posterior_columns(simulator: Simulator, names: list[str], samples: np.ndarray) -> tuple[list[str], np.ndarray]:
    """What a posterior stores: scenario parameters only, the shell-ratio nuisance replaced by the firepower it
    gives each row."""
    if not simulator.linked:
        return names, samples
    i = names.index(fire_ratio.SHELL_RATIO_PRIOR["name"])
    out = samples.copy()
    out[:, i] = simulator.derived_firepower(samples)
    return [fire_ratio.FIREPOWER if k == i else n for k, n in enumerate(names)], out


def distances(sim: dict[str, np.ndarray], obs: Targets) -> np.ndarray:
    """Root of the summed mean squared scaled deviations, one per run (n,)."""
    total = 0.0
    for kind, observed in obs.series.items():
        ok = ~np.isnan(observed)
        if not ok.any():
            continue
        diff = (sim[kind][:, obs.weeks[ok]] - observed[ok][None, :]) / TARGET_SCALES[kind]
        total = total + np.mean(diff**2, axis=1)
    if obs.casualties.size:
        days = np.arange(sim["casualties"].shape[1]) * 7.0
        simulated = np.array([np.interp(obs.casualty_days, days, row) for row in sim["casualties"]])
        rel = (simulated - obs.casualties[None, :]) / np.maximum(obs.casualties[None, :], 1.0) / TARGET_SCALES["casualties"]
        total = total + np.mean(rel**2, axis=1)
    if obs.fire_ratios.size:
        total = total + fire_ratio.fire_distance(sim["fire"], obs.fire_spans, obs.fire_ratios)
    if obs.pace.size:
        diff = (pace_variability(sim["isw"][:, obs.pace_weeks]) - obs.pace[None, :]) / TARGET_SCALES["pace"]
        total = total + np.mean(diff**2, axis=1)
    return np.sqrt(total)


# ---------------------------------------------------------------- the sampler

@dataclass
class Fit:
    """A finished fit: the final population, its history and what it cost."""

    names: list[str]
    samples: np.ndarray
    distances: np.ndarray        # (particles, simulations): each particle's stored distances
    generations: list[dict]
    run_weeks: int
    seconds: float
    priors: list[FittedPrior]
    tolerance: float = float("inf")
    simulations: int = 1
    stopped: str = "generations"

    def diagnostics(self) -> dict:
        unique = len({tuple(row) for row in self.samples})
        spread = {p.name: round(p.spread(self.samples[:, i]) / p.prior_spread(), 4) for i, p in enumerate(self.priors)}
        mean = self.distances.reshape(len(self.samples), -1).mean(axis=1)
        return {"ess": unique, "ess_copies": round(ess_by_copies(self.samples), 1), "particles": len(self.samples),
                "simulations_per_particle": self.simulations, "generations": self.generations,
                "posterior_to_prior_spread": spread, "run_weeks_simulated": self.run_weeks,
                "wall_seconds": round(self.seconds, 1), "final_tolerance": float(self.tolerance), "stopped": self.stopped,
                "median_distance": float(np.median(mean))}


def ess_by_copies(samples: np.ndarray) -> float:
    """Kish's effective sample size 1/Σw² of a population whose w is each unique row's share of the copies."""
    _, counts = np.unique(np.asarray(samples), axis=0, return_counts=True)
    w = counts / counts.sum()
    return float(1.0 / np.sum(w**2))


def within(D: np.ndarray, eps: float) -> np.ndarray:
    """(n, K) distances -> (n,) the share of each particle's K simulations within the tolerance: the unbiased
    estimate of its ABC likelihood (Andrieu & Roberts 2009; Del Moral, Doucet & Jasra 2012)."""
    return np.mean(D <= eps, axis=1)


def next_tolerance(D: np.ndarray, eps_prev: float, target_ess: float) -> tuple[float, np.ndarray]:
    """The smallest tolerance whose incremental weights w = L̂(ε)/L̂(ε_prev) keep an ESS of at least
    `target_ess` (Del Moral, Doucet & Jasra 2012); with one simulation per particle w is 0 or 1 and this is
    Drovandi & Pettitt's "keep the better (1 − α)"."""
    base = within(D, eps_prev) if np.isfinite(eps_prev) else np.ones(D.shape[0])
    candidates = np.unique(D[D <= eps_prev])

    def weights(eps: float) -> np.ndarray:
        return np.where(base > 0, within(D, eps) / np.maximum(base, 1e-300), 0.0)

    def ess(w: np.ndarray) -> float:
        return float(w.sum() ** 2 / max(np.sum(w**2), 1e-300))

    lo, hi = 0, candidates.size - 1
    while lo < hi:  # the ESS grows with ε (more of each particle's simulations fall inside)
        mid = (lo + hi) // 2
        if ess(weights(candidates[mid])) >= target_ess:
            hi = mid
        else:
            lo = mid + 1
    eps = float(candidates[lo])
    return eps, weights(eps)


def smc_abc(simulator: Simulator, obs: Targets, particles: int = 1000, alpha: float = 0.5,
            generations: int = 30, min_acceptance: float = MIN_ACCEPTANCE, max_moves: int = 12, seed: int = 0,
            simulations: int = SIMULATIONS, min_ess_share: float = MIN_ESS_SHARE,
            progress: Callable[[int, dict], None] | None = None) -> Fit:
    """Adaptive SMC-ABC with `simulations` (K) simulations per particle; see the module docstring."""
    began = time.perf_counter()
    rng = np.random.default_rng(seed)
    priors = list(simulator.priors)
    P = len(priors)
    K = int(simulations)
    theta = np.column_stack([p.sample(particles, rng) for p in priors])
    z = np.column_stack([p.to_z(theta[:, i]) for i, p in enumerate(priors)])
    run_weeks = 0
    sim_seed = seed * 1_000_003

    def simulate(values: np.ndarray) -> np.ndarray:
        """(n, P) -> (n, K) distances: the K simulations of every vector run as one ensemble."""
        nonlocal run_weeks, sim_seed
        sim_seed += 1
        run_weeks += values.shape[0] * K * simulator.weeks
        batch = values if K == 1 else np.repeat(values, K, axis=0)
        return distances(simulator.run(batch, sim_seed), obs).reshape(values.shape[0], K)

    def log_prior(zz: np.ndarray) -> np.ndarray:
        return sum(p.log_density_z(zz[:, i]) for i, p in enumerate(priors))

    D = simulate(theta)
    history = [{"generation": 0, "tolerance": float("inf"), "acceptance": 1.0, "proposals": particles,
                "median_distance": float(np.median(D.mean(axis=1)))}]
    if progress:
        progress(0, history[-1])
    target = particles - int(alpha * particles)
    eps = float("inf")
    moves = 1
    stopped = "generations"
    kept = (z, theta, D, eps)  # the last population that held enough distinct particles
    for g in range(1, generations + 1):
        eps, w = next_tolerance(D, eps, target)
        # resample in proportion to w (systematic); the first copy of each particle stays where it is, the
        # other copies are moved (with K = 1: the survivors stay, the refills move, as Drovandi & Pettitt)
        u = (rng.random() + np.arange(particles)) / particles
        pick = np.minimum(np.searchsorted(np.cumsum(w) / w.sum(), u, side="right"), particles - 1)
        pick = pick[np.argsort(pick, kind="stable")]
        z, theta, D = z[pick], theta[pick], D[pick]
        survivors = z[np.r_[True, pick[1:] != pick[:-1]]]
        idx = np.flatnonzero(np.r_[False, pick[1:] == pick[:-1]])
        cov = proposal_scale(P) * np.cov(survivors, rowvar=False).reshape(P, P) + 1e-9 * np.eye(P)
        chol = np.linalg.cholesky(cov)
        accepted, proposed = 0, 0
        for _ in range(moves if idx.size else 0):
            z_new = z[idx] + rng.standard_normal((idx.size, P)) @ chol.T
            theta_new = np.column_stack([p.from_z(z_new[:, i]) for i, p in enumerate(priors)])
            D_new = simulate(theta_new)
            ratio = np.exp(np.minimum(log_prior(z_new) - log_prior(z[idx]), 0.0))
            ratio = ratio * within(D_new, eps) / np.maximum(within(D[idx], eps), 1e-300)
            ok = rng.random(idx.size) < ratio
            z[idx[ok]], theta[idx[ok]], D[idx[ok]] = z_new[ok], theta_new[ok], D_new[ok]
            accepted += int(ok.sum())
            proposed += idx.size
        rate = accepted / max(proposed, 1)
        ess = ess_by_copies(theta)
        history.append({"generation": g, "tolerance": eps, "acceptance": round(rate, 4), "proposals": proposed,
                        "moves": moves, "median_distance": float(np.median(D.mean(axis=1))),
                        "unique": len({tuple(row) for row in theta}), "ess_copies": round(ess, 1)})
        if progress:
            progress(g, history[-1])
        if ess < min_ess_share * particles:
            # too few distinct particles to describe a posterior: the result is the previous generation's
            z, theta, D, eps = kept
            stopped = f"ess_floor (generation {g} held {ess:.0f} by copies; result: generation {g - 1})"
            break
        kept = (z.copy(), theta.copy(), D.copy(), eps)
        if rate < min_acceptance:
            stopped = "min_acceptance"
            break
        # moves so that a particle is moved at least once with probability 0.99 (Drovandi & Pettitt), capped
        moves = int(min(max_moves, max(1, np.ceil(np.log(0.01) / np.log(max(1 - rate, 1e-9))))))
    return Fit(names=[p.name for p in priors], samples=theta, distances=D, generations=history,
               run_weeks=run_weeks, seconds=time.perf_counter() - began, priors=priors, tolerance=eps, simulations=K,
               stopped=stopped)
