"""One result shape for every bargaining model, so the CLI, reports and the war model read them alike."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from detente.bargaining import bdm, compromise, smp
from detente.bargaining.ktab_input import BargainingProblem

MODELS = ("smp", "bdm", "compromise")


@dataclass(frozen=True)
class BargainResult:
    """Positions per round on the input's scale, final win probabilities, and model-specific summaries."""

    model: str
    problem: BargainingProblem
    positions: np.ndarray  # (rounds + 1, actors, dims) on the input's scale
    win_probabilities: np.ndarray  # (rounds + 1, actors), each row sums to 1
    extras: dict[str, Any] = field(default_factory=dict)  # summaries: compromise, median, settings
    per_round: dict[str, np.ndarray] = field(default_factory=dict)  # (rounds + 1, ...) series for history

    @property
    def rounds(self) -> int:
        """Rounds played (0 for the compromise)."""
        return self.positions.shape[0] - 1

    @property
    def final_positions(self) -> np.ndarray:
        """Positions after the last round, input scale."""
        return self.positions[-1]

    def to_json(self) -> dict[str, Any]:
        """Plain JSON-ready dict: model, rounds, final_positions, win_probabilities, history, extras."""
        names = self.problem.actors

        def by_actor(rows: np.ndarray, digits: int = 4) -> dict[str, Any]:
            return {a: _clean(v, digits) for a, v in zip(names, rows)}

        history = []
        for t in range(self.rounds + 1):
            entry: dict[str, Any] = {"round": t, "positions": by_actor(self.positions[t]),
                                     "win_probabilities": by_actor(self.win_probabilities[t], 6)}
            for key, series in self.per_round.items():
                value = series[t]
                entry[key] = by_actor(value, 6) if np.ndim(value) == 1 and len(value) == len(names) and \
                    key.endswith("_by_actor") else _clean(value, 6)
            history.append(entry)
        out: dict[str, Any] = {
            "model": self.model,
            "scenario": self.problem.scenario,
            "dimensions": list(self.problem.dimensions),
            "rounds": self.rounds,
            "final_positions": by_actor(self.final_positions),
            "win_probabilities": by_actor(self.win_probabilities[-1], 6),
        }
        out.update({k: _clean(v, 4) for k, v in self.extras.items()})
        out["history"] = history
        return out


def _clean(value: Any, digits: int) -> Any:
    """Round floats, turn arrays into lists and NaN into None so json.dumps writes valid JSON."""
    if isinstance(value, np.ndarray):
        return [_clean(v, digits) for v in value.tolist()]
    if isinstance(value, (list, tuple)):
        return [_clean(v, digits) for v in value]
    if isinstance(value, dict):
        return {k: _clean(v, digits) for k, v in value.items()}
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return None if math.isnan(v) else round(v, digits)
    if isinstance(value, np.integer):
        return int(value)
    return value


def pce_win_probabilities(problem: BargainingProblem, positions: np.ndarray) -> np.ndarray:
    """Win probability of each actor's position (0–1 scale) as the actors' original ideals judge it.

    KTAB's conditional PCE with risk-neutral utilities and capability-weighted votes, over distinct positions,
    each position's probability split among the actors holding it (sums to 1).
    """
    d = smp.weighted_distances(problem.positions, positions, problem.salience)
    state = smp.SmpState(positions, problem.positions, np.zeros(problem.n_actors), d)
    return smp.position_probabilities(state, problem.capability)[1]


def from_smp(result: smp.SmpResult) -> BargainResult:
    """Wrap a KTAB SMP run."""
    pr = result.problem
    per_round = {
        "position_win_probabilities_by_actor": result.position_win_probabilities,
        "risk_attitudes_by_actor": result.risk,
        "convergence_ratio": result.ratios,
    }
    extras = {"converged": result.converged,
              "position_win_probabilities": dict(zip(pr.actors, result.position_win_probabilities[-1])),
              "weighted_mean": compromise.weighted_mean(result.final_positions, pr.capability, pr.salience),
              "settings": {"VictoryProbModel": "Linear", "VotingRule": "Prop", "PCEModel": "Conditional",
                           "StateTransitions": "Deterministic", "BigRRange": "Mid", "BigRAdjust": "OneThird",
                           "ThirdPartyCommit": "SemiCommit", "InterVecBrgn": "S2P2",
                           "BargnModel": "InitOnlyInterp"}}
    if pr.model_parameters:
        extras["input_model_parameters_ignored"] = dict(pr.model_parameters)
    return BargainResult("smp", pr, pr.to_scale(result.positions), result.win_probabilities, extras, per_round)


def from_bdm(result: bdm.BdmResult) -> BargainResult:
    """Wrap a BDM run; the forecast is the weighted median after the last round."""
    pr = result.problem
    wins = np.stack([pce_win_probabilities(pr, x) for x in result.positions])
    forecast, mean = result.forecast(), result.mean()
    extras = {"converged": result.converged, "forecast": forecast[-1], "weighted_median": forecast[-1],
              "weighted_mean": mean[-1]}
    return BargainResult("bdm", pr, pr.to_scale(result.positions), wins, extras,
                         {"forecast": forecast, "weighted_mean": mean})


def from_compromise(result: compromise.CompromiseResult) -> BargainResult:
    """Wrap the weighted mean / median: no rounds, actors stay where they are."""
    pr = result.problem
    wins = pce_win_probabilities(pr, pr.positions)[None, :]
    extras = {"compromise": np.round(result.mean, 2), "weighted_mean": result.mean,
              "weighted_median": result.median}
    return BargainResult("compromise", pr, pr.to_scale(pr.positions)[None], wins, extras)


def run_bargain(problem: BargainingProblem, model: str = "smp", max_rounds: int = 100) -> BargainResult:
    """Run one of the bargaining models on a problem."""
    if model == "smp":
        return from_smp(smp.run_smp(problem, max_rounds=max_rounds))
    if model == "bdm":
        return from_bdm(bdm.run_bdm(problem, max_rounds=max_rounds))
    if model == "compromise":
        return from_compromise(compromise.run_compromise(problem))
    raise ValueError(f"unknown model {model!r}; choose one of {', '.join(MODELS)}")
