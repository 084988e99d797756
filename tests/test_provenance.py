"""Provenance: every source dated, nothing published after a scenario's start, overrides that name their source."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from detente.scenario.loader import load_scenario
from detente.scenario.provenance import provenance_report, validation_payload

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"


def variant(tmp_path: Path, body: str, name: str = "probe") -> Path:
    path = tmp_path / f"{name}.yaml"
    path.write_text(f"extends: {BASELINE}\nname: {name}\n{body}", encoding="utf-8")
    return path


def fields(entries: list[dict]) -> set[str]:
    return {f["field"] for e in entries for f in e["fields"]}


def test_the_baseline_is_clean_and_reports_every_key():
    report = provenance_report(BASELINE)
    assert report["clean"] is True
    assert report["sources_after_start"] == [] and report["undated_sources"] == [] and report["premises"] == []
    assert [(p["name"], p["fit_end"]) for p in report["posteriors"]] == [("fit-2024", "2024-12-31")]
    assert report["start"] == "2025-03-18"
    assert isinstance(report["parameters"], int) and isinstance(report["placeholders"], list)


def test_a_source_dated_after_the_start_makes_a_scenario_not_clean(tmp_path):
    path = variant(tmp_path, """references:
  later: {cite: "a statement of 25 March 2025", date: 2025-03-25}
set:
  forces.russia.manpower: {value: 650000, source: later}
  forces.ukraine.manpower: {value: 800000, source: {cite: "an interview of 2 April 2025", date: 2025-04-02}}
""")
    report = provenance_report(path)
    assert report["clean"] is False
    assert fields(report["sources_after_start"]) == {"forces.russia.manpower", "forces.ukraine.manpower"}
    assert {e["date"] for e in report["sources_after_start"]} == {"2025-03-25", "2025-04-02"}
    same_day = variant(tmp_path, "set:\n  forces.russia.manpower: {value: 650000, source: {cite: 'the day itself', "
                                 "date: 2025-03-18}}\n", "same_day")
    assert provenance_report(same_day)["clean"] is True  # published on the start day: known at the start


def test_an_undated_source_makes_a_scenario_not_clean(tmp_path):
    path = variant(tmp_path, """references:
  vague: "a report, some time"
set:
  forces.russia.manpower: {value: 650000, source: vague}
  forces.ukraine.manpower: {value: 800000, source: "inline text without a date"}
""")
    report = provenance_report(path)
    assert report["clean"] is False and report["sources_after_start"] == []
    assert {e["source"] for e in report["undated_sources"]} == {"vague", "inline text without a date"}


def test_seed_quotes_are_premises_in_a_what_if_and_look_ahead_elsewhere(tmp_path):
    quote = "{seed: 000_5c172a089477a133.txt, quote: \"Russia might insist on a naval base within Odessa\"}"
    what_if = variant(tmp_path, f"set:\n  combat.dnipro_barrier: {{value: 2.0, source: {quote}}}\n", "what_if")
    report = provenance_report(what_if)
    assert report["clean"] is True and fields(report["premises"]) == {"combat.dnipro_barrier"}
    forecast = variant(tmp_path, f"start: 2025-03-18\nset:\n  combat.dnipro_barrier: {{value: 2.0, source: {quote}}}\n",
                       "own_start")  # a scenario that states its own start is judged as a forecast
    report = provenance_report(forecast)
    assert report["clean"] is False and report["premises"] == []
    assert report["sources_after_start"][0]["date"] == "2025-03-24"
    assert report["sources_after_start"][0]["bound"] == "on_or_after"


def test_a_seed_written_on_the_start_day_at_the_earliest_is_not_shown_to_precede_it(tmp_path):
    path = tmp_path / "root.yaml"
    text = BASELINE.read_text(encoding="utf-8").replace(
        "name: baseline\n", "name: root\n").replace(
        "helmbold_w: {value: 0.174, source: rubio_campillo_2016}",
        "helmbold_w: {value: 0.174, source: {seed: 002_8c4bb6579a762747.txt, quote: \"the consummate pragmatist\"}}")
    path.write_text(text, encoding="utf-8")
    report = provenance_report(path)
    assert report["clean"] is False and fields(report["sources_after_start"]) == {"combat.helmbold_w"}


def test_definitions_need_no_date(tmp_path):
    path = variant(tmp_path, "set:\n  forces.russia.manpower: {value: 650000, source: {cite: 'what the option means', "
                             "definitional: true}}\n")
    report = provenance_report(path)
    assert report["clean"] is True


def test_an_override_without_a_new_source_is_unsourced(tmp_path):
    bare = variant(tmp_path, "set:\n  forces.russia.manpower: 650000\n", "bare")
    loaded = load_scenario(bare)
    assert loaded.scenario.forces["russia"].manpower.source is None  # the parent's citation was for 700,000
    assert "forces.russia.manpower" in {u["field"] for u in validation_payload(loaded)["unsourced"]}
    restated = variant(tmp_path, "forces:\n  russia:\n    manpower: {value: 650000}\n", "restated")
    unsourced = validation_payload(load_scenario(restated))["unsourced"]
    assert [u["field"] for u in unsourced] == ["forces.russia.manpower"] and "restated" in unsourced[0]["note"]
    sourced = variant(tmp_path, "forces:\n  russia:\n    manpower: {value: 650000, source: putin_2023_12}\n", "sourced")
    assert validation_payload(load_scenario(sourced))["unsourced"] == []
    flagged = variant(tmp_path, "set:\n  forces.russia.manpower: {value: 650000, placeholder: true}\n", "flagged")
    assert validation_payload(load_scenario(flagged))["unsourced"] == []


@pytest.mark.parametrize("name", sorted(p.name for p in (ROOT / "scenarios").glob("*.yaml")))
def test_every_scenario_dates_every_source(name):
    report = provenance_report(ROOT / "scenarios" / name)
    assert report["undated_sources"] == [], report["undated_sources"]
    # the in-sample fit report uses end-2024 figures, and the calibration scenario replays its fit window's
    # realised inputs (aid, pauses, offensives), by design, as do the hindsight diagnostics of the 2024 forecasts;
    # every forecast and the baseline must be clean
    if name not in ("backtest-2024.yaml", "fit-2023-2024.yaml", "war-2023.yaml", "hindsight-2024.yaml",
                    "hindsight-2024h2.yaml"):
        assert report["clean"], report["sources_after_start"]
    if name == "war-2023.yaml":  # the fits' priors may use what was known before the first forecast's start
        assert report["sources_after_start"], "war-2023 cites Russia's front-share figures of late 2023"
        assert all(s["date"] <= "2023-12-31" for s in report["sources_after_start"]), report["sources_after_start"]


def test_validate_json_exits_zero_for_a_schema_valid_file_that_is_not_clean(tmp_path):
    path = variant(tmp_path, "set:\n  forces.russia.manpower: {value: 650000, source: 'undated words'}\n")
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-m", "detente.cli", "validate", str(path), "--json"], capture_output=True,
                          text=True, env=env, cwd=ROOT, timeout=120)
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["clean"] is False and len(report["undated_sources"]) == 1
    expected = {"sources_after_start", "undated_sources", "clean", "posteriors", "parameters", "placeholders"}
    assert expected <= set(report)


def test_top_drivers_carry_status_and_distribution(tmp_path):
    """validate --json lists each top driver's status and how it varies across runs; an override that turns a
    sourced driver into a fixed placeholder is reported as such, and listed as uncertain without a distribution
    until it is given one."""
    report = provenance_report(BASELINE)
    top = {t["name"]: t for t in report["top_drivers"]}
    assert len(top) == 10 and all(t["status"] in ("calibrated", "sourced", "placeholder") for t in top.values())
    assert all(t["distribution"] in ("posterior", "spread", "between", "prior", None) for t in top.values())
    manpower = top["forces.russia.manpower"]
    assert (manpower["status"], manpower["distribution"]) == ("sourced", None)
    assert top["combat.russian_loss_rate"] == {**top["combat.russian_loss_rate"], "status": "calibrated",
                                               "distribution": "posterior"}
    # no top-ten driver of the baseline is an uncertain value fixed in every run
    assert not set(top) & set(report["uncertain_without_distribution"])
    placeholder = variant(tmp_path, "set:\n  forces.russia.manpower: {value: 650000, placeholder: true}\n", "baseline")
    probe = validation_payload(load_scenario(placeholder))
    entry = next(t for t in probe["top_drivers"] if t["name"] == "forces.russia.manpower")
    assert (entry["status"], entry["distribution"]) == ("placeholder", None)
    assert "forces.russia.manpower" in probe["uncertain_without_distribution"]
    (tmp_path / "spread").mkdir()
    body = "set:\n  forces.russia.manpower: {value: 650000, placeholder: true, spread: 0.1}\n"
    spread = variant(tmp_path / "spread", body, "baseline")
    probe = validation_payload(load_scenario(spread))
    entry = next(t for t in probe["top_drivers"] if t["name"] == "forces.russia.manpower")
    assert (entry["status"], entry["distribution"]) == ("placeholder", "spread")
    assert "forces.russia.manpower" not in probe["uncertain_without_distribution"]


def test_a_sourced_driver_drawn_from_a_posterior_stays_sourced():
    """A top driver drawn from the posterior with its spread above the 0.7 line that cites a measured figure (ε,
    Russia's front share, κ: whichever the stored screening ranks in the ten) is sourced, not a placeholder."""
    top = provenance_report(BASELINE)["top_drivers"]
    loose = [t for t in top if t["distribution"] == "posterior" and t.get("posterior_to_prior_spread", 0) > 0.7]
    cited = [t for t in loose if t["name"] in ("combat.ratio_elasticity", "forces.russia.front_share",
                                               "combat.ratio_threshold")]
    assert cited, f"no measured-figure driver drawn loosely from the posterior in the ten: {[t['name'] for t in top]}"
    for t in cited:
        assert t["status"] == "sourced", t
