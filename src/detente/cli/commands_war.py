"""War-engine commands: run, validate, backtest, runs."""

from __future__ import annotations

import json
from contextlib import contextmanager
from pathlib import Path
from typing import Any, Callable, Iterator

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn, TimeRemainingColumn
from rich import box
from rich.table import Table

from detente.cli import app
from detente.cli.options import (RUNS_HELP, SEED_HELP, resolve_store, runs_option, seed_option, store_option,
                                  workers_option)

err = Console(stderr=True)
out = Console()

BACKEND_HELP = "local, or dask for a Dask cluster"
SCHEDULER_HELP = "Dask scheduler address (default: a LocalCluster)"
WORKERS_HELP = "worker processes: local, one per core by default; dask, those of the LocalCluster it starts"


def emit_json(payload: dict[str, Any]) -> None:
    """Print one JSON object on stdout (nothing else goes there in --json mode)."""
    typer.echo(json.dumps(payload, indent=2, default=_jsonable))


def _jsonable(value: Any) -> Any:
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if hasattr(value, "tolist"):
        return value.tolist()
    return str(value)


@contextmanager
def progress_bar(name: str, runs: int, quiet: bool) -> Iterator[Callable[[int], None]]:
    """A progress bar on stderr; yields the `progress(runs_done)` callback to hand to `simulate`. Says first when
    the model's kernels are not yet compiled for this machine (the bar would stand at 0 for a minute or two)."""
    from detente.ensemble import compile_cache

    if not quiet and not compile_cache.ready():
        err.print(compile_cache.COMPILING)
    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
               TimeElapsedColumn(), TimeRemainingColumn())
    with Progress(*columns, console=err, disable=quiet, transient=False) as bar:
        task = bar.add_task(name, total=runs)
        yield lambda done: bar.update(task, completed=done)


def run_with_progress(path: Path, runs: int, seed: int, quiet: bool, backend: Any = None):  # noqa: ANN201
    """Simulate (without storing) with a progress bar on stderr."""
    from detente.ensemble.runner import simulate
    from detente.scenario.loader import load_scenario

    loaded = load_scenario(path)
    with progress_bar(loaded.name, runs, quiet) as advance:
        return simulate(loaded, runs=runs, seed=seed, backend=backend, progress=advance)


def _fmt(value: float) -> str:
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def _sections(names: list[str]) -> list[tuple[str, list[str]]]:
    """Group metric names by their declared section (detente.ensemble.registry), in its reading order."""
    from detente.ensemble import registry

    ordered = registry.order(names)
    groups = [(section, [n for n in ordered if (registry.find(n) or registry.METRICS[0]).section == section])
              for section in registry.SECTIONS]
    undeclared = [n for n in ordered if registry.find(n) is None]
    return [(title, items) for title, items in (*groups, ("undeclared", undeclared)) if items]


def _hidden(metric: Any, s: dict[str, float]) -> bool:
    """A family member whose values all stay within the declared ±hide_within (a quiet region, an unused option)."""
    if metric is None or metric.hide_within is None:
        return False
    values = (s["mean"],) if metric.percent else (s["p10"], s["p90"])
    return max(abs(v) for v in values) < metric.hide_within


BY_QUARTER_TABLE = ("ceasefire_agreed_by_q<quarter>/<scope>", "ceasefire_held_30d/<scope>",
                    "ceasefire_held_90d/<scope>",  # families `ceasefire_table` shows as a scope × quarter grid
                    "events_in_q<quarter>/<event>")  # and `events_table` as an event × quarter grid


def summary_table(result: Any) -> Table:
    """The outcome by section, within 80 columns: each metric's title and unit from the registry (wrapped, never
    cut); yes/no outcomes and shares of weeks as percentages, quantities as median and 10–90% interval."""
    from detente.cli.tables import number
    from detente.ensemble import registry

    summary = result.summary()
    table = Table(title=f"{result.loaded.name}: {result.runs:,} runs, {result.loaded.scenario.horizon_weeks} weeks "
                        f"from {result.loaded.scenario.start}, seed {result.seed}", box=box.SIMPLE_HEAD,
                  title_justify="left")
    table.add_column("metric", overflow="fold", ratio=1, min_width=20)
    table.add_column("median or %", justify="right", no_wrap=True)
    table.add_column("10–90%", justify="right", no_wrap=True)
    table.add_column("unit", overflow="fold", max_width=12)
    for title, names in _sections(list(summary)):
        table.add_section()
        table.add_row(f"[bold]{title}[/]", "", "", "")
        for name in names:
            s, metric = summary[name], registry.find(name)
            if _hidden(metric, s) or (metric is not None and metric.name in BY_QUARTER_TABLE):
                continue
            label = metric.title(name) if metric else name
            if metric is not None and metric.percent:
                unit = "% of runs" if metric.kind == "probability" else "% of weeks"
                table.add_row(f" {label}", f"{s['mean']:.1%}", "", unit)
            else:
                unit = metric.unit if metric else ""
                table.add_row(f" {label}", number(s["p50"]), f"{number(s['p10'])} … {number(s['p90'])}", unit)
    return table


def ceasefire_table(result: Any) -> Table | None:
    """Probability that a deal of each scope is agreed by the end of each quarter, and that it holds 30 / 90 days."""
    from detente.ensemble import registry

    summary = result.summary()
    by_quarter = registry.members(list(summary), "ceasefire_agreed_by_q<quarter>/<scope>")
    if not by_quarter:
        return None
    scopes = sorted({p["scope"] for p in by_quarter.values()})
    quarters = sorted({int(p["quarter"]) for p in by_quarter.values()})
    # narrow enough for 80 columns with eight quarters (a scope's name whole, the held columns' headers on two
    # lines, one space between columns): wider, rich dropped the scope column and cut the last quarter
    table = Table(title="% of runs in which a deal of each scope is agreed by the end of each quarter,\n"
                        "and in which it held 30 and 90 days",
                  box=box.SIMPLE_HEAD, title_justify="left", padding=(0, 1), collapse_padding=True)
    table.add_column("scope", no_wrap=True)
    for q in quarters:
        table.add_column(f"Q{q}", justify="right", no_wrap=True, min_width=4)
    table.add_column("held\n30 d", justify="right", no_wrap=True, min_width=4)
    table.add_column("held\n90 d", justify="right", no_wrap=True, min_width=4)
    for scope in scopes:
        cells = [f"{summary[f'ceasefire_agreed_by_q{q}/{scope}']['mean']:.0%}" for q in quarters]
        held = [f"{summary.get(f'ceasefire_held_{d}/{scope}', {'mean': float('nan')})['mean']:.0%}"
                for d in ("30d", "90d")]
        table.add_row(scope, *cells, *held)
    return table


def events_table(result: Any) -> Table | None:
    """The table's events in each quarter, mean per run: one-off events (exchanges, summits, …), agreements of
    each scope begun."""
    from detente.ensemble import registry

    summary = result.summary()
    found = registry.members(list(summary), "events_in_q<quarter>/<event>")
    if not found:
        return None
    events = sorted({p["event"] for p in found.values()})
    quarters = sorted({int(p["quarter"]) for p in found.values()})
    table = Table(title="the table's events in each quarter, mean per run (one-off events: exchanges, summits, "
                        "…; agreements of each scope begun)", box=box.SIMPLE_HEAD, title_justify="left",
                  padding=(0, 1), collapse_padding=True)  # 80 columns: as `ceasefire_table`
    table.add_column("event", no_wrap=True)
    for q in quarters:
        table.add_column(f"Q{q}", justify="right", no_wrap=True, min_width=4)
    for event in events:
        table.add_row(event, *[f"{summary[f'events_in_q{q}/{event}']['mean']:.1f}" for q in quarters])
    return table


def terms_table(result: Any) -> Table | None:
    """Terms of the deals agreed, per scope and issue (median and interval over the deals)."""
    if "agreements" not in result.tables:
        return None
    from detente.table.controller import conditional_terms

    table = Table(title="terms agreed, over the deals of each scope (issue units)", box=box.SIMPLE_HEAD,
                  title_justify="left")
    for column in ("scope", "issue", "deals", "median", "10–90% interval"):
        if column in ("scope", "issue"):
            table.add_column(column, overflow="fold")
        else:
            table.add_column(column, justify="right", no_wrap=True)
    for scope in sorted(set(result.tables["agreements"]["scope"])):
        for issue, t in conditional_terms(result.tables, scope).items():
            table.add_row(scope, issue, f"{t['n']:,.0f}", f"{t['p50']:.2f}", f"{t['p10']:.2f} … {t['p90']:.2f}")
    return table


@app.command()
def run(
    file: Path = typer.Argument(..., help="scenario YAML file"),
    runs: int = runs_option(1000),
    seed: int = seed_option(),
    out_db: Path = store_option(),
    json_out: bool = typer.Option(False, "--json", help="print one JSON object with the metrics"),
    backend: str = typer.Option("local", "--backend", help=BACKEND_HELP),
    scheduler: str = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
    workers: int = workers_option(WORKERS_HELP),
) -> None:
    """Simulate a scenario as an ensemble, print its outcome and store it.

    A run that was killed or interrupted is listed by `detente runs` as incomplete; running the same
    scenario with the same --seed and --runs again completes it under the same run id.
    """
    from detente.ensemble.runner import check_runs
    from detente.scenario.loader import load_scenario
    from detente.store.duck import ResultStore
    from detente.store.run import run_and_store

    check_runs(runs)
    loaded = load_scenario(file)  # every refusal (bad file, bad backend) before the store is touched
    chosen = _backend(backend, scheduler, workers)
    store = ResultStore(resolve_store(out_db))

    def registered(run_id: str, resumed: bool) -> None:
        if resumed:
            err.print(f"completing the incomplete run [bold]{run_id}[/] (same scenario, seed and runs)")

    with progress_bar(loaded.name, runs, quiet=False) as advance:
        stored = run_and_store(loaded, runs, seed, store, backend=chosen, progress=advance, registered=registered)
    result, run_id, resumed = stored.result, stored.run_id, stored.resumed
    if json_out:
        emit_json({**result.to_json(), "run_id": run_id, "store": str(store.path), "resumed": resumed})
    else:
        out.print(summary_table(result))
        for extra in (ceasefire_table(result), events_table(result), terms_table(result)):
            if extra is not None and extra.row_count:
                out.print(extra)
        out.print(f"stored as [bold]{run_id}[/] in {store.path}")


def _backend(name: str, scheduler: str | None, workers: int | None) -> Any:
    """The backend of `--backend/--scheduler/--workers` (see `detente.ensemble.backends.make_backend`)."""
    from detente.ensemble.backends import make_backend

    return make_backend(name, scheduler, workers)


@app.command()
def validate(
    file: Path = typer.Argument(..., help="scenario YAML file"),
    sources: Path = typer.Option(None, "--sources", help="folder of source texts to check quoted passages against"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Check a scenario file: parameters without a source, placeholders, and sources dated after the start.

    Exits 0 for any schema-valid file; whether it uses anything published after its start is the `clean` verdict."""
    from detente.scenario.provenance import provenance_report

    report = provenance_report(file, sources)
    if json_out:
        emit_json(report)
        return
    out.print(f"[green]valid[/]: {report['scenario']} ({report['parameters']} parameters, "
              f"{len(report['unsourced'])} without a source, {len(report['placeholders'])} placeholders)")
    for title, key in (("without a source", "unsourced"), ("marked placeholder", "placeholders")):
        if report[key]:
            table = Table(title=f"parameters {title}")
            table.add_column("field")
            table.add_column("value", justify="right")
            table.add_column("line", justify="right")
            for item in report[key]:
                table.add_row(item["field"], _fmt(item["value"]), str(item["line"] or ""))
            out.print(table)
    verdict = "[green]clean[/]" if report["clean"] else "[red]not clean[/]"
    out.print(f"{verdict}: {len(report['sources_after_start'])} sources dated after the start "
              f"({report['start']}), {len(report['undated_sources'])} without a date"
              + (f"; {len(report['premises'])} seed premises of a what-if variant" if report["premises"] else ""))
    for title, key in (("dated after the start", "sources_after_start"), ("without a date", "undated_sources")):
        for item in report[key]:
            first = item["fields"][0]
            more = f" and {len(item['fields']) - 1} more" if len(item["fields"]) > 1 else ""
            out.print(f"  {title}: {item['source']} ({item['date'] or 'no date'}) — {first['field']} "
                      f"(line {first['line'] or '?'}){more}")
    if report.get("quotes") is not None:
        out.print(f"quoted passages checked against {sources}: {report['quotes']['found']} found")


@app.command()
def backtest(
    file: Path = typer.Argument(..., help="a scenario with a `backtest:` section of published figures"),
    runs: int = runs_option(2000),
    seed: int = seed_option(),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Run a historical scenario and compare the simulation with the published figures."""
    from detente.analysis.backtest import compare_with_published

    result = run_with_progress(file, runs, seed, quiet=json_out)
    rows = compare_with_published(result)
    if json_out:
        emit_json({**result.to_json(), "backtest": rows, "passed": all(r["passed"] for r in rows)})
        return
    table = Table(title=f"backtest {result.loaded.name}: {runs:,} runs, seed {seed}")
    for column in ("figure", "week", "published", "simulated median", "10–90% interval", "gap", "verdict"):
        table.add_column(column, justify="left" if column in ("figure", "verdict") else "right")
    for r in rows:
        table.add_row(r["metric"], str(r["week"]), _fmt(r["published"]), _fmt(r["p50"]),
                      f"{_fmt(r['p10'])} … {_fmt(r['p90'])}", f"{r['relative_gap']:+.0%}",
                      "[green]pass[/]" if r["passed"] else "[red]miss[/]")
    out.print(table)
    for r in rows:
        out.print(f"  {r['metric']}: {r['source']}")


@app.command()
def metrics(json_out: bool = typer.Option(False, "--json", help="print {\"metrics\": [{name, kind, unit, section, "
                                                                  "description}, ...]}")) -> None:
    """List every metric détente reports: name (families with <placeholders>), kind, unit, section, meaning."""
    from detente.ensemble import registry

    if json_out:
        emit_json({"metrics": registry.declared()})
        return
    table = Table(title="metrics (detente.ensemble.registry)")
    for column in ("metric", "kind", "unit", "section", "description"):
        table.add_column(column)
    for m in registry.METRICS:
        table.add_row(m.name, m.kind, m.unit, m.section, m.description)
    out.print(table)
