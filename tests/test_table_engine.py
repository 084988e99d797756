"""The table coupled to the war engine: a scripted energy ceasefire, analytic cases, determinism, bad input."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from detente.table.controller import table_controller
from detente.ensemble.runner import run_block
from detente.errors import InputError
from detente.scenario.loader import load_scenario
from detente.world.model import compile_model

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"

ENERGY_ONLY = """
extends: {base}
name: scripted-energy
horizon_weeks: 10
set:
  table.mediation.sessions_per_week: 1.0
  table.mediation.distortion: 0.0
  table.compliance.false_alarm: 0.0
  table.compliance.violation_noise: 0.0
  table.party_setup.russia.fall_threshold: 0.0
  table.party_setup.ukraine.fall_threshold: 0.0
  table.one_offs: {{}}          # no summit brings a session once the mediator has gone home
  table.agreements:
    energy_strikes:
      issues: [energy_ceasefire]
      duration_days: 28
      renewable: false
      relief: 0.1
  table.issues.energy_ceasefire.positions:
    russia: {{ideal: 1.0, salience: 0.5}}
    ukraine: {{ideal: 1.0, salience: 0.5}}
    united_states: {{ideal: 1.0, salience: 0.5}}
"""


def _variant(tmp_path: Path, text: str, name: str = "variant.yaml") -> Path:
    path = tmp_path / name
    path.write_text(text.format(base=BASELINE))
    return path


class MediatorGoesHome:
    """A script: the mediator works in week 1 only (sets the `mediating` lever the table reads)."""

    def __init__(self, model):
        pass

    def start(self, model, state, rng):
        return state

    def act(self, state, rng):
        return state.replace(mediating=np.full(state.runs, 1.0 if state.week == 0 else 0.0))

    def observe(self, state, report):
        pass

    def metrics(self):
        return {}

    def weekly(self):
        return {}


def _block(path: Path, runs: int = 40, seed: int = 7, script: bool = False):
    loaded = load_scenario(path)
    model = compile_model(loaded.scenario)
    controllers = ([MediatorGoesHome] if script else []) + [table_controller(loaded.scenario)]
    return run_block(model, seed, 0, runs, controllers=controllers)


def test_energy_ceasefire_stops_strikes_for_exactly_its_duration(tmp_path):
    out = _block(_variant(tmp_path, ENERGY_ONLY), script=True)
    in_force = out.weekly["ceasefire_in_force/energy_strikes"]
    energy = out.weekly["energy_ukraine"]
    # identical positions: agreed at once, in every run, and in force for weeks 1–4 exactly (28 days)
    assert np.all(out.metrics["ceasefire_agreed_by_q1/energy_strikes"] == 1)
    assert np.all(in_force[:, 1:5] == 1) and np.all(in_force[:, 5:] == 0)
    # during the truce the struck side's energy does not fall (only repair); after, strikes resume
    assert np.all(np.diff(energy[:, 0:5], axis=1) >= 0)
    after = energy[:, 5:9].mean(axis=0)
    assert after[-1] < energy[:, 4].mean()
    rows = out.extras["tables"]["agreements"]
    assert set(rows["how_ended"]) == {"expired"} and set(rows["week_ended"]) == {4}


def test_a_party_whose_outside_option_beats_every_text_never_agrees(tmp_path):
    text = ENERGY_ONLY.replace("russia: {{ideal: 1.0, salience: 0.5}}", "russia: {{ideal: 0.0, salience: 0.5}}")
    text += "  table.party_setup.russia.cost_of_war: 0.0\n  table.mediation.distortion: 0.2\n"
    text = text.replace("  table.mediation.distortion: 0.0\n", "")
    out = _block(_variant(tmp_path, text))
    assert np.all(out.metrics["ceasefire_agreed/energy_strikes"] == 0)
    assert np.all(out.weekly["ceasefire_in_force/energy_strikes"] == 0)


def test_same_seed_same_table(tmp_path):
    a, b = _block(BASELINE, runs=30, seed=3), _block(BASELINE, runs=30, seed=3)
    for name in a.metrics:
        np.testing.assert_array_equal(a.metrics[name], b.metrics[name])
    for name in a.weekly:
        np.testing.assert_array_equal(a.weekly[name], b.weekly[name])
    ta, tb = a.extras["tables"]["agreements"], b.extras["tables"]["agreements"]
    for column in ta:
        np.testing.assert_array_equal(ta[column], tb[column])
    c = _block(BASELINE, runs=30, seed=4)
    assert any(not np.array_equal(a.metrics[m], c.metrics[m]) for m in a.metrics if m.startswith("ceasefire"))


def test_table_outputs_are_probabilities_and_counts(tmp_path):
    out = _block(BASELINE, runs=30, seed=5)
    for name, values in out.metrics.items():
        if name.startswith(("ceasefire_agreed", "ceasefire_held", "leader_fell", "settled/", "agreements_broke")):
            assert set(np.unique(values)) <= {0.0, 1.0}, name
        if name.startswith("trust_final"):
            assert np.all((values >= 0) & (values <= 1))
    for name, series in out.weekly.items():
        if name.startswith(("ceasefire_in_force/", "leader_support/", "trust/")):
            assert np.all((series >= 0) & (series <= 1)), name
    agreements = out.extras["tables"]["agreements"]
    for column in agreements:
        if column.startswith("terms_"):
            v = agreements[column][~np.isnan(agreements[column])]
            assert np.all((v >= -1e-9) & (v <= 1.5 + 1e-9))


@pytest.mark.parametrize("override, field, words", [
    ("table.issues.energy_ceasefire.positions:\n    kremlin: {ideal: 1.0, salience: 0.5}",
     "table.issues.energy_ceasefire.positions.kremlin", "unknown actor 'kremlin'"),
    ("table.mediator: vatican", "table.mediator", "not an actor"),
    ("table.agreements:\n    air_strikes: {issues: [], duration_days: 30}", "table.agreements.air_strikes",
     "knows no agreement scope 'air_strikes'"),
])
def test_bad_table_input_is_a_clear_error(tmp_path, override, field, words):
    path = tmp_path / "bad.yaml"
    path.write_text(f"extends: {BASELINE}\nname: bad\nset:\n  {override}\n")
    with pytest.raises(InputError) as caught:
        load_scenario(path)
    problems = [p for p in caught.value.problems if p.field == field]
    assert problems, caught.value.render()
    assert words in problems[0].message
    assert problems[0].line is not None and problems[0].file.endswith("bad.yaml")
    assert problems[0].hint
