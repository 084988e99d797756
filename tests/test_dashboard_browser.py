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


def _png_pixels(data: bytes) -> tuple[list[bytes], int, int]:
    """Rows of an 8-bit RGB(A) non-interlaced PNG (what Chromium writes), decoded with zlib alone."""
    import struct
    import zlib

    pos, idat = 8, b""
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        chunk = data[pos + 8:pos + 8 + length]
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", chunk[:10])
            assert depth == 8 and colour in (2, 6)
            bpp = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += chunk
        pos += 12 + length
    raw, stride, i = zlib.decompress(idat), width * bpp, 0
    prev, rows = bytearray(stride), []
    for _ in range(height):
        kind, line = raw[i], bytearray(raw[i + 1:i + 1 + stride])
        i += 1 + stride
        for x in range(stride):
            a = line[x - bpp] if x >= bpp else 0
            b, c = prev[x], (prev[x - bpp] if x >= bpp else 0)
            if kind == 1:
                line[x] = (line[x] + a) & 255
            elif kind == 2:
                line[x] = (line[x] + b) & 255
            elif kind == 3:
                line[x] = (line[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                line[x] = (line[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        rows.append(bytes(line))
        prev = line
    return rows, width, bpp


def _shares(png: bytes, box: tuple[int, int, int, int] | None = None) -> dict[str, float]:
    """Shares of the map's colours among the pixels of `box` (x0, y0, x1, y1): Russian red, Ukrainian blue, the
    neutral grey of countries outside the war."""
    rows, width, bpp = _png_pixels(png)
    x0, y0, x1, y1 = box or (0, 0, width, len(rows))
    counts = {"red": 0, "blue": 0, "neutral": 0}
    total = 0
    for line in rows[y0:y1]:
        for x in range(x0 * bpp, min(x1, width) * bpp, bpp):
            r, g, b = line[x], line[x + 1], line[x + 2]
            total += 1
            counts["red"] += r > 150 and g < 110 and b < 110
            counts["blue"] += b > 150 and r < 110 and g < 150
            counts["neutral"] += abs(r - 0xd6) <= 4 and abs(g - 0xd3) <= 4 and abs(b - 0xce) <= 4
    return {k: v / max(total, 1) for k, v in counts.items()}


def test_map_draws_in_a_plain_headless_screenshot(server, tmp_path):
    """What a plain `chromium --headless --screenshot` sees (no waiting for animation frames): the map, with
    Russian-held red, Ukrainian-held blue and the neutral grey of the countries outside the war."""
    import subprocess

    shot = tmp_path / "plain.png"
    subprocess.run([str(CHROMIUM), "--headless", *ARGS, f"--user-data-dir={tmp_path / 'profile'}",
                    "--window-size=1280,900", "--virtual-time-budget=15000", f"--screenshot={shot}", server + "/"],
                   capture_output=True, timeout=90)
    assert shot.exists(), "chromium wrote no screenshot"
    ARTIFACTS.mkdir(exist_ok=True)
    (ARTIFACTS / "dashboard_plain.png").write_bytes(shot.read_bytes())
    shares = _shares(shot.read_bytes(), (0, 140, 1280, 780))  # the map's band below the controls
    assert shares["red"] >= 0.02, f"the map is blank in a plain screenshot: {shares}"
    assert shares["blue"] >= 0.02 and shares["neutral"] >= 0.03, shares


def _map_traces(page, div: str = "map") -> list[dict]:
    return page.evaluate(f"""() => document.getElementById('{div}').data.map(t => ({{type: t.type,
        locations: t.locations ? Array.from(t.locations) : null, z: t.z ? Array.from(t.z) : null,
        lon: t.lon ? t.lon.length : 0, text: t.text ? Array.from(t.text) : null, hover: t.hovertemplate || ''}}))""")


def _map_z(page, div: str = "map") -> dict[str, float]:
    choropleths = [t for t in _map_traces(page, div) if t["type"] == "choropleth" and "not a party" not in t["hover"]]
    return dict(zip(choropleths[0]["locations"], choropleths[0]["z"]))


def _inside(inner: dict, outer: dict, slack: float = 1.0) -> bool:
    return (inner["x"] >= outer["x"] - slack and inner["y"] >= outer["y"] - slack
            and inner["x"] + inner["width"] <= outer["x"] + outer["width"] + slack
            and inner["y"] + inner["height"] <= outer["y"] + outer["height"] + slack)


def test_map_frames_labels_and_sets_neutral_countries_apart(page):
    from detente.world.geography import load_geography

    geo = load_geography()
    traces = _map_traces(page)
    choropleths = [t for t in traces if t["type"] == "choropleth"]
    assert {r for t in choropleths for r in t["locations"]} == set(geo.ids), "every region is on the map"
    neutral = next(t for t in choropleths if "not a party" in t["hover"])
    assert {"poland", "belarus", "romania", "estonia", "latvia", "lithuania", "moldova"} <= set(neutral["locations"])
    assert not {"donetsk", "kharkiv", "kursk", "crimea"} & set(neutral["locations"])
    labels = [x for t in traces if t["text"] for x in t["text"]]
    assert {"Kharkiv", "Donetsk", "Crimea", "Estonia", "Poland"} <= set(labels)
    # every region's polygon lies inside the map's frame (the Baltic states were cut off)
    frame = page.locator("#map").bounding_box()
    paths = page.locator("#map path.choroplethlocation")
    assert paths.count() == len(geo.ids)
    outside = [k for k in range(paths.count()) if not _inside(paths.nth(k).bounding_box(), frame)]
    assert not outside, f"{len(outside)} regions cut off by the map's frame"
    # the colour bar is clear of the toolbar
    bar = page.locator("#map .colorbar").first.bounding_box()
    tools = page.locator("#map .modebar").first.bounding_box()
    assert bar["y"] > tools["y"] + tools["height"], (bar, tools)
    # hover carries the median, the interval and P(changes hands)
    hover = next(t for t in choropleths if t is not neutral)["hover"]
    assert "median" in hover and "10–90%" in hover and "P(changes hands)" in hover


def test_map_colours_and_front_change_with_the_week(page):
    time.sleep(0.5)
    start = _map_z(page)
    png = page.locator("#map").screenshot()
    assert _shares(png)["red"] > 0.02
    page.screenshot(path=str(ARTIFACTS / "dashboard_week0.png"))
    page.evaluate("() => { const s = document.getElementById('week-slider'); s.value = s.max;"
                  " s.dispatchEvent(new Event('input')); }")
    page.wait_for_function("document.getElementById('week-label').textContent.startsWith('week 104')")
    time.sleep(0.5)
    end = _map_z(page)
    assert end != start
    assert end["donetsk"] >= start["donetsk"]
    page.screenshot(path=str(ARTIFACTS / "dashboard_week104.png"))
    front = [t for t in _map_traces(page) if t["type"] == "scattergeo" and t["lon"] > 0 and not t["text"]]
    assert front and front[0]["lon"] > 10, "the front is drawn"
    page.check("input[name=layer][value=p_changed_hands]")
    time.sleep(0.5)
    assert _map_z(page) != end
    page.screenshot(path=str(ARTIFACTS / "dashboard_changes_hands.png"))
    page.check("input[name=layer][value=p50_control]")
    assert not page.foreign, f"requests left the server: {page.foreign}"


def test_fan_charts_have_titles_units_and_no_degenerate_shapes(page):
    names = page.evaluate("() => [...document.querySelectorAll('#fans .fan')].map(d => d.dataset.series)")
    assert names[0] == "area_gained_km2" and "backer_will/europe" in names
    fans = page.evaluate("""() => Object.fromEntries([...document.querySelectorAll('#fans .fan')].map(d =>
        [d.dataset.series, {title: d.layout.title.text, x0: d.data[0].x[0], ytick: d.layout.yaxis.tickformat || '',
         range: d.layout.yaxis.range || null}]))""")
    titles = {n: f["title"].split("<br>")[0] for n, f in fans.items()}
    assert titles["area_gained_km2"] == "Area gained by Russia"
    assert all("_" not in t for t in titles.values()), titles
    assert "counted from the scenario's start" in fans["casualties_russia"]["title"]
    assert "troops" in fans["manpower_russia"]["title"]
    garrison = fans["garrison_russia"]
    assert garrison["x0"] != fans["manpower_russia"]["x0"], "the garrison starts at week 1, not at 0"
    for name, fan in fans.items():
        if name.startswith("ceasefire_in_force/"):
            assert fan["ytick"] == ".0%" and fan["range"] == [0, 1]
    constants = page.inner_text("#constants")
    # which series are constant depends on the calibrated baseline; the section names them readably
    assert not constants or (constants.startswith("The same in every run and week") and "_" not in constants)
    page.locator("#fans").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "dashboard_fans.png"))


def test_the_tables_events_under_the_fans(page):
    """Prisoner exchanges (count, persons), truce days by kind and the table's events by quarter, as `detente run`
    and the report give them."""
    page.wait_for_selector("#events-by-quarter", timeout=30_000)
    rows = page.evaluate("() => [...document.querySelectorAll('#diplomacy tr[data-metric]')]"
                         ".map(r => r.dataset.metric)")
    for name in ("events/prisoner_exchange", "persons/prisoner_exchange", "truce_days/agreed/energy_strikes"):
        assert name in rows, rows
    grid = page.inner_text("#events-by-quarter")
    assert "prisoner exchange" in grid and "Q1" in grid and "Q8" in grid and "_" not in grid
    page.locator("#diplomacy").scroll_into_view_if_needed()
    page.screenshot(path=str(ARTIFACTS / "dashboard_table_events.png"))


def test_comparison_view(page):
    page.click("#nav-compare")
    page.click("#compare-go")
    page.wait_for_function("document.getElementById('compare-map').data", timeout=30_000)
    page.wait_for_function("document.querySelectorAll('#compare-chart .compare-panel').length > 2", timeout=30_000)
    time.sleep(0.5)
    z = _map_z(page, "compare-map")
    assert any(abs(v) > 0.01 for v in z.values()), "the two runs differ somewhere on the map"
    units = page.evaluate("() => [...document.querySelectorAll('.compare-panel')].map(d => d.dataset.unit)")
    assert "troops" in units and any("percentage points" in u for u in units), units
    table = page.inner_text("#compare-table")
    assert page.locator("#compare-table tr").count() > 5
    assert "e+" not in table and "manpower_russia" not in table, "readable numbers and titles"
    page.screenshot(path=str(ARTIFACTS / "dashboard_compare.png"), full_page=True)


def test_sensitivity_tornado(page):
    page.click("nav button[data-view=sensitivity]")
    page.wait_for_function("document.getElementById('tornado').data", timeout=30_000)
    bars = page.evaluate("() => document.getElementById('tornado').data[0].y.length")
    assert bars == 2
    title = page.evaluate("() => document.getElementById('tornado').layout.title.text")
    assert ": sobol indices" in title and "_" not in title.split(":")[0], title
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
