"""`detente runs`: list, show, label, delete and prune the runs in a results store.

Naming, the same in every command: a *run id* names a stored ensemble (`detente runs` lists them; a label
or an unambiguous prefix works wherever a run id is asked for); a *run index* names one run inside an
ensemble (0-based, `explain --index`).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from rich import box
from rich.table import Table

from detente.cli import app
from detente.cli.commands_war import emit_json, err, out
from detente.cli.options import resolve_store, store_option
from detente.cli.tables import metric_rows, metric_table

runs_app = typer.Typer(help="List, show, label, delete and prune stored runs.", no_args_is_help=False)
app.add_typer(runs_app, name="runs")

RUN_REF_HELP = "a run id from `detente runs` (or its label, or a prefix that names one run)"


def _store(path: Path | None, read_only: bool = True) -> Any:
    from detente.store.duck import ResultStore

    return ResultStore(resolve_store(path), read_only=read_only)


@runs_app.callback(invoke_without_command=True)
def runs_list(
    ctx: typer.Context,
    store_path: Path = store_option(),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """List the runs in a results store, newest first."""
    if ctx.invoked_subcommand is not None:
        ctx.obj = store_path
        return
    from detente.store.curate import labels
    from detente.store.location import BESIDE_NEWER_FILE, legacy_store_here, newer_format_store

    store = _store(store_path)
    listed = store.list_runs()
    named = labels(store)
    if json_out:
        emit_json({"runs": [{**r, "label": named.get(r["run_id"])} for r in listed], "store": str(store.path)})
        return
    out.print(runs_table(listed, named, str(store.path)))
    older = legacy_store_here()
    if older is not None:
        err.print(f"note: an older store is in {older}; `detente runs --store {older}` lists its runs")
    newer = newer_format_store()
    if newer is not None and store.path == newer.with_name(BESIDE_NEWER_FILE):
        err.print(f"note: earlier runs are in {newer}, written by DuckDB 2.x, which this version (DuckDB "
                  "1.5) cannot read; the file is kept as it was")


def runs_table(listed: list[dict[str, Any]], named: dict[str, str], where: str) -> Table:
    """The runs as a table that fits 80 columns: the id in full (wrapped, never cut) in the first column."""
    table = Table(title=f"{len(listed)} stored run(s) in {where}", box=box.SQUARE, title_justify="left",
                  expand=False)
    table.add_column("run id", overflow="fold", min_width=18, ratio=1)
    table.add_column("runs", justify="right", no_wrap=True)
    table.add_column("seed", justify="right", overflow="fold", max_width=12)
    table.add_column("status", no_wrap=True)
    table.add_column("created (UTC)", no_wrap=True)
    table.add_column("label", overflow="fold", max_width=14)
    for r in listed:
        created = str(r["created_at"] or "")[:16].replace("T", " ")
        table.add_row(r["run_id"], f"{r['runs']:,}", str(r["seed"]), r["status"], created,
                      named.get(r["run_id"], ""))
    return table


@runs_app.command("show")
def runs_show(
    ctx: typer.Context,
    run_ref: str = typer.Argument(..., help=RUN_REF_HELP),
    store_path: Path = store_option(),
    json_out: bool = typer.Option(False, "--json"),
) -> None:
    """Show one stored run: its manifest and metric summary."""
    from detente.store.curate import resolve_run

    store = _store(store_path or ctx.obj)
    run_id = resolve_run(store, run_ref)
    shown = store.get_run(run_id)
    if json_out:
        emit_json(shown)
        return
    out.print(f"[bold]{run_id}[/] ({shown['status']})")
    for key, value in shown["manifest"].items():
        out.print(f"  {key}: {value}")
    out.print(metric_table("metrics", metric_rows(shown["metrics"])))


@runs_app.command("label")
def runs_label(
    ctx: typer.Context,
    run_ref: str = typer.Argument(..., help=RUN_REF_HELP),
    label: str = typer.Argument(None, help="the label (then usable wherever a run id is asked for)"),
    clear: bool = typer.Option(False, "--clear", help="remove the run's label"),
    store_path: Path = store_option(),
) -> None:
    """Give a run a label, such as `baseline-final`; `--clear` removes it."""
    from detente.errors import DetenteError
    from detente.store.curate import resolve_run, set_label

    if not clear and not label:
        raise DetenteError("give a label, or --clear to remove the run's label")
    store = _store(store_path or ctx.obj, read_only=False)
    run_id = resolve_run(store, run_ref)
    set_label(store, run_id, None if clear else label)
    typer.echo(f"{run_id}: " + ("label removed" if clear else f"labelled '{label}'"))


@runs_app.command("delete")
def runs_delete(
    ctx: typer.Context,
    run_refs: list[str] = typer.Argument(..., help="run ids (or labels) to delete"),
    store_path: Path = store_option(),
) -> None:
    """Delete runs and every row that belongs to them."""
    from detente.store.curate import delete_runs, resolve_run

    store = _store(store_path or ctx.obj, read_only=False)
    run_ids = list(dict.fromkeys(resolve_run(store, ref) for ref in run_refs))
    removed = delete_runs(store, run_ids)
    typer.echo(f"deleted {len(run_ids)} run(s) ({removed:,} rows) from {store.path}")


@runs_app.command("prune")
def runs_prune(
    ctx: typer.Context,
    dry_run: bool = typer.Option(False, "--dry-run", help="list what would be deleted, delete nothing"),
    store_path: Path = store_option(),
) -> None:
    """Keep only the newest of identical reruns (same scenario, seed and runs); labelled runs are kept."""
    from detente.store.curate import delete_runs, identical_reruns

    store = _store(store_path or ctx.obj, read_only=dry_run)
    redundant = identical_reruns(store)
    for r in redundant:
        typer.echo(("would delete " if dry_run else "deleting ") + r["run_id"])
    if dry_run or not redundant:
        typer.echo(f"{len(redundant)} identical rerun(s)" + (" would be deleted" if dry_run else " to delete"))
        return
    delete_runs(store, [r["run_id"] for r in redundant])
    typer.echo(f"deleted {len(redundant)} identical rerun(s); the newest of each is kept")
