"""Where each number comes from: list parameters without a source, check quoted passages, and date every source.

Dates: a reference or inline citation gives its publication day as `{cite, date}` (the month's last day where only
the month is known); a seed commentary's date (or the earliest it can have been written) is in
data/seed_dates.csv. `validation_payload` lists the sources dated after the scenario's start and those without a
date; a scenario is `clean` when both lists are empty (see `dated_sources` for how a variant's seed premises count).

Source texts stay outside the project; a scenario quotes only the short passage it encodes, and
`detente validate --sources DIR` checks each quote against the text in DIR. Texts are repaired with
ftfy first; seed texts that lost bytes when they were mis-decoded (a curly quote become a lone Thai
letter, é become two) cannot be repaired, so matching compares letters and digits only, which skips
exactly the characters such damage touches.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import os
import re
import unicodedata
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ftfy

from detente.errors import InputError, Problem
from detente.scenario.loader import iter_params, load_scenario
from detente.scenario.schema import Cited, Param, SeedQuote


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


def _walk(node: Any, path: tuple = (), cut: Callable[[str, Any], bool] = lambda name, value: False
          ) -> Iterator[tuple[tuple, Any, bool]]:
    """Every node of a scenario's tree, depth first, as (field path, node, cut): model fields, mapping entries and
    list items are entered, citations (`SeedQuote`, `Cited`) are leaves, and a model field for which
    `cut(name, value)` holds is yielded with cut=True and not entered."""
    from pydantic import BaseModel

    yield path, node, False
    if isinstance(node, (SeedQuote, Cited)):
        return
    if isinstance(node, BaseModel):
        for name in type(node).model_fields:
            value = getattr(node, name)
            if cut(name, value):
                yield path + (name,), value, True
            else:
                yield from _walk(value, path + (name,), cut)
    elif isinstance(node, dict):
        for key, value in node.items():
            yield from _walk(value, path + (key,), cut)
    elif isinstance(node, (list, tuple)):
        for i, value in enumerate(node):
            yield from _walk(value, path + (i,), cut)


def seed_quotes(loaded: Any) -> list[tuple[tuple, SeedQuote]]:
    """Every seed quote a scenario cites, with its field path (parameters and any other `source`)."""
    return [(path, node) for path, node, _ in _walk(loaded.scenario) if isinstance(node, SeedQuote)]


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
    """Validate a scenario and list its parameters without a source and its placeholders (see `validation_payload`)."""
    return validation_payload(load_scenario(file), sources_dir)


# --- dates: was each source known at the scenario's start? -------------------------------------------------------

DATA_DIR = Path(os.environ.get("DETENTE_DATA") or Path(__file__).resolve().parents[3] / "data")  # as the map's
SEED_DATES = DATA_DIR / "seed_dates.csv"


@dataclass(frozen=True)
class SeedDate:
    """When a seed commentary was written: on `date`, or (bound 'on_or_after') no earlier than it."""

    date: dt.date | None
    bound: str
    evidence: str


def seed_dates(path: Path = SEED_DATES) -> dict[str, SeedDate]:
    """The seed texts' dates, from data/seed_dates.csv (seed file, date, bound, evidence)."""
    if not path.is_file():
        return {}
    out = {}
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            day = dt.date.fromisoformat(row["date"]) if row["date"].strip() else None
            out[row["seed"].strip()] = SeedDate(day, row["bound"].strip(), row["evidence"].strip())
    return out


@dataclass(frozen=True)
class DatedSource:
    """One source as cited, resolved to its date."""

    label: str                 # the reference key, the inline text, or `seed FILE`
    text: str
    date: dt.date | None
    bound: str = "on"          # 'on', or 'on_or_after' (the date is only a lower bound: seeds)
    definitional: bool = False
    seed: bool = False

    def after(self, start: dt.date) -> bool:
        """Whether the source was (or may have been) published after `start`."""
        if self.definitional or self.date is None:
            return False
        return self.date > start or (self.bound == "on_or_after" and self.date >= start)


def reference_text(reference: Any) -> str:
    """A `references` entry (text, `{cite, date}` model or mapping) as readable text."""
    if isinstance(reference, Cited):
        return reference.cite + (f" ({reference.date})" if reference.date else "")
    if isinstance(reference, dict) and "cite" in reference:
        return str(reference["cite"]) + (f" ({reference['date']})" if reference.get("date") else "")
    return str(reference)


def source_text(source: Any, references: dict[str, Any]) -> str:
    """Any source (reference key, inline text, `{cite, date}`, seed quote; model or mapping) as readable text."""
    if isinstance(source, str):
        return f"{source} — {reference_text(references[source])}" if source in references else source
    if isinstance(source, SeedQuote) or (isinstance(source, dict) and "seed" in source):
        if isinstance(source, SeedQuote):
            seed, quote = source.seed, source.quote
        else:
            seed, quote = source["seed"], source["quote"]
        return f"{seed}: “{quote}”"
    return reference_text(source)


def resolve_source(source: Any, references: dict[str, Any], seeds: dict[str, SeedDate]) -> DatedSource:
    """A cited source with its date: a reference key takes its entry's date, a seed quote its text's date."""
    if isinstance(source, SeedQuote):
        known = seeds.get(source.seed)
        return DatedSource(label=f"seed {source.seed}", text=source.quote, date=known.date if known else None,
                           bound=known.bound if known else "on", seed=True)
    if isinstance(source, Cited):
        return DatedSource(label=source.cite[:60], text=source.cite, date=source.date,
                           definitional=source.definitional)
    if source in references:
        entry = references[source]
        if isinstance(entry, Cited):
            return DatedSource(label=source, text=entry.cite, date=entry.date, definitional=entry.definitional)
        return DatedSource(label=source, text=str(entry), date=None)
    return DatedSource(label=str(source)[:60], text=str(source), date=None)  # inline text: no date


def cited_sources(loaded: Any) -> list[tuple[tuple, Any]]:
    """Every `source` a scenario cites (parameters, options, targets, anything with a source), with its path."""
    found: list[tuple[tuple, Any]] = []
    for path, value, is_source in _walk(loaded.scenario, cut=lambda name, value: name == "source" and bool(value)):
        if is_source:
            found.extend((path[:-1], s) for s in (value if isinstance(value, list) else [value]))
    return found


def starts_with_parent(loaded: Any) -> bool:
    """Whether a variant keeps its parent's start (a what-if from the same day), rather than restating it."""
    if len(loaded.chain) < 2:
        return False
    file, _ = loaded.located.where(("start",))
    return file is not None and Path(file).resolve() != Path(loaded.chain[-1]).resolve()


def dated_sources(loaded: Any, seeds: dict[str, SeedDate] | None = None) -> dict[str, list[dict[str, Any]]]:
    """The scenario's sources dated after its start, those without a date, and the seeds' premises.

    A variant that starts where its parent does is a what-if from the same day: the seed commentary it cites
    states its premise (the argument it encodes), not what was known at the start, so its seed quotes are listed
    as `premises`, not as sources after the start. Everywhere else (a root scenario such as the baseline, or a
    scenario with its own start: a backtest or a forecast) a seed dated after the start is look-ahead like any other.
    """
    seeds = seed_dates() if seeds is None else seeds
    scenario = loaded.scenario
    start = scenario.start
    what_if = starts_with_parent(loaded)
    groups: dict[str, dict[str, dict[str, Any]]] = {"after": {}, "undated": {}, "premises": {}}
    for path, source in cited_sources(loaded):
        dated = resolve_source(source, scenario.references, seeds)
        if dated.definitional:
            continue
        if dated.seed and what_if:
            group = "premises"
        elif dated.date is None:
            group = "undated"
        elif dated.after(start):
            group = "after"
        else:
            continue
        key = f"{dated.label}|{dated.text}"
        entry = groups[group].setdefault(key, {"source": dated.label, "text": dated.text[:160],
                                               "date": dated.date.isoformat() if dated.date else None,
                                               "bound": dated.bound, "fields": []})
        file, line = loaded.located.where(path)
        entry["fields"].append({"field": ".".join(map(str, path)), "file": file, "line": line})
    return {name: list(group.values()) for name, group in groups.items()}


def restated_without_source(loaded: Any, params: list[tuple[tuple, Param]]) -> list[tuple[tuple, Param]]:
    """Parameters whose value a later file of the chain restated while their source comes from an earlier one
    (a variant writing `{value: …}` over a sourced parameter keeps the parent's citation for a new number)."""
    if len(loaded.chain) < 2:
        return []
    lines = loaded.located.lines
    out = []
    for path, param in params:
        value_at, source_at = lines.get(path + ("value",)), lines.get(path + ("source",))
        if param.source and value_at and source_at and value_at[0] != source_at[0]:
            out.append((path, param))
    return out


def posterior_entries(loaded: Any) -> list[dict[str, Any]]:
    """The posteriors a scenario draws its parameters from: [{name, fit_start, fit_end, samples}].

    Empty until the scenario language has `posterior:` (the calibration work adds it). A named posterior's figures
    are read from its manifest, data/posteriors/NAME/manifest.json, where one exists.
    """
    named = getattr(loaded.scenario, "posterior", None)
    if not named:
        return []
    entries = []
    for item in named if isinstance(named, (list, tuple)) else [named]:
        name = item if isinstance(item, str) else getattr(item, "name", str(item))
        manifest_path = DATA_DIR / "posteriors" / name / "manifest.json"
        manifest = json.loads(manifest_path.read_text()) if manifest_path.is_file() else {}
        window = manifest.get("fit_window") or [manifest.get("fit_start"), manifest.get("fit_end")]
        entries.append({"name": name, "fit_start": window[0], "fit_end": window[1],
                        "samples": manifest.get("samples")})
    return entries


CALIBRATED_SPREAD = 0.7  # a posterior at most this wide against its prior counts as calibrated (issue 14)


def _screening(loaded: Any) -> dict[str, Any]:
    """The stored Morris screening of a scenario (data/calibration/morris_<name>.json), or {}."""
    path = DATA_DIR / "calibration" / f"morris_{loaded.name}.json"
    return json.loads(path.read_text()) if path.is_file() else {}


def _posterior_spreads(loaded: Any) -> dict[str, float]:
    """Posterior-to-prior spread of every parameter the scenario draws from a posterior (manifest diagnostics)."""
    spread: dict[str, float] = {}
    for entry in posterior_entries(loaded):
        manifest_path = DATA_DIR / "posteriors" / entry["name"] / "manifest.json"
        if manifest_path.is_file():
            spread.update(json.loads(manifest_path.read_text()).get("diagnostics", {})
                          .get("posterior_to_prior_spread", {}))
    return spread


def driver_status(loaded: Any, name: str, spread: dict[str, float], params: dict[str, Param]) -> str:
    """`calibrated` (posterior at most 0.7× as wide as its prior), `sourced` (a cited value, not a placeholder)
    or `placeholder`."""
    param = params.get(name)
    if name in spread and spread[name] <= CALIBRATED_SPREAD:
        return "calibrated"
    if param is not None and param.sourced and (param.source or inherited_source(loaded.scenario,
                                                                                 tuple(name.split(".")))):
        return "sourced"
    return "placeholder"


def posterior_columns(loaded: Any) -> set[str]:
    """Every parameter a scenario draws from its posteriors per run: the columns of each samples.csv (fitted and
    derived ones, such as Russia's firepower)."""
    columns: set[str] = set()
    for entry in posterior_entries(loaded):
        samples = DATA_DIR / "posteriors" / entry["name"] / "samples.csv"
        if samples.is_file():
            with open(samples, newline="", encoding="utf-8") as handle:
                columns.update(next(csv.reader(handle), []))
    return columns


def distribution_of(name: str, drawn: set[str], params: dict[str, Param]) -> str | None:
    """The distribution a parameter declares: drawn from a `posterior` (`drawn`: its columns), a per-run `spread`
    or `between`, or a `prior` only (what a fit would start from; every run then takes the value written); None
    where it declares none."""
    param = params.get(name)
    if name in drawn:
        return "posterior"
    if param is not None and param.spread:
        return "spread"
    if param is not None and param.between:
        return "between"
    if param is not None and param.prior is not None:
        return "prior"
    return None


def top_drivers(loaded: Any, count: int = 10) -> list[dict[str, Any]]:
    """The ten largest drivers of area and Russian casualties by Morris screening (data/calibration/
    morris_<name>.json, written by tools/morris_drivers.py), each with its status (`driver_status`) and how it
    varies across runs (`distribution_of`). Empty where no screening is stored for the scenario."""
    ranking = _screening(loaded).get("ranking", [])[:count]
    spread, drawn = _posterior_spreads(loaded), posterior_columns(loaded)
    params = {".".join(map(str, p)): param for p, param in iter_params(loaded.scenario)}
    return [{"name": item["name"], "mu_star": item["mu_star"],
             "status": driver_status(loaded, item["name"], spread, params),
             "distribution": distribution_of(item["name"], drawn, params),
             **({"posterior_to_prior_spread": spread[item["name"]]} if item["name"] in spread else {})}
            for item in ranking]


def uncertain_without_distribution(loaded: Any) -> list[str]:
    """The screened engine parameters (every numeric parameter the Morris screening varies) that are uncertain,
    i.e. neither calibrated nor sourced, and still take one fixed value in every run (issue 14: every uncertain
    parameter has a distribution). In the screening's order of influence. Empty where no screening is stored."""
    screening = _screening(loaded)
    order = [item["name"] for item in screening.get("ranking", [])]
    order += [name for name in screening.get("ranges", {}) if name not in order]
    spread, drawn = _posterior_spreads(loaded), posterior_columns(loaded)
    params = {".".join(map(str, p)): param for p, param in iter_params(loaded.scenario)}
    return [name for name in order if driver_status(loaded, name, spread, params) == "placeholder"
            and distribution_of(name, drawn, params) is None]


def validation_payload(loaded: Any, sources_dir: Path | None = None) -> dict[str, Any]:
    """What `detente validate --json` reports for a schema-valid scenario; the verdict on look-ahead is `clean`.

    This is the hook other checks extend (e.g. the ten largest drivers, `top_drivers`, from the calibration work):
    add keys here, so the CLI, the server and tests read one payload.
    """
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
    for path, param in restated_without_source(loaded, params):
        if not param.placeholder:
            _, line = loaded.located.where(path + ("value",))
            unsourced.append({"field": ".".join(map(str, path)), "value": param.value, "line": line,
                              "note": "restated in a variant without a new source (the parent's citation is for "
                                      "another value)"})
    dated = dated_sources(loaded)
    report: dict[str, Any] = {"scenario": loaded.name, "file": str(loaded.path), "valid": True,
                              "hash": loaded.digest, "start": loaded.scenario.start.isoformat(),
                              "parameters": len(params), "unsourced": unsourced, "placeholders": placeholders,
                              "sources_after_start": dated["after"], "undated_sources": dated["undated"],
                              "premises": dated["premises"],
                              "clean": not dated["after"] and not dated["undated"],
                              "posteriors": posterior_entries(loaded), "quotes": None,
                              "top_drivers": top_drivers(loaded),
                              "uncertain_without_distribution": uncertain_without_distribution(loaded)}
    if sources_dir is not None:
        report["quotes"] = check_quotes(loaded, Path(sources_dir))
    return report
