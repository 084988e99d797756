"""κ, the force ratio at which an attack half-succeeds, read off Lawrence's 1944-45 engagements.

data/calibration/force_ratio_outcomes.csv gives, for 116 division-level engagements in Europe (C. A. Lawrence, War by
Numbers, 2017, p. 10), how many attacks failed in each band of attacker:defender force ratio. Two readings:

- the transition: every attack at 1.01 or less failed, four in five at 1.15-1.88 succeeded, so attacks turn from
  failing to succeeding between 1.01 and 1.15; its midpoint, 1.08, centres the fits' prior for
  `combat.ratio_threshold` (scenarios/war-2023.yaml);
- a cross-check by maximum likelihood: the model's own law π(r) = 1 / (1 + (κ/r)^ε) taken as the probability of
  success at force ratio r, each band at its geometric midpoint (the open band from 2.71 at 2.71 × 1.2), binomial
  counts. It gives κ and ε with the profile likelihood of κ.

- ε for a front, derived: the maximum-likelihood ε (about 5) is the steepness of ONE engagement's success against its
  own force ratio. The model's law applies to a sector's week, the sum of many engagements whose local ratios scatter
  about the sector's; if the share of its potential advance a sector realises is the share of its engagements that
  succeed, its response is the battle law averaged over that scatter, which only flattens it: with local log-ratios
  scattered normally with s.d. s about the sector's, the average of a logistic of slope ε_b is close to a logistic of
  slope ε_b / √(1 + π ε_b² s² / 8) (MacKay 1992, Neural Comput. 4:720, the probit approximation). s is taken from the
  same table, the scatter of the 116 engagements' log force ratios (about 0.48). Stated biases: that scatter is across
  a campaign's sectors and months, wider than within one sector's week (which makes the derived ε low; with no scatter
  it would be the battle's 5), while a battle's success read as "its potential advance realised" ignores partial
  successes (which makes the battle's slope, and so the derived one, high); the bands are coarse. It centres the fits'
  prior for `combat.ratio_elasticity`, whose upper bound is the battle's own ε (averaging cannot steepen it).

Usage: python tools/force_ratio_fit.py [--json]
"""

from __future__ import annotations

import argparse
import csv
import json
import math
from pathlib import Path

import numpy as np
from scipy.optimize import minimize

DATA = Path(__file__).resolve().parents[1] / "data" / "calibration" / "force_ratio_outcomes.csv"
OPEN_BAND = 1.2  # the band "2.71 and above" taken at 2.71 × this


def bands(path: Path = DATA) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Representative force ratio, attacks and successes per band."""
    ratio, cases, wins = [], [], []
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            lo = float(row["force_ratio_low"])
            hi = float(row["force_ratio_high"]) if row["force_ratio_high"] else lo * OPEN_BAND ** 2
            n = int(row["cases"])
            ratio.append(math.sqrt(lo * hi))
            cases.append(n)
            wins.append(round(n * (1.0 - float(row["attack_fails_share"]))))
    return np.array(ratio), np.array(cases), np.array(wins)


def negative_log_likelihood(log_kappa: float, log_elasticity: float, r: np.ndarray, n: np.ndarray,
                            s: np.ndarray) -> float:
    kappa, elasticity = math.exp(log_kappa), math.exp(log_elasticity)
    p = np.clip(1.0 / (1.0 + (kappa / r) ** elasticity), 1e-12, 1 - 1e-12)
    return float(-(s * np.log(p) + (n - s) * np.log1p(-p)).sum())


def front_elasticity(battle: float, scatter: float) -> float:
    """The slope of a battle logistic of slope `battle` in log ratio, averaged over a normal scatter of log ratios
    of s.d. `scatter` (the probit approximation): battle / √(1 + π battle² scatter² / 8)."""
    return battle / math.sqrt(1.0 + math.pi * battle**2 * scatter**2 / 8.0)


def fit() -> dict:
    r, n, s = bands()
    best = minimize(lambda th: negative_log_likelihood(th[0], th[1], r, n, s), [0.0, 1.0], method="Nelder-Mead")
    kappa, elasticity = (float(math.exp(v)) for v in best.x)
    grid = np.exp(np.linspace(math.log(0.5), math.log(2.0), 121))
    es = np.linspace(math.log(0.3), math.log(20.0), 200)
    profile = [min(negative_log_likelihood(math.log(k), e, r, n, s) for e in es) - best.fun for k in grid]
    inside = [float(k) for k, d in zip(grid, profile) if d <= 0.5]  # ~68% (Δ log-likelihood ≤ 0.5)
    transition = (1.01 + 1.15) / 2
    logs = np.log(r)
    scatter = float(np.sqrt(np.sum(n * (logs - np.sum(n * logs) / n.sum()) ** 2) / n.sum()))
    front = front_elasticity(elasticity, scatter)
    return {"transition_midpoint": round(transition, 3), "mle_kappa": round(kappa, 3),
            "mle_elasticity": round(elasticity, 2),
            "engagement_log_ratio_sd": round(scatter, 3), "front_elasticity": round(front, 2),
            "kappa_68pct_profile": [round(min(inside), 2), round(max(inside), 2)],
            "bands": [{"ratio": round(float(a), 3), "cases": int(b), "successes": int(c)} for a, b, c in zip(r, n, s)]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--json", action="store_true")
    result = fit()
    if parser.parse_args().json:
        print(json.dumps(result, indent=2))
        return
    print(f"transition midpoint {result['transition_midpoint']}; MLE κ {result['mle_kappa']} "
          f"(68% profile {result['kappa_68pct_profile']}), ε {result['mle_elasticity']} for a battle; "
          f"engagements' log-ratio s.d. {result['engagement_log_ratio_sd']}, ε for a front {result['front_elasticity']}")


if __name__ == "__main__":
    main()
