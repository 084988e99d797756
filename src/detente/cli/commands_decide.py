"""Decision commands: compare variants, explain a decision, show a source text."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from detente.cli import app
from detente.cli.commands_war import (BACKEND_HELP, RUNS_HELP, SCHEDULER_HELP, SEED_HELP, WORKERS_HELP, _fmt,
                                      emit_json, out)
from detente.errors import DetenteError


@app.command()
def compare(
    files: list[Path] = typer.Argument(..., help="scenario files; the first is the reference"),
    runs: int = typer.Option(1000, "--runs", "-n", help=RUNS_HELP),
    seed: int = typer.Option(0, "--seed", "-s", help=SEED_HELP),
    json_out: bool = typer.Option(False, "--json", help="print one JSON object"),
    backend: str = typer.Option("local", "--backend", help=BACKEND_HELP),
    scheduler: str = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
    workers: int = typer.Option(None, "--workers", help=WORKERS_HELP),
) -> None:
    """Run variants on common random numbers; show each metric and its paired difference from the first."""
    from detente.analysis.compare import compare as run_compare
    from detente.ensemble.backends import make_backend
    from detente.ensemble.runner import check_runs

    check_runs(runs)
    chosen = make_backend(backend, scheduler, workers)
    result = run_compare([str(f) for f in files], runs=runs, seed=seed,
                         backend=chosen)
    payload = result.to_json()
    if json_out:
        emit_json(payload)
        return
    for variant in payload["variants"]:
        out.print(comparison_table(payload["baseline"], variant, runs, seed))


def comparison_table(base: dict, variant: dict, runs: int, seed: int) -> Table:
    """One variant against the reference: yes/no outcomes as the share of runs with the paired difference in
    percentage points and its 90% bootstrap interval; quantities as median (10–90%) and the paired difference."""
    from detente.ensemble import registry

    table = Table(title=f"{variant['scenario']} against {base['scenario']}: {runs:,} runs, seed {seed}")
    for column in ("metric", base["scenario"], variant["scenario"], "difference"):
        table.add_column(column, justify="left" if column == "metric" else "right")
    for metric in registry.order(list(variant["difference"])):
        d, declared = variant["difference"][metric], registry.find(metric)
        a, b = base["metrics"][metric], variant["metrics"][metric]
        if d["kind"] == "probability":
            if a["mean"] == 0 and b["mean"] == 0:
                continue  # never happens in either: nothing to compare
            lo, hi = d["difference_interval"]
            table.add_row(metric, f"{a['mean']:.1%}", f"{b['mean']:.1%}",
                          f"{100 * d['mean']:+.1f} pp (90%: {100 * lo:+.1f} … {100 * hi:+.1f})")
        elif declared is not None and declared.percent:
            if max(a["mean"], b["mean"]) < (declared.hide_within or 0.0):
                continue
            table.add_row(metric, f"{a['mean']:.1%}", f"{b['mean']:.1%}", f"{100 * d['mean']:+.1f} pp")
        else:
            if declared is not None and declared.is_family and declared.kind in ("quantity", "count") and \
                    max(abs(d["p10"]), abs(d["p90"])) < 1:
                continue  # a region, scope or backer the variant leaves as it was
            table.add_row(metric, f"{_fmt(a['p50'])} ({_fmt(a['p10'])} … {_fmt(a['p90'])})",
                          f"{_fmt(b['p50'])} ({_fmt(b['p10'])} … {_fmt(b['p90'])})",
                          f"{_fmt(d['p50'])} ({_fmt(d['p10'])} … {_fmt(d['p90'])})")
    return table


@app.command()
def explain(
    results: Path = typer.Argument(..., help="results DuckDB file"),
    run: int = typer.Option(..., "--run", help="run index within the ensemble (0-based)"),
    week: int = typer.Option(..., "--week", help="week of the run"),
    run_id: str = typer.Option(None, "--run-id", help="stored ensemble (default: the latest with decisions)"),
    actor: str = typer.Option(None, "--actor", help="only this actor"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Why each actor had the option it had in a week of a run: its choice, each option's value, its beliefs."""
    from detente.decisions.explain import explain_decision

    answer = explain_decision(results, run, week, run_id=run_id, actor=actor)
    if json_out:
        emit_json(answer)
        return
    out.print(f"[bold]{answer['scenario']}[/] ({answer['run_id']}), run {run}, week {week}")
    for row in answer["actors"]:
        since = f"chosen in week {row['decided_week']}" + (f", rule {row['rule']}" if row["rule"] >= 0 else "")
        change = f" (was {row['previous']})" if row["changed"] else " (unchanged)"
        out.print(f"\n[bold]{row['actor']}[/]: [green]{row['option']}[/]{change}, {since}")
        table = Table(show_header=True)
        table.add_column("option")
        table.add_column("value", justify="right")
        for name, value in row["option_values"].items():
            table.add_row(("→ " if name == row["option"] else "  ") + name, f"{value:.4g}")
        out.print(table)
        if row["beliefs"]:
            out.print("  beliefs: " + ", ".join(f"{k} = {v:.3f}" for k, v in row["beliefs"].items()))


sources_app = typer.Typer(help="Source texts that scenarios quote (kept outside the project).")
app.add_typer(sources_app, name="sources")


@sources_app.command("show")
def sources_show(
    file: Path = typer.Argument(..., help="a source text, e.g. /work/shared/seeds/002_8c4bb6579a762747.txt"),
) -> None:
    """Print a source text repaired of broken encodings (ftfy), as its quotes are matched."""
    from detente.scenario.provenance import repaired_text

    if not file.is_file():
        raise DetenteError(f"no source text at {file}")
    typer.echo(repaired_text(file))
