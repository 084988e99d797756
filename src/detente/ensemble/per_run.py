"""Per-run values of table and decision parameters: how a sensitivity design reaches the controllers.

The war's parameters live in the compiled model and a design sets them per run by model key
(`world.model.model_key`). The bargaining table and the decisions draw their own parameters when a block
starts (`table.agenda.draw`, `decisions.controller.draw_param`: the value, or a per-run draw where the
scenario gives a `spread` or `between`). A design names them by scenario path under the key
("scenario", "table", …) or ("scenario", "decisions", …); the runner hands the block's slice to the
controllers in `BlockContext.overrides`, and each controller resolves the paths against its own setup to the
Param objects it draws, so that its draw returns the design's values instead. Its random stream advances
exactly as without the override, so nothing else in the run changes.
"""

from __future__ import annotations

from typing import Any

import numpy as np

SCENARIO = "scenario"
SECTIONS = ("table", "decisions")
# The table and decision parameters the controllers draw per run (dotted, * for one name): the only ones a
# design can set. Others (an option's lever values, a rule's probability, likelihoods) are read as fixed
# numbers when a scenario compiles, so a design that named them would silently change nothing.
DRAWN = (
    "table.issues.*.positions.*.ideal", "table.issues.*.positions.*.salience", "table.issues.*.positions.*.capability",
    "table.issues.*.status_quo", "table.issues.*.war_swing",
    "table.party_setup.*.optimism", "table.party_setup.*.cost_of_war", "table.party_setup.*.ratification_threshold",
    "table.party_setup.*.public_anchor", "table.party_setup.*.fall_threshold", "table.party_setup.*.support.*",
    "table.mediation.*", "table.forecast.*", "table.compliance.*", "table.rearm_factor",
    "table.agreements.*.relief", "table.agreements.*.temptation.*", "table.exchanges.*", "table.one_offs.*.rate_per_year", "table.one_offs.*.with_deal",
    "decisions.actors.*.risk_aversion", "decisions.actors.*.temperature", "decisions.actors.*.switching_cost",
    "decisions.actors.*.options.*.value", "decisions.actors.*.options.*.risks.*.loss",
    "decisions.beliefs.*.prior", "decisions.beliefs.*.accuracy",
)


def _matches(path: tuple, pattern: str) -> bool:
    parts = pattern.split(".")
    return len(parts) == len(path) and all(p == "*" or p == str(q) for p, q in zip(parts, path))


def scenario_key(path: tuple) -> tuple:
    """The override key of a table or decision parameter the controllers draw per run (KeyError otherwise)."""
    if not any(_matches(path, pattern) for pattern in DRAWN):
        raise KeyError(".".join(map(str, path)))
    return (SCENARIO, *path)


def override_key(model: Any, path: tuple) -> tuple:
    """Where a design's per-run values for a scenario parameter go: a model key for the war's parameters,
    a scenario key for the table's and decisions' (KeyError for a parameter nothing draws per run)."""
    from detente.world.model import model_key

    try:
        return model_key(model, path)
    except KeyError:
        return scenario_key(path)


def is_scenario_key(key: tuple) -> bool:
    """Whether an override key names a table or decision parameter rather than a model key."""
    return bool(key) and key[0] == SCENARIO


def _walk(node: Any, parts: tuple) -> Any:
    for part in parts:
        node = node.get(part) if isinstance(node, dict) else getattr(node, str(part), None)
        if node is None:
            return None
    return node


def resolve(setup: Any, section: str, overrides: dict[tuple, np.ndarray] | None) -> dict[int, np.ndarray]:
    """{id(Param): per-run values} for the overrides under `section` ("table" or "decisions"), resolved
    against that section's setup object (the one the controller draws from)."""
    found: dict[int, np.ndarray] = {}
    for key, values in (overrides or {}).items():
        if is_scenario_key(key) and key[1] == section:
            param = _walk(setup, key[2:])
            if param is not None:
                found[id(param)] = np.asarray(values, dtype=float)
    return found


def with_overrides(drawn: np.ndarray, param: Any, fixed: dict[int, np.ndarray]) -> np.ndarray:
    """The drawn values, or the design's where the parameter is overridden."""
    return fixed[id(param)].copy() if param is not None and id(param) in fixed else drawn
