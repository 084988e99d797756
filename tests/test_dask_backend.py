"""The Dask backend gives bit-identical results to the local one, whatever the workers and batch size."""

from __future__ import annotations

import pickle
from pathlib import Path

import numpy as np
import pytest

distributed = pytest.importorskip("distributed")

from detente.ensemble.backends import LocalBackend, make_backend  # noqa: E402
from detente.ensemble.dask_backend import DaskBackend  # noqa: E402
from detente.ensemble.runner import simulate  # noqa: E402
from detente.errors import RunRefused  # noqa: E402
from detente.scenario.loader import load_scenario  # noqa: E402
from detente.world.model import compile_model  # noqa: E402

BASELINE = Path(__file__).resolve().parents[1] / "scenarios" / "baseline.yaml"
RUNS = 2_300  # three blocks, the last one partial


@pytest.fixture(scope="module")
def short(tmp_path_factory: pytest.TempPathFactory):
    folder = tmp_path_factory.mktemp("scenarios")
    variant = folder / "short.yaml"
    variant.write_text(f"schema_version: 1\nextends: {BASELINE}\nname: short\nhorizon_weeks: 6\n")
    return load_scenario(variant)


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None, host="127.0.0.1",
                                  silence_logs=40) as running:
        yield running


def _same(a, b) -> None:
    assert sorted(a.metrics) == sorted(b.metrics)
    for name in a.metrics:
        np.testing.assert_array_equal(a.metrics[name], b.metrics[name], err_msg=name)
    for name in a.weekly:
        for stat in a.weekly[name]:
            np.testing.assert_array_equal(a.weekly[name][stat], b.weekly[name][stat], err_msg=f"{name} {stat}")
    for key in a.regions:
        np.testing.assert_array_equal(a.regions[key], b.regions[key], err_msg=key)


def test_model_pickles(short) -> None:
    model = compile_model(short.scenario)
    again = pickle.loads(pickle.dumps(model))
    assert again.region_ids == model.region_ids
    np.testing.assert_array_equal(again.area, model.area)


@pytest.mark.parametrize("batch_blocks", [1, 2, 5])
def test_dask_matches_local_two_workers(short, cluster, batch_blocks: int) -> None:
    local = simulate(short, runs=RUNS, seed=7, backend=LocalBackend())
    seen: list[int] = []
    remote = simulate(short, runs=RUNS, seed=7, backend=DaskBackend(scheduler=cluster.scheduler_address,
                                                                     batch_blocks=batch_blocks),
                      progress=seen.append)
    _same(local, remote)
    assert seen == [1000, 2000, 2300]  # progress reported block by block, in order


def test_dask_matches_local_one_local_worker(short) -> None:
    local = simulate(short, runs=1_500, seed=3, backend=LocalBackend())
    remote = simulate(short, runs=1_500, seed=3, backend=make_backend("dask", workers=1, batch_blocks=2))
    _same(local, remote)


def test_overrides_travel(short, cluster) -> None:
    model = compile_model(short.scenario)
    key = ("combat", "ground_rate_km2")
    base = float(model.combat["ground_rate_km2"])
    overrides = {key: np.linspace(0.5, 1.5, 1_200) * base}
    local = simulate(short, runs=1_200, seed=1, backend=LocalBackend(), overrides=overrides)
    remote = simulate(short, runs=1_200, seed=1, overrides=overrides,
                      backend=DaskBackend(scheduler=cluster.scheduler_address))
    _same(local, remote)


def test_make_backend_refuses_nonsense() -> None:
    with pytest.raises(RunRefused, match="unknown backend"):
        make_backend("spark")
    with pytest.raises(RunRefused, match="--backend dask"):
        make_backend("local", scheduler="tcp://127.0.0.1:8786")
    with pytest.raises(RunRefused, match="at least 1"):
        make_backend("local", workers=0)
    with pytest.raises(RunRefused, match="at least 1"):
        make_backend("dask", workers=0)


def test_unreachable_scheduler_is_a_clear_error(short, monkeypatch) -> None:
    monkeypatch.setattr("detente.ensemble.dask_backend.CONNECT_TIMEOUT_S", 2)
    with pytest.raises(RunRefused, match="cannot reach the Dask scheduler"):
        simulate(short, runs=10, seed=0, backend=DaskBackend(scheduler="tcp://127.0.0.1:1"))
