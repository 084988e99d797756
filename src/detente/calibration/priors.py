"""Priors of the fitted parameters, mapped to an unbounded space where the sampler moves.

Each prior lives on a bounded interval [lo, hi] of the value (uniform) or of its logarithm (loguniform,
lognormal truncated to the bounds). The sampler works on z = logit(u), u the position in that interval, so
every proposal stays inside the bounds; the prior's log-density in z carries the Jacobian u(1 − u).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.scenario.loader import iter_params
from detente.scenario.schema import Param, Scenario


@dataclass(frozen=True)
class FittedPrior:
    """One fitted parameter: its dotted path, the prior, and its centre (the scenario's value)."""

    name: str
    dist: str
    lo: float
    hi: float
    centre: float
    sd: float | None
    reason: str

    @property
    def logscale(self) -> bool:
        return self.dist in ("loguniform", "lognormal")

    def _scale(self, x: np.ndarray) -> np.ndarray:
        return np.log(x) if self.logscale else np.asarray(x, float)

    def _edges(self) -> tuple[float, float]:
        return (np.log(self.lo), np.log(self.hi)) if self.logscale else (self.lo, self.hi)

    def to_z(self, x: np.ndarray) -> np.ndarray:
        a, b = self._edges()
        u = np.clip((self._scale(x) - a) / (b - a), 1e-12, 1 - 1e-12)
        return np.log(u) - np.log1p(-u)

    def from_z(self, z: np.ndarray) -> np.ndarray:
        a, b = self._edges()
        u = 1.0 / (1.0 + np.exp(-np.asarray(z, float)))
        y = a + (b - a) * u
        return np.exp(y) if self.logscale else y

    def log_density_z(self, z: np.ndarray) -> np.ndarray:
        """log p(z) up to a constant: the prior on the scaled value times the Jacobian u(1 − u)."""
        z = np.asarray(z, float)
        log_jacobian = -np.logaddexp(0.0, -z) - np.logaddexp(0.0, z)
        if self.dist != "lognormal":
            return log_jacobian
        y = self._scale(self.from_z(z))
        return log_jacobian - 0.5 * ((y - np.log(self.centre)) / self.sd) ** 2

    def sample(self, n: int, rng: np.random.Generator) -> np.ndarray:
        a, b = self._edges()
        if self.dist == "lognormal":  # truncated normal on the log scale, by rejection (bounds are wide)
            out = np.empty(0)
            while out.size < n:
                y = rng.normal(np.log(self.centre), self.sd, 4 * n)
                out = np.concatenate([out, y[(y > a) & (y < b)]])
            return np.exp(out[:n])
        y = rng.uniform(a, b, n)
        return np.exp(y) if self.logscale else y

    def spread(self, x: np.ndarray) -> float:
        """Standard deviation on the prior's own scale (log for log-scale priors)."""
        return float(np.std(self._scale(x)))

    def prior_spread(self, rng: np.random.Generator | None = None) -> float:
        return self.spread(self.sample(20000, rng or np.random.default_rng(0)))

    def describe(self) -> dict:
        return {"name": self.name, "dist": self.dist, "between": [self.lo, self.hi], "centre": self.centre,
                "sd": self.sd, "reason": self.reason}


def fitted_priors(scenario: Scenario) -> list[FittedPrior]:
    """Every parameter of the scenario that declares a prior, in file order."""
    out = []
    for path, param in iter_params(scenario):
        if isinstance(param, Param) and param.prior is not None:
            p = param.prior
            out.append(FittedPrior(name=".".join(map(str, path)), dist=p.dist, lo=p.between[0], hi=p.between[1],
                                   centre=param.value, sd=p.sd, reason=p.reason))
    return out
