"""Score a scenario's ensemble against a record file: the library behind `detente score`.

Runs the scenario once with an `ObservationRecorder` beside its own controllers (it only watches), reads each
series of the record inside the scenario's window as changes since the start (`observation`), and scores the
runs as an ensemble at every matched week (`scoring`), beside the naive trend forecaster.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import numpy as np

from detente.calibration.events import QuestionFile, brier, check_against, forecast, load_questions, log_score
from detente.calibration.observation import ObservedPoints, RecorderFactory, model_changes, model_key, observed_points
from detente.calibration.record import ObservedRecord, load_record
from detente.calibration.scoring import naive_trend, score_points
from detente.errors import InputError
from detente.scenario.loader import LoadedScenario, load_scenario
from detente.world.model import WarModel


def observed_in_window(scenario: str | Path | LoadedScenario, observed: str | Path
                       ) -> tuple[ObservedRecord, WarModel, dict[str, ObservedPoints]]:
    """The record's series the model measures, matched to the scenario's week ends; an error naming the file if
    the layout cannot be scored or no series has an observation inside the window."""
    from detente.world.model import compile_model

    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    record = load_record(observed)
    start, horizon = loaded.scenario.start, loaded.scenario.horizon_weeks
    model = compile_model(loaded.scenario)
    points: dict[str, ObservedPoints] = {}
    outside: list[InputError] = []
    for name, series in record.series.items():
        if model_key(name, model) is None:
            continue  # a region the map does not have
        try:
            points[name] = observed_points(series, start, horizon, record.path)
        except InputError as error:
            outside.append(error)
    if not points:
        if outside:
            raise outside[0]
        raise InputError.single(str(record.path), "has no series the model measures", hint="see data/record/README.md")
    return record, model, points


def questions_for(scenario: str | Path | LoadedScenario, events: str | Path) -> QuestionFile:
    """A question file checked against the scenario (asked on its start, read at weeks it has): fails here,
    before any run."""
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    questions = load_questions(events)
    check_against(questions, events, loaded.scenario.start, loaded.scenario.horizon_weeks)
    return questions


def score_events(questions: QuestionFile, events: str | Path, metrics: dict[str, np.ndarray],
                 start: Any, horizon_weeks: int) -> dict[str, Any]:
    """The `events` object of `detente score --json`: each question's forecast, outcome, Brier and log score,
    and the base-rate forecaster's (see `calibration.events`)."""
    check_against(questions, events, start, horizon_weeks, metrics=set(metrics))
    rows = []
    for q in questions.questions:
        values = metrics[q.metric]
        p = forecast(values, q.comparison, q.threshold)
        base = q.base_rate.value if q.base_rate else 0.5
        floor = 0.5 / len(values)
        rows.append({
            "id": q.id, "question": q.question, "metric": q.metric, "comparison": q.comparison,
            "threshold": q.threshold, "by": q.by.isoformat(), "outcome": q.outcome, "forecast": p,
            "brier": float(brier(p, q.outcome)), "log": float(log_score(p, q.outcome, floor)),
            "base_rate": base, "base_brier": float(brier(base, q.outcome)),
            "base_log": float(log_score(base, q.outcome)),
            "base_rate_rule": (f"(k + 1) / (n + 2) with k = {q.base_rate.k} of n = {q.base_rate.n}: "
                               f"{q.base_rate.periods}") if q.base_rate else "0.5: no earlier period in the record",
            "resolved_by": [{"date": r.date.isoformat(), "kind": r.kind, **({"scope": r.scope} if r.scope else {})}
                            for r in q.resolved_by],
        })
    mean = {key: float(np.mean([r[key] for r in rows])) for key in ("brier", "log", "base_brier", "base_log")}
    mean["brier_skill"] = 1 - mean["brier"] / mean["base_brier"] if mean["base_brier"] > 0 else None
    mean["log_skill"] = 1 - mean["log"] / mean["base_log"] if mean["base_log"] > 0 else None
    return {"file": str(events), "title": questions.title, "asked": questions.asked.isoformat(),
            "questions": rows, "mean": mean,
            "method": "forecast: share of runs meeting the threshold at the resolving week; log score with the "
                      "forecast kept within half a run of 0 and 1; base rate (k + 1) / (n + 2) over the record's "
                      "earlier periods, 0.5 where there are none; skill 1 − score / base score"}


def score_scenario(scenario: str | Path | LoadedScenario, observed: str | Path | None, runs: int = 2000,
                   seed: int = 0, progress: Callable[[int], None] | None = None, backend: Any = None,
                   events: str | Path | None = None) -> dict[str, Any]:
    """The `detente score --json` object: each series' CRPS, coverage, PIT, last point and naive CRPS (with
    `observed`), and the yes/no questions' scores (with `events`, under "events"); one ensemble for both."""
    from detente.ensemble.controllers import default_controllers
    from detente.ensemble.runner import simulate
    loaded = scenario if isinstance(scenario, LoadedScenario) else load_scenario(scenario)
    questions = questions_for(loaded, events) if events is not None else None
    if observed is None:
        if events is None:
            raise InputError.single(str(loaded.path), "nothing to score", hint="give --observed FILE, --events FILE "
                                    "or both")
        result = simulate(loaded, runs=runs, seed=seed, progress=progress, backend=backend)
        return {"scenario": loaded.name, "start": loaded.scenario.start.isoformat(),
                "horizon_weeks": loaded.scenario.horizon_weeks,
                "events": score_events(questions, events, result.metrics, loaded.scenario.start,
                                       loaded.scenario.horizon_weeks)}
    record, model, points = observed_in_window(loaded, observed)
    wanted = {name: (model_key(name, model), (p.zero_week, *map(int, p.weeks))) for name, p in points.items()}
    controllers = (*default_controllers(loaded.scenario), RecorderFactory(wanted))
    result = simulate(loaded, runs=runs, seed=seed, progress=progress, backend=backend, controllers=controllers)
    out: dict[str, Any] = {"scenario": loaded.name, "observed": str(observed),
                           "start": loaded.scenario.start.isoformat(), "horizon_weeks": loaded.scenario.horizon_weeks,
                           "series": {}}
    for name, p in points.items():
        members = model_changes(result.metrics, p)
        scored = score_points(members, p.values)
        p10, p50, p90 = (float(v) for v in np.quantile(members[-1], [0.1, 0.5, 0.9]))
        scored["last"] = {"date": p.dates[-1].isoformat(), "observed": float(p.values[-1]),
                          "p10": p10, "p50": p50, "p90": p90}
        naive = naive_trend(record.series[name], p.zero_date)
        if naive is None:
            scored["naive"] = {"crps": None,
                               "method": "none: fewer than 3 observations in the 52 weeks before the start"}
        else:
            ahead = np.array([(d - p.zero_date).days / 7.0 for d in p.dates])
            scored["naive"] = {"crps": float(naive.crps(ahead, p.values).mean()), "method": naive.method}
        out["series"][name] = scored
    if questions is not None:
        out["events"] = score_events(questions, events, result.metrics, loaded.scenario.start,
                                     loaded.scenario.horizon_weeks)
    return out
