"""Commands to see results: serve (the dashboard), report (one HTML file), sensitivity (which assumptions matter)."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from detente.cli import app
from detente.cli.commands_war import BACKEND_HELP, SCHEDULER_HELP, WORKERS_HELP, emit_json
from detente.cli.options import RUN_ID_HELP, resolve_store, seed_option, store_option, workers_option

err = Console(stderr=True)
out = Console()


@app.command()
def serve(
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="port to listen on"),
    host: str = typer.Option("127.0.0.1", "--host", help="address to bind (default: this machine only)"),
    results: Path = store_option(),
    scenarios: Path = typer.Option(Path("scenarios"), "--scenarios", help="folder of scenario files to run from the page"),
) -> None:
    """Start the dashboard (map over time, fan charts, comparisons, runs) on a local address."""
    import uvicorn

    from detente.web.server import create_app

    if host not in ("127.0.0.1", "localhost", "::1"):
        err.print(f"[yellow]warning[/]: binding {host}: anyone who can reach this address can read the results "
                  "and start runs; there is no authentication")
    application = create_app(resolve_store(results), scenarios)
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"détente dashboard on http://{shown}:{port}/  (Ctrl-C to stop)")
    uvicorn.run(application, host=host, port=port, log_level="warning")


@app.command()
def report(
    legacy_store: Path = typer.Argument(None, help="results store; the older spelling of --store", show_default=False),
    run_id: str = typer.Option(..., "--run", help=RUN_ID_HELP),
    store: Path = store_option(),
    output: Path = typer.Option(Path("report.html"), "-o", "--output", help="HTML file to write"),
    weeks: str = typer.Option("0,26,52,104", "--weeks", help="weeks at which to draw the map, comma-separated"),
    sensitivity_id: str = typer.Option(None, "--sensitivity", help="a stored sensitivity analysis to include "
                                       "[default: the newest of this run's scenario, if any]"),
) -> None:
    """Write one self-contained HTML report of a stored run (opens offline)."""
    from detente.report.html import parse_weeks, write_report

    from detente.store.curate import resolve_run
    from detente.store.duck import ResultStore

    where = resolve_store(store or legacy_store)
    run_id = resolve_run(ResultStore(where, read_only=True), run_id)
    written = write_report(where, run_id, output, parse_weeks(weeks), sensitivity_id)
    typer.echo(f"wrote {written} ({written.stat().st_size / 1e6:.1f} MB)")


@app.command()
def sensitivity(
    scenario: Path = typer.Argument(..., help="scenario YAML file"),
    params: Path = typer.Option(..., "--params", help="YAML file of parameter ranges (parameters: {path: \\[lo, hi]})"),
    method: str = typer.Option("sobol", "--method", help="sobol or morris"),
    samples: int = typer.Option(None, "--samples", min=1, help="base samples N (Sobol: a power of two; default 256; "
                                "Morris: trajectories, default 20)"),
    replicates: int = typer.Option(1, "--replicates", min=1, help="runs per parameter sample, averaged"),
    seed: int = seed_option(),
    out_db: Path = store_option(),
    json_out: bool = typer.Option(False, "--json"),
    backend: str = typer.Option("local", "--backend", help=BACKEND_HELP),
    scheduler: str = typer.Option(None, "--scheduler", help=SCHEDULER_HELP),
    workers: int = workers_option(WORKERS_HELP),
) -> None:
    """Vary parameters over ranges and report first-order and total indices for each outcome metric."""
    from detente.analysis.sensitivity import noise_dominated, out_of_unit, ranking, run_sensitivity
    from detente.store.sensitivity import save_sensitivity

    columns = (TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(), TextColumn("runs"),
               TimeElapsedColumn())
    with Progress(*columns, console=err, disable=json_out) as bar:
        task = bar.add_task(f"{method} {scenario.name}", total=None)
        from detente.ensemble.backends import make_backend

        chosen = make_backend(backend, scheduler, workers)
        result = run_sensitivity(scenario, params, method, samples, replicates, seed,
                                 progress=lambda done, total: bar.update(task, completed=done, total=total),
                                 backend=chosen)
    analysis_id = save_sensitivity(resolve_store(out_db), result)
    if json_out:
        emit_json({**result.to_json(), "analysis_id": analysis_id})
        return
    flagged = {(f["metric"], f["parameter"], f["index"]) for f in out_of_unit(result.indices)}
    for metric, indices in result.indices.items():
        table = Table(title=f"{metric}: {method}, {result.runs:,} runs (± SALib's 95% interval)")
        heads = ("parameter", "S1", "ST") if method == "sobol" else ("parameter", "mu*", "sigma")
        for column in heads:
            table.add_column(column, justify="left" if column == "parameter" else "right")
        for name, _, _ in ranking(indices, method)[:10]:
            v = indices[name]
            if method == "sobol":
                cells = [f"{v[i]:.3g} ± {v[i + '_conf']:.2g}" + (" [red]![/]" if (metric, name, i) in flagged else "")
                         for i in ("S1", "ST")]
            else:
                cells = [f"{v['mu_star']:.3g} ± {v['mu_star_conf']:.2g}", f"{v['sigma']:.3g}"]
            table.add_row(name, *cells)
        out.print(table)
    if flagged:
        err.print(f"[red]![/] {len(flagged)} Sobol indices lie outside [0, 1] beyond their interval: the design is "
                  "too small or each sample too noisy for them; raise --samples or --replicates")
    noisy = noise_dominated(result.indices) if method == "sobol" else []
    if noisy:
        err.print(f"[yellow]![/] {len(noisy)} of {len(result.indices)} metrics have every parameter's total index "
                  f"above 0.5 ({', '.join(noisy[:3])}{', …' if len(noisy) > 3 else ''}): most of their variance "
                  f"is run-to-run noise, not a parameter's ({replicates} run(s) per sample); raise --replicates")
    out.print(f"{result.runs:,} runs in {result.wall_seconds:.1f} s; stored as [bold]{analysis_id}[/]")
