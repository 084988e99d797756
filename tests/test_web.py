"""The dashboard's JSON API, driven through FastAPI's test client: data, refusals, background runs."""

from __future__ import annotations

import json
import time
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "scenarios" / "baseline.yaml"
VARIANT = """schema_version: 1
extends: {baseline}
name: stronger-russia
set:
  forces.russia.manpower: 900000
  forces.russia.firepower: 2.4
"""


def build_store(folder: Path, runs: int = 200) -> tuple[Path, Path, list[str]]:
    """A results file with the baseline and a variant, and a scenarios folder holding both."""
    import detente
    from detente.store.duck import ResultStore

    scenarios = folder / "scenarios"
    scenarios.mkdir()
    (scenarios / "baseline.yaml").write_text(BASELINE.read_text())
    (scenarios / "variant.yaml").write_text(VARIANT.replace("{baseline}", str(scenarios / "baseline.yaml")))
    (scenarios / "broken.yaml").write_text("schema_version: 1\nextends: baseline.yaml\nname: broken\n"
                                           "set:\n  forces.russia.manpowr: 5\n")
    db = folder / "results" / "detente.duckdb"
    store = ResultStore(db)
    ids = []
    for name in ("baseline.yaml", "variant.yaml"):
        result = detente.simulate(scenarios / name, runs=runs, seed=1)
        run_id = store.begin_run(result.manifest, json.dumps(result.loaded.located.data, default=str))
        store.complete_run(run_id, result)
        ids.append(run_id)
    return db, scenarios, ids


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    from detente.web.server import create_app

    folder = tmp_path_factory.mktemp("web")
    db, scenarios, ids = build_store(folder)
    (folder / "secret.duckdb").write_bytes(db.read_bytes())  # a results file outside the results folder
    client = TestClient(create_app(db, scenarios, max_runs=5_000))
    return client, ids, folder


def test_runs_and_run_detail(served):
    client, ids, _ = served
    listed = client.get("/api/runs").json()
    assert {r["run_id"] for r in listed["runs"]} == set(ids)
    detail = client.get(f"/api/runs/{ids[0]}").json()
    assert detail["manifest"]["scenario"] == "baseline" and "area_gained_km2" in detail["metrics"]


def test_map_has_every_region_and_a_front(served):
    from detente.world.geography import load_geography

    client, ids, _ = served
    data = client.get(f"/api/runs/{ids[0]}/map").json()
    assert set(data["regions"]) == set(load_geography().ids)
    assert len(data["weeks"]) == 105 and len(data["p50_control"][0]) == len(data["regions"])
    assert data["front"][0], "the front exists at the start"
    borders = client.get("/api/borders").json()
    assert all(0 <= k < len(borders) for k in data["front"][-1])
    donetsk = data["regions"].index("donetsk")
    assert data["p50_control"][-1][donetsk] >= data["p50_control"][0][donetsk]
    geo = client.get("/api/geojson").json()
    assert {f["properties"]["id"] for f in geo["features"]} == set(data["regions"])


def test_map_sets_countries_outside_the_war_apart_and_labels_regions(served):
    client, ids, _ = served
    data = client.get(f"/api/runs/{ids[0]}/map").json()
    neutral = {r for r, n in zip(data["regions"], data["neutral"]) if n}
    assert {"poland", "belarus", "romania", "moldova", "estonia", "latvia", "lithuania"} <= neutral
    assert not neutral & {"donetsk", "kursk", "transnistria", "kaliningrad", "lviv"}
    label = dict(zip(data["regions"], data["labels"]))
    assert label["kharkiv"] == "Kharkiv" and label["crimea"] == "Crimea" and label["kyiv_city"] == ""
    position = dict(zip(data["regions"], zip(data["lon"], data["lat"])))
    assert 36 < position["kharkiv"][0] < 37.5 and 49 < position["kharkiv"][1] < 50


def test_series_carry_titles_units_and_their_shape(served):
    client, ids, _ = served
    fans = {s["name"]: s for s in client.get(f"/api/runs/{ids[0]}/fans").json()}
    casualties = fans["casualties_russia"]
    assert casualties["title"] == "Russian casualties" and casualties["unit"] == "people"
    assert casualties["cumulative"] and "18 Mar 2025" in casualties["note"] and casualties["first_week"] == 0
    garrison = fans["garrison_russia"]
    assert garrison["first_week"] == 1 and garrison["p50"][0] == 0 and garrison["p50"][1] > 10_000
    assert "week 1" in garrison["note"]
    scopes = [s for n, s in fans.items() if n.startswith("ceasefire_in_force/")]
    assert scopes and all(s["percent"] and s["kind"] == "probability" for s in scopes)
    for s in fans.values():  # constant exactly when nothing varies
        spread = (max(s["mean"]) - min(s["mean"])) if s["percent"] else (max(s["p95"]) - min(s["p05"]))
        assert s["constant"] == (spread <= 1e-9 * max(1.0, abs(max(s["p95"])))), s["name"]


def test_series_and_fans(served):
    client, ids, _ = served
    names = client.get(f"/api/runs/{ids[0]}/series").json()["series"]
    assert names[0] == "area_gained_km2" and "backer_will/europe" in names
    one = client.get(f"/api/runs/{ids[0]}/series/backer_will/europe").json()
    assert len(one["p50"]) == 105 and all(a <= b for a, b in zip(one["p05"], one["p95"]))
    assert len(client.get(f"/api/runs/{ids[0]}/fans").json()) == len(names)
    missing = client.get(f"/api/runs/{ids[0]}/series/no_such_series")
    assert missing.status_code == 404 and "no weekly series" in missing.json()["detail"]


def test_compare_gives_differences_with_intervals(served):
    client, ids, _ = served
    found = client.get("/api/compare", params={"a": ids[0], "b": ids[1]}).json()
    by_metric = {m["metric"]: m for m in found["metrics"]}
    manpower = by_metric["manpower_russia"]
    assert manpower["low"] <= manpower["difference"] <= manpower["high"]
    assert manpower["difference"] > 0  # the variant starts with 200,000 more
    assert manpower["title"] == "Russian troops" and manpower["unit"] == "troops" and not manpower["percent"]
    assert all(m["percent"] == (m["kind"] == "probability") for m in found["metrics"])
    assert not any(m["metric"].startswith("ceasefire_agreed_by_q") for m in found["metrics"])
    assert len(found["neutral"]) == len(found["regions"]) and any(found["neutral"])
    assert manpower["kind"] == "count" and manpower["unit"] == "troops"
    assert len(found["mean_control_difference"]) == len(found["weeks"])
    shares = [m for m in found["metrics"] if m["kind"] == "probability"]
    assert shares
    for m in shares:  # yes/no outcomes: shares of runs, not medians (which are 0 or 1 and differ by 0)
        assert 0.0 <= m["a_p50"] <= 1.0 and 0.0 <= m["b_p50"] <= 1.0
        assert m["difference"] == pytest.approx(m["b_p50"] - m["a_p50"])
        assert m["low"] <= m["difference"] <= m["high"]


def test_unknown_run_is_404_with_a_message(served):
    client, _, _ = served
    for url in ("/api/runs/nope", "/api/runs/nope/map", "/api/runs/nope/fans", "/api/compare?a=nope&b=nope"):
        answer = client.get(url)
        assert answer.status_code == 404, url
        assert "no run 'nope'" in answer.json()["detail"]


@pytest.mark.parametrize("name", ["../../etc/passwd", "../secret.duckdb", "/etc/passwd", "..%2Fsecret.duckdb"])
def test_paths_outside_the_results_folder_are_refused(served, name):
    client, _, _ = served
    answer = client.get("/api/runs", params={"results": name.replace("%2F", "/")})
    assert answer.status_code == 403
    assert "outside" in answer.json()["detail"]


def test_another_results_file_inside_the_folder_works(served):
    client, ids, folder = served
    (folder / "results" / "copy.duckdb").write_bytes((folder / "results" / "detente.duckdb").read_bytes())
    assert client.get("/api/runs", params={"results": "copy.duckdb"}).status_code == 200
    assert client.get("/api/runs", params={"results": "absent.duckdb"}).status_code == 404


def test_job_refusals(served):
    client, _, _ = served
    too_many = client.post("/api/jobs", json={"scenario": "baseline.yaml", "runs": 50_000})
    assert too_many.status_code == 413 and "5,000" in too_many.json()["detail"]
    outside = client.post("/api/jobs", json={"scenario": "../../etc/passwd", "runs": 10})
    assert outside.status_code == 403
    broken = client.post("/api/jobs", json={"scenario": "broken.yaml", "runs": 10})
    assert broken.status_code == 422
    detail = broken.json()["detail"]
    assert "broken.yaml" in detail and "manpowr" in detail and ":5" in detail
    assert client.get("/api/jobs/nope").status_code == 404


def test_job_runs_in_the_background_and_is_stored(served):
    client, ids, _ = served
    started = client.post("/api/jobs", json={"scenario": "variant.yaml", "runs": 30, "seed": 4})
    assert started.status_code == 202
    job_id = started.json()["job_id"]
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        status = client.get(f"/api/jobs/{job_id}").json()
        if status["status"] != "running":
            break
        time.sleep(0.2)
    assert status["status"] == "complete", status
    assert status["fraction"] == 1.0
    assert status["run_id"] in {r["run_id"] for r in client.get("/api/runs").json()["runs"]}


def test_openapi_documents_every_chart_endpoint(served):
    client, _, _ = served
    schema = client.get("/openapi.json").json()
    for path in ("/api/runs", "/api/runs/{run_id}/map", "/api/runs/{run_id}/series/{name}", "/api/compare",
                 "/api/sensitivity/{analysis_id}", "/api/jobs", "/api/borders"):
        assert path in schema["paths"], path
    assert "MapData" in schema["components"]["schemas"]


def test_page_and_plotly_are_served_locally(served):
    client, _, _ = served
    page = client.get("/").text
    assert "/static/plotly.min.js" in page and "http://" not in page and "https://" not in page
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and len(js.content) > 1_000_000
    app_js = client.get("/static/app.js").text
    assert 'type: "choropleth"' in app_js and "cdn" not in app_js.lower()


def test_sensitivity_endpoints(served):
    client, _, _ = served
    assert client.get("/api/sensitivity").json() == []
    assert client.get("/api/sensitivity/nope").status_code == 404
