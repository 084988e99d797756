"""A scenario's own bargaining table as KTAB inputs: one bargaining problem per issue on its agenda.

`detente bargain scenarios/baseline.yaml` reads the `table:` of a scenario (issues, each actor's ideal point,
salience and capability at the start) and runs SMP (KTAB's defaults, as for KTAB files), BDM or the
compromise on it. The scenario gives a capability per actor *and issue* (Europe weighs more on sanctions
than on NATO), which KTAB's one capability per actor cannot hold, so the table is bargained one issue at a
time, as inside the war: an actor without a position on an issue sits that issue out.

On one dimension KTAB's salience drops out of every comparison (it only weighs dimensions against each
other), so an actor's weight on an issue is capability × salience: the "power brought to bear" of Bueno
de Mesquita's expected-utility model (Bueno de Mesquita 1994; Scholz et al. 2011), which is what the
table's weighted-mean draft also uses (docs/table.md). Positions are put on 0–1 over the issue's range and
reported back in the issue's own units.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from detente.bargaining.bargain_result import BargainResult, run_bargain
from detente.bargaining.ktab_input import BargainingProblem
from detente.errors import InputError

SCENARIO_SUFFIXES = (".yaml", ".yml")


def issue_problems(scenario: Any, source: str = "") -> dict[str, BargainingProblem]:
    """issue -> its one-dimensional problem: the actors with a position there, weight capability × salience.

    Ideal points are the scenario's values at the start (a leader's own `positions` override the issue's
    ideal for his actor, as the table does while he is in office; successors are not in office at the start).
    """
    table = scenario.table
    if table is None:
        raise InputError.single(source or scenario.name, "the scenario has no bargaining table", field="table",
                                hint="add a `table:` with issues and positions, or extend a scenario that has one")
    problems: dict[str, BargainingProblem] = {}
    for issue_id, issue in table.issues.items():
        lo, hi = issue.range
        actors, ideals, weights = [], [], []
        for actor_id, pos in issue.positions.items():
            ideal = pos.ideal.value
            leader = scenario.actors[actor_id].leader if actor_id in scenario.actors else None
            if leader is not None and issue_id in leader.positions:
                ideal = leader.positions[issue_id].value
            actors.append(actor_id)
            ideals.append(ideal)
            weights.append(pos.capability.value * pos.salience.value)
        if len(actors) < 2 or not any(w > 0 for w in weights):
            continue  # nothing to bargain: one voice, or nobody cares
        problem = BargainingProblem.from_arrays(weights, np.array(ideals)[:, None], np.ones((len(actors), 1)),
                                                actors=actors, dimensions=[issue_id], scale=(float(lo), float(hi)),
                                                scenario=scenario.name)
        problems[issue_id] = problem
    if not problems:
        raise InputError.single(source or scenario.name, "no issue of the table has two actors with a position",
                                field="table.issues", hint="give at least two actors an ideal point on an issue")
    return problems


@dataclass(frozen=True)
class ScenarioBargain:
    """Each issue's bargaining result, and the table-wide view the CLI prints."""

    scenario: str
    model: str
    results: dict[str, BargainResult]

    @property
    def dimensions(self) -> list[str]:
        """The issues bargained, in the scenario's order."""
        return list(self.results)

    @property
    def rounds(self) -> int:
        """Rounds of the longest issue (each issue stops when its own positions settle)."""
        return max(r.rounds for r in self.results.values())

    @property
    def actors(self) -> list[str]:
        """Every actor with a position on some issue, in order of first appearance."""
        seen: dict[str, None] = {}
        for r in self.results.values():
            seen.update(dict.fromkeys(r.problem.actors))
        return list(seen)

    def positions(self, which: int) -> dict[str, dict[str, float]]:
        """actor -> issue -> position (issue units) at the start (which=0) or the end (which=-1)."""
        out: dict[str, dict[str, float]] = {a: {} for a in self.actors}
        for issue, r in self.results.items():
            for i, actor in enumerate(r.problem.actors):
                out[actor][issue] = round(float(r.positions[which, i, 0]), 4)
        return out

    def to_json(self) -> dict[str, Any]:
        """{"model", "scenario", "rounds", "dimensions", "initial_positions", "final_positions", "by_dimension"}."""
        by_dim = {}
        for issue, r in self.results.items():
            one = r.to_json()
            one.pop("history", None)
            one["weights"] = dict(zip(r.problem.actors, np.round(r.problem.capability, 4).tolist()))
            by_dim[issue] = one
        return {"model": self.model, "scenario": self.scenario, "rounds": self.rounds,
                "dimensions": self.dimensions, "initial_positions": self.positions(0),
                "final_positions": self.positions(-1), "by_dimension": by_dim}


def bargain_scenario(path: str | Path, model: str = "smp", max_rounds: int = 100) -> ScenarioBargain:
    """Load a scenario file (errors name file, line and field) and bargain its table issue by issue."""
    from detente.scenario.loader import load_scenario

    loaded = load_scenario(path)
    problems = issue_problems(loaded.scenario, str(path))
    results = {issue: run_bargain(problem, model, max_rounds=max_rounds) for issue, problem in problems.items()}
    return ScenarioBargain(scenario=loaded.name, model=model, results=results)
