"""Write docs/mechanisms/<module>.md from the mechanisms' own docstrings (equations and sources live in code).

Usage: python tools/build_docs.py   (rerun after changing a mechanism; the pages are committed)
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

from detente.dynamics.mechanism import FromParameter

ROOT = Path(__file__).resolve().parents[1]
# The engine's modules, then every mechanism of `detente.dynamics.catalogue` (in the week's order), then the rest.
MODULES = [
    "detente.engine", "detente.kernel", "detente.dynamics.mechanism", "detente.dynamics.catalogue",
    *(m.__name__ for m in importlib.import_module("detente.dynamics.catalogue").MODULES),
    "detente.world.geography", "detente.world.model", "detente.ensemble.streams", "detente.ensemble.summaries",
    "detente.ensemble.registry", "detente.store.duck", "detente.store.run",
]


def _functions(module) -> list:  # noqa: ANN001
    """The module's own public functions, compiled ones (numba dispatchers) read through their Python source."""
    out = []
    for fname, value in inspect.getmembers(module):
        fn = getattr(value, "py_func", value)
        if inspect.isfunction(fn) and fn.__module__ == module.__name__ and not fname.startswith("_"):
            out.append((fname, fn, fn is not value))
    return out


def starting(value) -> str:  # noqa: ANN001
    """A week-0 value as the page shows it: a number, or the per-side parameter it is read from."""
    if isinstance(value, FromParameter):
        via = getattr(value.transform, "__name__", "")
        return f"{via}(`{value.key}`)" if via and via != "asarray" else f"`{value.key}`"
    return f"{value:g}"


def _declaration(module) -> list[str]:  # noqa: ANN001
    """A mechanism's declaration (`MECHANISM`) as a short table: what it reads, writes, is set by, reports."""
    m = getattr(module, "MECHANISM", None)
    if m is None:
        return []
    shaped = lambda d: ", ".join(f"`{k}` ({v})" for k, v in d.items()) or "—"  # noqa: E731
    listed = lambda xs: ", ".join(f"`{x}`" for x in xs) or "—"  # noqa: E731
    return ["## Declaration", "", f"{m.summary}.", "", "| | |", "|---|---|",
            f"| reads (state) | {shaped(m.reads)} |", f"| writes (state) | {shaped(m.writes)} |",
            f"| parameters (scenario) | {listed(m.params)} |", f"| reports (week) | {listed(m.reports)} |",
            f"| metrics (registry) | {listed(m.metrics)} |",
            *([f"| draws per run and week | {shaped(m.draws)} |"] if m.draws else []),
            *([f"| starts at (week 0) | {', '.join(f'`{k}` = {starting(v)}' for k, v in m.initial.items())} |"]
              if m.initial else []),
            *([f"| defines (schema) | {'; '.join(f'`{d.key}` ({d.kind}, default {d.default:g})' for d in m.defines)} |"]
              if m.defines else []), ""]


def page(name: str) -> str:
    module = importlib.import_module(name)
    lines = [f"# `{name}`", "", inspect.getdoc(module) or "", "", *_declaration(module)]
    for fname, fn, compiled in _functions(module):
        mark = " (compiled)" if compiled else ""
        lines += [f"## `{fname}{inspect.signature(fn)}`{mark}".replace("    ", " "), "", inspect.getdoc(fn) or "", ""]
    lines.append(f"_Generated from the source by tools/build_docs.py; source: `src/{name.replace('.', '/')}.py`._")
    return "\n".join(lines) + "\n"


def main() -> None:
    out = ROOT / "docs" / "mechanisms"
    out.mkdir(parents=True, exist_ok=True)
    index = ["# Mechanisms of the war engine", "",
             "One page per module, generated from the code's docstrings (equations and sources).", ""]
    for name in MODULES:
        target = out / f"{name.split('.')[-1]}.md"
        target.write_text(page(name))
        first = (inspect.getdoc(importlib.import_module(name)) or "").splitlines()[0]
        index.append(f"- [{name}]({target.name}): {first}")
    (out / "README.md").write_text("\n".join(index) + "\n")


if __name__ == "__main__":
    main()
