"""Table and decision parameters vary per run through a design, so sensitivity analysis covers them."""

from __future__ import annotations

import numpy as np
import pytest

from conftest import BASELINE, write_variant
from detente.analysis.sensitivity import load_ranges, noise_dominated, out_of_unit, run_design
from detente.ensemble.per_run import override_key, scenario_key
from detente.ensemble.runner import simulate
from detente.errors import InputError, RunRefused
from detente.scenario.loader import load_scenario


def short(tmp_path, weeks=26):
    return load_scenario(write_variant(tmp_path, f"extends: {{baseline}}\nhorizon_weeks: {weeks}\n"))


def test_a_designs_values_reach_the_table_and_the_decisions(tmp_path):
    """cost_of_war at 0 in half the runs and 2 in the other half: only the design differs, and a very costly
    war for Russia makes it sign a whole-front ceasefire far more often; a fearless Russia expands more."""
    loaded = short(tmp_path, 52)
    runs = 256
    half = np.r_[np.zeros(runs // 2), np.full(runs // 2, 2.0)]
    cost_key = scenario_key(("table", "party_setup", "russia", "cost_of_war"))
    out = simulate(loaded, runs=runs, seed=4, overrides={cost_key: half})
    agreed = out.metrics["ceasefire_agreed/whole_front"]
    assert agreed[runs // 2:].mean() > agreed[: runs // 2].mean() + 0.2
    risk_key = scenario_key(("decisions", "actors", "russia", "risk_aversion"))
    out = simulate(loaded, runs=runs, seed=4, overrides={risk_key: np.r_[np.zeros(runs // 2), np.full(runs // 2, 5.0)]})
    expand = out.metrics["option_share/russia/expand_north"]
    assert expand[: runs // 2].mean() > expand[runs // 2:].mean()


def test_an_override_equal_to_the_value_changes_nothing(tmp_path):
    loaded = short(tmp_path)
    plain = simulate(loaded, runs=64, seed=2)
    same = simulate(loaded, runs=64, seed=2, overrides={
        scenario_key(("table", "party_setup", "russia", "cost_of_war")): np.full(64, 0.05),
        scenario_key(("decisions", "actors", "russia", "risk_aversion")): np.full(64, 1.0)})
    for name in ("area_gained_km2", "ceasefire_agreed/whole_front", "option_share/russia/expand_north"):
        assert np.array_equal(plain.metrics[name], same.metrics[name]), name


def test_parameters_nothing_draws_per_run_are_refused(tmp_path, baseline):
    assert override_key(None, ("table", "rearm_factor")) == ("scenario", "table", "rearm_factor")
    with pytest.raises(KeyError):
        scenario_key(("decisions", "actors", "russia", "options", "expand_north", "effects", "objective.sumy"))
    ranges = tmp_path / "r.yaml"
    ranges.write_text("parameters:\n  table.party_setup.russia.cost_of_war: [0.02, 0.3]\n"
                      "  decisions.beliefs.us_escalates.likelihood.escalate.0: [0.1, 0.5]\n")
    with pytest.raises(InputError):
        load_ranges(ranges, baseline)


def test_sobol_over_table_and_decisions_reports_intervals_and_refuses_odd_sizes(tmp_path):
    loaded = short(tmp_path)
    ranges = tmp_path / "r.yaml"
    ranges.write_text("parameters:\n  table.party_setup.russia.cost_of_war: [0.02, 0.3]\n"
                      "  decisions.actors.russia.risk_aversion: [0.3, 2.0]\n")
    got = load_ranges(ranges, loaded)
    result = run_design(loaded, got, "sobol", 16, 1, 3, metrics=["area_gained_km2", "ceasefire_agreed/whole_front"])
    for per in result.indices.values():
        for v in per.values():
            assert {"S1", "S1_conf", "ST", "ST_conf"} <= set(v)
    with pytest.raises(RunRefused, match="nearest valid sizes are 64 and 128"):
        run_design(loaded, got, "sobol", 100, 1, 3)


def test_indices_outside_the_unit_interval_beyond_their_interval_are_flagged():
    indices = {"m": {"a": {"S1": 0.2, "S1_conf": 0.1, "ST": 4.03, "ST_conf": 1.0},
                     "b": {"S1": -0.5, "S1_conf": 0.6, "ST": 1.2, "ST_conf": 0.3}}}
    flags = out_of_unit(indices)
    assert [(f["parameter"], f["index"]) for f in flags] == [("a", "ST")]


def test_a_metric_whose_every_total_index_is_above_one_half_is_called_noise():
    """Noise no parameter controls adds σ²/V to every ST and nothing to S1: every ST above 0.5 beyond its interval."""
    noisy = {"a": {"S1": -0.01, "S1_conf": 0.2, "ST": 1.15, "ST_conf": 0.34},
             "b": {"S1": -0.08, "S1_conf": 0.2, "ST": 1.10, "ST_conf": 0.18}}
    ranked = {"a": {"S1": 0.7, "S1_conf": 0.1, "ST": 0.8, "ST_conf": 0.1},
              "b": {"S1": 0.1, "S1_conf": 0.1, "ST": 0.6, "ST_conf": 0.2}}  # b's ST could be under 0.5
    assert noise_dominated({"noisy": noisy, "ranked": ranked, "one": {"a": noisy["a"]}}) == ["noisy"]


def test_range_files_are_what_the_scenario_gives_and_contain_the_values_in_use(baseline):
    import subprocess
    import sys

    from conftest import ROOT

    check = subprocess.run([sys.executable, str(ROOT / "tools" / "sensitivity_ranges.py"), "--check"],
                           capture_output=True, text=True)
    assert check.returncode == 0, check.stdout + check.stderr
    from detente.scenario.loader import iter_params

    values = {".".join(map(str, p)): v.value for p, v in iter_params(baseline.scenario)}
    for name in ("baseline-20.yaml", "baseline-table.yaml"):
        for r in load_ranges(ROOT / "scenarios" / "sensitivity" / name, baseline):
            assert r.low <= values[r.name] <= r.high, (name, r.name)
