"""`detente bargain FILE`: run a bargaining model on a KTAB CSV/XML, a BDM actor table or a scenario's own table
(a .yaml scenario: its issues as dimensions, bargained one issue at a time), and show the outcome."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from detente.cli import app
from detente.bargaining.bargain_result import MODELS, BargainResult, run_bargain
from detente.bargaining.ktab_input import read_problem
from detente.bargaining.scenario_table import SCENARIO_SUFFIXES, ScenarioBargain, bargain_scenario
from detente.errors import InputError


@app.command()
def bargain(
    file: Path = typer.Argument(..., help="KTAB input: .csv (KTAB table or Actor,Capability,Position,Salience), "
                                          ".xml (validated against KTAB's smpSchema.xsd), or a scenario .yaml "
                                          "(its table's issues, positions, saliences and capabilities)."),
    model: str = typer.Option("smp", "--model", help="smp (KTAB spatial model, KTAB defaults), bdm (Bueno de "
                                                     "Mesquita per Scholz et al. 2011) or compromise "
                                                     "(capability x salience weighted mean and median)."),
    json_out: bool = typer.Option(False, "--json", help="Print the result as JSON on stdout, nothing else."),
    plot: Path | None = typer.Option(None, "--plot", help="Write a self-contained HTML chart of positions per "
                                                          "round."),
    max_rounds: int = typer.Option(100, "--max-rounds", min=1, help="Stop after this many rounds at most."),
) -> None:
    """Model peace talks as bargaining among actors, from KTAB's input formats."""
    if model not in MODELS:
        raise InputError.single(str(file), f"unknown model '{model}'", field="--model",
                                hint=f"choose one of: {', '.join(MODELS)}")
    if file.suffix.lower() in SCENARIO_SUFFIXES:
        bargain_table(file, model, json_out, plot, max_rounds)
        return
    problem = read_problem(file)
    result = run_bargain(problem, model, max_rounds=max_rounds)
    if plot is not None:
        write_plot(result, plot)
    if json_out:
        typer.echo(json.dumps(result.to_json()))
        return
    show_table(result, plot)


def bargain_table(file: Path, model: str, json_out: bool, plot: Path | None, max_rounds: int) -> None:
    """A scenario's table, issue by issue: JSON, or one row per actor with start and end on each issue."""
    if plot is not None:
        raise InputError.single(str(file), "--plot draws KTAB files only", field="--plot",
                                hint="drop --plot; a scenario's table prints one start/end pair per issue")
    found = bargain_scenario(file, model, max_rounds=max_rounds)
    if json_out:
        typer.echo(json.dumps(found.to_json()))
        return
    show_scenario_table(found)


def show_scenario_table(found: ScenarioBargain) -> None:
    """Issues by actors: start → end positions in each issue's own units ('—' where an actor sits it out)."""
    from rich.console import Console
    from rich.table import Table

    table = Table(title=f"{found.model.upper()} on {found.scenario}'s table, one issue at a time "
                        f"(up to {found.rounds} rounds)")
    table.add_column("Issue", no_wrap=True)
    for actor in found.actors:
        table.add_column(actor.replace("_", " "), justify="right")
    start, end = found.positions(0), found.positions(-1)
    for dim in found.dimensions:
        table.add_row(dim, *[f"{start[a][dim]:.2f}→{end[a][dim]:.2f}" if dim in end[a] else "—"
                             for a in found.actors])
    Console().print(table)


def show_table(result: BargainResult, plot: Path | None) -> None:
    """Readable summary: initial and final positions and win probabilities per actor."""
    from rich.console import Console
    from rich.table import Table

    pr = result.problem
    title = f"{result.model.upper()} — {pr.scenario or Path(pr.source).name}: {pr.n_actors} actors, " \
            f"{pr.n_dims} dimension(s), {result.rounds} round(s)"
    table = Table(title=title)
    table.add_column("Actor", no_wrap=True)
    table.add_column("Capability", justify="right")
    for dim in pr.dimensions:
        table.add_column(f"{dim} start", justify="right")
        table.add_column(f"{dim} end", justify="right")
    table.add_column("Win prob.", justify="right")
    first, last = result.positions[0], result.positions[-1]
    for i, name in enumerate(pr.actors):
        cells = [name, f"{pr.capability[i]:.4g}"]
        for k in range(pr.n_dims):
            cells += [f"{first[i, k]:.2f}", f"{last[i, k]:.2f}"]
        cells.append(f"{result.win_probabilities[-1, i]:.4f}")
        table.add_row(*cells)
    console = Console()
    console.print(table)
    for key in ("compromise", "weighted_mean", "weighted_median", "forecast"):
        if key in result.extras:
            values = ", ".join(f"{v:.2f}" for v in result.extras[key])
            console.print(f"{key.replace('_', ' ')}: {values}")
    if plot is not None:
        console.print(f"chart written to {plot}")


def write_plot(result: BargainResult, path: Path) -> None:
    """Positions per round, one panel per dimension, as a self-contained HTML file."""
    import plotly.graph_objects as go
    from plotly.subplots import make_subplots

    pr = result.problem
    fig = make_subplots(rows=pr.n_dims, cols=1, shared_xaxes=True, subplot_titles=list(pr.dimensions))
    rounds = list(range(result.rounds + 1))
    for k in range(pr.n_dims):
        for i, name in enumerate(pr.actors):
            fig.add_trace(go.Scatter(x=rounds, y=result.positions[:, i, k], mode="lines+markers", name=name,
                                     legendgroup=name, showlegend=(k == 0)), row=k + 1, col=1)
    fig.update_layout(title=f"{result.model.upper()} positions per round — {pr.scenario}",
                      height=max(400, 300 * pr.n_dims))
    fig.update_xaxes(title_text="round", row=pr.n_dims, col=1)
    try:
        fig.write_html(str(path), include_plotlyjs=True)
    except OSError as error:
        raise InputError.single(str(path), f"cannot write the chart: {error.strerror or error}",
                                field="--plot", hint="choose a writable path ending in .html") from None
