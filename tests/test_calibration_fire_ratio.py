"""The artillery fire ratio as a calibration target (detente.calibration.fire_ratio): rows enter a fit only once
published, the model's ratio is the engine's composition of line troops and firepower, and the distance is zero
where the model matches the record and grows with the gap."""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest

from detente.calibration import abc, fire_ratio
from detente.errors import InputError
from detente.scenario.loader import load_scenario
from detente.world.model import compile_model, initial_state, realise

ROOT = Path(__file__).resolve().parents[1]
FILE = ROOT / "data" / "calibration" / "artillery_fire_ratio.csv"


def test_rows_enter_a_fit_only_once_published_and_ended():
    rows = fire_ratio.read_fire_ratio(FILE)
    start = dt.date(2023, 1, 1)
    fit_2023 = fire_ratio.usable(rows, start, dt.date(2023, 12, 31))
    fit_2024 = fire_ratio.usable(rows, start, dt.date(2024, 12, 31))
    # Syrskyi's figures for 2023 were published on 20 August 2024: not known to a fit that ends in 2023
    assert [r.ratio for r in fit_2023] == [2.25, 4.0]
    assert len(fit_2024) == len(rows) == 6
    assert all(r.published <= dt.date(2024, 12, 31) for r in fit_2024)
    # a period's week ends lie inside it (a period shorter than a week takes the following week end)
    spans = fire_ratio.week_spans(fit_2024, start)
    for (a, b), row in zip(spans, fit_2024):
        assert a <= b
        assert start + dt.timedelta(weeks=int(b)) <= max(row.end, row.start + dt.timedelta(days=7))


def test_the_record_file_is_recognised_beside_the_record(tmp_path):
    record = abc.read_record([ROOT / "data" / "record" / "isw_area_daily.csv", FILE])
    assert "isw" in record and len(record["fire_ratio"]) == 6
    obs = abc.targets(record, dt.date(2023, 1, 1), dt.date(2023, 12, 31))
    assert obs.fire_ratios.tolist() == [2.25, 4.0]
    bad = tmp_path / "fire.csv"
    bad.write_text(",".join(fire_ratio.HEADER) + "\n2023-01-01,2023-02-01,,,-1,2023-03-01,x\n")
    with pytest.raises(InputError) as err:
        fire_ratio.read_fire_ratio(bad)
    assert err.value.problems[0].line == 2 and "positive" in str(err.value)


def test_the_model_ratio_is_line_troops_times_firepower():
    scenario = load_scenario(ROOT / "scenarios" / "war-2023.yaml").scenario
    model = compile_model(scenario)
    model = realise(model, 3, np.random.default_rng(0))
    state = initial_state(model, 3)
    s = model.sides
    firepower = np.broadcast_to(np.asarray(s["firepower"], float), (3, 2))  # one row, or a row per run where drawn
    share = np.minimum(np.broadcast_to(np.asarray(s["front_share"], float), (3, 2)) * state.line_factor, 1.0)
    line = (state.manpower[:, 0] - state.garrison) * share[:, 0], state.manpower[:, 1] * share[:, 1]
    expected = np.log(line[0] * firepower[:, 0] / (line[1] * firepower[:, 1]))  # materiel at its start
    assert np.allclose(fire_ratio.log_fire_ratio(state, model), expected)
    assert np.allclose(fire_ratio.log_line_ratio(state, model), np.log(line[0] / line[1]))
    # doubling Russia's firepower doubles the ratio; halving Ukraine's materiel per soldier lowers its fire by 2^-μ
    doubled = firepower.copy()
    doubled[:, 0] *= 2
    model2 = replace(model, sides={**model.sides, "firepower": doubled})
    assert np.allclose(fire_ratio.log_fire_ratio(state, model2) - expected, np.log(2))
    poorer = state.replace(materiel=state.materiel * np.array([1.0, 0.5]))
    mu = float(np.asarray(model.combat["materiel_quality_exponent"]).mean())
    assert np.allclose(fire_ratio.log_fire_ratio(poorer, model) - expected, mu * np.log(2))


def test_distance_is_zero_at_the_observed_ratio_and_grows_with_the_gap():
    spans = np.array([[1, 2], [3, 3]])
    observed = np.array([3.0, 7.0])
    sim = np.zeros((3, 5))
    sim[0, 1:3], sim[0, 3] = np.log(3.0), np.log(7.0)                    # exact
    sim[1, 1:3], sim[1, 3] = np.log(3.0 * 1.5), np.log(7.0)               # 50% high in one period
    sim[2, 1:3], sim[2, 3] = np.log(3.0 * 3.0), np.log(7.0)               # three times high
    d = fire_ratio.fire_distance(sim, spans, observed)
    assert d[0] == pytest.approx(0.0)
    assert d[1] == pytest.approx((np.log(1.5) / fire_ratio.FIRE_SCALE) ** 2 / 2)
    assert 0 < d[1] < d[2]


def test_russian_firepower_is_linked_to_the_shell_ratio_through_the_exponent():
    scenario = load_scenario(ROOT / "scenarios" / "fit-2023-2024.yaml").scenario
    priors = abc.fit_priors(scenario)
    names = [p.name for p in priors]
    # war-2023 fits the exponent and declares no prior on the firepower: the shell ratio enters as a nuisance
    assert fire_ratio.EXPONENT in names and fire_ratio.FIREPOWER not in names
    assert names[-1] == fire_ratio.SHELL_RATIO_PRIOR["name"]
    sim = abc.Simulator.of(scenario, priors, dt.date(2023, 3, 1))
    assert sim.linked
    theta = np.array([[p.centre for p in priors]] * 3)
    theta[:, names.index(fire_ratio.EXPONENT)] = [0.0, 0.5, 0.5]
    theta[:, -1] = [3.0, 3.0, 6.0]
    model, state, _ = sim.start(theta, np.random.default_rng(0))
    lines = fire_ratio.log_line_ratio(state, model)
    f_r = np.asarray(model.sides["firepower"])[:, 0]
    assert f_r[0] == pytest.approx(1.0)                                     # μ = 0: materiel does not matter
    assert f_r[1] == pytest.approx(np.sqrt(3.0 * np.exp(-lines[1])))        # (S · L_U/L_R)^μ
    assert f_r[2] / f_r[1] == pytest.approx(np.sqrt(2.0))                   # twice the shells: √2 at μ = ½
    # the posterior stores the firepower each row gives, not the nuisance
    stored, values = abc.posterior_columns(sim, names, theta)
    assert fire_ratio.FIREPOWER in stored and fire_ratio.SHELL_RATIO_PRIOR["name"] not in stored
    assert np.allclose(values[:, stored.index(fire_ratio.FIREPOWER)], f_r)
