"""Scoring on hand-made cases: CRPS, coverage, PIT, the naive forecaster, the matching rule, the record's layouts."""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from scipy import integrate
from scipy.stats import norm

from detente.calibration.observation import observed_points
from detente.calibration.record import FLOW, LEVEL, ObservedSeries, load_record
from detente.calibration.scoring import coverage, crps_ensemble, crps_normal, naive_trend, pit, score_points
from detente.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "data" / "record"


def series(points: dict[str, float], kind: str = LEVEL, name: str = "s") -> ObservedSeries:
    dates = sorted(dt.date.fromisoformat(d) for d in points)
    return ObservedSeries(name, tuple(dates), np.array([points[d.isoformat()] for d in dates]), kind, "km²")


# --- scores -------------------------------------------------------------------------------------------------

def test_a_perfect_forecaster_scores_zero_and_covers_every_point():
    observed = np.array([10.0, 25.0, 40.0, 80.0])
    members = np.repeat(observed[:, None], 200, axis=1)
    scored = score_points(members, observed)
    assert scored["crps"] == 0.0
    assert scored["coverage"] == {"0.5": 1.0, "0.8": 1.0, "0.9": 1.0}
    assert scored["pit"] == [0.5] * 4  # mid-ranked ties


def test_a_shifted_forecaster_loses_skill_as_it_moves_away():
    rng = np.random.default_rng(1)
    observed = np.cumsum(rng.normal(70, 30, 52))
    noise = rng.normal(0, 60, (52, 1000))
    crps = [score_points(observed[:, None] + shift + noise, observed)["crps"] for shift in (0, 50, 150, 400)]
    assert crps == sorted(crps) and crps[-1] > 3 * crps[0]
    cov = [score_points(observed[:, None] + shift + noise, observed)["coverage"]["0.8"] for shift in (0, 400)]
    assert cov[0] > 0.7 and cov[1] == 0.0
    # skill against a calibrated normal of the same spread: ~0 unshifted, negative shifted
    naive = crps_normal(observed, 60.0, observed).mean()
    assert abs(1 - crps[0] / naive) < 0.05 and 1 - crps[-1] / naive < -1


def test_crps_of_a_large_normal_ensemble_matches_the_closed_form():
    rng = np.random.default_rng(7)
    members = rng.normal(3.0, 2.0, (1, 200_000))
    for y in (-4.0, 1.0, 3.0, 9.5):
        assert crps_ensemble(members, np.array([y]))[0] == pytest.approx(float(crps_normal(3.0, 2.0, y)), rel=0.01)


def test_the_closed_form_is_the_integral_of_the_squared_distribution_gap():
    mu, sigma, y = 1.5, 0.7, 2.4
    below, _ = integrate.quad(lambda x: norm.cdf(x, mu, sigma) ** 2, -np.inf, y)
    above, _ = integrate.quad(lambda x: (1 - norm.cdf(x, mu, sigma)) ** 2, y, np.inf)
    assert float(crps_normal(mu, sigma, y)) == pytest.approx(below + above, rel=1e-6)
    assert float(crps_normal(mu, 0.0, y)) == pytest.approx(abs(y - mu))


def test_ensemble_crps_equals_the_pairwise_definition():
    rng = np.random.default_rng(3)
    x = rng.normal(size=37)
    y = 0.4
    pairwise = np.abs(x - y).mean() - 0.5 * np.abs(x[:, None] - x[None, :]).mean()
    assert crps_ensemble(x[None, :], np.array([y]))[0] == pytest.approx(pairwise, rel=1e-12)


def test_coverage_and_pit_of_a_calibrated_ensemble():
    rng = np.random.default_rng(11)
    observed = rng.normal(size=4000)
    members = rng.normal(size=(4000, 400))
    for band in (0.5, 0.8, 0.9):
        assert coverage(members, observed, band) == pytest.approx(band, abs=0.03)
    hist, _ = np.histogram(pit(members, observed), bins=10, range=(0, 1))
    assert hist.min() > 300 and hist.max() < 500


# --- matching -----------------------------------------------------------------------------------------------

def test_matching_takes_the_date_or_the_latest_within_seven_days_before():
    start = dt.date(2024, 1, 1)
    s = series({"2023-12-20": 5.0, "2023-12-29": 10.0,   # zero: 29 Dec, 3 days before the start
                "2024-01-08": 13.0,                      # week 1 ends on 8 Jan: that day
                "2024-01-10": 99.0, "2024-01-14": 20.0,  # week 2 (15 Jan): the latest within 7 days, 14 Jan
                "2024-01-29": 40.0})                     # week 3 (22 Jan): none within 7 days; week 4: that day
    p = observed_points(s, start, 6, Path("x.csv"))
    assert p.zero_date == dt.date(2023, 12, 29) and p.zero_week == 0
    assert list(p.weeks) == [1, 2, 4]
    assert list(p.values) == [3.0, 10.0, 30.0]
    assert p.dates[-1] == dt.date(2024, 1, 29)  # weeks 5-6 are past the record: left out


def test_seven_days_before_counts_and_eight_does_not():
    start = dt.date(2024, 1, 1)
    s = series({"2024-01-01": 0.0, "2024-01-01": 0.0, "2024-01-07": 7.0, "2024-01-14": 14.0, "2024-01-21": 21.0})
    p = observed_points(s, start, 3, Path("x.csv"))  # week ends 8, 15, 22 Jan: each the Sunday one day before
    assert list(p.values) == [7.0, 14.0, 21.0]
    late = series({"2023-12-24": 0.0, "2024-01-10": 1.0})  # 8 days before the start: no zero
    with pytest.raises(InputError, match="x.csv"):
        observed_points(late, start, 2, Path("x.csv"))


def test_monthly_flows_are_cumulated_from_the_start_and_matched_once():
    start = dt.date(2024, 1, 1)
    s = series({"2023-12-31": 500.0, "2024-01-31": 100.0, "2024-02-29": 120.0, "2024-03-31": 80.0}, kind=FLOW)
    p = observed_points(s, start, 13, Path("c.csv"))  # week 13 ends 1 April
    assert [d.isoformat() for d in p.dates] == ["2024-01-31", "2024-02-29", "2024-03-31"]
    assert list(p.values) == [100.0, 220.0, 300.0]
    assert list(p.weeks) == [5, 9, 13]  # the first week end on or after each month's last day


def test_a_sparse_source_starting_mid_period_leaves_the_partial_period_out():
    start = dt.date(2024, 1, 15)
    s = series({"2023-12-31": 1.0, "2024-01-31": 100.0, "2024-02-29": 120.0}, kind=FLOW)
    p = observed_points(s, start, 8, Path("c.csv"))
    assert p.zero_date == dt.date(2024, 1, 31) and p.zero_week == 3  # 5 Feb is the first week end after 31 Jan
    assert list(p.values) == [120.0]


def test_matching_agrees_with_the_acceptance_checks_rule_on_the_record():
    area = {r["date"]: float(r["russian_controlled_km2"]) for r in csv.DictReader(open(RECORD / "isw_area_daily.csv"))}

    def at_or_before(day: dt.date) -> float:
        for k in range(8):
            if (d := (day - dt.timedelta(days=k)).isoformat()) in area:
                return area[d]
        raise KeyError(day)

    start = dt.date(2024, 1, 1)
    p = observed_points(load_record(RECORD / "isw_area_daily.csv").series["area_controlled_km2"], start, 52, Path("i"))
    expected = [at_or_before(start + dt.timedelta(weeks=w)) - at_or_before(start) for w in range(1, 53)]
    assert np.allclose(p.values, expected) and p.values[-1] == pytest.approx(3720, abs=1)


def test_a_window_past_the_record_is_an_error_naming_the_file():
    s = load_record(RECORD / "isw_area_daily.csv").series["area_controlled_km2"]
    with pytest.raises(InputError, match="isw_area_daily.csv.*2025-03-18"):
        observed_points(s, dt.date(2025, 3, 18), 104, RECORD / "isw_area_daily.csv")
    with pytest.raises(InputError, match="isw_area_daily.csv"):
        observed_points(s, dt.date(2021, 1, 1), 10, RECORD / "isw_area_daily.csv")


# --- the naive forecaster ---------------------------------------------------------------------------------------

def test_naive_trend_extrapolates_the_52_weeks_before_with_their_spread():
    zero = dt.date(2024, 1, 1)
    weekly = {(zero - dt.timedelta(weeks=k)).isoformat(): 1000.0 - 70.0 * k for k in range(80)}
    fit = naive_trend(series(weekly), zero)
    assert fit.drift == pytest.approx(70.0) and fit.sigma == pytest.approx(0.0, abs=1e-9) and fit.points == 53
    assert fit.crps(np.array([2.0]), np.array([150.0]))[0] == pytest.approx(10.0)  # a point forecast: |140 − 150|
    rng = np.random.default_rng(5)
    steps = rng.normal(50, 20, 200)
    walk = {(zero - dt.timedelta(weeks=k)).isoformat(): -float(steps[:k].sum()) for k in range(200)}
    fit = naive_trend(series(walk), zero)
    assert fit.drift == pytest.approx(float(steps[:52].mean()))
    assert fit.sigma == pytest.approx(float(steps[:52].std()), rel=1e-9)


# --- the record ---------------------------------------------------------------------------------------------------

def test_the_record_layouts_are_recognised_by_their_header():
    assert set(load_record(RECORD / "isw_area_daily.csv").series) == {"area_controlled_km2"}
    ds = load_record(RECORD / "deepstate_oblast_weekly.csv").series
    assert {"area_controlled_km2/donetsk", "area_controlled_km2/ukraine_regions_sum",
            "area_controlled_km2/ukraine_total", "ua_held_km2/kursk"} <= set(ds)
    assert "area_controlled_km2/kursk" not in ds
    cas = load_record(RECORD / "russian_casualties_monthly.csv").series
    assert set(cas) == {f"casualties_russia/{c}" for c in ("ukmod_estimate", "genstaff_claimed", "mediazona_deaths")}
    assert cas["casualties_russia/genstaff_claimed"].dates[-1] == dt.date(2025, 2, 28)  # 1–18 March 2025 left out
    assert all(d <= dt.date(2025, 3, 18) for s in (*ds.values(), *cas.values()) for d in s.dates)


def test_other_layouts_and_bad_rows_are_clear_errors(tmp_path):
    with pytest.raises(InputError, match="aid_monthly.csv:1: is not a record layout"):
        load_record(RECORD / "aid_monthly.csv")
    bad = tmp_path / "isw.csv"
    bad.write_text("date,russian_controlled_km2,russian_controlled_share\n2024-01-01,100,0.1\n2024-13-02,101,0.1\n")
    with pytest.raises(InputError, match=r"isw.csv:3: field 'date'"):
        load_record(bad)
    bad.write_text("date,russian_controlled_km2,russian_controlled_share\n2024-01-01,lots,0.1\n")
    with pytest.raises(InputError, match=r"isw.csv:2: field 'russian_controlled_km2'"):
        load_record(bad)


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "detente.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600)


def test_score_command_json_shape_and_errors():
    done = _cli("score", "scenarios/backtest-2024.yaml", "--observed", "data/record/isw_area_daily.csv",
                "--runs", "40", "--seed", "5", "--json")
    assert done.returncode == 0, done.stderr
    scored = json.loads(done.stdout)
    assert set(scored) == {"scenario", "observed", "start", "horizon_weeks", "series"}
    assert scored["start"] == "2024-01-01" and scored["horizon_weeks"] == 52
    s = scored["series"]["area_controlled_km2"]
    assert set(s) == {"n", "crps", "coverage", "pit", "last", "naive"}
    assert s["n"] == 52 and len(s["pit"]) == 52 and set(s["coverage"]) == {"0.5", "0.8", "0.9"}
    assert s["last"]["date"] == "2024-12-30" and abs(s["last"]["observed"] - 3720.1) < 1
    assert s["last"]["p10"] <= s["last"]["p50"] <= s["last"]["p90"] and s["naive"]["crps"] > 0
    wrong = _cli("score", "scenarios/backtest-2024.yaml", "--observed", "data/record/aid_monthly.csv", "--runs", "5")
    assert wrong.returncode == 2 and "aid_monthly.csv" in wrong.stderr and "Traceback" not in wrong.stderr
    late = _cli("score", "scenarios/baseline.yaml", "--observed", "data/record/isw_area_daily.csv", "--runs", "5")
    assert late.returncode == 2 and "isw_area_daily.csv" in late.stderr and "window" in late.stderr


def test_nothing_in_the_committed_record_is_dated_after_18_march_2025():
    for path in RECORD.glob("*.csv"):
        with open(path, newline="", encoding="utf-8") as handle:
            rows = list(csv.DictReader(handle))
        for row in rows:
            for column in ("date", "week_ending", "snapshot_date", "end_date", "source_date", "genstaff_period_end"):
                if row.get(column):
                    assert row[column] <= "2025-03-18", (path.name, column, row[column])
            if row.get("month"):
                assert row["month"] <= "2025-03", (path.name, row["month"])


def test_a_level_on_a_day_is_the_last_observation_on_or_before_it():
    from detente.errors import InputError

    days = (dt.date(2024, 1, 7), dt.date(2024, 1, 14), dt.date(2024, 1, 21))
    series = ObservedSeries("area_controlled_km2/donetsk", days, np.array([10.0, 12.0, 15.0]), LEVEL, "km2")
    assert series.level_on(dt.date(2024, 1, 14)) == 12.0          # on the day
    assert series.level_on(dt.date(2024, 1, 20)) == 12.0          # the week before it, not the next one
    assert series.level_on(dt.date(2025, 1, 1)) == 15.0
    with pytest.raises(InputError, match="no observation on or before 2024-01-06"):
        series.level_on(dt.date(2024, 1, 6))


def test_a_level_on_a_day_past_the_records_end_is_refused_when_it_must_be_recent():
    from detente.errors import InputError

    days = (dt.date(2025, 3, 9), dt.date(2025, 3, 16))
    series = ObservedSeries("area_controlled_km2/donetsk", days, np.array([10.0, 12.0]), LEVEL, "km2")
    assert series.level_on(dt.date(2025, 3, 17), within_days=7) == 12.0
    assert series.level_on(dt.date(2026, 1, 1)) == 12.0                 # without a limit: the last observation
    with pytest.raises(InputError, match="record ends on 2025-03-16"):
        series.level_on(dt.date(2026, 1, 1), within_days=7)
