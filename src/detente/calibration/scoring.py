"""Scores of a probabilistic forecast against observations: CRPS, central-interval coverage, PIT; and the naive
forecaster every score is set beside.

CRPS (continuous ranked probability score; Gneiting & Raftery 2007, "Strictly proper scoring rules, prediction and
estimation", JASA 102:359) of a forecast distribution F for an observation y is ∫ (F(x) − 1{x ≥ y})² dx, in the
observation's units; lower is better, 0 only for a point forecast at y. For an ensemble x₁ … xₙ (its empirical
distribution; Gneiting & Raftery eq. 21, Hersbach 2000):

    CRPS = (1/n) Σᵢ |xᵢ − y| − (1/2n²) Σᵢ Σⱼ |xᵢ − xⱼ|,

computed in O(n log n) from the sorted members x₍₁₎ ≤ … ≤ x₍ₙ₎: Σᵢ Σⱼ |xᵢ − xⱼ| = 2 Σₖ (2k − n − 1) x₍ₖ₎.
The model's ensemble members are its runs, so no quantile approximation is involved.

For a normal N(μ, σ²) (the naive forecaster) the closed form (Gneiting et al. 2005, Mon. Wea. Rev. 133:1098) is

    CRPS = σ [ z (2Φ(z) − 1) + 2 φ(z) − 1/√π ],   z = (y − μ)/σ,

and |y − μ| when σ = 0.

Coverage of the central p band: the share of points whose observation lies between the ensemble's (1−p)/2 and
(1+p)/2 quantiles (numpy's linear definition), for p = 0.5, 0.8, 0.9. PIT: the ensemble's distribution function
at the observation, mid-ranked over ties ((#{xᵢ < y} + ½ #{xᵢ = y}) / n); a calibrated forecast's PIT values
are uniform on [0, 1].

The naive forecaster (`naive_trend`): a random walk with drift fitted to the 52 weeks before the start. The
series is read at weekly points back from the start (each by the matching rule of `observation`; a source
sparser than weekly at its own dates). The drift m is the trend of that window (its change over the window
÷ its length in weeks), the spread σ² per week the maximum-likelihood variance of its changes about that
drift (Σ (Δy − m Δt)² / Δt ÷ the number of changes, which for weekly points is the variance of the weekly
changes). At h weeks after the zero it forecasts N(m h, σ² h).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

import numpy as np
from scipy.stats import norm

from detente.calibration.observation import at_or_before
from detente.calibration.record import ObservedSeries

BANDS = (0.5, 0.8, 0.9)
NAIVE_WINDOW_WEEKS = 52


def crps_ensemble(members: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """CRPS of each point's ensemble: members (P, n), observed (P,) -> (P,)."""
    x = np.sort(np.atleast_2d(np.asarray(members, dtype=float)), axis=1)
    y = np.atleast_1d(np.asarray(observed, dtype=float))
    n = x.shape[1]
    spread_weights = 2.0 * np.arange(1, n + 1) - n - 1
    mean_error = np.abs(x - y[:, None]).mean(axis=1)
    mean_spread = 2.0 * (x * spread_weights).sum(axis=1) / n**2  # (1/n²) Σᵢ Σⱼ |xᵢ − xⱼ|
    return mean_error - 0.5 * mean_spread


def crps_normal(mu: np.ndarray | float, sigma: np.ndarray | float, observed: np.ndarray | float) -> np.ndarray:
    """CRPS of N(mu, sigma²) for the observation, in closed form; a point forecast's absolute error when sigma = 0."""
    mu, sigma, y = np.broadcast_arrays(np.asarray(mu, float), np.asarray(sigma, float), np.asarray(observed, float))
    shape = np.shape(y)
    out = np.atleast_1d(np.abs(y - mu)).astype(float)
    mu, sigma, y = np.atleast_1d(mu), np.atleast_1d(sigma), np.atleast_1d(y)
    spread = sigma > 0
    z = (y[spread] - mu[spread]) / sigma[spread]
    out[spread] = sigma[spread] * (z * (2 * norm.cdf(z) - 1) + 2 * norm.pdf(z) - 1 / np.sqrt(np.pi))
    return out.reshape(shape)


def coverage(members: np.ndarray, observed: np.ndarray, band: float) -> float:
    """Share of points whose observation lies inside the ensemble's central `band` interval."""
    low, high = np.quantile(members, [(1 - band) / 2, (1 + band) / 2], axis=1)
    return float(np.mean((observed >= low) & (observed <= high)))


def pit(members: np.ndarray, observed: np.ndarray) -> np.ndarray:
    """The ensemble's distribution function at each observation, mid-ranked over ties: (P,)."""
    y = np.asarray(observed, float)[:, None]
    return ((members < y).sum(axis=1) + 0.5 * (members == y).sum(axis=1)) / members.shape[1]


@dataclass(frozen=True)
class NaiveTrend:
    """A random walk with drift: N(drift · h, sigma² · h) for the change h weeks after the zero."""

    drift: float   # per week
    sigma: float   # per √week
    window: tuple[dt.date, dt.date]
    points: int

    def crps(self, horizon_weeks: np.ndarray, observed: np.ndarray) -> np.ndarray:
        """CRPS at each point, in closed form."""
        h = np.asarray(horizon_weeks, float)
        return crps_normal(self.drift * h, self.sigma * np.sqrt(h), observed)

    @property
    def method(self) -> str:
        """What the forecaster is, with its fitted figures."""
        return (f"random walk with drift fitted to the {NAIVE_WINDOW_WEEKS} weeks before the start "
                f"({self.window[0]} … {self.window[1]}, {self.points} points): drift {self.drift:,.1f} per week, "
                f"normal spread {self.sigma:,.1f} per √week; CRPS in closed form")


def naive_trend(series: ObservedSeries, zero_date: dt.date, weeks: int = NAIVE_WINDOW_WEEKS) -> NaiveTrend | None:
    """Fit the naive forecaster on the `weeks` weeks up to the zero date; None where the record has too little."""
    level = series.level()
    chosen: list[int] = []
    for k in range(weeks, -1, -1):
        i = at_or_before(level, zero_date - dt.timedelta(weeks=k))
        if i is not None and (not chosen or i > chosen[-1]):
            chosen.append(i)
    if len(chosen) < 3:
        return None
    days = np.array([level.dates[i].toordinal() for i in chosen], float)
    values = level.values[chosen]
    dt_weeks = np.diff(days) / 7.0
    changes = np.diff(values)
    drift = float((values[-1] - values[0]) / dt_weeks.sum())
    sigma = float(np.sqrt(np.mean((changes - drift * dt_weeks) ** 2 / dt_weeks)))
    return NaiveTrend(drift=drift, sigma=sigma, window=(level.dates[chosen[0]], level.dates[chosen[-1]]),
                      points=len(chosen))


def score_points(members: np.ndarray, observed: np.ndarray) -> dict[str, object]:
    """CRPS (mean over the points), coverage of the central bands and PIT of an ensemble forecast (P, n)."""
    members = np.asarray(members, float)
    observed = np.asarray(observed, float)
    return {"n": int(observed.size), "crps": float(crps_ensemble(members, observed).mean()),
            "coverage": {str(b): coverage(members, observed, b) for b in BANDS},
            "pit": [float(p) for p in pit(members, observed)]}
