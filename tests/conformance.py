"""What every war mechanism must satisfy, checked against its own declaration (as Axelrod's `TestPlayer`).

A mechanism's test class inherits `MechanismConformance`, names the module (`module = strikes`) and adds its
hand-worked cases and its invariants (`invariants`). The base checks:
- the declaration: reads and writes are `WarState` fields of the declared shapes, parameters are keys of the
  scenario schema in the declared sections, reports are `WeekReport` fields, metrics are in the registry, and
  the weekly kernel composes the mechanism;
- the code: every declared function, called compiled with the very arguments the weekly step gives it (traced
  through the uncompiled step on random states), returns what it returns uncompiled and leaves its buffers the
  same; the week is deterministic under a fixed seed; the compiled week equals the uncompiled one over every
  field of the state and the report (iterating the dataclasses, not a list);
- the mechanism's invariants over random states and over weeks from the baseline's start.
"""

from __future__ import annotations

import dataclasses
import types
from functools import lru_cache
from pathlib import Path

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from detente import kernel
from detente.dynamics.mechanism import SCALAR_SECTIONS, FromParameter, Mechanism, uncompiled
from detente.engine import WeekReport, _week, reference_step, step
from detente.ensemble import registry
from detente.ensemble.metrics import final_metrics
from detente.scenario.loader import load_scenario
from detente.world.model import compile_model, initial_state, realise
from detente.world.state import WarState

ROOT = Path(__file__).resolve().parents[1]
SCENARIOS = ("baseline.yaml", "backtest-2024.yaml", "forecast-2024.yaml", "seed000-counter-moves.yaml",
             "seed000-odesa-transnistria.yaml", "seed002-expansion-escalate.yaml")
SEEDS = st.integers(0, 2**32 - 1)
SLOW = [HealthCheck.too_slow, HealthCheck.differing_executors]  # one test, inherited by many classes


@lru_cache(maxsize=None)
def loaded(name: str):  # noqa: ANN201
    return load_scenario(ROOT / "scenarios" / name)


@lru_cache(maxsize=None)
def compiled_model(name: str):  # noqa: ANN201
    return compile_model(loaded(name).scenario)


def random_state(model, runs: int, rng: np.random.Generator) -> WarState:  # noqa: ANN001
    """A state anywhere in the space the engine can reach (and some it should survive anyway): control at 0, 1,
    in between, within the contact threshold of 0 or 1 and at the Dnipro's left bank; truces, objectives and
    counter-attacks on and off; foreign troops; backers that gave up."""
    state = initial_state(model, runs)
    R, B = model.n_regions, len(model.backer_ids)
    kind = rng.integers(0, 6, (runs, R))
    bank = np.nan_to_num(model.left_bank_share, nan=0.5)[None, :] + rng.uniform(-0.02, 0.02, (runs, R))
    control = np.select([kind == 0, kind == 1, kind == 2, kind == 3, kind == 4],
                        [0.0, 1.0, rng.uniform(0, 1, (runs, R)), 5e-7, 1.0 - 5e-7], np.clip(bank, 0.0, 1.0))
    control = np.where(model.contestable, control, state.control)
    return state.replace(
        control=control,
        manpower=state.manpower * rng.uniform(0.0, 2.0, (runs, 2)),
        materiel=state.materiel * rng.uniform(0.0, 2.0, (runs, 2)),
        energy=rng.uniform(0, 1, (runs, 2)),
        backer_will=rng.uniform(0, 1, (runs, B)),
        backer_active=rng.random((runs, B)) < 0.8,
        partisans=rng.uniform(0, 1, (runs, R)) * (control > 0),
        objective=np.where(rng.random((runs, R)) < 0.4, rng.uniform(0, 3, (runs, R)), 0.0),
        truce=(rng.random((runs, state.truce.shape[1])) < 0.2).astype(float),
        aid_factor=rng.uniform(0, 2, (runs, B)),
        strike_factor=rng.uniform(0, 2, (runs, 2)),
        recruitment_factor=rng.uniform(0.5, 2, (runs, 2)),
        line_factor=rng.uniform(0.5, 1.5, (runs, 2)),
        counterattack=(rng.random(runs) < 0.3).astype(float),
        secondary_sanctions=(rng.random(runs) < 0.5).astype(float),
        foreign_troops=np.where(rng.random((runs, R)) < 0.05, rng.uniform(0, 20_000, (runs, R)), 0.0),
        tempo=rng.normal(0.0, 0.5, (runs, 2)),
    )


def random_case(seed: int, runs: int | None = None) -> tuple:
    """(model realised with its per-run draws, a random state) for a scenario and size chosen by the seed."""
    rng = np.random.default_rng(seed)
    name = SCENARIOS[seed % len(SCENARIOS)]
    runs = runs or int(rng.integers(1, 30))
    model = realise(compiled_model(name), runs, rng)
    return model, random_state(model, runs, rng)


def assert_same(a, b, where: str) -> None:  # noqa: ANN001
    """Equal to the last bit, or to 1e-12 relative where the interpreter's arithmetic is reassociated
    (it is not, today: the comparisons hold bit for bit)."""
    a, b = np.asarray(a), np.asarray(b)
    assert a.shape == b.shape and a.dtype == b.dtype, where
    if a.dtype.kind == "f":
        np.testing.assert_allclose(a, b, rtol=1e-12, atol=0, equal_nan=True, err_msg=where)
    else:
        np.testing.assert_array_equal(a, b, err_msg=where)


def assert_same_weeks(first: tuple, second: tuple) -> None:
    """Two (WarState, WeekReport) pairs agree on every field of both dataclasses."""
    for one, other in zip(first, second):
        for f in dataclasses.fields(one):
            assert_same(getattr(one, f.name), getattr(other, f.name), f"{type(one).__name__}.{f.name}")


SHAPES = {"N": lambda m, s: s.runs, "R": lambda m, s: m.n_regions, "2": lambda m, s: 2,
          "B": lambda m, s: len(m.backer_ids), "S": lambda m, s: s.truce.shape[1]}


def traced_calls(functions: tuple, model, state, seed: int, limit: int = 40) -> list:  # noqa: ANN001
    """The arguments the uncompiled week passes to each of `functions` (up to `limit` calls each, copied
    before the call), and what the uncompiled function returned and left in its array arguments."""
    calls: list = []
    memo: dict = {}
    counts: dict = {}
    for fn in functions:
        plain = uncompiled(fn, memo)

        def traced(*args, _fn=fn, _plain=plain):  # noqa: ANN002, ANN202
            if counts.get(_fn, 0) >= limit:
                return _plain(*args)
            counts[_fn] = counts.get(_fn, 0) + 1
            before = tuple(_copy(a) for a in args)
            result = _plain(*args)
            kept = tuple(_copy(r) for r in result) if isinstance(result, tuple) else _copy(result)
            calls.append((_fn, before, kept, tuple(_copy(a) for a in args)))
            return result
        memo[fn] = traced
    advance = uncompiled(kernel.advance, memo)
    with np.errstate(all="ignore"):
        _week(advance, state, model, np.random.default_rng(seed), None, True)
    return calls


def _copy(value):  # noqa: ANN001, ANN202
    if isinstance(value, np.ndarray):
        return value.copy()
    if isinstance(value, np.record):
        return np.array(value, dtype=value.dtype).view(np.recarray)[()]
    if isinstance(value, tuple) and hasattr(value, "_fields"):  # a named tuple of arrays (kernel.Map)
        return type(value)(*(_copy(v) for v in value))
    return value


class MechanismConformance:
    """Inherit, and set `module` to the mechanism's module (it declares `MECHANISM`)."""

    module: types.ModuleType

    @property
    def mechanism(self) -> Mechanism:
        return self.module.MECHANISM

    def invariants(self, model, before: WarState, after: WarState, report: WeekReport) -> None:  # noqa: ANN001
        """The mechanism's own invariants over one week (override)."""

    # --- the declaration -------------------------------------------------------------------------------
    def test_reads_and_writes_are_state_fields_of_the_declared_shape(self) -> None:
        model = compiled_model("baseline.yaml")
        state = initial_state(model, 3)
        names = {f.name for f in dataclasses.fields(WarState)}
        declared = {**self.mechanism.reads, **self.mechanism.writes}
        assert declared, "a mechanism reads or writes something"
        for name, shape in declared.items():
            assert name in names, f"{self.mechanism.name} declares {name!r}, not a WarState field"
            expected = tuple(SHAPES[axis](model, state) for axis in shape.split())
            assert np.shape(getattr(state, name)) == expected, name

    def test_the_fields_it_owns_start_at_their_declared_values_and_its_reporters_read_them(self) -> None:
        """`initial` is what `initial_state` gives (a number: in every run, whatever the scenario; `FromParameter`:
        the scenario's per-side value, transformed); a reporter reads a field the mechanism writes, and
        `final_metrics` carries its value."""
        model = compiled_model("baseline.yaml")
        state = initial_state(model, 4)
        for name, value in self.mechanism.initial.items():
            assert name in self.mechanism.writes
            if isinstance(value, FromParameter):
                given = np.asarray(model.sides[value.name], float)
                np.testing.assert_array_equal(getattr(state, name), np.broadcast_to(value.transform(given),
                                                                                    getattr(state, name).shape))
            else:
                assert np.all(getattr(state, name) == value), name
        moved = state.replace(**{r.field: getattr(state, r.field) + 1.0 for r in self.mechanism.reporters})
        out = final_metrics(compiled_model("baseline.yaml"), state, moved)
        for reported in self.mechanism.reporters:
            assert reported.field in self.mechanism.writes, reported.name
            assert reported.name in self.mechanism.metrics
            expected = 1.0 if reported.change else getattr(moved, reported.field)
            np.testing.assert_array_equal(out[reported.name], np.broadcast_to(expected, out[reported.name].shape))

    def test_the_parameters_it_defines_are_in_the_schema_with_their_defaults(self) -> None:
        for p in self.mechanism.defines:
            section, name = p.key.split(".", 1)
            value = getattr(loaded("baseline.yaml").scenario, section)
            model = type(next(iter(value.values())) if isinstance(value, dict) else value)  # forces: per side
            assert name in model.model_fields, p.key
            assert model.model_fields[name].description == p.description
            assert model.model_fields[name].default_factory().value == p.default

    def test_parameters_are_keys_of_the_scenario(self) -> None:
        scenario = loaded("baseline.yaml").scenario
        side = scenario.forces["russia"]
        region = next(iter(scenario.regions.values()))
        backer = next(iter(scenario.backers.values()))
        for key in self.mechanism.params:
            section, name = key.split(".", 1)
            holder = {"forces": side, "regions": region, "backers": backer}.get(section)
            if holder is None:
                assert section in SCALAR_SECTIONS, key
                holder = getattr(scenario, section)
            assert name in type(holder).model_fields, f"{key} is not a scenario key"

    def test_reports_and_metrics_are_declared(self) -> None:
        report_fields = {f.name for f in dataclasses.fields(WeekReport)}
        assert set(self.mechanism.reports) <= report_fields
        for name in self.mechanism.metrics:
            assert registry.find(name) is not None or any(m["name"] == name for m in registry.declared()), name

    def test_the_kernel_composes_it_and_its_parameters_travel_in_records(self) -> None:
        assert self.mechanism in kernel.MECHANISMS
        records = {"forces": kernel.SIDE, "regions": kernel.REGION, "backers": kernel.BACKER}
        for key in self.mechanism.params:
            section, name = key.split(".", 1)
            assert name in records.get(section, kernel.PARAMS).names, key
        assert all(getattr(self.module, fn.__name__) is fn for fn in self.mechanism.functions)

    # --- the code -------------------------------------------------------------------------------------
    @settings(max_examples=6, deadline=None, suppress_health_check=SLOW)
    @given(seed=SEEDS)
    def test_each_function_compiled_equals_uncompiled_on_the_arguments_a_week_gives_it(self, seed: int) -> None:
        model, state = random_case(seed, runs=12)
        for fn, args, expected, after in traced_calls(self.mechanism.functions, model, state, seed):
            given_args = tuple(_copy(a) for a in args)
            with np.errstate(all="ignore"):
                result = fn(*given_args)
            for got, want in zip(result if isinstance(result, tuple) else (result,),
                                 expected if isinstance(expected, tuple) else (expected,)):
                assert_same(got, want, fn.__name__)
            for i, (got, want) in enumerate(zip(given_args, after)):
                if isinstance(got, np.ndarray):
                    assert_same(got, want, f"{fn.__name__} argument {i}")

    @settings(max_examples=8, deadline=None, suppress_health_check=SLOW)
    @given(seed=SEEDS)
    def test_compiled_week_equals_the_reference_over_every_field(self, seed: int) -> None:
        model, state = random_case(seed)
        compiled = step(state, model, np.random.default_rng(seed))
        reference = reference_step(state, model, np.random.default_rng(seed))
        assert_same_weeks(compiled, reference)
        self.invariants(model, state, *compiled)

    def test_a_week_is_deterministic_under_a_fixed_seed(self) -> None:
        model, state = random_case(12345, runs=20)
        first, second = np.random.default_rng(9), np.random.default_rng(9)
        assert_same_weeks(step(state, model, first), step(state, model, second))
        assert first.bit_generator.state == second.bit_generator.state

    def test_invariants_hold_over_weeks_from_the_start(self) -> None:
        rng = np.random.default_rng(21)
        model = realise(compiled_model("baseline.yaml"), 40, rng)
        state = initial_state(model, 40)
        for _ in range(26):
            after, report = step(state, model, rng)
            self.invariants(model, state, after, report)
            state = after


def unit(values) -> bool:  # noqa: ANN001
    """All within [0, 1]."""
    return bool(np.all((np.asarray(values) >= 0) & (np.asarray(values) <= 1)))


