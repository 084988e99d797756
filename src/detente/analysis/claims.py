"""Judge the seeds' arguments: each variant's claims against its parent, on common random numbers.

A seed variant states what it encodes (premises) and what its commentator concludes (its `claims:`,
scenario/claims_schema.py). Each variant runs against the scenario it extends with the same runs and seed,
through `analysis.compare` (its pairing check and its paired differences d_i = m_variant[i] − m_parent[i]),
so the difference isolates what the variant changes. Each parent runs once, however many variants extend it.

Per claim: the mean paired difference (or, against a level, the variant's own mean) with a bootstrap 90%
interval of that mean (percentile bootstrap, Efron & Tibshirani 1993, ch. 13; the same resampled runs for
every claim of a variant, so claims stay paired with each other), and a verdict:
- premise: `holds` when the interval lies in its direction (beyond its size, if given), else `broken`;
- conclusion: `supported` when the interval lies in its direction (beyond its size), `contradicted` when it
  lies in the opposite one, else `inconclusive`. A difference that is exactly 0 in every run (the variant
  never moves the outcome at all: Russia never enters a region in either) contradicts a conclusion that it
  moves it: no number of runs could make it come out otherwise, which is what "inconclusive" would claim.
A conclusion that is not supported names what decides it (`decided_by`): a Morris screen (analysis.
sensitivity.run_design) whose ranges run from the parent's value to the variant's value of each parameter
the variant changes, so it ranks the variant's own assumptions by their effect on the conclusion's metric;
settings that are not numbers (a policy, a script, a rule) are listed as structural.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np

from detente.analysis.compare import Comparison, check_pairable
from detente.errors import DetenteError, InputError
from detente.scenario.loader import LoadedScenario, iter_params, load_scenario

BOOTSTRAP = 1000
LEVEL = 0.90
SCREEN_TRAJECTORIES = 8     # Morris trajectories per screen (Campolongo et al. 2007 use 10–20 for ranking)
SCREEN_REPLICATES = 8       # runs averaged per design point: the conclusions' metrics are noisy per run
SCREEN_MAX_LEVERS = 8
IGNORED_FIELDS = ("claims", "name", "title", "description", "variant_of", "references")


@dataclass
class Verdict:
    """One claim judged: its difference (mean and interval of the mean) and its verdict."""

    scenario: str
    file: str
    claim: str
    kind: str
    metric: str
    direction: str
    size: float | None
    against: str
    mean: float
    p05: float
    p95: float
    verdict: str
    source: Any = None
    decided_by: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        """The claim as `detente claims --json` reports it."""
        return {"scenario": self.scenario, "file": self.file, "claim": self.claim, "kind": self.kind,
                "metric": self.metric, "direction": self.direction, "size": self.size, "against": self.against,
                "difference": {"mean": self.mean, "p05": self.p05, "p95": self.p95}, "verdict": self.verdict,
                "decided_by": self.decided_by}


def variant_files(paths: list[str | Path]) -> list[Path]:
    """Scenario files named, or found (*.yaml, sorted) in the folders named; not recursive."""
    found: list[Path] = []
    for p in map(Path, paths):
        if p.is_dir():
            found += sorted(p.glob("*.yaml"))
        elif p.is_file():
            found.append(p)
        else:
            raise InputError.single(str(p), "no such file or folder", hint="name scenario files or a folder of them")
    return found


def bootstrap_means(d: np.ndarray, idx: np.ndarray) -> tuple[float, float, float]:
    """Mean of d and the percentile interval (LEVEL) of the mean over the resampled index rows."""
    means = d[idx].mean(axis=1)
    tail = (1.0 - LEVEL) / 2.0
    lo, hi = np.quantile(means, [tail, 1.0 - tail])
    return float(d.mean()), float(lo), float(hi)


def judge(kind: str, direction: str, size: float | None, against: str, lo: float, hi: float) -> str:
    """The verdict of a claim from the interval [lo, hi] of its mean difference (or of its level)."""
    ref = (size or 0.0) if against == "parent" else float(size)
    if against == "parent":
        up, down = lo > ref, hi < -ref
        not_up, not_down = hi <= ref, lo >= -ref
        opposite_up, opposite_down = hi < 0.0, lo > 0.0   # contradicted: beyond zero the other way
    else:
        up, down = lo > ref, hi < ref
        not_up, not_down = hi <= ref, lo >= ref
        opposite_up, opposite_down = hi < ref, lo > ref
    if kind == "premise":
        ok = {"higher": up, "lower": down, "no_higher": not_up, "no_lower": not_down}[direction]
        return "holds" if ok else "broken"
    if (direction == "higher" and up) or (direction == "lower" and down):
        return "supported"
    if lo == hi == (0.0 if against == "parent" else ref):
        return "contradicted"  # every run exactly unmoved: the variant provably does not move the outcome
    if (direction == "higher" and opposite_up) or (direction == "lower" and opposite_down):
        return "contradicted"
    return "inconclusive"


def absent_as_zero(parent: dict[str, np.ndarray], variant: dict[str, np.ndarray], runs: int) -> dict[str, np.ndarray]:
    """Differences for table and decision metrics one side does not report: an agreement that is not on offer
    is never signed, an option an actor does not have takes no weeks (beliefs are not counted: absent is not 0)."""
    from detente.ensemble.registry import find

    out = {}
    for name in set(parent) ^ set(variant):
        metric = find(name)
        if metric is None or metric.section not in ("table", "decisions") or name.startswith("belief/"):
            continue
        a = np.asarray(parent.get(name, np.zeros(runs)), float)
        b = np.asarray(variant.get(name, np.zeros(runs)), float)
        out[name] = b - a
    return out


def _flatten(node: Any, path: tuple = ()) -> dict[tuple, Any]:
    if isinstance(node, dict):
        out: dict[tuple, Any] = {}
        for k, v in node.items():
            out.update(_flatten(v, path + (k,)))
        return out or {path: {}}
    return {path: node}


def variant_changes(parent: LoadedScenario, variant: LoadedScenario) -> tuple[list[tuple], list[str]]:
    """What the variant changes: numeric parameters (path, parent value, variant value) and other settings."""
    mine = dict(iter_params(variant.scenario))
    theirs = dict(iter_params(parent.scenario))
    numeric = [(path, theirs[path].value, p.value) for path, p in mine.items()
               if path in theirs and theirs[path].value != p.value]
    skip = {path for path in mine} | {path for path in theirs}
    a = _flatten(parent.scenario.model_dump(exclude=set(IGNORED_FIELDS)))
    b = _flatten(variant.scenario.model_dump(exclude=set(IGNORED_FIELDS)))
    structural = set()
    for key in set(a) | set(b):
        if a.get(key) == b.get(key) or any(key[:len(s)] == s for s in skip):
            continue
        if any(part in ("source", "note", "placeholder", "description", "escalation", "title") for part in key):
            continue  # provenance and labels, not assumptions
        structural.add(".".join(map(str, key[:5])))
    return numeric, sorted(structural)


def screen(variant: LoadedScenario, parent: LoadedScenario, metrics: list[str], seed: int,
           backend: Any = None) -> dict[str, list[dict[str, Any]]]:
    """metric -> the variant's assumptions ranked by their Morris effect on it (structural ones listed last)."""
    from detente.analysis.sensitivity import ParameterRange, run_design
    from detente.ensemble.per_run import override_key
    from detente.world.model import compile_model

    numeric, structural = variant_changes(parent, variant)
    model = compile_model(variant.scenario)
    ranges = []
    for path, was, now in numeric:
        try:
            override_key(model, path)
        except KeyError:
            structural.append(".".join(map(str, path)))
            continue
        ranges.append(ParameterRange(name=".".join(map(str, path)), path=path, low=min(was, now),
                                     high=max(was, now), line=None))
    ranges = ranges[:SCREEN_MAX_LEVERS]
    found: dict[str, list[dict[str, Any]]] = {m: [] for m in metrics}
    if ranges:
        result = run_design(variant, ranges, "morris", SCREEN_TRAJECTORIES, SCREEN_REPLICATES, seed,
                            backend=backend, metrics=metrics)
        for m, by_param in result.indices.items():
            found[m] = sorted(({"parameter": name, "mu_star": round(v["mu_star"], 4),
                                "mu_star_conf": round(v["mu_star_conf"], 4), "from": r.low, "to": r.high}
                               for (name, v), r in zip(by_param.items(), ranges)),
                              key=lambda row: -row["mu_star"])
    for m in metrics:
        found[m] += [{"parameter": s, "structural": True} for s in sorted(set(structural))]
    return found


@dataclass
class ClaimsReport:
    """Every claim judged, with the runs, seed and time it took."""

    verdicts: list[Verdict]
    runs: int
    seed: int
    seconds: float
    skipped: list[str]

    def to_json(self) -> dict[str, Any]:
        """{"runs", "seed", "seconds", "skipped", "claims": [...]} ."""
        return {"runs": self.runs, "seed": self.seed, "seconds": round(self.seconds, 1), "skipped": self.skipped,
                "claims": [v.to_json() for v in self.verdicts]}


def judge_claims(paths: list[str | Path], runs: int = 1000, seed: int = 0, decide: bool = True,
                 simulate: Callable[..., Any] | None = None, backend: Any = None,
                 progress: Callable[[str], None] | None = None) -> ClaimsReport:
    """Run every variant with claims against its parent (each parent once) and judge its claims."""
    if simulate is None:
        from detente.ensemble.runner import simulate as run

        simulate = run
    started = time.perf_counter()
    variants, skipped = [], []
    for file in variant_files(paths):
        loaded = load_scenario(file)
        if loaded.scenario.claims is None:
            skipped.append(loaded.name)
            continue
        if len(loaded.chain) < 2:
            raise InputError.single(str(file), "claims need a parent: this scenario extends none", field="claims",
                                    hint="add `extends: baseline.yaml`; claims compare a variant with its parent")
        variants.append(loaded)
    kwargs = {"backend": backend} if backend is not None else {}
    parents: dict[Path, tuple[LoadedScenario, Any]] = {}
    verdicts: list[Verdict] = []
    for variant in variants:
        parent_path = variant.chain[-2]
        if parent_path not in parents:
            parent = load_scenario(parent_path)
            if progress:
                progress(f"{parent.name} (parent)")
            parents[parent_path] = (parent, simulate(parent, runs=runs, seed=seed, **kwargs))
        parent, parent_result = parents[parent_path]
        check_pairable(parent, variant)
        if progress:
            progress(variant.name)
        result = simulate(variant, runs=runs, seed=seed, **kwargs)
        differences = Comparison(baseline=parent_result, variants=[result]).differences(result)
        differences.update(absent_as_zero(parent_result.metrics, result.metrics, runs))
        idx = np.random.default_rng([seed, len(verdicts)]).integers(0, runs, size=(BOOTSTRAP, runs))
        mine: list[Verdict] = []
        for kind, claims in (("premise", variant.scenario.claims.premises),
                             ("conclusion", variant.scenario.claims.conclusion)):
            for c in claims:
                if c.against == "level":
                    values = result.metrics.get(c.metric)
                    if values is None and c.metric in absent_as_zero({c.metric: np.zeros(runs)}, {}, runs):
                        values = np.zeros(runs)   # an agreement not on offer is never signed
                else:
                    values = differences.get(c.metric)
                if values is None:
                    line = variant.located.where(("claims",))[1]
                    raise DetenteError(f"{variant.path}:{line or '?'}: claim '{c.claim}': metric '{c.metric}' is "
                                       f"declared but this scenario does not report it (is its mechanism on?)")
                mean, lo, hi = bootstrap_means(np.asarray(values, float), idx)
                verdict = judge(kind, c.direction, c.size, c.against, lo, hi)
                mine.append(Verdict(variant.name, str(variant.path), c.claim, kind, c.metric, c.direction, c.size,
                                    c.against, mean, lo, hi, verdict, c.source))
        undecided = [v for v in mine if v.kind == "conclusion" and v.verdict != "supported"]
        if decide and undecided:
            if progress:
                progress(f"{variant.name} (screen)")
            ranked = screen(variant, parent, sorted({v.metric for v in undecided}), seed, backend)
            for v in undecided:
                v.decided_by = ranked.get(v.metric, [])
        verdicts += mine
    return ClaimsReport(verdicts, runs, seed, time.perf_counter() - started, skipped)
