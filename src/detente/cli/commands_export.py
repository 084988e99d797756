"""`detente export RUN -o DIR`: a stored run's tables as Parquet or CSV files (see store/export.py)."""

from __future__ import annotations

from pathlib import Path

import typer

from detente.cli import app
from detente.cli.commands_war import emit_json
from detente.cli.options import RUN_ID_HELP, resolve_store, store_option


@app.command()
def export(
    run_ref: str = typer.Argument(..., help=RUN_ID_HELP + " (or its label)"),
    output: Path = typer.Option(..., "-o", "--output", help="folder to write the files into (created if needed)"),
    fmt: str = typer.Option("parquet", "--format", "-f", help="parquet or csv"),
    store_path: Path = store_option(),
    json_out: bool = typer.Option(False, "--json", help="print {run_id, format, files: [{file, bytes}]}"),
) -> None:
    """Write a stored run's tables (metrics per run, weekly quantiles, the map, agreements, decisions) and
    its manifest as files that pandas, R, DuckDB or a spreadsheet read."""
    from detente.store.curate import resolve_run
    from detente.store.duck import ResultStore
    from detente.store.export import FORMATS, describe_export, export_run
    from detente.errors import DetenteError

    if fmt not in FORMATS:
        raise DetenteError(f"unknown --format '{fmt}'; choose one of: {', '.join(FORMATS)}")
    store = ResultStore(resolve_store(store_path), read_only=True)
    run_id = resolve_run(store, run_ref)
    written = export_run(store, run_id, output, fmt)
    if json_out:
        emit_json({"run_id": run_id, "format": fmt, "files": describe_export(written)})
        return
    total = sum(p.stat().st_size for p in written)
    typer.echo(f"wrote {len(written)} files ({total / 1e6:.1f} MB) of {run_id} to {output}/")
    for path in written:
        typer.echo(f"  {path.name}")
