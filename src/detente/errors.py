"""Domain exceptions: every mistake a user can make becomes one of these, never a traceback."""

from __future__ import annotations

from dataclasses import dataclass


class DetenteError(Exception):
    """Base of every error détente reports to a user as a message rather than a traceback."""

    def render(self) -> str:
        """Return the message as the CLI prints it."""
        return str(self)


@dataclass
class Problem:
    """One mistake found in an input file: where it is, what is wrong, and how to fix it."""

    file: str
    line: int | None
    field: str
    message: str
    hint: str = ""
    value: object = None

    def render(self) -> str:
        """Format as `file:line: field: message (hint)`."""
        where = f"{self.file}:{self.line}" if self.line else self.file
        text = f"{where}: field '{self.field}': {self.message}" if self.field else f"{where}: {self.message}"
        if self.value is not None and not isinstance(self.value, (dict, list)):
            text += f" (got {self.value!r})"
        if self.hint:
            text += f"\n    fix: {self.hint}"
        return text


class InputError(DetenteError):
    """An input file (scenario, KTAB table, parameter ranges) that cannot be used as it is."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(p.render() for p in problems))

    @classmethod
    def single(cls, file: str, message: str, *, line: int | None = None, field: str = "", hint: str = "",
               value: object = None) -> "InputError":
        """Build an error that holds one problem."""
        return cls([Problem(file=file, line=line, field=field, message=message, hint=hint, value=value)])


class StoreError(DetenteError):
    """The results store cannot be opened or written safely (locked, not DuckDB, read-only, full)."""


class RunRefused(DetenteError):
    """A run request that would fail or exhaust the machine (zero runs, too many for memory)."""
