"""The table's weekly work: compiled = reference, deterministic, and within its invariants.

The reference is the same kernels run by Python (`Kernels().uncompiled()`, `records.uncompiled`): there is no
second transcription to keep in step, so this test checks that the compiled code does what its own Python
says, over every field of every record the table keeps (iterated from the records' dtypes and the
controller's arrays, not from a list), every metric, weekly series and row, and the random numbers used.
`TableConformance` is the base: a subclass names a scenario; tests/ may reuse it for any controller built
from `Kernels`-like compiled kernels.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import numpy as np

from detente.ensemble.runner import run_block
from detente.scenario.loader import load_scenario
from detente.table import agreements as agr
from detente.table.controller import Kernels, TableController
from detente.world.model import compile_model

ROOT = Path(__file__).resolve().parents[1]


def state_arrays(controller: object) -> dict[str, np.ndarray]:
    """Every array a controller keeps: each field of each record (by the dtype's names) and each plain array."""
    out: dict[str, np.ndarray] = {}
    for name, value in vars(controller).items():
        if isinstance(value, np.ndarray) and value.dtype.names:
            out.update({f"{name}.{field}": np.asarray(value[field]) for field in value.dtype.names})
        elif isinstance(value, np.ndarray):
            out[name] = value
    return out


def assert_same(a: dict[str, np.ndarray], b: dict[str, np.ndarray], what: str) -> None:
    assert a.keys() == b.keys(), what
    for key in a:
        x, y = np.asarray(a[key]), np.asarray(b[key])
        if x.dtype == object:
            assert x.tolist() == y.tolist(), f"{what} {key}"
        else:
            np.testing.assert_array_equal(x, y, err_msg=f"{what} {key}")


class TableConformance:
    """Run a scenario's table compiled and uncompiled on the same seed; subclasses set `scenario`."""

    scenario = "baseline.yaml"
    runs, seed = 24, 11
    settings = ""  # lines under `set:` of a variant of `scenario` (empty: the scenario as it is)

    def load(self):
        if not self.settings:
            return load_scenario(ROOT / "scenarios" / self.scenario).scenario
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "variant.yaml"
            path.write_text(f"extends: {ROOT / 'scenarios' / self.scenario}\nname: variant\nset:\n{self.settings}")
            return load_scenario(path).scenario

    def run(self, kernels: Kernels, seed: int | None = None):
        scenario = self.load()
        made: list[TableController] = []

        def make(model):
            made.append(TableController(scenario, model, kernels))
            return made[-1]

        out = run_block(compile_model(scenario), seed=self.seed if seed is None else seed, block=0, runs=self.runs,
                        controllers=[make])
        return out, made[0]

    def outputs(self, out, table) -> dict[str, dict[str, np.ndarray]]:
        rows = {f"{t}.{k}": v for t, frame in out.extras.get("tables", {}).items() for k, v in frame.items()}
        return {"metrics": out.metrics, "weekly": dict(out.weekly), "rows": rows, "books": state_arrays(table)}

    def test_compiled_equals_reference(self):
        compiled, reference = self.run(Kernels()), self.run(Kernels().uncompiled())
        for part, values in self.outputs(*compiled).items():
            assert_same(values, self.outputs(*reference)[part], part)
        assert compiled[1].rng.bit_generator.state == reference[1].rng.bit_generator.state  # the same draws
        assert compiled[1].books["signings"].sum() > 0  # agreements were made: decisions were compared, not none

    def test_deterministic_under_a_fixed_seed(self):
        first, again, other = self.run(Kernels()), self.run(Kernels()), self.run(Kernels(), seed=self.seed + 1)
        assert_same(self.outputs(*first)["books"], self.outputs(*again)["books"], "same seed")
        assert not np.array_equal(first[1].run["trust"], other[1].run["trust"])

    def test_invariants(self):
        out, table = self.run(Kernels())
        books, run, party, issue = table.books, table.run, table.party, table.issue
        assert ((run["trust"] >= 0) & (run["trust"] <= 1)).all()
        assert ((party["support"] >= 0) & (party["support"] <= 1)).all()
        assert ((party["rho"] > 0) & (party["rho"] < 1)).all()
        assert ((table.readings >= 0) & (table.readings <= 1)).all()
        terms = table.terms
        signed = ~np.isnan(terms)
        low, high = np.broadcast_to(issue["low"], terms.shape), np.broadcast_to(issue["high"], terms.shape)
        assert ((terms[signed] >= low[signed] - 1e-12) & (terms[signed] <= high[signed] + 1e-12)).all()
        assert (books["divergence"] >= 0).all()
        assert (books["weeks_left"][books["in_force"]] >= 1).all()          # an agreement in force has time to run
        # only what is in force can be broken (a broken agreement may have expired after that week's fighting)
        assert not (books["violated"] & ~books["in_force"] & (books["ended"] == agr.IN_FORCE)).any()
        agreed = books["first_agreed"] > 0
        assert (books["week_agreed"][agreed] >= books["first_agreed"][agreed]).all()
        assert (books["weeks_in_force"] >= books["max_streak"]).all() and (books["max_streak"] >= books["streak"]).all()
        for scope_series in (v for k, v in out.weekly.items() if k.startswith("ceasefire_in_force/")):
            assert set(np.unique(scope_series)) <= {0.0, 1.0}


class TestBaseline(TableConformance):
    scenario = "baseline.yaml"


class TestLeaderChange(TableConformance):  # a leader who can fall and a successor with his own positions
    scenario = "seed001-leader-change.yaml"


class TestNavalBase(TableConformance):  # an issue the front decides, beyond the claimed oblasts
    scenario = "seed000-odesa-transnistria.yaml"


class TestTelephoneShuttle(TableConformance):  # heavy distortion: readings that diverge
    scenario = "seed001-shuttle-telephone.yaml"


class TestPositionsBySmp(TableConformance):  # the mediator drafts from where KTAB's SMP moves the parties
    runs = 3
    settings = "  horizon_weeks: 10\n  table.mediation.draft_from: smp\n"


class TestPositionsByBdm(TableConformance):  # ... or Bueno de Mesquita's model
    runs = 3
    settings = "  horizon_weeks: 10\n  table.mediation.draft_from: bdm\n"
