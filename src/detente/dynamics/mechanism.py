"""What a mechanism declares, the records its parameters travel in, and how its compiled code is read uncompiled.

A mechanism of the war is one module of `detente.dynamics` holding (a) its per-run equations once, as
`numba.njit(cache=True)` functions over scalars, records and region-length buffers that the weekly kernel
(`detente.kernel.advance`) composes, and (b) a `Mechanism` declaration at module level: the `WarState`
fields it reads and writes (with their shapes), its parameters by scenario key, the `WeekReport` fields
and the registry metrics it feeds, and its compiled functions. tests/conformance.py checks every
declaration against the state, the scenario schema and the metric registry, and runs every declared
function compiled against the same code uncompiled (`uncompiled`).

Parameters travel as NumPy records read by field name (`side.firepower`, `p.ground_rate_km2`):
numba reads a record field at a fixed offset, as cheap as the column numbers it replaces. The record
types are built from the declarations (`record_dtype`), so a mechanism that declares a new parameter
finds it in its record without any other file listing it.

A mechanism also declares what other modules would otherwise list by hand, and they read it from the
declarations of `dynamics.catalogue.MECHANISMS` (the one list of the war's mechanisms): the state fields it
owns and their value at week 0 (`initial`, read by `world.model.initial_state`), the scenario parameters it
adds to its section of the schema with their kind, default and meaning (`defines`, `Parameter`, read by
`scenario.schema`), and the horizon metrics it reports from the state, with their registry entry
(`reporters`, `Reported`, read by `ensemble.registry` and `ensemble.metrics`). A new mechanism is then its
module, one line in the catalogue, its call in `kernel.advance` and its state fields in `WarState` (plus its
test, its scenario values and its generated docs page).
"""

from __future__ import annotations

import hashlib
import inspect
import math
import types
from dataclasses import dataclass, field
from typing import Any, Callable

import numba
import numpy as np
from numba.core.caching import FunctionCache
from numba.extending import overload
from numba.np.numpy_support import as_dtype

# Scenario sections whose parameters travel in each record (`Mechanism.params` keys are "<section>.<name>").
SIDE_SECTION = "forces"        # per side: scenario `forces.<russia|ukraine>.<name>`, record SIDE (2,)
REGION_SECTION = "regions"     # per region: scenario `regions.<id>.<name>`, record REGION (R,)
BACKER_SECTION = "backers"     # per backer: scenario `backers.<id>.<name>`, record BACKER (N, B)
SCALAR_SECTIONS = ("combat", "economy", "occupation")  # one value each (or one per run): record PARAMS


# Sections a mechanism may add parameters to (regions take their defaults from the map, so not there).
DEFINABLE_SECTIONS = (*SCALAR_SECTIONS, SIDE_SECTION, BACKER_SECTION)
KINDS_OF_NUMBER = ("non-negative", "probability", "positive", "multiplier")  # scenario.params' number kinds


@dataclass(frozen=True)
class Parameter:
    """A scenario parameter a mechanism adds to the schema: `key` "<section>.<name>" (a scalar section, or
    `forces` for one value per side, `backers` for one per backer: `DEFINABLE_SECTIONS`), the
    kind of number it takes (`KINDS_OF_NUMBER`), its default where a scenario leaves it out (a default that
    switches the mechanism off keeps every scenario that predates it unchanged) and what it means (the
    schema's description, and so docs/scenario-reference.md)."""

    key: str
    description: str
    default: float = 0.0
    kind: str = "non-negative"

    def __post_init__(self) -> None:
        if self.key.split(".", 1)[0] not in DEFINABLE_SECTIONS or "." not in self.key:
            raise ValueError(f"Parameter {self.key!r}: a mechanism defines parameters in {DEFINABLE_SECTIONS} only")
        if self.kind not in KINDS_OF_NUMBER:
            raise ValueError(f"Parameter {self.key!r}: kind {self.kind!r} is not one of {KINDS_OF_NUMBER}")


@dataclass(frozen=True)
class Reported:
    """A metric a mechanism reports at the horizon from a state field it writes: its registry entry (name,
    kind, unit, description, label; section "war", recorded at the horizon) and how the value is read:
    the field's change since the start (`change`) or its level at the horizon, of one column (`column`,
    for a per-side field) or of the whole per-run field."""

    name: str
    kind: str
    unit: str
    description: str
    label: str
    field: str
    change: bool = True
    column: int | None = None

    def value(self, start: Any, state: Any) -> np.ndarray:
        """The per-run value (N,) from the start state and the state at the horizon (`WarState`s)."""
        now = getattr(state, self.field)
        out = now - getattr(start, self.field) if self.change else now
        return np.asarray(out if self.column is None else out[:, self.column], dtype=float)


@dataclass(frozen=True)
class FromParameter:
    """A state field's week-0 value read from a per-side parameter (`forces.<name>`, a field of shape "N 2"),
    through `transform`: a starting state the scenario sets, such as a side's offensive effort at the start."""

    key: str
    transform: Callable[[np.ndarray], np.ndarray] = np.asarray

    def __post_init__(self) -> None:
        if not self.key.startswith(SIDE_SECTION + "."):
            raise ValueError(f"FromParameter {self.key!r}: only per-side parameters (forces.<name>) set a state")

    @property
    def name(self) -> str:
        """The parameter's name within its section: the field of the model's per-side parameters."""
        return self.key.split(".", 1)[1]


@dataclass(frozen=True)
class Mechanism:
    """A mechanism's declaration: what it touches, what sets it, what it reports.

    `reads`/`writes` map `WarState` field names to their shape ("N R": runs × regions, "N 2": runs × sides,
    "N B": runs × backers, "N S": runs × truce scopes, "N": one per run). `params` are scenario keys
    "<section>.<name>" (sections above). `reports` are `WeekReport` fields; `metrics` registry names
    (`detente.ensemble.registry`) whose values come from what the mechanism writes. `functions` are its
    compiled per-run equations, each run by the conformance test compiled and uncompiled.

    `initial` gives the week-0 value of each state field the mechanism owns (of the shape its `writes`
    declare): a number, the same in every run, or `FromParameter`, read from a per-side parameter; `defines`
    the parameters it adds to the schema (their keys join `params`);
    `reporters` the metrics it reports from the state (their names join `metrics`); `draws` the standard
    normals the kernel draws for it per run and week, by name and count ("R": one per region, "2": one per
    side, "B": one per backer), which size the week's record of draws (`engine.noise_width`)."""

    name: str
    summary: str
    reads: dict[str, str]
    writes: dict[str, str]
    params: tuple[str, ...]
    reports: tuple[str, ...] = ()
    metrics: tuple[str, ...] = ()
    functions: tuple[Callable, ...] = field(default=(), repr=False)
    initial: dict[str, float | FromParameter] = field(default_factory=dict)
    draws: dict[str, str] = field(default_factory=dict)
    defines: tuple[Parameter, ...] = ()
    reporters: tuple[Reported, ...] = ()

    def __post_init__(self) -> None:
        unowned = [name for name in self.initial if name not in self.writes]
        if unowned:
            raise ValueError(f"mechanism {self.name}: initial values for fields it does not write: {unowned}")
        undefined = [v.key for v in self.initial.values() if isinstance(v, FromParameter)
                     and v.key not in self.params + tuple(p.key for p in self.defines)]
        if undefined:
            raise ValueError(f"mechanism {self.name}: starting values from parameters it does not declare: {undefined}")
        params = self.params + tuple(p.key for p in self.defines if p.key not in self.params)
        metrics = self.metrics + tuple(r.name for r in self.reporters if r.name not in self.metrics)
        object.__setattr__(self, "params", params)
        object.__setattr__(self, "metrics", metrics)

    def params_of(self, section: str) -> tuple[str, ...]:
        """The names of its parameters in one scenario section (in declaration order)."""
        return tuple(key.split(".", 1)[1] for key in self.params if key.split(".", 1)[0] == section)


def draws_per_run(mechanisms: tuple[Mechanism, ...], sizes: dict[str, int]) -> int:
    """How many normals a week draws per run (`Mechanism.draws`), with `sizes` giving "R" and "B"."""
    return sum(2 if shape == "2" else sizes[shape] for m in mechanisms for shape in m.draws.values())


def defined_in(mechanisms: tuple[Mechanism, ...], section: str) -> tuple[Parameter, ...]:
    """The parameters the mechanisms define (`Mechanism.defines`) in one scenario section, in declaration order."""
    return tuple(p for m in mechanisms for p in m.defines if p.key.split(".", 1)[0] == section)


def initial_values(mechanisms: tuple[Mechanism, ...], sizes: dict[str, int],
                   sides: dict[str, Any] | None = None) -> dict[str, np.ndarray]:
    """The week-0 arrays of the state fields the mechanisms own (`Mechanism.initial`), each of the shape its
    `writes` declare, with `sizes` giving each letter of the shape ("N", "R", "B", "S"; "2" is two sides);
    `sides` (the compiled model's per-side parameters, (2,) or per run (N, 2)) serves `FromParameter`."""
    out: dict[str, np.ndarray] = {}
    for mechanism in mechanisms:
        for name, value in mechanism.initial.items():
            if name in out:
                raise ValueError(f"state field {name!r} is given an initial value by two mechanisms")
            shape = tuple(2 if d == "2" else sizes[d] for d in mechanism.writes[name].split())
            if isinstance(value, FromParameter):
                if sides is None:
                    raise ValueError(f"state field {name!r} starts from {value.key}: pass the per-side parameters")
                given = np.asarray(sides[value.name], dtype=float)
                out[name] = np.broadcast_to(value.transform(given), shape).astype(float)
            else:
                out[name] = np.full(shape, float(value))
    return out


def record_dtype(mechanisms: tuple[Mechanism, ...], sections: tuple[str, ...]) -> np.dtype:
    """An all-float64 record of every parameter the mechanisms declare in the given sections, each once, in
    declaration order (all float64: a run's record is also written through a flat float view)."""
    names: list[str] = []
    for mechanism in mechanisms:
        for section in sections:
            names += [n for n in mechanism.params_of(section) if n not in names]
    return np.dtype([(n, np.float64) for n in names], align=True)


def as_records(buffer: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """A flat float64 buffer seen as records of `dtype` (all float64 fields), read by field name. Compiled, a
    plain view; run by the interpreter, a `np.recarray` (whose elements read fields as attributes)."""
    return buffer.view(dtype).view(np.recarray)


@overload(as_records, jit_options={"cache": True})
def _as_records(buffer, dtype):  # noqa: ANN001, ANN202
    records = as_dtype(dtype.dtype)

    def view(buffer, dtype):  # noqa: ANN001, ANN202
        return buffer.view(records)
    return view


@numba.njit(cache=True, error_model="numpy")
def nonnegative(i: int) -> int:
    """An index read from an index array (region lists, neighbour tables), unchanged but known to the compiler to
    be ≥ 0 (its sign bit masked off): the negative-index wraparound that NumPy's rules add to every array access
    through an index the compiler cannot bound (~3 instructions each) is then dropped. Indices are never negative."""
    return i & 0x7FFF_FFFF_FFFF_FFFF


@numba.njit(cache=True, error_model="numpy")
def shock(sd: float, eps: float) -> float:
    """A mean-one lognormal multiplier e^(σ ε − σ²/2) for a standard normal ε."""
    return math.exp(sd * eps - 0.5 * sd * sd)


def uncompiled(fn: Callable, _done: dict | None = None) -> Callable:
    """The same Python code as the compiled function `fn`, run by the interpreter: `fn.py_func` with every
    compiled function it calls (through its module's globals, recursively) replaced by its own uncompiled
    form. This is the readable reference of the weekly step: no second transcription of any equation."""
    done = {} if _done is None else _done
    if not isinstance(fn, numba.core.registry.CPUDispatcher):
        return fn
    if fn in done:
        return done[fn]
    py = fn.py_func
    scope: dict[str, Any] = dict(py.__globals__)
    plain = types.FunctionType(py.__code__, scope, py.__name__, py.__defaults__, py.__closure__)
    done[fn] = plain
    for name in py.__code__.co_names:
        value = scope.get(name)
        if isinstance(value, numba.core.registry.CPUDispatcher):
            scope[name] = uncompiled(value, done)
        elif isinstance(value, types.ModuleType):
            scope[name] = _ModuleView(value, done)
    return plain


class _ModuleView:
    """A module seen through `uncompiled`: its compiled functions read uncompiled (for `allocation.f(...)`)."""

    def __init__(self, module: types.ModuleType, done: dict) -> None:
        self._module, self._done = module, done

    def __getattr__(self, name: str) -> Any:
        return uncompiled(getattr(self._module, name), self._done)


class _DependentCache(FunctionCache):
    """numba's on-disk cache, keyed also by the source of the modules a function calls into. numba keys a
    cached function by its own bytecode and its file only: the kernel compiled with every mechanism inlined
    would otherwise be loaded stale after a mechanism's equations changed."""

    def __init__(self, py_func: Callable, stamp: str) -> None:
        super().__init__(py_func)
        self._stamp = stamp

    def _index_key(self, sig, codegen):  # noqa: ANN001, ANN202
        return (*super()._index_key(sig, codegen), self._stamp)


def cached_with(dispatcher: Callable, *modules: types.ModuleType) -> Callable:
    """Make `dispatcher`'s disk cache (cache=True) depend on the source of `modules` (those whose compiled
    functions, globals or records it uses); returns the dispatcher."""
    digest = hashlib.sha256()
    for module in modules:
        digest.update(inspect.getsource(module).encode())
    dispatcher._cache = _DependentCache(dispatcher.py_func, digest.hexdigest())
    return dispatcher
