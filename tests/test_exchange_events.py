"""One-off prisoner exchanges are events at the record's rate (count and persons), not a recurring agreement;
truce days and the table's events by quarter are counted; the events leave everything else's numbers alone."""

from __future__ import annotations

import json

import numpy as np
import pytest

from conftest import BASELINE, ROOT, write_variant
from detente.ensemble.runner import simulate

RECORD = json.loads((ROOT / "data" / "calibration" / "partial_deals.json").read_text())


@pytest.fixture(scope="module")
def result():
    return simulate(BASELINE, runs=400, seed=5)


def test_exchanges_are_events_at_the_record_rate(result):
    years = 104 / 52.18
    events = result.metrics["events/prisoner_exchange"]
    per_year = events.mean() / years
    by_year = [v["exchanges"] for y, v in RECORD["prisoner_exchanges"]["rate_per_year"]["by_year"].items()
               if int(y) >= 2023]
    assert min(by_year) <= per_year <= max(by_year)            # 11 (2023) … 12 (2024) a year
    assert np.array_equal(events, np.round(events)) and events.std() > 1    # whole events, varying across runs
    persons = result.metrics["persons/prisoner_exchange"]
    assert np.all((persons > 0) == (events > 0))
    assert persons.sum() / events.sum() == pytest.approx(211, rel=0.03)       # the record's mean size …
    per = persons[events > 0] / events[events > 0]
    assert per.std() > 10                                                      # … drawn exchange by exchange
    # no exchange is a negotiated agreement any more: the table signs none and none is "in force"
    assert "prisoner_exchange" not in set(result.tables["agreements"]["scope"])
    assert "ceasefire_agreed/prisoner_exchange" not in result.metrics
    # the quarters add up to the total, and the weekly count ends at it
    quarters = sum(result.metrics[f"events_in_q{q}/prisoner_exchange"] for q in range(1, 9))
    assert np.array_equal(quarters, events)
    assert "events_in_q9/prisoner_exchange" not in result.metrics
    assert result.weekly["events_to_date/prisoner_exchange"]["p50"][-1] == np.median(events)
    assert "events_to_date/energy_strikes" not in result.weekly   # the truces' series: ceasefire_in_force


def test_truce_days_are_the_weeks_in_force(result):
    for scope in ("energy_strikes", "black_sea", "whole_front"):
        assert np.array_equal(result.metrics[f"truce_days/agreed/{scope}"],
                              7 * result.metrics[f"deal_weeks_in_force/{scope}"]), scope
    assert result.metrics["truce_days/agreed/energy_strikes"].mean() > 0
    assert "truce_days/agreed/prisoner_exchange" not in result.metrics   # an exchange stops no fighting


def test_agreements_begun_by_quarter_count_the_truces_that_start(result):
    first = sum(result.metrics[f"events_in_q{q}/energy_strikes"] for q in range(1, 9))
    agreed = result.metrics["ceasefire_agreed/energy_strikes"]
    assert np.all(first >= agreed) and np.all((first > 0) == (agreed > 0))


def test_the_events_stream_leaves_the_war_and_the_table_alone(tmp_path):
    """Exchanges draw from their own stream: without them, every other outcome is the same run by run."""
    off = write_variant(tmp_path, "schema_version: 1\nextends: {baseline}\nname: no-exchanges\n"
                                  "set:\n  table.exchanges: null\n")
    a, b = simulate(BASELINE, runs=60, seed=9), simulate(off, runs=60, seed=9)
    assert "events/prisoner_exchange" not in b.metrics
    for name in ("area_gained_km2", "casualties_russia", "ceasefire_agreed/energy_strikes", "escalation_peak",
                 "truce_days/agreed/energy_strikes"):
        assert np.array_equal(a.metrics[name], b.metrics[name]), name


def test_exchanges_counted_twice_is_refused(tmp_path):
    from detente.errors import DetenteError
    from detente.scenario.loader import load_scenario

    both = write_variant(tmp_path, """schema_version: 1
extends: {baseline}
name: twice
set:
  table.issues.prisoner_exchange:
    no_deal: status_quo
    status_quo: 0.0
    positions: {russia: {ideal: 0.6, salience: 0.2, capability: 1.0}, ukraine: {ideal: 1.0, salience: 0.3, capability: 0.6}}
  table.agreements.prisoner_exchange:
    issues: [prisoner_exchange]
    duration_days: 7
    persons_per_event: 200
""")
    with pytest.raises(DetenteError, match="counted twice"):
        load_scenario(both)


def test_trumps_support_can_move():
    """The US leader's support is no longer a constant 0.45: it spreads across runs as the weeks pass."""
    weekly = simulate(BASELINE, runs=100, seed=2).weekly["leader_support/united_states"]
    assert weekly["p50"][0] == weekly["p90"][0] == 0.45
    assert weekly["p90"][-1] - weekly["p10"][-1] > 0.1
    assert weekly["p10"][-1] < 0.45 - 0.05       # he can fall (noise; a signed deal can lift him)


def test_one_off_events_are_recorded_and_only_sessions_couple_them_to_the_war(result, tmp_path):
    """Summits and agreements in principle are counted at the record's rates, from a stream of their own. Where
    they bring no session (`session: 0`) every other outcome is the same as without them, run by run; the
    baseline's summits bring the table a session (tests/test_summit_sessions.py), which moves the table, never
    the exchanges."""
    years = 104 / 52.18
    talks = RECORD["talks"]
    assert result.metrics["events/summit"].mean() / years == pytest.approx(
        talks["summits"]["per_year_2023_2024"]["value"], rel=0.1)
    assert result.metrics["events/agreement_in_principle"].mean() / years == pytest.approx(0.5, rel=0.25)
    assert np.all(result.metrics["with_deal/summit"] <= result.metrics["events/summit"])
    assert result.metrics["with_deal/summit"].sum() > 0
    assert result.metrics["events/talks_direct"].sum() == 0          # none since March 2022
    assert np.array_equal(sum(result.metrics[f"events_in_q{q}/summit"] for q in range(1, 9)),
                          result.metrics["events/summit"])
    off = write_variant(tmp_path, "schema_version: 1\nextends: {baseline}\nname: no-one-offs\n"
                                  "set:\n  table.one_offs: {}\n")
    quiet = simulate(off, runs=400, seed=5)
    idle = write_variant(tmp_path, "schema_version: 1\nextends: {baseline}\nname: idle-summits\n"
                                   "set:\n  table.one_offs.summit.session: 0.0\n", "idle.yaml")
    recorded = simulate(idle, runs=400, seed=5)
    assert "events/summit" not in quiet.metrics
    for name, values in quiet.metrics.items():
        assert np.array_equal(values, recorded.metrics[name]), name
        if "prisoner_exchange" in name:
            assert np.array_equal(values, result.metrics[name]), name
    assert any(not np.array_equal(values, result.metrics[name]) for name, values in quiet.metrics.items()
               if name.startswith("ceasefire_agreed"))  # summits' sessions moved the table
