"""`detente score`: how well a scenario's ensemble forecast what the record shows (CRPS, coverage, PIT; and
yes/no questions by Brier and log score beside a base rate)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich.table import Table

from detente.cli import app
from detente.cli.commands_war import emit_json
from detente.cli.options import runs_option, seed_option

err = Console(stderr=True)
out = Console()


@app.command()
def score(
    file: Path = typer.Argument(..., help="scenario YAML file"),
    observed: Path | None = typer.Option(None, "--observed", help="a record file: isw_area_daily.csv, "
                                         "deepstate_oblast_weekly.csv or russian_casualties_monthly.csv "
                                         "(data/record/)"),
    events: Path | None = typer.Option(None, "--events", help="a question file of yes/no questions resolved by "
                                       "the record (data/questions/)"),
    runs: int = runs_option(2000),
    seed: int = seed_option(),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Score the scenario's runs against the record inside its window, beside a naive trend forecaster
    (--observed), and yes/no questions beside a base-rate forecaster (--events); either or both."""
    from detente.calibration.score_run import observed_in_window, questions_for, score_scenario
    from detente.errors import InputError
    from detente.ensemble.backends import make_backend
    from detente.ensemble.runner import check_runs

    check_runs(runs)
    if observed is None and events is None:
        raise InputError.single(str(file), "nothing to score", hint="give --observed FILE, --events FILE or both")
    if observed is not None:
        observed_in_window(file, observed)  # another layout, or nothing in the window: fails here, before any run
    if events is not None:
        questions_for(file, events)  # a bad question file, or one asked on another date: fails before any run
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=json_out, transient=False) as bar:
        task = bar.add_task(f"score {file.name}", total=runs)
        scored = score_scenario(file, observed, runs=runs, seed=seed, backend=make_backend("local"),
                                progress=lambda done: bar.update(task, completed=done), events=events)
    if json_out:
        emit_json(scored)
        return
    if observed is not None:
        _print_series(scored, observed, runs, seed)
    if events is not None:
        _print_events(scored, runs, seed)


def _print_events(scored: dict, runs: int, seed: int) -> None:
    """One row per question: forecast, outcome, Brier and log score, the base rate's."""
    ev = scored["events"]
    table = Table(title=f"{scored['scenario']}: {ev['title']} (asked {ev['asked']}), {runs:,} runs, seed {seed}")
    for column in ("question", "P(yes)", "obs", "Brier", "log", "base", "Brier", "log"):
        table.add_column(column, justify="left" if column == "question" else "right", no_wrap=column == "question")
    for q in ev["questions"]:
        table.add_row(q["id"], f"{q['forecast']:.2f}", "yes" if q["outcome"] else "no", f"{q['brier']:.3f}",
                      f"{q['log']:.2f}", f"{q['base_rate']:.2f}", f"{q['base_brier']:.3f}", f"{q['base_log']:.2f}")
    m = ev["mean"]
    table.add_row("mean", "", "", f"{m['brier']:.3f}", f"{m['log']:.2f}", "", f"{m['base_brier']:.3f}",
                  f"{m['base_log']:.2f}")
    out.print(table)
    skill = [f"{name} skill {m[key]:+.2f}" for name, key in (("Brier", "brier_skill"), ("log", "log_skill"))
             if m[key] is not None]
    out.print(f"{'; '.join(skill)} (1 − score / base-rate score). Base rate: (k + 1)/(n + 2) over the record's "
              "earlier periods before the start, 0.5 where none; the last three columns are the base rate's (`--json` "
              "gives each question's metric, threshold, rule and record rows).")


def _print_series(scored: dict, observed: Path, runs: int, seed: int) -> None:
    """The --observed table: one row per series."""
    table = Table(title=f"{scored['scenario']} vs {Path(observed).name}: {scored['start']} + "
                        f"{scored['horizon_weeks']} weeks, {runs:,} runs, seed {seed}")
    for column in ("series", "n", "CRPS", "naive", "skill", "in 80%", "observed", "p50 [p10, p90]"):
        table.add_column(column, justify="left" if column == "series" else "right")
    still = []
    for name, s in scored["series"].items():
        naive, last = s["naive"]["crps"], s["last"]
        if s["crps"] == 0 and not any(last[k] for k in ("observed", "p10", "p90")):
            still.append(_short(name))  # nothing moved, in the record or in any run
            continue
        table.add_row(_short(name), str(s["n"]), f"{s['crps']:,.0f}", "–" if naive is None else f"{naive:,.0f}",
                      f"{1 - s['crps'] / naive:+.2f}" if naive and naive >= 0.5 else "–",
                      f"{s['coverage']['0.8']:.0%}", f"{last['observed']:,.0f}",
                      f"{last['p50']:,.0f} [{last['p10']:,.0f}, {last['p90']:,.0f}]")
    out.print(table)
    if still:
        out.print(f"unchanged in the record and in every run (CRPS 0): {', '.join(still)}")
    out.print("CRPS: mean over the weekly points, in the series' units; skill = 1 − CRPS / naive CRPS (naive: a random "
              "walk with drift fitted to the 52 weeks before the start); observed, p50 [p10, p90]: the change since "
              "the start at the last point; `--json` adds 50%/90% coverage and PIT")


def _short(name: str) -> str:
    """A series name for the table: the region (or source) alone where the file has one kind of series."""
    head, _, tail = name.partition("/")
    if head == "area_controlled_km2":
        return tail or "area_controlled_km2"
    return name.replace("casualties_russia/", "").replace("ua_held_km2/", "ua_held/")
