"""The dashboard as a person uses it: a real server, headless Chromium, the slider, the comparison, a bad file."""

from __future__ import annotations

import json
import socket
import threading
import time

import pytest

from tests.conftest import ARTIFACTS, BASELINE, CHROMIUM
from tests.conftest import CHROMIUM_ARGS as ARGS
VARIANT = """schema_version: 1
extends: baseline.yaml
name: stronger-russia
set:
  forces.russia.manpower: 900000
  forces.russia.firepower: 2.4
"""

pytestmark = pytest.mark.skipif(not CHROMIUM.exists(), reason="headless Chromium not installed at /usr/bin/chromium "
                                                              "(apt-get install chromium)")


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    import uvicorn

    import detente
    from detente.analysis.sensitivity import run_sensitivity
    from detente.store.duck import ResultStore
    from detente.store.sensitivity import save_sensitivity
    from detente.web.server import create_app

    folder = tmp_path_factory.mktemp("dash")
    scenarios = folder / "scenarios"
    scenarios.mkdir()
    (scenarios / "baseline.yaml").write_text(BASELINE.read_text())
    (scenarios / "variant.yaml").write_text(VARIANT)
    (scenarios / "broken.yaml").write_text("schema_version: 1\nextends: baseline.yaml\nname: broken\n"
                                           "set:\n  forces.russia.manpowr: 5\n")
    db = folder / "results" / "detente.duckdb"
    store = ResultStore(db)
    for name in ("baseline.yaml", "variant.yaml"):
        result = detente.simulate(scenarios / name, runs=200, seed=1)
        run_id = store.begin_run(result.manifest, json.dumps(result.loaded.located.data, default=str))
        store.complete_run(run_id, result)
    ranges = folder / "ranges.yaml"
    ranges.write_text("parameters:\n  combat.russian_loss_rate: [0.015, 0.035]\n  combat.helmbold_w: [0.14, 0.21]\n")
    save_sensitivity(db, run_sensitivity(scenarios / "baseline.yaml", ranges, "sobol", samples=8))
    port = _free_port()
    config = uvicorn.Config(create_app(db, scenarios), host="127.0.0.1", port=port, log_level="warning")
    uv = uvicorn.Server(config)
    thread = threading.Thread(target=uv.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not uv.started and time.monotonic() < deadline:
        time.sleep(0.1)
    assert uv.started, "server did not start"
    yield f"http://127.0.0.1:{port}"
    uv.should_exit = True
    thread.join(timeout=10)


@pytest.fixture(scope="module")
def page(server):
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install '.[test]')")
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        page = browser.new_page(viewport={"width": 1300, "height": 1000})
        page.foreign = []
        page.on("request", lambda r: page.foreign.append(r.url) if not r.url.startswith((server, "data:", "blob:"))
                else None)
        page.goto(server + "/")
        page.wait_for_selector("body[data-ready='1']", timeout=60_000)
        page.wait_for_function("document.getElementById('map').data && document.getElementById('map').data.length",
                               timeout=30_000)
        yield page
        browser.close()


def _map_z(page, div: str = "map") -> list[float]:
    return page.evaluate(f"() => Array.from(document.getElementById('{div}').data[0].z)")


def test_map_has_every_region_and_colours_change_with_the_week(page):
    from detente.world.geography import load_geography

    time.sleep(1.5)  # let MapLibre paint
    locations = page.evaluate("() => Array.from(document.getElementById('map').data[0].locations)")
    assert set(locations) == set(load_geography().ids)
    assert page.evaluate("() => document.getElementById('map').data[0].type") == "choroplethmap"
    rendered = page.evaluate("() => document.getElementById('map')._fullLayout.map._subplot.map"
                             ".queryRenderedFeatures().length")
    assert rendered > 0, "MapLibre drew the regions"
    start = _map_z(page)
    page.screenshot(path=str(ARTIFACTS / "dashboard_week0.png"))
    page.evaluate("() => { const s = document.getElementById('week-slider'); s.value = s.max;"
                  " s.dispatchEvent(new Event('input')); }")
    page.wait_for_function("document.getElementById('week-label').textContent.startsWith('week 104')")
    time.sleep(1.0)
    end = _map_z(page)
    assert end != start
    donetsk = locations.index("donetsk")
    assert end[donetsk] >= start[donetsk]
    page.screenshot(path=str(ARTIFACTS / "dashboard_week104.png"))
    front = page.evaluate("() => document.getElementById('map').data[1].lon.length")
    assert front > 10, "the front is drawn"
    page.check("input[name=layer][value=p_changed_hands]")
    time.sleep(0.8)
    assert _map_z(page) != end
    page.screenshot(path=str(ARTIFACTS / "dashboard_changes_hands.png"))
    page.check("input[name=layer][value=p50_control]")
    assert not page.foreign, f"requests left the server: {page.foreign}"


def test_fan_charts_are_drawn(page):
    names = page.evaluate("() => [...document.querySelectorAll('#fans .fan')].map(d => d.dataset.series)")
    assert names[0] == "area_gained_km2" and "backer_will/europe" in names
    page.locator("#fans").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "dashboard_fans.png"))


def test_comparison_view(page):
    page.click("#nav-compare")
    page.click("#compare-go")
    page.wait_for_function("document.getElementById('compare-map').data", timeout=30_000)
    time.sleep(1.0)
    z = _map_z(page, "compare-map")
    assert any(abs(v) > 0.01 for v in z), "the two runs differ somewhere on the map"
    rows = page.locator("#compare-table tr").count()
    assert rows > 5
    page.screenshot(path=str(ARTIFACTS / "dashboard_compare.png"), full_page=True)


def test_sensitivity_tornado(page):
    page.click("nav button[data-view=sensitivity]")
    page.wait_for_function("document.getElementById('tornado').data", timeout=30_000)
    bars = page.evaluate("() => document.getElementById('tornado').data[0].y.length")
    assert bars == 2
    page.screenshot(path=str(ARTIFACTS / "dashboard_tornado.png"))


def test_bad_scenario_from_the_page_shows_the_validation_message(page):
    page.click("nav button[data-view=runs]")
    page.select_option("#job-scenario", "broken.yaml")
    page.fill("#job-runs", "10")
    page.click("#job-form button[type=submit]")
    page.wait_for_selector("#job-error:not(.hidden)", timeout=20_000)
    text = page.inner_text("#job-error")
    assert "broken.yaml" in text and "manpowr" in text
    page.fill("#job-runs", "50000")
    page.select_option("#job-scenario", "baseline.yaml")
    page.click("#job-form button[type=submit]")
    page.wait_for_function("document.getElementById('job-error').textContent.includes('limit')", timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / "dashboard_refused.png"))


def test_run_from_the_page_with_progress(page):
    page.fill("#job-runs", "40")
    page.select_option("#job-scenario", "variant.yaml")
    page.click("#job-form button[type=submit]")
    page.wait_for_function("document.getElementById('job-text').textContent.includes('complete')", timeout=90_000)
    assert page.evaluate("() => document.getElementById('job-progress').value") == 1
    page.wait_for_function("document.querySelectorAll('#runs-table tr').length >= 4", timeout=20_000)
    page.screenshot(path=str(ARTIFACTS / "dashboard_runs.png"))
