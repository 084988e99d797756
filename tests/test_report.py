"""The HTML report: one self-contained file, parsed and rendered offline in headless Chromium."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from html.parser import HTMLParser

import pytest

from tests.conftest import ARTIFACTS, BASELINE, CHROMIUM
from tests.conftest import CHROMIUM_ARGS as ARGS


class Parts(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[dict] = []
        self.divs: list[dict] = []
        self.links: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "script":
            self.scripts.append(attrs)
        elif tag == "div":
            self.divs.append(attrs)
        elif tag in ("link", "img", "iframe"):
            self.links.append(attrs)


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    import detente
    from detente.analysis.sensitivity import run_sensitivity
    from detente.report.html import write_report
    from detente.store.duck import ResultStore
    from detente.store.sensitivity import save_sensitivity

    folder = tmp_path_factory.mktemp("report")
    db = folder / "r.duckdb"
    result = detente.simulate(BASELINE, runs=200, seed=2)
    store = ResultStore(db)
    run_id = store.begin_run(result.manifest, json.dumps(result.loaded.located.data, default=str))
    store.complete_run(run_id, result)
    ranges = folder / "ranges.yaml"
    ranges.write_text("parameters:\n  combat.russian_loss_rate: [0.015, 0.035]\n  combat.helmbold_w: [0.14, 0.21]\n")
    save_sensitivity(db, run_sensitivity(BASELINE, ranges, "sobol", samples=8))
    out = write_report(db, run_id, folder / "report.html", [0, 26, 104])
    return out, db, run_id


def test_report_is_self_contained(report):
    out, _, _ = report
    text = out.read_text(encoding="utf-8")
    parts = Parts()
    parts.feed(text)
    assert len(parts.scripts) >= 2
    assert not any("src" in s for s in parts.scripts), "no external scripts"
    assert not parts.links
    assert text.count("Plotly.newPlot") >= 3
    import plotly.offline

    bundle = plotly.offline.get_plotlyjs()
    assert text.count(bundle[:200]) == 1, "plotly.js inlined exactly once"
    assert text.count("cdn.plot.ly") == bundle.count("cdn.plot.ly"), "no CDN reference beyond plotly's own defaults"
    assert sum(1 for d in parts.divs if d.get("class") == "map") == 3
    assert [d["data-week"] for d in parts.divs if d.get("class") == "map"] == ["0", "26", "104"]
    assert any(d.get("data-series") == "area_gained_km2" for d in parts.divs)
    assert any(d.get("class") == "tornado" for d in parts.divs)


def test_report_lists_assumptions_with_sources(report):
    text = report[0].read_text(encoding="utf-8")
    assert "Assumptions and their sources" in text
    assert "forces.russia.manpower" in text and "putin_2024_06" in text and "700,000 servicemen" in text
    assert "placeholder" in text
    assert "combat.russian_loss_rate" in text  # in the sensitivity ranges


def test_cli_report_and_its_errors(report, tmp_path):
    _, db, run_id = report
    out = tmp_path / "cli.html"
    done = subprocess.run([sys.executable, "-m", "detente.cli", "report", str(db), "--run", run_id, "-o", str(out),
                           "--weeks", "0,52"], capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert out.stat().st_size > 1_000_000
    for args, expected in ((["--run", "nope"], "no run 'nope'"), (["--run", run_id, "--weeks", "0,500"], "horizon"),
                           (["--run", run_id, "--weeks", "x"], "weeks")):
        done = subprocess.run([sys.executable, "-m", "detente.cli", "report", str(db), *args, "-o", str(out)],
                              capture_output=True, text=True, timeout=120)
        assert done.returncode == 2 and expected in done.stderr, done.stderr


def test_report_renders_offline_in_chromium(report):
    if not CHROMIUM.exists():
        pytest.skip("headless Chromium not installed at /usr/bin/chromium (apt-get install chromium)")
    playwright = pytest.importorskip("playwright.sync_api", reason="playwright not installed (pip install '.[test]')")
    out = report[0]
    ARTIFACTS.mkdir(exist_ok=True)
    with playwright.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=ARGS)
        try:
            page = browser.new_page(viewport={"width": 1200, "height": 900})
            requests, errors = [], []
            page.on("request", lambda r: requests.append(r.url))
            page.on("pageerror", lambda e: errors.append(str(e)))
            page.goto(out.as_uri())
            page.wait_for_function("document.querySelectorAll('.map .main-svg').length >= 3", timeout=30_000)
            time.sleep(0.5)
            assert not errors
            assert all(u.startswith(("file:", "data:", "blob:")) for u in requests), requests
            # each map draws every region as a filled path; colours differ between week 0 and week 104
            fills = page.evaluate("""() => [...document.querySelectorAll('.map')].map(m =>
                [...m.querySelectorAll('.js-plotly-plot')][0].data.filter(t => t.fill === 'toself')
                .map(t => t.name + '=' + t.fillcolor))""")
            assert len(fills) == 3 and len(fills[0]) == 41
            assert fills[0] != fills[2]
            page.locator(".map").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "report_maps.png"))
            page.locator(".tornado").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "report_tornado.png"))
        finally:
            browser.close()
