"""Where each number comes from: list parameters without a source, and check quoted passages.

Source texts stay outside the project; a scenario quotes only the short passage it encodes, and
`detente validate --sources DIR` checks each quote against the text in DIR. Texts are repaired with
ftfy first; seed texts that lost bytes when they were mis-decoded (a curly quote become a lone Thai
letter, é become two) cannot be repaired, so matching compares letters and digits only, which skips
exactly the characters such damage touches.
"""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path
from typing import Any

import ftfy

from detente.errors import InputError, Problem
from detente.scenario.loader import iter_params, load_scenario
from detente.scenario.schema import Param, SeedQuote


def repaired_text(path: Path) -> str:
    """A source text as its author wrote it, as far as ftfy can tell."""
    raw = path.read_bytes()
    text = raw.decode("utf-8", errors="replace")
    return ftfy.fix_text(text)


def skeleton(text: str) -> str:
    """Letters and digits only, lower-cased and without accents: what survives any mojibake."""
    decomposed = unicodedata.normalize("NFKD", text)
    return re.sub(r"[^a-z0-9]", "", decomposed.encode("ascii", "ignore").decode("ascii").lower())


def quote_in_text(quote: str, text: str) -> bool:
    """Whether `quote` appears in `text`, tolerant of broken encodings, quotes and whitespace."""
    needle = skeleton(ftfy.fix_text(quote))
    return bool(needle) and needle in skeleton(text)


def _all_sources(source: Any) -> list[Any]:
    if source is None:
        return []
    return list(source) if isinstance(source, list) else [source]


def seed_quotes(loaded: Any) -> list[tuple[tuple, SeedQuote]]:
    """Every seed quote a scenario cites, with its field path (parameters and any other `source`)."""
    found: list[tuple[tuple, SeedQuote]] = []

    def walk(node: Any, path: tuple) -> None:
        from pydantic import BaseModel

        if isinstance(node, SeedQuote):
            found.append((path, node))
        elif isinstance(node, BaseModel):
            for name in type(node).model_fields:
                walk(getattr(node, name), path + (name,))
        elif isinstance(node, dict):
            for key, value in node.items():
                walk(value, path + (key,))
        elif isinstance(node, (list, tuple)):
            for i, value in enumerate(node):
                walk(value, path + (i,))

    walk(loaded.scenario, ())
    return found


def check_quotes(loaded: Any, sources_dir: Path) -> dict[str, int]:
    """Raise InputError naming the scenario line of every quote not found in its source text."""
    problems: list[Problem] = []
    texts: dict[str, str] = {}
    quotes = seed_quotes(loaded)
    for path, quote in quotes:
        file, line = loaded.located.where(path)
        source_path = sources_dir / quote.seed
        if quote.seed not in texts:
            if not source_path.is_file():
                known = sorted(p.name for p in sources_dir.glob("*")) if sources_dir.is_dir() else []
                problems.append(Problem(file=file or str(loaded.path), line=line, field=".".join(map(str, path)),
                                        message=f"source text '{quote.seed}' is not in {sources_dir}",
                                        hint=f"source texts there: {', '.join(known) or 'none'}"))
                continue
            texts[quote.seed] = repaired_text(source_path)
        if not quote_in_text(quote.quote, texts[quote.seed]):
            problems.append(Problem(file=file or str(loaded.path), line=line, field=".".join(map(str, path)),
                                    message=f"quoted passage not found in {quote.seed}",
                                    hint="quote the source exactly (a short passage)", value=quote.quote[:80]))
    if problems:
        raise InputError(problems)
    return {"found": len(quotes)}


def inherited_source(scenario: Any, path: tuple) -> Any:
    """The `source` of the nearest object enclosing a parameter (an option's source covers its effects)."""
    from pydantic import BaseModel

    chain, node = [], scenario
    for part in path[:-1]:
        node = node.get(part) if isinstance(node, dict) else getattr(node, str(part), None)
        if node is None:
            break
        chain.append(node)
    for node in reversed(chain):
        if isinstance(node, BaseModel) and not isinstance(node, Param) and getattr(node, "source", None):
            return node.source
    return None


def provenance_report(file: Path, sources_dir: Path | None = None) -> dict[str, Any]:
    """Validate a scenario and list its parameters without a source and its placeholders."""
    loaded = load_scenario(file)
    unsourced, placeholders = [], []
    params = iter_params(loaded.scenario)
    params = [(path, param) for path, param in params if path in loaded.located.lines]  # defaults are neutral
    for path, param in params:
        _, line = loaded.located.where(path)
        item = {"field": ".".join(map(str, path)), "value": param.value, "line": line}
        if param.placeholder:
            placeholders.append({**item, "note": param.note})
        elif not param.source and not inherited_source(loaded.scenario, path):
            unsourced.append(item)
    report: dict[str, Any] = {"scenario": loaded.name, "file": str(loaded.path), "valid": True,
                              "hash": loaded.digest, "parameters": len(params), "unsourced": unsourced,
                              "placeholders": placeholders, "quotes": None}
    if sources_dir is not None:
        report["quotes"] = check_quotes(loaded, Path(sources_dir))
    return report
