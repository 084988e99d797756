"""The Python API as a notebook uses it: pandas, xarray, plotly figures, a short repr, per-run paths."""

from __future__ import annotations

import numpy as np
import pytest

from tests.conftest import BASELINE


@pytest.fixture(scope="module")
def short(tmp_path_factory):
    import detente

    path = tmp_path_factory.mktemp("views") / "b8.yaml"
    path.write_text(f"extends: {BASELINE}\nhorizon_weeks: 8\n")
    return detente.load_scenario(path)


@pytest.fixture(scope="module")
def result(short):
    import detente

    return detente.simulate(short, runs=60, seed=3, keep_paths=[0, 7, 59])


def test_repr_is_short_and_says_how_to_get_the_rest(result):
    text = repr(result)
    assert len(text) < 2000 and "60 runs" in text and ".to_pandas()" in text
    assert "<pre>" in result._repr_html_()


def test_to_pandas_one_row_per_run_and_per_week(result):
    import pandas as pd

    frame = result.to_pandas()
    assert isinstance(frame, pd.DataFrame) and len(frame) == 60
    assert np.array_equal(frame["area_gained_km2"].to_numpy(), result.metrics["area_gained_km2"])
    weekly = result.to_pandas("week")
    one = weekly[weekly.series == "area_gained_km2"]
    assert len(one) == 9 and str(one.date.iloc[0].date()) == "2025-03-18" and str(one.date.iloc[1].date()) == \
        "2025-03-25"
    assert np.allclose(one.p50.to_numpy(), result.weekly["area_gained_km2"]["p50"])
    paths = result.to_pandas("run-week")
    assert sorted(set(paths.run)) == [0, 7, 59] and len(paths) == 3 * 9
    at_horizon = paths[paths.week == 8].set_index("run")["area_gained_km2"]
    assert np.allclose(at_horizon.to_numpy(), result.metrics["area_gained_km2"][[0, 7, 59]])


def test_to_xarray_runs_weeks_series_with_dates(result):
    import xarray as xr

    ds = result.to_xarray()
    assert isinstance(ds, xr.Dataset)
    assert ds.outcome.sizes == {"run": 60, "metric": len(result.metrics)}
    assert ds.weekly.sel(series="area_gained_km2", stat="p50").values.tolist() == \
        result.weekly["area_gained_km2"]["p50"].tolist()
    assert str(ds.date.values[8])[:10] == "2025-05-13"
    assert ds.paths.sel(path_run=7, path_series="area_gained_km2").values[-1] == \
        pytest.approx(result.metrics["area_gained_km2"][7])


def test_plots_are_plotly_figures_with_titles_and_units(result):
    fan = result.plot.fan("area_gained_km2")
    assert type(fan).__name__ == "Figure" and "area gained by Russia" in fan.layout.title.text
    assert fan.layout.yaxis.title.text == "km²"
    assert len([t for t in fan.data if (t.name or "").startswith("run ")]) == 3
    shown = result.plot.map(4)
    assert type(shown).__name__ == "Figure" and "week 4" in shown.layout.title.text
    assert len(shown.data[0].locations) == len(result.region_ids)
    from detente.errors import DetenteError

    with pytest.raises(DetenteError, match="no weekly series"):
        result.plot.fan("no_such_series")
    with pytest.raises(DetenteError, match="outside the run"):
        result.plot.map(99)


def test_paths_are_the_same_whichever_worker_ran_the_block(short):
    """Blocks of 1000 runs; with two workers they are spilled to disk by the workers and may arrive out of
    order: the kept paths are still those of the chosen runs, and equal to one worker's."""
    import detente
    from detente.ensemble.backends import LocalBackend

    keep = [3, 1001, 1049]
    one = detente.simulate(short, runs=1050, seed=5, keep_paths=keep, backend=LocalBackend(workers=1))
    two = detente.simulate(short, runs=1050, seed=5, keep_paths=keep, backend=LocalBackend(workers=2))
    assert list(one.path_runs) == keep
    for series in ("area_gained_km2", "casualties_russia"):
        assert np.array_equal(one.paths[series], two.paths[series])
        assert np.allclose(one.paths[series][:, -1], one.metrics[series][keep])


def test_without_kept_paths_the_error_says_how():
    from detente.ensemble.result_views import chosen_runs
    from detente.errors import DetenteError

    assert chosen_runs(None, 10).size == 0 and chosen_runs(3, 10).tolist() == [0, 1, 2]
    with pytest.raises(DetenteError, match="within 0"):
        chosen_runs([10], 10)
