"""Decision commands: compare variants, explain a decision, show a source text."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from detente.cli import app
from detente.cli.commands_war import BACKEND_HELP, SCHEDULER_HELP, WORKERS_HELP, _fmt, emit_json, out
from detente.cli.options import INDEX_HELP, RUN_ID_HELP, resolve_store, runs_option, store_option, seed_option, workers_option
from detente.errors import DetenteError


@app.command()
def compare(
    files: list[Path] = typer.Argument(..., help="scenario files; the first is the reference"),
    runs: int = runs_option(1000),
    seed: int = seed_option(),
    json_out: bool = typer.Option(False, "--json", help="print one JSON object"),
    backend: str = typer.Option("local", "--backend", help=BACKEND_HELP),
    scheduler: str = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
    workers: int = workers_option(WORKERS_HELP),
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
    legacy_store: Path = typer.Argument(None, help="results store; the older spelling of --store", show_default=False),
    index: int = typer.Option(..., "--index", "-i", min=0, help=INDEX_HELP),
    week: int = typer.Option(..., "--week", min=0, help="week of the run"),
    run_id: str = typer.Option(None, "--run", "--run-id", help=RUN_ID_HELP + " [default: the latest with decisions]"),
    store: Path = store_option(),
    actor: str = typer.Option(None, "--actor", help="only this actor"),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Why each actor had the option it had in a week of one run of an ensemble: its choice, each option's value.

    `--run` names the stored ensemble (a run id, as everywhere); `--index` the run within it (0-based).
    """
    from detente.decisions.explain import explain_decision

    from detente.store.curate import resolve_run
    from detente.store.duck import ResultStore

    results = resolve_store(store or legacy_store)
    try:
        if run_id is not None:
            run_id = resolve_run(ResultStore(results, read_only=True), run_id)
        answer = explain_decision(results, index, week, run_id=run_id, actor=actor)
    except DetenteError as error:
        if run_id is not None and run_id.isdigit() and "no run" in str(error):
            raise DetenteError(f"{error}; --run takes a run id (a stored ensemble), --index the run within it "
                               f"(e.g. --index {run_id})") from None
        raise
    if json_out:
        emit_json(answer)
        return
    out.print(f"[bold]{answer['scenario']}[/] ({answer['run_id']}), run index {index}, week {week}")
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


sources_app = typer.Typer(help="Source texts that scenarios quote (kept outside the repository; see docs/seeds.md).")
app.add_typer(sources_app, name="sources")


@sources_app.command("show")
def sources_show(
    file: Path = typer.Argument(..., help="a source text, e.g. SEEDS/002_8c4bb6579a762747.txt (see docs/seeds.md)"),
) -> None:
    """Print a source text repaired of broken encodings (ftfy), as its quotes are matched."""
    from detente.scenario.provenance import repaired_text

    if not file.is_file():
        raise DetenteError(f"no source text at {file}")
    typer.echo(repaired_text(file))
