"""`detente claims`: judge each seed variant's premises and conclusion against its parent."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.table import Table

from detente.cli import app
from detente.cli.commands_war import BACKEND_HELP, _fmt, emit_json, err, out
from detente.cli.options import runs_option, seed_option

MARK = {"holds": "[green]holds[/]", "broken": "[red]broken[/]", "supported": "[green]supported[/]",
        "contradicted": "[red]contradicted[/]", "inconclusive": "[yellow]inconclusive[/]"}


@app.command()
def claims(
    paths: list[Path] = typer.Argument(None, help="scenario files or folders (default: scenarios/); files "
                                                  "without `claims:` are skipped"),
    runs: int = runs_option(1000),
    seed: int = seed_option(),
    json_out: bool = typer.Option(False, "--json", help="print {\"claims\": [{scenario, claim, kind, metric, "
                                                        "direction, difference: {mean, p05, p95}, verdict, "
                                                        "decided_by}]}"),
    no_screen: bool = typer.Option(False, "--no-screen", help="skip the sensitivity screen of conclusions "
                                                              "that are not supported"),
    backend: str = typer.Option("local", "--backend", help=BACKEND_HELP),
) -> None:
    """Judge seed variants' claims on common random numbers: premises hold or break, conclusions are
    supported, contradicted or inconclusive (with the assumptions that decide them)."""
    from detente.analysis.claims import judge_claims
    from detente.ensemble.backends import make_backend
    from detente.ensemble.runner import check_runs

    check_runs(runs)
    chosen = make_backend(backend, None, None)
    report = judge_claims([str(p) for p in (paths or [Path("scenarios")])], runs=runs, seed=seed,
                          decide=not no_screen, backend=chosen,
                          progress=None if json_out else (lambda what: err.print(f"running {what}")))
    if json_out:
        emit_json(report.to_json())
        return
    table = Table(title=f"Claims on {runs:,} runs, seed {seed} ({report.seconds:.0f} s): mean difference from "
                        "the parent, 90% interval of the mean")
    for column in ("scenario", "claim", "metric", "difference", "verdict"):
        table.add_column(column, justify="right" if column == "difference" else "left")
    for v in report.verdicts:
        decided = ""
        if v.decided_by:
            top = v.decided_by[0]["parameter"]
            decided = f"\n[dim]decided by {top}[/]"
        table.add_row(v.scenario.removeprefix("seed"), f"{'P' if v.kind == 'premise' else 'C'}: {v.claim}",
                      v.metric, f"{_fmt(v.mean)} [{_fmt(v.p05)}, {_fmt(v.p95)}]", MARK[v.verdict] + decided)
    out.print(table)
    if report.skipped:
        err.print(f"without claims, skipped: {', '.join(report.skipped)}")
