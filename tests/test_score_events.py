"""Scoring yes/no questions (`detente score --events`): Brier and log score of perfect, anti-perfect and
base-rate forecasters on hand-made cases; the question file's checks; the command on the 2022 questions."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from detente.calibration.events import (BaseRate, brier, check_against, forecast, load_questions, log_score,
                                        resolving_week)
from detente.calibration.score_run import score_events
from detente.errors import InputError

ROOT = Path(__file__).resolve().parents[1]
QUESTIONS = ROOT / "data" / "questions" / "2022h2.yaml"
SCENARIO = ROOT / "scenarios" / "events-2022h2.yaml"

ONE = """schema_version: 1
title: hand-made
asked: 2022-07-01
questions:
  - id: deal
    question: "a Black Sea deal by the horizon?"
    metric: ceasefire_agreed/black_sea
    threshold: 1
    by: 2022-12-30
    outcome: {outcome}
    resolved_by:
      - {{date: 2022-07-22, kind: agreement_signed, scope: black_sea}}
{extra}"""


def _file(tmp_path: Path, outcome: str = "true", extra: str = "", text: str | None = None) -> Path:
    path = tmp_path / "q.yaml"
    path.write_text(text if text is not None else ONE.format(outcome=outcome, extra=extra))
    return path


def test_perfect_and_anti_perfect_forecasters() -> None:
    outcomes = np.array([1, 0, 1, 1, 0])
    assert brier(outcomes, outcomes).sum() == 0.0
    assert (log_score(outcomes, outcomes) == 0.0).all()
    anti = 1 - outcomes
    assert (brier(anti, outcomes) == 1.0).all()
    assert np.isinf(log_score(anti, outcomes)).all()
    floor = 0.5 / 200  # half a run of a 200-run ensemble
    assert log_score(anti, outcomes, floor) == pytest.approx(np.full(5, -np.log(floor)))
    assert log_score(outcomes, outcomes, floor) == pytest.approx(np.full(5, -np.log(1 - floor)))


def test_scores_of_a_hand_made_forecast() -> None:
    assert float(brier(0.7, 1)) == pytest.approx(0.09) and float(brier(0.7, 0)) == pytest.approx(0.49)
    assert float(log_score(0.7, 1)) == pytest.approx(-np.log(0.7))
    assert float(log_score(0.7, 0)) == pytest.approx(-np.log(0.3))
    assert float(brier(0.5, 1)) == float(brier(0.5, 0)) == 0.25  # a coin scores the same either way
    # the model's forecast is the share of runs past the threshold, with the comparison as written
    values = np.array([0, 3, 9, 10, 12])
    assert forecast(values, ">=", 10) == 0.4 and forecast(values, ">", 10) == 0.2
    assert forecast(values, "<", 3) == 0.2 and forecast(values, "==", 9) == 0.2


def test_base_rate_is_the_rule_of_succession() -> None:
    assert BaseRate(k=0, n=1, periods="x").value == pytest.approx(1 / 3)
    assert BaseRate(k=2, n=2, periods="x").value == pytest.approx(3 / 4)
    assert BaseRate(k=0, n=0, periods="none").value == 0.5
    with pytest.raises(ValueError, match="cannot exceed"):
        BaseRate(k=3, n=2, periods="x")


def test_scoring_beside_the_base_rate(tmp_path: Path) -> None:
    base = "    base_rate: {k: 0, n: 1, periods: \"none in the first half\"}\n"
    start = dt.date(2022, 7, 1)
    for outcome, values, expected in (("true", np.ones(10), 0.0), ("false", np.ones(10), 1.0)):
        path = _file(tmp_path, outcome, base)
        scored = score_events(load_questions(path), path, {"ceasefire_agreed/black_sea": values}, start, 26)
        q = scored["questions"][0]
        assert q["forecast"] == 1.0 and q["brier"] == expected
        assert q["base_rate"] == pytest.approx(1 / 3)
        assert q["base_brier"] == pytest.approx((1 / 3 - (outcome == "true")) ** 2)
        assert q["base_log"] == pytest.approx(-np.log(1 / 3 if outcome == "true" else 2 / 3))
        assert q["log"] == pytest.approx(-np.log(0.95) if outcome == "true" else -np.log(0.05))  # ½ run of 10
    # without a base rate the forecaster says 0.5; a model that is always right has skill 1
    path = _file(tmp_path)
    scored = score_events(load_questions(path), path, {"ceasefire_agreed/black_sea": np.ones(4)}, start, 26)
    assert scored["questions"][0]["base_rate"] == 0.5 and scored["mean"]["brier_skill"] == 1.0


@pytest.mark.parametrize("extra, text_from, text_to, field, message", [
    ("", "threshold: 1", "threshold: 1\n    treshold: 2", "questions.0.treshold", "unknown field 'treshold'"),
    ("", "ceasefire_agreed/black_sea", "no_such_metric", "questions.0.metric", "not declared"),
    ("", "ceasefire_agreed/black_sea", "ceasefire_in_force/black_sea", "questions.0.metric", "only a weekly"),
    ("", "kind: agreement_signed", "kind: agreement_ended", "questions.0.resolved_by.0", "no row of"),
    ("", "date: 2022-07-22", "date: 2022-07-23", "questions.0.resolved_by.0", "no row of"),
    ("", "outcome: true", "outcome: maybe", "questions.0.outcome", "boolean"),
    ("", "by: 2022-12-30", "by: 2022-06-30", "questions.0.by", "not after the date asked"),
    ("    base_rate: {k: 2, n: 1, periods: x}\n", "", "", "questions.0.base_rate", "cannot exceed"),
    ("", "    resolved_by:\n      - {date: 2022-07-22, kind: agreement_signed, scope: black_sea}\n",
     "    resolved_by: []\n", "questions.0.resolved_by", "at least 1"),
])
def test_bad_question_files_name_file_line_and_field(tmp_path: Path, extra: str, text_from: str, text_to: str,
                                                      field: str, message: str) -> None:
    text = ONE.format(outcome="true", extra=extra)
    if text_from:
        assert text_from in text
        text = text.replace(text_from, text_to)
    path = _file(tmp_path, text=text)
    with pytest.raises(InputError) as caught:
        load_questions(path)
    problem = caught.value.problems[0]
    assert problem.file == str(path) and problem.line is not None and problem.line > 1
    assert problem.field == field and message in problem.message, caught.value.render()


def test_a_file_must_fit_its_scenario(tmp_path: Path) -> None:
    questions = load_questions(_file(tmp_path))
    path = tmp_path / "q.yaml"
    with pytest.raises(InputError, match="asked on 2022-07-01, but the scenario starts on 2022-07-08"):
        check_against(questions, path, dt.date(2022, 7, 8), 26)
    with pytest.raises(InputError, match="read at week 13"):
        check_against(questions, path, dt.date(2022, 7, 1), 13)
    with pytest.raises(InputError, match="do not produce"):
        check_against(questions, path, dt.date(2022, 7, 1), 26, metrics={"ceasefire_agreed/whole_front"})
    q = questions.questions[0].model_copy(update={"metric": "ceasefire_agreed_by_q1/black_sea",
                                                  "by": dt.date(2022, 9, 30)})
    assert resolving_week(q, dt.date(2022, 7, 1), 26) == 13
    q = q.model_copy(update={"metric": "events_in_q2/prisoner_exchange", "by": dt.date(2022, 12, 30)})
    assert resolving_week(q, dt.date(2022, 7, 1), 26) == 26   # events in a quarter: read at its end


@pytest.mark.parametrize("half", ["2022h2", "2024h2", "2024h2-exchanges", "2024h2-talks"])
def test_the_shipped_questions_cite_rows_of_the_record_and_fit_a_clean_scenario(half: str) -> None:
    from detente.scenario.loader import load_scenario

    path = ROOT / "data" / "questions" / f"{half}.yaml"
    questions = load_questions(path)  # every cited row exists in the record (checked on loading)
    assert len(questions.questions) >= 3 and all(q.base_rate is not None for q in questions.questions)
    assert all(r.date <= dt.date(2025, 3, 18) for q in questions.questions for r in q.resolved_by)
    scenario = ROOT / "scenarios" / f"events-{half.replace('-talks', '-exchanges')}.yaml"
    loaded = load_scenario(scenario)
    check_against(questions, path, loaded.scenario.start, loaded.scenario.horizon_weeks)
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    done = subprocess.run([sys.executable, "-m", "detente.cli", "validate", str(scenario), "--json"],
                          capture_output=True, text=True, env=env, cwd=ROOT, timeout=600)
    report = json.loads(done.stdout)
    assert report["clean"] is True and report["sources_after_start"] == []
    assert report["start"] == questions.asked.isoformat()


def _cli(*args: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT / "src")}
    return subprocess.run([sys.executable, "-m", "detente.cli", *args], capture_output=True, text=True, env=env,
                          cwd=ROOT, timeout=600)


def test_score_events_command(tmp_path: Path) -> None:
    done = _cli("score", str(SCENARIO), "--events", str(QUESTIONS), "--runs", "40", "--json")
    assert done.returncode == 0, done.stderr
    scored = json.loads(done.stdout)
    assert set(scored) == {"scenario", "start", "horizon_weeks", "events"}
    rows = scored["events"]["questions"]
    assert [r["id"] for r in rows][:2] == ["black_sea_signed", "black_sea_by_september"]
    for r in rows:
        assert 0 <= r["forecast"] <= 1 and r["brier"] == pytest.approx((r["forecast"] - r["outcome"]) ** 2)
    assert scored["events"]["mean"]["brier"] == pytest.approx(np.mean([r["brier"] for r in rows]))
    # both together: one ensemble, the --observed keys unchanged and the events beside them
    both = _cli("score", str(SCENARIO), "--events", str(QUESTIONS), "--observed", "data/record/isw_area_daily.csv",
                "--runs", "40", "--json")
    assert both.returncode == 0, both.stderr
    joined = json.loads(both.stdout)
    assert set(joined) == {"scenario", "observed", "start", "horizon_weeks", "series", "events"}
    assert [r["forecast"] for r in joined["events"]["questions"]] == [r["forecast"] for r in rows]
    # neither, or a question file asked on another date: a message, no traceback, before any run
    neither = _cli("score", str(SCENARIO))
    assert neither.returncode != 0 and "nothing to score" in neither.stderr and "Traceback" not in neither.stderr
    wrong = _cli("score", "scenarios/forecast-2024h2.yaml", "--events", str(QUESTIONS), "--runs", "40")
    assert wrong.returncode != 0 and "2022h2.yaml" in wrong.stderr and "field 'asked'" in wrong.stderr
    assert "Traceback" not in wrong.stderr
