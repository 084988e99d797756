"""Sensitivity analysis: range files checked with file/line/field, indices computed, stored, and printed."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from detente.analysis.sensitivity import load_ranges, ranking, run_sensitivity
from detente.errors import InputError
from detente.store.sensitivity import latest_for_scenario, list_sensitivity, load_sensitivity, save_sensitivity

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
RANGES_20 = ROOT / "scenarios" / "sensitivity" / "baseline-20.yaml"


def _ranges(tmp_path: Path, body: str) -> Path:
    path = tmp_path / "ranges.yaml"
    path.write_text("parameters:\n" + body)
    return path


def test_shipped_file_has_twenty_parameters_with_a_reason_each(baseline):
    ranges = load_ranges(RANGES_20, baseline)
    assert len(ranges) == 20
    lines = RANGES_20.read_text().splitlines()
    for r in ranges:
        assert r.low < r.high
        assert "#" in lines[r.line - 1], f"{r.name} has no comment saying why"


def test_unknown_parameter_names_file_line_field_and_suggests(tmp_path, baseline):
    path = _ranges(tmp_path, "  combat.ground_rate_km2: [0.5, 1.2]\n  combat.ground_rate_km: [0.5, 1.2]\n")
    with pytest.raises(InputError) as caught:
        load_ranges(path, baseline)
    text = str(caught.value)
    assert str(path) in text and ":3:" in text
    assert "parameters.combat.ground_rate_km" in text and "ground_rate_km2" in text  # the suggestion


@pytest.mark.parametrize("bounds", ["[1.0, 1.0]", "[1.2, 0.5]", "[]", "[0.5]", "[a, b]"])
def test_empty_or_malformed_range_is_refused_with_its_line(tmp_path, baseline, bounds):
    path = _ranges(tmp_path, f"  combat.ground_rate_km2: {bounds}\n")
    with pytest.raises(InputError) as caught:
        load_ranges(path, baseline)
    problem = caught.value.problems[0]
    assert problem.line == 2 and problem.field == "parameters.combat.ground_rate_km2"


def test_missing_parameters_section(tmp_path, baseline):
    path = tmp_path / "ranges.yaml"
    path.write_text("params: {}\n")
    with pytest.raises(InputError, match="parameters"):
        load_ranges(path, baseline)


def test_sobol_finds_the_parameter_that_matters_and_stores_it(tmp_path, baseline):
    path = _ranges(tmp_path, "  combat.russian_loss_rate: [0.015, 0.035]\n"
                             "  occupation.partisan_casualties_per_week: [40, 60]\n")
    result = run_sensitivity(baseline, path, "sobol", samples=32, seed=3)
    assert result.runs == 32 * 4
    casualties = result.indices["casualties_russia"]
    assert ranking(casualties, "sobol")[0][0] == "combat.russian_loss_rate"
    assert casualties["combat.russian_loss_rate"]["ST"] > 0.5
    db = tmp_path / "r.duckdb"
    analysis_id = save_sensitivity(db, result)
    assert list_sensitivity(db)[0]["analysis_id"] == analysis_id
    loaded = load_sensitivity(db, analysis_id)
    assert loaded["indices"]["casualties_russia"]["combat.russian_loss_rate"]["ST"] == pytest.approx(
        casualties["combat.russian_loss_rate"]["ST"])
    assert latest_for_scenario(db, "baseline")["analysis_id"] == analysis_id
    assert load_sensitivity(db, "nope") is None


def test_morris_runs(tmp_path, baseline):
    path = _ranges(tmp_path, "  combat.russian_loss_rate: [0.015, 0.035]\n  combat.helmbold_w: [0.14, 0.21]\n")
    result = run_sensitivity(baseline, path, "morris", samples=4, seed=1)
    assert set(result.indices["casualties_russia"]["combat.helmbold_w"]) == {"mu_star", "mu_star_conf", "sigma"}


def test_cli_json_and_error_message(tmp_path):
    ranges = _ranges(tmp_path, "  combat.russian_loss_rate: [0.015, 0.035]\n")
    db = tmp_path / "r.duckdb"
    done = subprocess.run([sys.executable, "-m", "detente.cli", "sensitivity", str(BASELINE), "--params", str(ranges),
                           "--samples", "8", "--json", "--out", str(db)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    payload = json.loads(done.stdout)
    assert payload["method"] == "sobol" and "casualties_russia" in payload["indices"]
    bad = _ranges(tmp_path, "  combat.nope: [1, 2]\n")
    done = subprocess.run([sys.executable, "-m", "detente.cli", "sensitivity", str(BASELINE), "--params", str(bad),
                           "--out", str(db)], capture_output=True, text=True, timeout=120)
    assert done.returncode == 2 and "combat.nope" in done.stderr and ":2:" in done.stderr
