"""Load a scenario: follow `extends:`, apply overrides, validate, and check every cross-reference.

A variant names its parent with `extends: FILE` (relative to itself) and then either restates any part of
the tree (mappings are merged, other values replaced) or sets values by dotted path under `set:`
(`set: {forces.russia.manpower: 650000}`). Every error names the file and line that set the bad value.
"""

from __future__ import annotations

import copy
import datetime as dt
import difflib
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from types import UnionType
from typing import Annotated, Any, Union, get_args, get_origin

from pydantic import ValidationError

from detente.errors import InputError, Problem
from detente.scenario.schema import Param, Scenario
from detente.scenario.yaml_source import Located, Path_, load_yaml

MAX_EXTENDS_DEPTH = 16


@dataclass(frozen=True)
class LoadedScenario:
    """A validated scenario with where it came from: the files of its chain and a content hash."""

    scenario: Scenario
    path: Path
    chain: tuple[Path, ...]
    digest: str
    located: Located

    @property
    def name(self) -> str:
        """The scenario's own name."""
        return self.scenario.name


def _merge(base: Any, over: Any, base_lines: dict, over_lines: dict, path: Path_ = ()) -> Any:
    """Deep-merge mappings; anything else in `over` replaces `base` (and takes its line)."""
    if isinstance(base, dict) and isinstance(over, dict):
        out = dict(base)
        for key, value in over.items():
            out[key] = _merge(base.get(key), value, base_lines, over_lines, path + (key,)) if key in base else value
            if key not in base:
                _copy_lines(over_lines, base_lines, path + (key,))
        if path in over_lines:
            base_lines.setdefault(path, over_lines[path])
        return out
    _drop_lines(base_lines, path)
    _copy_lines(over_lines, base_lines, path)
    return copy.deepcopy(over)


def _copy_lines(source: dict, target: dict, prefix: Path_) -> None:
    n = len(prefix)
    for key, where in source.items():
        if key[:n] == prefix:
            target[key] = where


def _drop_lines(lines: dict, prefix: Path_) -> None:
    n = len(prefix)
    for key in [k for k in lines if k[:n] == prefix and len(k) > n]:
        del lines[key]


def _split_path(dotted: str) -> Path_:
    return tuple(int(p) if p.isdigit() else p for p in dotted.split("."))


def _apply_set(data: dict, lines: dict, overrides: Any, file: str, set_lines: dict) -> None:
    """Apply `set: {dotted.path: value}` overrides; the path must already exist in the parent."""
    if not isinstance(overrides, dict):
        where = set_lines.get(("set",), (file, None))
        raise InputError.single(file, "`set:` must map dotted paths to values", line=where[1], field="set")
    for dotted, value in overrides.items():
        path = _split_path(str(dotted))
        where = set_lines.get(("set", dotted), (file, None))
        node: Any = data
        for depth, part in enumerate(path[:-1]):
            if isinstance(node, dict) and part in node:
                node = node[part]
            elif isinstance(node, list) and isinstance(part, int) and part < len(node):
                node = node[part]
            else:
                known = sorted(node) if isinstance(node, dict) else []
                raise InputError.single(file, f"`set:` path '{dotted}' does not exist in the scenario it extends",
                                        line=where[1], field=f"set.{dotted}",
                                        hint=_suggest(str(part), known, ".".join(map(str, path[:depth]))))
        last = path[-1]
        if isinstance(node, dict) and isinstance(node.get(last), dict) and "value" in node[last] \
                and not isinstance(value, dict):
            # a new number keeps the parent's uncertainty and placeholder flag, never its citation or note: those
            # were for the parent's value, so the override is unsourced unless it names its own source
            node[last] = {**{k: v for k, v in node[last].items() if k not in ("source", "note")}, "value": value}
            lines[path + ("value",)] = where
        elif isinstance(node, dict):
            node[last] = value
        elif isinstance(node, list) and isinstance(last, int) and last < len(node):
            node[last] = value
        else:
            raise InputError.single(file, f"`set:` path '{dotted}' does not exist", line=where[1], field=f"set.{dotted}")
        _drop_lines(lines, path)
        lines[path] = where


def _suggest(word: str, choices: list[str], where: str = "") -> str:
    close = difflib.get_close_matches(word, choices, n=3, cutoff=0.5)
    place = f" under '{where}'" if where else ""
    if close:
        return f"did you mean {', '.join(repr(c) for c in close)}?"
    return f"valid names{place}: {', '.join(choices[:12])}{' …' if len(choices) > 12 else ''}" if choices else ""


def _resolve(path: Path, seen: tuple[Path, ...]) -> tuple[dict, dict, tuple[Path, ...]]:
    """Return the merged document, its line map, and the chain of files (root parent first)."""
    path = path.resolve()
    if path in seen:
        cycle = " -> ".join(p.name for p in (*seen, path))
        raise InputError.single(str(path), f"`extends:` forms a cycle: {cycle}", field="extends",
                                hint="a variant must extend a scenario that does not extend it back")
    if len(seen) >= MAX_EXTENDS_DEPTH:
        raise InputError.single(str(path), f"`extends:` chain is deeper than {MAX_EXTENDS_DEPTH}", field="extends")
    located = load_yaml(path)
    data, lines = located.data, located.lines
    parent_name = data.pop("extends", None)
    overrides = data.pop("set", None)
    if parent_name is None:
        if overrides is not None:
            raise InputError.single(str(path), "`set:` needs `extends:` (it overrides values of a parent scenario)",
                                    line=lines.get(("set",), (None, None))[1], field="set")
        return data, lines, (path,)
    if not isinstance(parent_name, str) or not parent_name.strip():
        raise InputError.single(str(path), "`extends:` must name a scenario file", line=lines[("extends",)][1],
                                field="extends", value=parent_name, hint="e.g. extends: baseline.yaml")
    parent_path = (path.parent / parent_name)
    if parent_path.resolve() in (*seen, path):
        cycle = " -> ".join(p.name for p in (*seen, path, parent_path.resolve()))
        raise InputError.single(str(path), f"`extends:` forms a cycle: {cycle}", line=lines[("extends",)][1],
                                field="extends", hint="a variant must extend a scenario that does not extend it back")
    if parent_path.is_dir():
        raise InputError.single(str(path), f"`extends:` names a folder, '{parent_name}'", line=lines[("extends",)][1],
                                field="extends", hint="name a scenario file, e.g. extends: baseline.yaml")
    if not parent_path.exists():
        siblings = sorted(p.name for p in path.parent.glob("*.yaml"))
        raise InputError.single(str(path), f"`extends:` names '{parent_name}', which does not exist",
                                line=lines[("extends",)][1], field="extends",
                                hint=_suggest(Path(parent_name).name, siblings) or "give a path relative to this file")
    base, base_lines, chain = _resolve(parent_path, (*seen, path))
    base.pop("variant_of", None)
    base.pop("claims", None)  # a variant's claims are its own argument, never inherited from its parent
    parent_doc_name = base.get("name")
    merged = _merge(base, data, base_lines, lines)
    if overrides is not None:
        _apply_set(merged, base_lines, overrides, str(path), lines)
    if parent_doc_name and "variant_of" not in data:
        merged["variant_of"] = parent_doc_name
    return merged, base_lines, (*chain, path)


def _problems_from_validation(error: ValidationError, located: Located, fallback_file: str) -> list[Problem]:
    problems = []
    for item in error.errors():
        loc = tuple(p for p in item["loc"] if not (isinstance(p, str) and p in {"function-after", "str", "SeedQuote", "Cited"}))
        loc = tuple(p for p in loc if not (isinstance(p, str) and (p.startswith("function-") or "[" in p)))
        file, line = located.where(loc)
        field_path = ".".join(str(p) for p in loc)
        message = item["msg"].removeprefix("Value error, ")
        hint = ""
        if item["type"] == "extra_forbidden":
            parent = _model_fields_at(loc[:-1])
            message = f"unknown field '{loc[-1]}'"
            hint = _suggest(str(loc[-1]), parent) if parent else "remove it"
        elif item["type"] == "missing":
            hint = f"add `{loc[-1]}:` here"
        elif "probability" in message:
            hint = "write it as a share, e.g. 0.35 for 35%"
        elif "zero or more" in message or "more than zero" in message:
            hint = "forces, rates and stocks cannot be negative"
        value = item.get("input") if item["type"] != "missing" else None
        problems.append(Problem(file=file or fallback_file, line=line, field=field_path, message=message,
                                hint=hint, value=value))
    return problems


def _model_fields_at(loc: Path_) -> list[str]:
    """Names of the fields a scenario allows at `loc` (for suggestions on a misspelt key)."""
    from pydantic import BaseModel

    current: Any = Scenario
    for part in loc:
        current = _unwrap(current)
        if isinstance(current, type) and issubclass(current, BaseModel):
            info = current.model_fields.get(str(part))
            if info is None:
                return []
            current = info.annotation
        elif get_origin(current) is dict:
            current = get_args(current)[1]
        elif get_origin(current) in (list, tuple):
            current = get_args(current)[0]
        else:
            return []
    current = _unwrap(current)
    if isinstance(current, type) and issubclass(current, BaseModel):
        return sorted(current.model_fields)
    return []


def _unwrap(annotation: Any) -> Any:
    """Strip Optional/Union/Annotated down to the model or container a value must be."""
    from pydantic import BaseModel

    while True:
        origin = get_origin(annotation)
        if origin is Annotated:
            annotation = get_args(annotation)[0]
        elif origin in (Union, UnionType):
            options = [a for a in get_args(annotation) if a is not type(None)]
            models = [a for a in options if isinstance(a, type) and issubclass(a, BaseModel)]
            containers = [a for a in options if get_origin(a) in (dict, list, tuple)]
            annotation = (models or containers or options)[0]
        else:
            return annotation


def scenario_digest(data: dict) -> str:
    """A stable content hash of the merged scenario (what was run, whatever files it came from), with the
    bytes of the posterior it draws from: a refit changes what runs, so it must change the hash (else a resumed
    run would join blocks drawn from two posteriors, and a stored result would pass for the new fit's)."""
    samples = _posterior_samples_sha(data.get("posterior"))
    if samples is not None:
        data = {**data, "posterior_samples_sha256": samples}
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:16]


def _posterior_samples_sha(name: object) -> str | None:
    """sha256 of data/posteriors/NAME/samples.csv; None where the scenario names none (or it is missing: the
    scenario's own check reports that)."""
    if not isinstance(name, str) or not name:
        return None
    from detente.calibration.posterior import posterior_dir

    try:
        return hashlib.sha256((posterior_dir(name) / "samples.csv").read_bytes()).hexdigest()
    except OSError:
        return None


def load_scenario(path: str | Path) -> LoadedScenario:
    """Load, merge and validate a scenario file; raise InputError listing every problem found."""
    path = Path(path)
    merged, lines, chain = _resolve(path, ())
    located = Located(merged, lines)
    try:
        scenario = Scenario.model_validate(merged)
    except ValidationError as error:
        raise InputError(_problems_from_validation(error, located, str(path))) from None
    problems = cross_reference_problems(scenario, located, str(path))
    if problems:
        raise InputError(problems)
    return LoadedScenario(scenario=scenario, path=path.resolve(), chain=chain, digest=scenario_digest(merged),
                          located=located)


def cross_reference_problems(scenario: Scenario, located: Located, file: str) -> list[Problem]:
    """Every region, actor and backer a scenario names must exist; suggest the closest valid names."""
    from detente.world.geography import load_geography

    geography = load_geography()
    region_ids = list(geography.ids)
    problems: list[Problem] = []

    def flag(loc: Path_, message: str, hint: str, value: object = None) -> None:
        f, line = located.where(loc)
        problems.append(Problem(file=f or file, line=line, field=".".join(map(str, loc)), message=message,
                                hint=hint, value=value))

    for region in scenario.regions:
        if region not in geography.ids:
            flag(("regions", region), f"unknown region '{region}'", _suggest(region, region_ids))
    for i, region in enumerate(scenario.combat.home_regions):
        if region not in geography.ids:
            flag(("combat", "home_regions", i), f"unknown region '{region}'", _suggest(region, region_ids))
    actors = list(scenario.actors)
    for backer_id, backer in scenario.backers.items():
        if backer.actor not in scenario.actors:
            flag(("backers", backer_id, "actor"), f"backer names unknown actor '{backer.actor}'",
                 _suggest(backer.actor, actors), backer.actor)
    sides = {a.side for a in scenario.actors.values() if a.role == "belligerent"}
    for side in ("russia", "ukraine"):
        if side not in sides:
            flag(("actors",), f"no belligerent actor with side '{side}'", f"add an actor with role: belligerent, side: {side}")
    for region, setup in scenario.regions.items():
        if region in geography.ids and setup.left_bank_share is not None:
            bank = geography.dnipro_bank[geography.index(region)]
            if bank != "split":
                flag(("regions", region, "left_bank_share"), f"'{region}' is not split by the Dnipro (bank: {bank})",
                     "remove left_bank_share; only regions the river runs through have one")
    from detente.decisions.checks import decision_problems  # the `decisions:` section's own checks
    problems += decision_problems(scenario, located, file)
    from detente.table.schema import table_problems  # the `table:` section's own checks
    problems += table_problems(scenario, located, file, region_ids)
    problems += input_problems(scenario, located, file, region_ids, can_compile=not problems)
    return problems


def input_problems(scenario: Scenario, located: Located, file: str, region_ids: list[str],
                   can_compile: bool = True) -> list[Problem]:
    """Dated inputs name levers the engine has and files that exist; a posterior exists and fits only
    parameters this scenario has (each error names the file, line and field)."""
    from detente.ensemble.schedule import lever_problem, read_monthly, repository_root

    problems: list[Problem] = []

    def flag(loc: Path_, message: str, hint: str = "", value: object = None) -> None:
        f, line = located.where(loc)
        problems.append(Problem(file=f or file, line=line, field=".".join(map(str, loc)), message=message,
                                hint=hint, value=value))

    for name, spec in scenario.inputs.items():
        why = lever_problem(name, scenario, region_ids)
        if why:
            flag(("inputs", name), why, "e.g. aid.united_states, line.ukraine, counterattack, control.kursk", name)
            continue
        for i, step in enumerate(spec.steps):
            if step.date >= scenario.start + dt.timedelta(weeks=scenario.horizon_weeks):
                flag(("inputs", name, "steps", i, "date"), f"step on {step.date} lies after the scenario's horizon",
                     "remove it or extend horizon_weeks", str(step.date))
        if spec.monthly is not None:
            path = repository_root() / spec.monthly.file
            if not path.exists():
                flag(("inputs", name, "monthly", "file"), f"no file '{spec.monthly.file}'",
                     "give a path relative to the repository root, e.g. data/record/aid_monthly.csv", spec.monthly.file)
            else:
                try:
                    read_monthly(path, spec.monthly.month_column, spec.monthly.column)
                except (InputError, ValueError) as error:
                    flag(("inputs", name, "monthly", "column"), f"cannot read '{spec.monthly.column}': {error}", "")
    if scenario.posterior and can_compile and not problems:
        from detente.calibration.posterior import read_posterior
        from detente.world.model import compile_model, model_key, path_of

        try:
            posterior = read_posterior(scenario.posterior)
        except InputError as error:
            flag(("posterior",), error.problems[0].message, error.problems[0].hint, scenario.posterior)
        else:
            bare = compile_model(scenario.model_copy(update={"posterior": None}))
            params = {".".join(map(str, p)): param for p, param in iter_params(scenario)}
            for column in posterior.names:
                try:
                    model_key(bare, path_of(column))
                except KeyError:
                    flag(("posterior",), f"posterior '{scenario.posterior}' fits '{column}', which the engine "
                         "does not read per run", "refit the posterior for this scenario", scenario.posterior)
                    continue
                prior = params.get(column).prior if column in params else None
                if prior is not None:
                    lo, hi = prior.between
                    values = posterior.column(column)
                    if values.min() < lo - 1e-9 * abs(lo) or values.max() > hi + 1e-9 * abs(hi):
                        flag(("posterior",), f"posterior '{scenario.posterior}' has values of '{column}' outside "
                             f"its prior's bounds [{lo}, {hi}]", "refit, or widen the prior with a reason")
    return problems


def iter_params(model: Any, path: Path_ = ()) -> list[tuple[Path_, Param]]:
    """Every Param in a scenario with its field path (for source listings and sensitivity ranges)."""
    from pydantic import BaseModel

    found: list[tuple[Path_, Param]] = []
    if isinstance(model, Param):
        return [(path, model)]
    if isinstance(model, BaseModel):
        for name in type(model).model_fields:
            found += iter_params(getattr(model, name), path + (name,))
    elif isinstance(model, dict):
        for key, value in model.items():
            found += iter_params(value, path + (key,))
    elif isinstance(model, (list, tuple)):
        for i, value in enumerate(model):
            found += iter_params(value, path + (i,))
    return found
