"""The `detente` command line: thin commands over the library, errors as messages, `--json` everywhere.

Every mistake ends as a short message on stderr, never a traceback: a usage mistake (a missing argument,
an unknown option or command, a value of the wrong type or range) is one line and a usage hint, exit 2;
a refusal by the library (`DetenteError`: an unknown run, a missing file, a bad scenario) its message,
exit 2. An unexpected failure prints one line saying what failed; DETENTE_TRACEBACK=1 shows the traceback.
"""

from __future__ import annotations

import os
import sys

import typer

from detente.errors import DetenteError

app = typer.Typer(
    name="detente",
    help="Model a war and its peace talks as one system; run it forward under uncertainty.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)

# Command modules register themselves on `app` when imported.
from detente.cli import commands_war  # noqa: E402,F401
from detente.cli import bargain  # noqa: E402,F401
from detente.cli import commands_decide  # noqa: E402,F401
from detente.cli import commands_see  # noqa: E402,F401
from detente.cli import commands_calibrate  # noqa: E402,F401
from detente.cli import commands_runs  # noqa: E402,F401
from detente.cli import commands_export  # noqa: E402,F401
from detente.cli import commands_score  # noqa: E402,F401
from detente.cli import commands_claims  # noqa: E402,F401

USAGE_EXIT = 2


def _usage_error_classes() -> tuple[type[BaseException], ...]:
    """Click's usage and parameter errors: typer's vendored click, and click itself where installed."""
    from typer._click import exceptions as vendored

    classes: list[type[BaseException]] = [vendored.ClickException]
    try:
        import click

        classes.append(click.ClickException)
    except ImportError:  # pragma: no cover - click is optional beside typer's own copy
        pass
    return tuple(classes)


def usage_message(error: BaseException) -> str:
    """One line saying what was wrong, and one saying where the usage is (click's own text, shortened)."""
    message = error.format_message() if hasattr(error, "format_message") else str(error)
    message = " ".join(message.split())
    ctx = getattr(error, "ctx", None)
    if ctx is None:
        return f"error: {message}"
    command = ctx.command_path.replace("python -m detente.cli", "detente") or "detente"
    return f"error: {message}\n  usage: {command} --help"


def main(argv: list[str] | None = None) -> None:
    """Run the CLI; every mistake becomes a short message on stderr and a non-zero exit, never a traceback."""
    usage_errors = _usage_error_classes()
    try:
        code = app(args=argv, prog_name="detente", standalone_mode=False)
    except DetenteError as error:
        typer.echo(f"error: {error.render()}", err=True)
        sys.exit(USAGE_EXIT)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("interrupted; results stored so far are intact", err=True)
        sys.exit(130)
    except usage_errors as error:
        if type(error).__name__ == "NoArgsIsHelpError" and getattr(error, "ctx", None) is not None:
            typer.echo(error.ctx.get_help(), err=True)  # `detente` alone: the help, as a usage error
            sys.exit(USAGE_EXIT)
        typer.echo(usage_message(error), err=True)
        sys.exit(getattr(error, "exit_code", USAGE_EXIT) or USAGE_EXIT)
    except Exception as error:  # noqa: BLE001 - the last resort: one line, never a library's traceback
        if os.environ.get("DETENTE_TRACEBACK") == "1":
            raise
        typer.echo(f"error: {_unexpected(error)}\n  (set DETENTE_TRACEBACK=1 to see where it failed)", err=True)
        sys.exit(1)
    if isinstance(code, int) and code:
        sys.exit(code)


def _unexpected(error: BaseException) -> str:
    """An unexpected failure in one line, without a database's or library's internal wording."""
    try:
        import duckdb

        if isinstance(error, duckdb.Error):
            return "the results store could not do what was asked (a database error); nothing was changed"
    except ImportError:  # pragma: no cover
        pass
    first = (str(error).splitlines() or [""])[0][:200]
    return f"{type(error).__name__}: {first}" if first else type(error).__name__
