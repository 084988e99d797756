"""The weekly step: the mechanisms of `detente.dynamics` composed in a fixed order over all runs.

Order within a week: that of `dynamics.catalogue.MODULES`, the one list of the mechanisms, as
`kernel.advance` calls them (its docstring says what each does). Agreements in force (`state.truce`) switch
off what they cover. The step changes nothing it is given but the generator it draws from: the same state,
model and generator state give the same result.

`step` runs the composition compiled (`detente.kernel.advance`); `reference_step` runs the very same code
through the interpreter (`dynamics.mechanism.uncompiled`), to read, step through and test against: the
equations are written once, in the mechanism modules.
"""

from __future__ import annotations

import operator
from dataclasses import dataclass

import numpy as np

from detente import kernel
from detente.dynamics.mechanism import draws_per_run, uncompiled
from detente.world.model import WarModel
from detente.world.state import WarState


@dataclass(frozen=True)
class WeekReport:
    """What happened in one week, per run: the engine's event, read by recorders and the table."""

    week: int
    casualties: np.ndarray      # (N, 2) this week's casualties
    ground_km2: np.ndarray      # (N, R) km² moved to Russia this week (negative: to Ukraine)
    front: np.ndarray           # (N, R) bool: regions in contact
    russia_line: np.ndarray     # (N, R) Russian troops engaged
    ukraine_line: np.ndarray    # (N, R) Ukrainian troops engaged
    aid: np.ndarray             # (N, B) € bn delivered


def noise_width(model: WarModel) -> int:
    """Columns of the week's normals per run as `step` writes them to `drawn`: those the mechanisms declare
    they draw (`Mechanism.draws`), at the columns `kernel.advance` says: ground (R), battle (R), strikes (2),
    will (B), tempo (2; 0 where the scenario has no tempo process and none is drawn)."""
    return draws_per_run(kernel.MECHANISMS, {"R": model.n_regions, "B": len(model.backer_ids)})


def step(state: WarState, model: WarModel, rng: np.random.Generator, drawn: np.ndarray | None = None,
         report: bool = True) -> tuple[WarState, WeekReport | None]:
    """Advance every run one week (compiled), drawing the week's normals from rng; with `drawn`
    (N, noise_width), also write them there. Without `report` (nobody observes the week) the report is
    None, and its arrays, which the kernel writes only at the fronts, need not be zeroed first (about a
    megabyte a week for a thousand runs)."""
    return _week(kernel.advance, state, model, rng, drawn, report)


def reference_step(state: WarState, model: WarModel, rng: np.random.Generator,
                   drawn: np.ndarray | None = None) -> tuple[WarState, WeekReport]:
    """The same week as `step`, the same code run uncompiled (slow: for tests, reading and debugging). Given a
    generator in the same state it draws the same normals in the same order."""
    with np.errstate(all="ignore"):  # the compiled code follows NumPy's division rules silently
        new_state, week = _week(_reference_advance(), state, model, rng, drawn, True)
    assert week is not None
    return new_state, week


def _reference_advance():  # noqa: ANN202
    global _REFERENCE
    if _REFERENCE is None:
        _REFERENCE = uncompiled(kernel.advance)
    return _REFERENCE


_REFERENCE = None


def _week(advance, state: WarState, model: WarModel, rng: np.random.Generator,  # noqa: ANN001
          drawn: np.ndarray | None, report: bool) -> tuple[WarState, WeekReport | None]:
    n, R, B = state.runs, model.n_regions, len(model.backer_ids)
    km = kernel.kernel_model(model, n)
    blank = np.zeros if report else np.empty
    # fresh arrays of the shapes of the state fields the week writes (floats, or flags where the state has flags)
    out = kernel.WeekOut._make([np.empty(shape, kind) for shape, kind in _written(km, state)])
    week = kernel.Report(casualties=np.empty((n, 2)), ground_km2=blank((n, R)), front=blank((n, R), bool),
                         russia_line=blank((n, R)), ukraine_line=blank((n, R)), aid=np.empty((n, B)))
    params = km.params(interpreted=advance is not kernel.advance)
    advance(kernel.WeekIn._make(_READS(state)), params, km.map, rng, drawn is not None,
            drawn if drawn is not None else np.empty((1, 1)), out, week)
    new_state = state.replace(week=state.week + 1, **dict(zip(kernel.WeekOut._fields, out)))
    if not report:
        return new_state, None
    return new_state, WeekReport(week=state.week + 1, **week._asdict())


_READS = operator.attrgetter(*kernel.WeekIn._fields)   # the state's arrays a week reads, in WeekIn's order
_plan: tuple | None = None  # (KernelModel, shapes) of the block in progress, as `kernel.kernel_model` keeps it


def _written(km: kernel.KernelModel, state: WarState) -> list[tuple[tuple[int, ...], type]]:
    """The shape and kind (float, or bool where the state has flags) of each state field the week writes, in
    WeekOut's order: the same for every week of a block, so worked out once per block (the week's fixed cost is
    paid per block of runs, and a run at a time pays it every week)."""
    global _plan
    plan = _plan
    if plan is not None and plan[0] is km:
        return plan[1]
    shapes = [(a.shape, bool if a.dtype == bool else float)
              for a in (getattr(state, name) for name in kernel.WeekOut._fields)]
    _plan = (km, shapes)
    return shapes
