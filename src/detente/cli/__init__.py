"""The `detente` command line: thin commands over the library, errors as messages, `--json` everywhere."""

from __future__ import annotations

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
from detente.cli import commands_claims  # noqa: E402,F401


def main() -> None:
    """Run the CLI; a DetenteError becomes a message on stderr and exit status 2, never a traceback."""
    try:
        app(standalone_mode=False)
    except DetenteError as error:
        typer.echo(f"error: {error.render()}", err=True)
        sys.exit(2)
    except typer.Exit as done:
        sys.exit(done.exit_code)
    except typer.Abort:
        typer.echo("aborted", err=True)
        sys.exit(130)
    except KeyboardInterrupt:
        typer.echo("interrupted; results stored so far are intact", err=True)
        sys.exit(130)
    except Exception as click_error:  # click's usage errors (bad option values) arrive here
        from click.exceptions import ClickException

        if isinstance(click_error, ClickException):
            click_error.show()
            sys.exit(click_error.exit_code)
        raise
