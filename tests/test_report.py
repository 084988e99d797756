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


def _body(text: str) -> str:
    """The report without its inlined plotly.js."""
    return text[text.index("</head>"):]


def test_summary_comes_first_and_the_appendix_is_folded(report):
    body = _body(report[0].read_text(encoding="utf-8"))
    order = [body.index(marker) for marker in ("id='summary'", "id='quarters'", "id='maps'", "id='charts'",
                                               "id='sensitivity'", "id='appendix'")]
    assert order == sorted(order), "summary, quarters, maps, charts, sensitivity, appendix"
    appendix = body[body.index("id='appendix'"):]
    assert "<details class='params'><summary>Assumptions and their sources" in appendix
    assert "forces.russia.manpower" not in body[:body.index("id='appendix'")], "the parameter table is folded"
    assert "<details open" not in body


def test_yes_no_outcomes_read_as_percentages(report):
    import re

    body = _body(report[0].read_text(encoding="utf-8"))
    summary = body[body.index("id='summary'"):body.index("id='quarters'")]
    rows = dict(re.findall(r"<tr data-metric='([^']+)'><td>[^<]*</td><td>([^<]*)</td>", summary))
    assert rows["nuclear_use"].endswith("%") and rows["agreements_broke_down"].endswith("%")
    assert any(n.startswith("leader_fell/") for n in rows)
    assert all(v.endswith("%") for n, v in rows.items() if n.startswith(("leader_fell/", "backer_gave_up/")))
    assert re.fullmatch(r"[\d,]+", rows["casualties_russia"]), rows["casualties_russia"]  # 834,000, no exponent
    assert "e+" not in summary and "median 0, 0" not in summary
    quarters = body[body.index("id='quarters'"):body.index("id='maps'")]
    assert "Q1" in quarters and "Q8" in quarters and "Whole front" in quarters
    cells = re.findall(r"<td>([^<]*%)</td>", quarters)
    assert len(cells) >= 3 * 9 and all(re.fullmatch(r"(<1|>99|\d{1,3})%", c) for c in cells)
    assert "18 Mar 2025" in summary, "says from when casualties count"


def test_quarter_shares_never_fall():
    from detente.report.sections import quarter_rows

    metrics = {f"ceasefire_agreed_by_q{q}/whole_front": {"mean": 0.1 * q} for q in range(1, 9)}
    metrics["ceasefire_held_90d/whole_front"] = {"mean": 0.3}
    quarters, rows = quarter_rows(metrics)
    assert quarters == list(range(1, 9)) and rows[0]["by_quarter"] == [0.1 * q for q in range(1, 9)]
    assert rows[0]["held_90d"] == 0.3


def test_claims_verdicts_render_from_a_hand_made_list():
    from detente.analysis.claims import Verdict
    from detente.report.sections import render_claims

    assert render_claims([]) == ""
    verdicts = [
        Verdict(scenario="seed000-odesa", file="x.yaml", claim="Russia gains more ground", kind="conclusion",
                metric="area_gained_km2", direction="higher", size=None, against="parent", mean=14_123.4,
                p05=12_900.0, p95=15_250.0, verdict="supported", source="seed000"),
        Verdict(scenario="seed000-odesa", file="x.yaml", claim="A front ceasefire comes sooner", kind="conclusion",
                metric="ceasefire_agreed/whole_front", direction="higher", size=None, against="parent",
                mean=0.071, p05=0.03, p95=0.1, verdict="inconclusive",
                decided_by=[{"parameter": "table.patience", "mu_star": 0.2}]),
        {"claim": "Talks stall <until> the US walks away", "verdict": "contradicted", "probability": 0.04},
        {"claim": "Kyiv holds", "kind": "premise", "verdict": "broken", "detail": "Kyiv falls in 2% of runs"}]
    shown = render_claims(verdicts)
    assert shown.count("<tr>") == 5  # a header and four claims
    assert "class='verdict holds'>supported" in shown and "class='verdict open'>inconclusive" in shown
    assert "class='verdict fails'>contradicted" in shown and "class='verdict fails'>broken" in shown
    assert "+14,100 km²" in shown and "+12,900" in shown, "a difference in the metric's unit, no exponent"
    assert "+7 pp" in shown and "+3 pp" in shown, "a yes/no outcome's difference in percentage points"
    assert "decided by table.patience" in shown and "seed000" in shown and "4%" in shown
    assert "&lt;until&gt;" in shown, "claim text is escaped"


def test_report_shows_claims_when_given(report, tmp_path):
    from detente.report.html import write_report

    _, db, run_id = report
    out = write_report(db, run_id, tmp_path / "claims.html", [0],
                       claims=[{"claim": "Kyiv holds", "verdict": "supported", "probability": 1.0}])
    body = _body(out.read_text(encoding="utf-8"))
    assert body.index("id='summary'") < body.index("id='claims'") < body.index("id='maps'")
    assert "id='claims'" not in _body(report[0].read_text(encoding="utf-8"))


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
            # each map draws every region (plotly's SVG geo choropleth); colours differ between week 0 and 104
            fills = page.evaluate("""() => [...document.querySelectorAll('.map')].map(m =>
                [...m.querySelectorAll('path.choroplethlocation')].map(p => getComputedStyle(p).fill))""")
            assert len(fills) == 3 and len(fills[0]) == 41
            assert fills[0] != fills[2]
            # the body (appendix folded) within about six screens, nothing wider than the page
            assert page.evaluate("document.body.scrollHeight") <= 6 * 900
            assert page.evaluate("document.documentElement.scrollWidth") <= 1200
            for box in page.evaluate("""() => [...document.querySelectorAll('.map')].map(m => {
                    const outer = m.getBoundingClientRect(), svg = m.querySelector('.main-svg').getBoundingClientRect();
                    return [outer.right, svg.right]; })"""):
                assert box[1] <= box[0] + 1, f"a map is cut off on the right: {box}"
            assert not page.evaluate("[...document.querySelectorAll('details')].some(d => d.open)")
            page.locator(".map").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "report_maps.png"))
            page.locator(".tornado").first.scroll_into_view_if_needed()
            page.screenshot(path=str(ARTIFACTS / "report_tornado.png"))
        finally:
            browser.close()
