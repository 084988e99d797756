"""détente: a war and its peace talks as one system, run forward under uncertainty."""

from __future__ import annotations

__version__ = "0.1.0"

__all__ = ["__version__", "load_scenario", "simulate"]


def load_scenario(path):  # noqa: ANN001, ANN201
    """Load and validate a scenario file (with its `extends:` chain); see `detente.scenario.load`."""
    from detente.scenario.loader import load_scenario as _load

    return _load(path)


def simulate(scenario, runs: int = 1000, seed: int = 0, **options):  # noqa: ANN001, ANN201
    """Run an ensemble of a scenario (a path or a loaded Scenario); see `detente.ensemble.runner.simulate`."""
    from detente.ensemble.runner import simulate as _simulate

    return _simulate(scenario, runs=runs, seed=seed, **options)
