"""Compare variants on common random numbers: per-run paired differences against the first scenario.

Runs with the same seed draw the same per-block streams (dynamics, parameters, decisions), so run i of
variant B faces the same luck as run i of variant A, and the paired difference d_i = m_B[i] − m_A[i]
isolates what the variant changes (the variance of d is far below that of m_A and m_B separately;
common random numbers, Law & Kelton 2000, ch. 11). A variant that changes nothing gives d_i = 0 exactly.
What a metric is comes from the registry (`detente.ensemble.registry`): a yes/no outcome (kind
`probability`) is compared as the share of runs in each variant, its paired difference and a 90% paired
bootstrap interval of that difference; quantities as the median and 10–90% interval of d.
Pairing needs the same runs, seed and map: scenarios whose contestable regions differ are refused,
because their per-region metrics and the shape of their random draws differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable

import numpy as np

from detente.ensemble import registry
from detente.ensemble.summaries import summarise
from detente.errors import DetenteError

KEEP = ("mean", "p10", "p50", "p90")
BOOTSTRAP_RESAMPLES = 4000
INTERVAL = (0.05, 0.95)  # a 90% interval


class IncomparableScenarios(DetenteError):
    """Two scenarios whose runs cannot be paired one to one."""


@dataclass(frozen=True)
class Comparison:
    """Each variant's metric summaries and its paired differences from the first."""

    baseline: Any
    variants: list[Any]

    def differences(self, variant: Any) -> dict[str, np.ndarray]:
        """metric -> per-run difference variant − baseline, for the metrics both report."""
        shared = sorted(set(self.baseline.metrics) & set(variant.metrics))
        return {m: np.asarray(variant.metrics[m], float) - np.asarray(self.baseline.metrics[m], float)
                for m in shared}

    def to_json(self) -> dict[str, Any]:
        """{"baseline": {...}, "variants": [{"scenario", "metrics", "difference": {metric: {mean,p10,p50,p90,
        kind}}}]}; a probability's metrics also carry `probability` (the share of runs), and its difference
        `probability` ({"baseline", "variant"}) and `difference_interval` ([lo, hi], paired bootstrap 90%)."""
        def metrics(result: Any) -> dict[str, dict[str, Any]]:
            out = {}
            for m, s in sorted(result.summary().items()):
                out[m] = {**{k: s[k] for k in KEEP}, "kind": registry.kind(m)}
                if out[m]["kind"] == "probability":
                    out[m]["probability"] = s["mean"]
            return out

        rng = np.random.default_rng(self.baseline.seed)  # the intervals are reproducible with the ensemble
        variants = []
        for v in self.variants:
            difference: dict[str, dict[str, Any]] = {}
            for m, d in self.differences(v).items():
                entry: dict[str, Any] = {**{k: summarise(d)[k] for k in KEEP}, "kind": registry.kind(m)}
                if entry["kind"] == "probability":
                    entry["probability"] = {"baseline": float(np.mean(self.baseline.metrics[m])),
                                            "variant": float(np.mean(v.metrics[m]))}
                    entry["difference_interval"] = paired_share_interval(d, rng)
                difference[m] = entry
            variants.append({"scenario": v.loaded.name, "metrics": metrics(v), "difference": difference})
        return {"runs": self.baseline.runs, "seed": self.baseline.seed,
                "baseline": {"scenario": self.baseline.loaded.name, "metrics": metrics(self.baseline)},
                "variants": variants}


def paired_share_interval(d: np.ndarray, rng: np.random.Generator,
                          resamples: int = BOOTSTRAP_RESAMPLES) -> list[float]:
    """90% paired bootstrap interval of the difference of two shares, from per-run differences d_i ∈ {-1, 0, 1}.

    Resampling the n pairs with replacement (Efron & Tibshirani 1993, ch. 13, percentile interval) only
    changes how many pairs of each of the three kinds are drawn, so each resample is one multinomial draw of
    n over the three kinds' observed shares: exactly the bootstrap, in O(resamples) whatever n is."""
    d = np.asarray(d, float)
    n = d.size
    if n == 0:
        return [float("nan"), float("nan")]
    if not np.isin(d, (-1.0, 0.0, 1.0)).all():  # not a yes/no outcome: resample the runs themselves
        means = np.array([d[rng.integers(0, n, n)].mean() for _ in range(resamples)])
        return [float(q) for q in np.quantile(means, INTERVAL)]
    up, down = float(np.mean(d > 0)), float(np.mean(d < 0))
    counts = rng.multinomial(n, [up, down, max(0.0, 1.0 - up - down)], size=resamples)
    shares = (counts[:, 0] - counts[:, 1]) / n
    low, high = np.quantile(shares, INTERVAL)
    return [float(low), float(high)]


def check_pairable(first: Any, other: Any) -> None:
    """Refuse to pair scenarios whose contestable regions differ, saying which and why."""
    a = {r for r, s in first.scenario.regions.items() if s.contestable}
    b = {r for r, s in other.scenario.regions.items() if s.contestable}
    if a != b:
        only_a, only_b = sorted(a - b), sorted(b - a)
        parts = []
        if only_a:
            parts.append(f"only {first.name} fights over {', '.join(only_a)}")
        if only_b:
            parts.append(f"only {other.name} fights over {', '.join(only_b)}")
        raise IncomparableScenarios(
            f"cannot compare {first.name} with {other.name}: their regions differ ({'; '.join(parts)}). "
            "Runs are paired one to one on common random numbers, and the engine draws per-region noise and "
            "reports per-region metrics for the contestable regions, so different maps give runs that do not "
            "correspond; make both scenarios declare the same regions (contestable: true/false)")


def compare(files: list[str | Path], runs: int = 1000, seed: int = 0,
            simulate: Callable[..., Any] | None = None, backend: Any = None) -> Comparison:
    """Run every scenario on the same seed and runs; the first is the reference."""
    from detente.scenario.loader import load_scenario

    if len(files) < 2:
        raise DetenteError("compare needs at least two scenario files (the first is the reference)")
    loaded = [load_scenario(f) for f in files]
    for other in loaded[1:]:
        check_pairable(loaded[0], other)
    if simulate is None:
        from detente.ensemble.runner import simulate as run

        simulate = run
    results = [simulate(item, runs=runs, seed=seed, **({"backend": backend} if backend is not None else {}))
               for item in loaded]
    return Comparison(baseline=results[0], variants=results[1:])
