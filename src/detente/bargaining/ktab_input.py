"""Readers for bargaining inputs: KTAB's CSV and XML formats, and the simple actor table of BDM studies.

Every reader returns one `BargainingProblem` with positions and saliences on 0–1, so the models never see
file formats; every mistake in a file becomes an `InputError` naming the file, the line and the field.

KTAB CSV (examples/smp/doc of KTAB, MIT licence):
    row 1  scenarioName, description, nActors, nDims
    row 2  Actor, Description, Power, Pstn1, Sal1, Pstn2, Sal2, ...
    then one row per actor; positions and saliences on 0–100; an actor's saliences sum to at most 100.
KTAB XML: validated against KTAB's `smpSchema.xsd` (a copy lives in data/ktab/).
Actor table (the BDM examples): header `Actor, Capability, Position, Salience`; positions on any scale,
salience as a fraction (or on 0–100).
"""

from __future__ import annotations

import csv
import math
from dataclasses import dataclass, field
from pathlib import Path
from types import MappingProxyType
from typing import Mapping

import numpy as np

from detente.errors import InputError

KTAB_SCALE = (0.0, 100.0)
_SALIENCE_TOLERANCE = 1e-6  # on the 0–100 scale: forgives round-off in sums such as 33.33 + 33.33 + 33.34


@dataclass(frozen=True, eq=False)
class BargainingProblem:
    """Actors with capability, ideal positions and saliences on one or more policy dimensions.

    `positions` and `salience` are (actors, dimensions) arrays on 0–1; `scale` maps 0–1 back to the input's
    units (KTAB: 0–100). `accommodation` is KTAB's ideal-adjustment matrix (None: identity, ideals follow
    positions); `model_parameters` holds the XML's <ModelParameters>, recorded but not applied.
    """

    actors: tuple[str, ...]
    descriptions: tuple[str, ...]
    capability: np.ndarray
    positions: np.ndarray
    salience: np.ndarray
    dimensions: tuple[str, ...]
    scenario: str = ""
    description: str = ""
    scale: tuple[float, float] = KTAB_SCALE
    source: str = ""
    accommodation: np.ndarray | None = None
    model_parameters: Mapping[str, str] = field(default_factory=lambda: MappingProxyType({}))
    prng_seed: str | None = None

    @property
    def n_actors(self) -> int:
        """Number of actors."""
        return len(self.actors)

    @property
    def n_dims(self) -> int:
        """Number of policy dimensions."""
        return len(self.dimensions)

    def to_scale(self, unit: np.ndarray) -> np.ndarray:
        """Map positions on 0–1 to the input's own units."""
        lo, hi = self.scale
        return lo + np.asarray(unit, dtype=float) * (hi - lo)

    @classmethod
    def from_arrays(cls, capability, positions, salience, *, actors=None, dimensions=None,
                    scale: tuple[float, float] = KTAB_SCALE, scenario: str = "") -> "BargainingProblem":
        """Build a problem from arrays in the input's units (positions on `scale`, salience on 0–1)."""
        cap = np.asarray(capability, dtype=float).reshape(-1)
        pos = np.asarray(positions, dtype=float)
        sal = np.asarray(salience, dtype=float)
        if pos.ndim == 1:
            pos = pos[:, None]
        if sal.ndim == 1:
            sal = sal[:, None]
        n, d = pos.shape
        lo, hi = scale
        names = tuple(actors) if actors is not None else tuple(f"A{i}" for i in range(n))
        dims = tuple(dimensions) if dimensions is not None else tuple(f"Dim{k}" for k in range(d))
        return cls(actors=names, descriptions=("",) * n, capability=cap, positions=(pos - lo) / (hi - lo),
                   salience=sal, dimensions=dims, scenario=scenario, scale=(float(lo), float(hi)))


def read_problem(path: str | Path) -> BargainingProblem:
    """Read a KTAB CSV, KTAB XML or BDM actor table, choosing the reader by extension and first cell."""
    path = Path(path)
    name = str(path)
    if not path.is_file():
        raise InputError.single(name, "file not found", hint="give the path of a KTAB .csv or .xml file")
    suffix = path.suffix.lower()
    if suffix == ".xml":
        return read_ktab_xml(path)
    if suffix != ".csv":
        raise InputError.single(name, f"unsupported file type '{path.suffix}'", hint="use a .csv or .xml file")
    rows = _csv_rows(path)
    if rows and rows[0][1] and rows[0][1][0].strip().lower() in ("actor", "name"):
        return read_actor_table(path, rows)
    return read_ktab_csv(path, rows)


def _csv_rows(path: Path) -> list[tuple[int, list[str]]]:
    """Return (line number, stripped cells without trailing empties) for every non-blank row."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError:
        text = path.read_text(encoding="latin-1")
    rows = []
    reader = csv.reader(text.splitlines(), skipinitialspace=True)
    for cells in reader:
        line = reader.line_num
        cells = [c.strip() for c in cells]
        while cells and cells[-1] == "":
            cells.pop()
        if cells:
            rows.append((line, cells))
    return rows


def _number(file: str, line: int, field_name: str, text: str) -> float:
    """Parse one numeric cell, or say which cell is not a number."""
    try:
        value = float(text)
    except ValueError:
        raise InputError.single(file, "not a number", line=line, field=field_name, value=text,
                                hint="write a plain decimal number such as 42.5") from None
    if not math.isfinite(value):
        raise InputError.single(file, "must be a finite number", line=line, field=field_name, value=text)
    return value


def _integer(file: str, line: int, field_name: str, text: str) -> int:
    """Parse a count such as the number of actors."""
    value = _number(file, line, field_name, text)
    if value != int(value) or value < 1:
        raise InputError.single(file, "must be a positive whole number", line=line, field=field_name, value=text)
    return int(value)


def _check_actor(file: str, line: int | None, actor: str, cap: float, pos: list[float], sal: list[float]) -> None:
    """Apply KTAB's checks to one actor (0–100 scale): positive capability, bounded positions and saliences."""
    if cap <= 0:
        raise InputError.single(file, f"capability of {actor} must be positive", line=line, field="Power",
                                value=cap, hint="give every actor a capability above 0")
    for k, (p, s) in enumerate(zip(pos, sal)):
        if not 0.0 <= p <= 100.0:
            raise InputError.single(file, f"position of {actor} on dimension {k + 1} outside 0–100", line=line,
                                    field=f"Pstn{k + 1}", value=p)
        if not 0.0 <= s <= 100.0:
            raise InputError.single(file, f"salience of {actor} on dimension {k + 1} outside 0–100", line=line,
                                    field=f"Sal{k + 1}", value=s)
    total = sum(sal)
    if total > 100.0 + _SALIENCE_TOLERANCE:
        raise InputError.single(file, f"saliences of {actor} sum to {total:g}, above 100", line=line,
                                field="Sal", value=total, hint="an actor's saliences must sum to at most 100")
    if total <= 0.0:
        raise InputError.single(file, f"saliences of {actor} sum to 0", line=line, field="Sal",
                                hint="every actor must care about at least one dimension")


def read_ktab_csv(path: str | Path, rows: list[tuple[int, list[str]]] | None = None) -> BargainingProblem:
    """Read KTAB's CSV format (see the module docstring)."""
    path = Path(path)
    file = str(path)
    rows = _csv_rows(path) if rows is None else rows
    if len(rows) < 2:
        raise InputError.single(file, "too short for a KTAB table", line=1,
                                hint="row 1: scenario, description, nActors, nDims; row 2: header; then actors")
    line, head = rows[0]
    if len(head) < 4:
        raise InputError.single(file, f"wrong number of columns in row 1: {len(head)}, expected 4", line=line,
                                hint="row 1 is: scenarioName, description, nActors, nDims")
    n_act = _integer(file, line, "nActors", head[2])
    n_dim = _integer(file, line, "nDims", head[3])
    width = 3 + 2 * n_dim
    line, header = rows[1]
    if len(header) != width:
        raise InputError.single(file, f"wrong number of columns in the header: {len(header)}, expected {width} "
                                f"for {n_dim} dimension(s)", line=line,
                                hint="header: Actor, Description, Power, then Position, Salience per dimension")
    dims = tuple(header[3 + 2 * k] for k in range(n_dim))
    body = rows[2:]
    if len(body) != n_act:
        last = body[-1][0] if body else line
        raise InputError.single(file, f"{len(body)} actor rows, but row 1 announces {n_act}", line=last,
                                field="nActors", hint="make nActors in row 1 equal the number of actor rows")
    names, descs, caps, poss, sals = [], [], [], [], []
    for line, cells in body:
        if len(cells) != width:
            raise InputError.single(file, f"wrong number of columns: {len(cells)}, expected {width}", line=line,
                                    hint="each actor row: name, description, power, then position, salience "
                                         "per dimension")
        cap = _number(file, line, header[2] or "Power", cells[2])
        pos = [_number(file, line, header[3 + 2 * k], cells[3 + 2 * k]) for k in range(n_dim)]
        sal = [_number(file, line, header[4 + 2 * k], cells[4 + 2 * k]) for k in range(n_dim)]
        if not cells[0]:
            raise InputError.single(file, "actor name is empty", line=line, field="Actor")
        _check_actor(file, line, cells[0], cap, pos, sal)
        names.append(cells[0])
        descs.append(cells[1])
        caps.append(cap)
        poss.append(pos)
        sals.append(sal)
    _check_unique(file, names)
    return BargainingProblem(actors=tuple(names), descriptions=tuple(descs), capability=np.array(caps),
                             positions=np.array(poss) / 100.0, salience=np.array(sals) / 100.0,
                             dimensions=dims, scenario=head[0], description=head[1], source=file)


def _check_unique(file: str, names: list[str]) -> None:
    """Actor names identify rows in results, so they must be unique."""
    seen: set[str] = set()
    for name in names:
        if name in seen:
            raise InputError.single(file, f"actor '{name}' appears twice", field="Actor",
                                    hint="give every actor a distinct name")
        seen.add(name)


def read_actor_table(path: str | Path, rows: list[tuple[int, list[str]]] | None = None) -> BargainingProblem:
    """Read the one-issue actor table of the BDM examples: Actor, Capability, Position, Salience."""
    path = Path(path)
    file = str(path)
    rows = _csv_rows(path) if rows is None else rows
    line, header = rows[0]
    lower = [h.lower() for h in header]

    def column(*names: str) -> int:
        for n in names:
            if n in lower:
                return lower.index(n)
        raise InputError.single(file, f"missing column '{names[0]}'", line=line, field=names[0],
                                hint="header: Actor, Capability, Position, Salience")

    ia, ic, ip = column("actor", "name"), column("capability", "power", "influence"), column("position")
    isal = column("salience")
    names, caps, pos, sal = [], [], [], []
    for line, cells in rows[1:]:
        if len(cells) != len(header):
            raise InputError.single(file, f"wrong number of columns: {len(cells)}, expected {len(header)}",
                                    line=line)
        names.append(cells[ia])
        caps.append(_number(file, line, header[ic], cells[ic]))
        pos.append(_number(file, line, header[ip], cells[ip]))
        sal.append(_number(file, line, header[isal], cells[isal]))
        if caps[-1] <= 0:
            raise InputError.single(file, "capability must be positive", line=line, field=header[ic], value=caps[-1])
        if sal[-1] < 0:
            raise InputError.single(file, "salience must not be negative", line=line, field=header[isal],
                                    value=sal[-1])
    if len(names) < 2:
        raise InputError.single(file, "needs at least two actors", line=line)
    _check_unique(file, names)
    sal_arr = np.array(sal)
    if sal_arr.max() > 1.0:  # given on 0–100
        if sal_arr.max() > 100.0:
            raise InputError.single(file, "salience above 100", field=header[isal], value=float(sal_arr.max()))
        sal_arr = sal_arr / 100.0
    if sal_arr.max() <= 0:
        raise InputError.single(file, "every salience is 0", field=header[isal])
    p = np.array(pos)
    lo, hi = float(p.min()), float(p.max())
    if hi <= lo:
        hi = lo + 1.0
    return BargainingProblem(actors=tuple(names), descriptions=("",) * len(names), capability=np.array(caps),
                             positions=((p - lo) / (hi - lo))[:, None], salience=sal_arr[:, None],
                             dimensions=(header[ip],), scenario=path.stem, scale=(lo, hi), source=file)


def schema_path() -> Path:
    """Locate KTAB's smpSchema.xsd shipped with détente (repo data/ktab, or the installed package's data)."""
    here = Path(__file__).resolve()
    for candidate in (here.parents[3] / "data" / "ktab" / "smpSchema.xsd",
                      here.parents[1] / "data" / "ktab" / "smpSchema.xsd"):
        if candidate.is_file():
            return candidate
    raise InputError.single("smpSchema.xsd", "KTAB's XML schema is missing from this installation",
                            hint="reinstall détente; the schema ships in data/ktab/smpSchema.xsd")


_SCHEMA = None


def _schema():
    """Load the schema once; xmlschema parsing costs ~0.1 s."""
    global _SCHEMA
    if _SCHEMA is None:
        import xmlschema

        _SCHEMA = xmlschema.XMLSchema(str(schema_path()))
    return _SCHEMA


def _parse_with_lines(file: str, data: bytes):
    """Parse XML keeping each element's line, so schema errors can say where they are."""
    import xml.etree.ElementTree as ET
    from xml.parsers import expat

    lines: dict[int, int] = {}
    builder = ET.TreeBuilder()
    parser = expat.ParserCreate(namespace_separator="}")

    def qualify(name: str) -> str:
        return "{" + name if "}" in name else name

    def start(tag, attrs):
        elem = builder.start(qualify(tag), {qualify(k): v for k, v in attrs.items()})
        lines[id(elem)] = parser.CurrentLineNumber

    parser.StartElementHandler = start
    parser.EndElementHandler = lambda tag: builder.end(qualify(tag))
    parser.CharacterDataHandler = builder.data
    try:
        parser.Parse(data, True)
        root = builder.close()
    except (expat.ExpatError, AssertionError) as error:
        line = getattr(error, "lineno", None)
        raise InputError.single(file, f"not well-formed XML: {error}", line=line) from None
    return root, lines


def read_ktab_xml(path: str | Path) -> BargainingProblem:
    """Read KTAB's XML scenario after validating it against smpSchema.xsd."""
    import xmlschema

    path = Path(path)
    file = str(path)
    root, lines = _parse_with_lines(file, path.read_bytes())
    schema = _schema()
    try:
        errors = list(schema.iter_errors(root))
    except xmlschema.XMLSchemaException as error:  # pragma: no cover - defensive
        raise InputError.single(file, f"cannot be checked against KTAB's schema: {error}") from None
    if errors:
        from detente.errors import Problem

        problems = []
        for err in errors[:10]:
            elem = getattr(err, "elem", None)
            line = lines.get(id(elem)) if elem is not None else None
            where = getattr(err, "path", "") or ""
            reason = getattr(err, "reason", None) or str(err).splitlines()[0]
            problems.append(Problem(file=file, line=line, field=where, message=f"fails KTAB's schema: {reason}",
                                    hint="see data/ktab/smpSchema.xsd for the expected layout"))
        raise InputError(problems)

    def text(el, tag: str) -> str:
        child = el.find(tag)
        return (child.text or "").strip() if child is not None and child.text else ""

    dims = tuple((d.text or "").strip() for d in root.iterfind("Dimensions/dName"))
    names, descs, caps, poss, sals = [], [], [], [], []
    for index, actor in enumerate(root.iterfind("Actors/Actor")):
        name = text(actor, "name")
        line = lines.get(id(actor))
        pos = [_number(file, lines.get(id(c)), f"Actor {name} dCoord", (c.text or "").strip())
               for c in actor.iterfind("Position/dCoord")]
        sal = [_number(file, lines.get(id(c)), f"Actor {name} dSal", (c.text or "").strip())
               for c in actor.iterfind("Salience/dSal")]
        cap = _number(file, line, f"Actor {name} capability", text(actor, "capability"))
        if not dims:
            dims = tuple(f"Dim{k}" for k in range(len(pos)))
        if len(pos) != len(dims) or len(sal) != len(dims):
            raise InputError.single(file, f"actor {name} has {len(pos)} coordinates and {len(sal)} saliences, "
                                    f"but the scenario has {len(dims)} dimension(s)", line=line, field="Position")
        _check_actor(file, line, name, cap, pos, sal)
        names.append(name)
        descs.append(text(actor, "description"))
        caps.append(cap)
        poss.append(pos)
        sals.append(sal)
    _check_unique(file, names)
    accommodation = None
    pairs = list(root.iterfind("IdealAdjustment/iaPair"))
    if pairs:
        accommodation = np.eye(len(names))
        for pair in pairs:
            a, b = text(pair, "adjustingIdeal"), text(pair, "referencePos")
            for who in (a, b):
                if who not in names:
                    raise InputError.single(file, f"IdealAdjustment names unknown actor '{who}'",
                                            field="iaPair", hint="use an actor name from <Actors>")
            value = _number(file, None, "adjust", text(pair, "adjust"))
            if not 0.0 <= value <= 1.0:
                raise InputError.single(file, "adjust must lie in 0–1", field="iaPair", value=value)
            accommodation[names.index(a), names.index(b)] = value
        if np.any(accommodation.sum(axis=1) > 1.0 + 1e-9):
            raise InputError.single(file, "an actor's IdealAdjustment weights sum to more than 1",
                                    field="IdealAdjustment")
        if np.allclose(accommodation, np.eye(len(names))):
            accommodation = None
    params = {child.tag: (child.text or "").strip() for child in root.findall("ModelParameters/*")}
    return BargainingProblem(actors=tuple(names), descriptions=tuple(descs), capability=np.array(caps),
                             positions=np.array(poss) / 100.0, salience=np.array(sals) / 100.0,
                             dimensions=dims, scenario=text(root, "name"), description=text(root, "desc"),
                             source=file, accommodation=accommodation,
                             model_parameters=MappingProxyType(params), prng_seed=text(root, "prngSeed") or None)
