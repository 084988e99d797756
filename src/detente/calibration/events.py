"""Yes/no questions about a scenario's window, resolved by the record: the file format behind
`detente score --events`, and how each is scored (Brier, log score) beside a base-rate forecaster.

A question file (`data/questions/*.yaml`) is asked on one date — the scenario's start — and holds questions of
the form "will METRIC be COMPARISON THRESHOLD by DATE?", each with the outcome the record shows, the rows of
`data/record/diplomacy_events.csv` that resolve it (date and kind, checked against the file) and, optionally,
how often such a question resolved yes in the record before the start.

Forecast. The model's probability is the share of runs whose value of the metric (a per-run outcome declared in
`detente.ensemble.registry`, recorded at the horizon) satisfies the comparison. An ensemble of n runs cannot
say 0 or 1 with a finite log score, so for the log score p is kept inside [1/(2n), 1 − 1/(2n)] (half a run);
the Brier score uses p as it is.

Base rate. Rule of succession over the same question asked of the record's earlier periods of the same length
before the start: with k yes of n such periods, b = (k + 1) / (n + 2); with no earlier period (n = 0), b = ½.
The file states k and n and which periods they are (`base_rate: {k, n, periods}`), so the rule is checked by
reading the record, not fitted.

Scores (Brier 1950; Good 1952; Gneiting & Raftery 2007, JASA 102:359), for a forecast p and outcome o ∈ {0, 1}:
Brier (p − o)², 0 best, 1 worst; log score −ln(o p + (1 − o)(1 − p)), 0 best. Skill against the base rate:
1 − S / S_base over the file's questions (positive: the model beats the base rate).
"""

from __future__ import annotations

import csv
import datetime as dt
from functools import lru_cache
from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from detente.errors import InputError, Problem
from detente.scenario.yaml_source import Located, load_yaml

RECORD = Path(__file__).resolve().parents[3] / "data" / "record" / "diplomacy_events.csv"
COMPARISONS = {">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less, "==": np.equal}


class Strict(BaseModel):
    """Unknown fields are errors (a misspelt key must not be ignored)."""

    model_config = ConfigDict(extra="forbid")


class RecordRow(Strict):
    """A row of the record that resolves a question: its date and kind (and scope, where several share them)."""

    date: dt.date
    kind: str
    scope: str | None = Field(None, description="one of the row's `;`-separated scopes")


class BaseRate(Strict):
    """How often the same question resolved yes over the record's earlier periods before the start."""

    k: int = Field(ge=0, description="earlier periods in which the same question resolved yes")
    n: int = Field(ge=0, description="earlier periods of the same length before the start")
    periods: str = Field(description="which earlier periods, and what the record shows in each")

    @model_validator(mode="after")
    def _k_within_n(self) -> "BaseRate":
        if self.k > self.n:
            raise ValueError(f"k = {self.k} yes out of n = {self.n} periods: k cannot exceed n")
        return self

    @property
    def value(self) -> float:
        """Rule of succession: (k + 1) / (n + 2)."""
        return (self.k + 1) / (self.n + 2)


class Question(Strict):
    """Will `metric` be `comparison` `threshold` by `by`? The record says `outcome`."""

    id: str = Field(pattern=r"^[a-z0-9_]+$")
    question: str
    metric: str
    comparison: Literal[">=", ">", "<=", "<", "=="] = ">="
    threshold: float
    by: dt.date
    outcome: bool
    resolved_by: list[RecordRow] = Field(min_length=1)
    base_rate: BaseRate | None = None
    note: str | None = None

    @field_validator("metric")
    @classmethod
    def _declared(cls, name: str) -> str:
        from detente.ensemble.registry import find

        metric = find(name)
        if metric is None:
            raise ValueError(f"metric '{name}' is not declared in detente.ensemble.registry (see `detente metrics`)")
        if "horizon" not in metric.recorded:
            raise ValueError(f"metric '{name}' is only a weekly series; a question needs a per-run outcome "
                             "recorded at the horizon")
        return name


class QuestionFile(Strict):
    """A set of questions asked on one date."""

    schema_version: Literal[1] = 1
    title: str
    asked: dt.date = Field(description="the forecast date: the scenario's start")
    questions: list[Question] = Field(min_length=1)


@lru_cache(maxsize=2)
def _record_rows(path: Path = RECORD) -> frozenset[tuple[str, str, str]]:
    with path.open(newline="", encoding="utf-8") as handle:
        return frozenset((r["date"], r["kind"], s) for r in csv.DictReader(handle) for s in r["scope"].split(";"))


def _problems(error: ValidationError, located: Located, file: str) -> list[Problem]:
    out = []
    for item in error.errors():
        loc = tuple(item["loc"])
        where_file, line = located.where(loc)
        message = item["msg"].removeprefix("Value error, ")
        hint = ""
        if item["type"] == "extra_forbidden":
            message, hint = f"unknown field '{loc[-1]}'", "remove it (see docs/calibration.md, Scoring events)"
        elif item["type"] == "missing":
            hint = f"add `{loc[-1]}:` here"
        value = item.get("input") if item["type"] != "missing" else None
        out.append(Problem(file=where_file or file, line=line, field=".".join(map(str, loc)), message=message,
                           hint=hint, value=value))
    return out


def load_questions(path: str | Path, record: Path = RECORD) -> QuestionFile:
    """Parse and check a question file; every mistake is an InputError naming the file, line and field."""
    path = Path(path)
    located = load_yaml(path)
    file = str(path)
    if not isinstance(located.data, dict):
        raise InputError.single(file, "a question file is a mapping with `title`, `asked` and `questions`")
    try:
        parsed = QuestionFile.model_validate(located.data)
    except ValidationError as error:
        raise InputError(_problems(error, located, file)) from None
    rows = _record_rows(record)
    problems, seen = [], set()
    for i, q in enumerate(parsed.questions):
        if q.id in seen:
            problems.append(Problem(file, located.where(("questions", i, "id"))[1], f"questions.{i}.id",
                                    f"question id '{q.id}' is used twice", value=q.id))
        seen.add(q.id)
        for j, row in enumerate(q.resolved_by):
            day = row.date.isoformat()
            found = (day, row.kind, row.scope) in rows if row.scope else \
                any(d == day and k == row.kind for d, k, _ in rows)
            if not found:
                problems.append(Problem(file, located.where(("questions", i, "resolved_by", j))[1],
                                        f"questions.{i}.resolved_by.{j}",
                                        f"no row of {record.name} has date {row.date}, kind {row.kind}"
                                        + (f" and scope {row.scope}" if row.scope else ""),
                                        hint="cite a row of data/record/diplomacy_events.csv by its date and kind"))
        if q.by <= parsed.asked:
            problems.append(Problem(file, located.where(("questions", i, "by"))[1], f"questions.{i}.by",
                                    f"resolves on {q.by}, not after the date asked ({parsed.asked})", value=str(q.by)))
    if problems:
        raise InputError(problems)
    return parsed


def resolving_week(question: Question, start: dt.date, horizon_weeks: int) -> int:
    """The week (of the scenario) the question's metric is read at: the horizon, or a quarter's end for the
    `…_by_q<k>` and `events_in_q<k>` metrics; a ValueError where `by` is more than 3 days from it."""
    import re

    match = re.match(r"(?:ceasefire_agreed_by_q|events_in_q)(\d+)/", question.metric)
    week = min(13 * int(match.group(1)), horizon_weeks) if match else horizon_weeks
    if abs((start + dt.timedelta(weeks=week) - question.by).days) > 3:
        end = start + dt.timedelta(weeks=week)
        raise ValueError(f"resolves on {question.by} but its metric is read at week {week} ({end}) of the scenario")
    return week


def check_against(questions: QuestionFile, path: str | Path, start: dt.date, horizon_weeks: int,
                  metrics: set[str] | None = None) -> None:
    """The file fits the scenario: asked on its start, each question read at a week it has (and, given the
    metrics a run produced, each metric among them); an InputError naming file, line and field otherwise."""
    file = str(path)
    located = load_yaml(Path(path))
    problems = []
    if questions.asked != start:
        problems.append(Problem(file, located.where(("asked",))[1], "asked",
                                f"asked on {questions.asked}, but the scenario starts on {start}",
                                hint="score the file with a scenario that starts on the date it is asked",
                                value=str(questions.asked)))
    for i, q in enumerate(questions.questions):
        try:
            resolving_week(q, start, horizon_weeks)
        except ValueError as error:
            problems.append(Problem(file, located.where(("questions", i, "by"))[1], f"questions.{i}.by", str(error),
                                    value=str(q.by)))
        if metrics is not None and q.metric not in metrics:
            problems.append(Problem(file, located.where(("questions", i, "metric"))[1], f"questions.{i}.metric",
                                    f"the scenario's runs do not produce '{q.metric}'", value=q.metric,
                                    hint="name a scope, issue or actor the scenario has"))
    if problems:
        raise InputError(problems)


def forecast(values: np.ndarray, comparison: str, threshold: float) -> float:
    """The model's probability: the share of runs whose value satisfies the comparison."""
    return float(np.mean(COMPARISONS[comparison](np.asarray(values, float), threshold)))


def brier(p: np.ndarray | float, outcome: np.ndarray | bool) -> np.ndarray:
    """Brier score (p − o)², 0 best, 1 worst."""
    return (np.asarray(p, float) - np.asarray(outcome, float)) ** 2


def log_score(p: np.ndarray | float, outcome: np.ndarray | bool, floor: float = 0.0) -> np.ndarray:
    """−ln of the probability given to what happened, p kept inside [floor, 1 − floor]; 0 best."""
    p = np.clip(np.asarray(p, float), floor, 1.0 - floor)
    o = np.asarray(outcome, float)
    with np.errstate(divide="ignore"):
        return -np.log(o * p + (1.0 - o) * (1.0 - p))
