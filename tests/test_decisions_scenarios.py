"""Decisions in scenarios: clear errors for bad input, scripted runs reproduce exactly, levers move."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detente.errors import InputError
from detente.scenario.loader import load_scenario

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"


def variant(tmp_path: Path, body: str, name: str = "v") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"schema_version: 1\nextends: {BASELINE}\nname: {name}\ntable: null\n{body}", encoding="utf-8")
    return path


def error_of(path: Path) -> str:
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    return caught.value.render()


def test_unknown_engine_quantity(tmp_path: Path) -> None:
    text = error_of(variant(tmp_path, "decisions:\n  actors:\n    russia:\n      options:\n"
                                      "        limited_campaign:\n          effects: {objectve.sumy: 0.5}\n"))
    assert "unknown engine quantity 'objectve'" in text and "objective" in text
    assert "v.yaml:" in text and "decisions.actors.russia.options.limited_campaign.effects" in text


def test_objective_on_a_region_that_is_not_contestable(tmp_path: Path) -> None:
    text = error_of(variant(tmp_path, "decisions:\n  actors:\n    russia:\n      options:\n"
                                      "        baltic_axis:\n          effects: {objective.lithuania: 0.5}\n"))
    assert "not contestable" in text


def test_policy_not_in_registry(tmp_path: Path) -> None:
    text = error_of(variant(tmp_path, "decisions:\n  actors:\n    russia:\n      policy: minimax\n"))
    assert "unknown policy 'minimax'" in text and "expected_utility" in text


def test_belief_not_a_probability(tmp_path: Path) -> None:
    text = error_of(variant(tmp_path, "decisions:\n  beliefs:\n    us_escalates:\n      prior: 1.4\n"))
    assert "probability" in text and "decisions.beliefs.us_escalates.prior" in text


def test_likelihood_not_a_probability(tmp_path: Path) -> None:
    text = error_of(variant(tmp_path, "decisions:\n  beliefs:\n    us_escalates:\n"
                                      "      likelihood: {escalate: [1.5, 0.1]}\n"))
    assert "between 0 and 1" in text


def test_script_option_the_actor_lacks(tmp_path: Path) -> None:
    text = error_of(variant(tmp_path, "decisions:\n  actors:\n    ukraine:\n      policy: script\n"
                                      "      script: {0: hold_ground, 8: surrender}\n"))
    assert "'surrender'" in text and "ukraine" in text and "script" in text


def test_nuclear_option_needs_a_threshold(tmp_path: Path) -> None:
    text = error_of(variant(tmp_path, "decisions:\n  actors:\n    ukraine:\n      options:\n"
                                      "        bomb: {escalation: [Execute full nuclear attack]}\n"))
    assert "nuclear option needs a threshold" in text


SCRIPT = """decisions:
  actors:
    russia:
      policy: script
      script: {0: limited_campaign, 12: expand_north, 40: limited_campaign}
"""


def test_scripted_policy_reproduces_exactly(tmp_path: Path) -> None:
    from detente.ensemble.runner import simulate

    path = variant(tmp_path, SCRIPT.replace("horizon", "horizon"))
    text = path.read_text() + "set: {horizon_weeks: 48}\n"
    path.write_text(text)
    a = simulate(path, runs=40, seed=5)
    b = simulate(path, runs=40, seed=5)
    for name in a.metrics:
        np.testing.assert_array_equal(a.metrics[name], b.metrics[name])
    share = a.metrics["option_share/russia/expand_north"]
    np.testing.assert_allclose(share, 28 / 48)  # weeks 13–40 of 48 (options in force during weeks 12..39)
    log = a.tables["decisions"]
    russia = log["actor"] == "russia"
    assert set(log["week"][russia & log["changed"]]) == {12, 40}


def test_nuclear_is_reachable_only_past_its_threshold(tmp_path: Path) -> None:
    from detente.ensemble.runner import simulate

    path = variant(tmp_path, SCRIPT.replace("script: {0: limited_campaign, 12: expand_north, 40: limited_campaign}",
                                            "script: {0: limited_campaign, 3: nuclear_strike}")
                   + "set: {horizon_weeks: 6}\n")
    forced = simulate(path, runs=10, seed=1)
    assert (forced.metrics["nuclear_use"] == 1).all() and (forced.metrics["escalation_peak"] >= 60).all()
    free = simulate(BASELINE, runs=10, seed=1)
    assert (free.metrics["nuclear_use"] == 0).all()
