"""Write docs/mechanisms/<module>.md from the mechanisms' own docstrings (equations and sources live in code).

Usage: python tools/build_docs.py   (rerun after changing a mechanism; the pages are committed)
"""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MODULES = [
    "detente.engine", "detente.dynamics.allocation", "detente.dynamics.attrition", "detente.dynamics.territory",
    "detente.dynamics.forces", "detente.dynamics.strikes", "detente.dynamics.backers", "detente.dynamics.occupation",
    "detente.world.geography", "detente.world.model", "detente.ensemble.streams", "detente.ensemble.summaries",
    "detente.ensemble.registry", "detente.store.duck", "detente.store.run",
]


def page(name: str) -> str:
    module = importlib.import_module(name)
    lines = [f"# `{name}`", "", inspect.getdoc(module) or "", ""]
    for fname, fn in inspect.getmembers(module, inspect.isfunction):
        if fn.__module__ == name and not fname.startswith("_"):
            lines += [f"## `{fname}{inspect.signature(fn)}`".replace("    ", " "), "", inspect.getdoc(fn) or "", ""]
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
