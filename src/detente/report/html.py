"""One self-contained HTML report of a stored run: the summary first, then maps, charts and sensitivity, and
the assumptions with their sources folded into an appendix.

Reading order, and why: a reader wants the answer before the evidence (headline outcomes with intervals, the
agreements quarter by quarter, the claims' verdicts where the variant makes claims), then the map and the
charts that show how it came about; the 400-row parameter table is reference, so it is folded (<details>).
The body stays within about six screens. plotly.js is inlined once (from the installed plotly package), every
figure follows as a plain div, and the maps are plotly's SVG geo choropleth (no worker, no tiles), so the file
opens offline from disk.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

from detente.errors import DetenteError, InputError, StoreError

DEFAULT_WEEKS = (0, 26, 52, 104)


def parse_weeks(text: str) -> list[int]:
    """`0,26,52` -> [0, 26, 52]; anything else is an InputError naming the option."""
    try:
        weeks = [int(part) for part in text.split(",") if part.strip()]
    except ValueError:
        raise InputError.single("--weeks", "weeks must be whole numbers separated by commas", field="weeks",
                                value=text, hint="e.g. --weeks 0,26,52,104") from None
    if not weeks or any(w < 0 for w in weeks):
        raise InputError.single("--weeks", "give at least one week, none negative", field="weeks", value=text)
    return weeks


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def _fmt(value: float | None) -> str:
    if value is None:
        return ""
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.3g}"


def assumptions(scenario_json: str) -> list[dict[str, Any]]:
    """Every parameter of a stored scenario with its value, uncertainty, source (resolved) and placeholder flag."""
    from detente.scenario.loader import iter_params
    from detente.scenario.provenance import source_text
    from detente.scenario.schema import Scenario

    data = json.loads(scenario_json)
    scenario = Scenario.model_validate(data)
    references = data.get("references") or {}
    rows = []
    for path, param in iter_params(scenario):
        sources = param.source if isinstance(param.source, list) else ([param.source] if param.source else [])
        named = []
        for s in sources:
            named.append(source_text(s, references))
        uncertainty = (f"between {param.between[0]:g} and {param.between[1]:g}" if param.between
                       else f"lognormal spread {param.spread:g}" if param.spread else "")
        rows.append({"field": ".".join(map(str, path)), "value": param.value, "uncertainty": uncertainty,
                     "source": "; ".join(named), "placeholder": param.placeholder, "note": param.note or ""})
    return rows


def write_report(results: str | Path, run_id: str, output: str | Path,
                 weeks: list[int] | tuple[int, ...] = DEFAULT_WEEKS, sensitivity_id: str | None = None,
                 claims: list[Any] | None = None) -> Path:
    """Write the report of one run to `output` and return its path.

    `claims`: the verdicts of the variant's claims (what `detente claims` produces; see
    `sections.render_claims`), shown in the summary; none, no section."""
    import plotly.offline

    from detente.report import plots, sections
    from detente.store.duck import ResultStore
    from detente.store.sensitivity import latest_for_scenario, load_sensitivity

    store = ResultStore(results, read_only=True)
    shown = store.get_run(run_id)
    if shown is None:
        raise DetenteError(f"no run '{run_id}' in {store.path}; `detente runs --store {store.path}` lists them")
    if shown["status"] != "complete":
        raise StoreError(f"run '{run_id}' is {shown['status']}, not complete; nothing to report")
    manifest = shown["manifest"]
    horizon = int(manifest["horizon_weeks"])
    bad = [w for w in weeks if w > horizon]
    if bad:
        raise InputError.single("--weeks", f"week {bad[0]} is past the run's horizon of {horizon} weeks",
                                field="weeks", value=bad[0], hint=f"choose weeks from 0 to {horizon}")
    scenario_json = store.query("SELECT scenario_json FROM runs WHERE run_id = ?", [run_id])[0][0]
    scenario_doc = json.loads(scenario_json)
    start = manifest.get("start")
    region_rows = store.query("SELECT region, week, p50_control, p10_control, p90_control, p_changed_hands, "
                              "mean_control FROM region_weekly WHERE run_id = ? ORDER BY week, region", [run_id])
    weekly = store.query("SELECT series, week, date, mean, p05, p10, p25, p50, p75, p90, p95 FROM weekly_summary "
                         "WHERE run_id = ? ORDER BY series, week", [run_id])
    analysis = (load_sensitivity(store.path, sensitivity_id) if sensitivity_id
                else latest_for_scenario(store.path, manifest["scenario"]))
    if sensitivity_id and analysis is None:
        raise DetenteError(f"no sensitivity analysis '{sensitivity_id}' in {store.path}")

    def div(figure: Any) -> str:
        return figure.to_html(full_html=False, include_plotlyjs=False, config={"displayModeBar": False,
                                                                                "responsive": True})

    title = scenario_doc.get("title") or manifest["scenario"]
    parts = [f"<h1>{_e(title)}</h1>", f"<p class='lead'>{_e(scenario_doc.get('description', ''))}</p>",
             f"<p class='meta'>run <code>{_e(run_id)}</code> · {int(manifest['runs']):,} runs · seed "
             f"{_e(manifest.get('seed'))} · détente {_e(manifest.get('package_version', ''))} · "
             "<a href='#appendix'>manifest and assumptions</a></p>",
             sections.summary(shown["metrics"], manifest), sections.quarter_table(shown["metrics"], manifest),
             sections.event_quarter_table(shown["metrics"], manifest),
             sections.render_claims(claims or [])]
    parts.append("<section id='maps'><h2>The map</h2><p class='lead'>Each region coloured by the median share of "
                 "its area under Russian control across runs; grey: countries outside the war; the black line is "
                 "the front (where a region mostly under Russian control meets one that is not). Hover a region "
                 "for its 10–90% interval and the probability it changes hands.</p><div class='maps'>")
    parts += [f"<div class='map' data-week='{w}'>{div(m)}</div>" for w, m in _maps(region_rows, weeks, start)]
    parts.append("</div></section>")
    fans, constants = _fans(weekly, start)
    parts.append("<section id='charts'><h2>Over time</h2><p class='lead'>Median, 50% and 90% bands over runs; "
                 "yes/no outcomes (an agreement in force) as the share of runs.</p><div class='fans'>")
    parts += [f"<div class='fan' data-series='{_e(n)}'>{div(f)}</div>" for n, f in fans]
    parts.append("</div>")
    if constants:
        parts.append("<p class='hint constants'>The same in every run and week (no chart): "
                     + " · ".join(_e(c) for c in constants) + ".</p>")
    parts.append("</section>")
    if analysis:
        parts.append(_sensitivity(analysis, div))
    parts.append(_appendix(run_id, manifest, shown["metrics"], scenario_json, scenario_doc, analysis))
    document = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        "<meta name='viewport' content='width=device-width, initial-scale=1'>"
        f"<title>détente report: {_e(manifest['scenario'])} ({_e(run_id)})</title><style>{_STYLE}</style>"
        f"<script>{plotly.offline.get_plotlyjs()}</script></head><body>"
        + "\n".join(p for p in parts if p)
        + f"<footer>détente {_e(manifest.get('package_version', ''))}, written "
          f"{dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')}</footer></body></html>")
    output = Path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(document, encoding="utf-8")
    except OSError as error:
        raise StoreError(f"cannot write the report to {output}: {error.strerror}") from None
    return output


def _maps(region_rows: list[tuple], weeks: list[int] | tuple[int, ...], start: str | None) -> list[tuple[int, Any]]:
    """One map figure per chosen week; countries outside the war (never under any Russian control) in grey."""
    from detente.report import plots, sections
    from detente.world.geography import load_geography

    geo = load_geography()
    by_week: dict[int, dict[str, tuple]] = {}
    touched: set[str] = set()
    for region, week, *values in region_rows:
        by_week.setdefault(week, {})[region] = tuple(values)
        if values[4] and values[4] > 0:
            touched.add(region)
    neutral = {r for r in geo.ids if geo.countries[geo.index(r)] not in ("UA", "RU") and r not in touched}
    borders = plots.shared_borders()
    out = []
    for week in weeks:
        cells = by_week.get(week, {})
        control = {r: v[0] for r, v in cells.items()}
        hover = {r: f"<b>{geo.names[geo.index(r)] if r in geo.ids else r}</b><br>under Russian control: median "
                    f"{v[0]:.0%} (10–90%: {v[1]:.0%} – {v[2]:.0%})<br>P(changes hands) {v[3]:.0%}"
                 for r, v in cells.items()}
        date = dt.date.fromisoformat(str(start)[:10]) + dt.timedelta(weeks=week) if start else None
        front = [borders[k] for k in plots.front_borders(control, borders)]
        title = f"Week {week}" + (f" ({sections.date_text(date)})" if date else "")
        out.append((week, plots.geo_map_figure(control, hover, title, neutral=neutral, front=front,
                                               colourbar_title="Russian control", height=430)))
    return out


def _fans(weekly: list[tuple], start: str | None) -> tuple[list[tuple[str, Any]], list[str]]:
    """Fan charts of the weekly series worth a chart, and a line for each series that never varies."""
    from detente.report import labels, plots

    stats = ("mean", "p05", "p10", "p25", "p50", "p75", "p90", "p95")
    grouped: dict[str, dict[str, list]] = {}
    for series, _week, date, *values in weekly:
        g = grouped.setdefault(series, {"dates": [], **{k: [] for k in stats}})
        g["dates"].append(str(date))
        for k, v in zip(stats, values):
            g[k].append(v)
    fans, constants = [], []
    for name in plots.series_order(list(grouped)):
        view = plots.series_view(name, grouped[name], start)
        if view["constant"]:
            label = labels.describe(name)
            constants.append(f"{view['title']} {labels.value(label, view['constant_value'])}"
                             + ("" if label.percent else f" {label.unit}"))
            continue
        fans.append((name, plots.fan_figure(name, grouped[name], grouped[name]["dates"], start)))
    return fans, constants


def _sensitivity(analysis: dict[str, Any], div: Any) -> str:
    from detente.report import plots

    parts = [f"<section id='sensitivity'><h2>Sensitivity</h2><p class='lead'>{_e(analysis['method'])} analysis "
             f"{_e(analysis['analysis_id'])}: {analysis['runs']:,} runs, {len(analysis['parameters'])} parameters "
             "varied over their ranges (listed in the appendix). S1 is the share of an outcome's variance a "
             "parameter explains alone, ST with its interactions (Morris: mu* and sigma).</p><div class='tornados'>"]
    for metric in list(analysis["indices"])[:4]:
        parts.append(f"<div class='tornado' data-metric='{_e(metric)}'>"
                     f"{div(plots.tornado_figure(analysis['indices'][metric], analysis['method'], metric, top=10))}"
                     "</div>")
    parts.append("</div></section>")
    return "".join(parts)


def _appendix(run_id: str, manifest: dict[str, Any], metrics: dict[str, Any], scenario_json: str,
              scenario_doc: dict[str, Any], analysis: dict[str, Any] | None) -> str:
    """Reference, folded: the run's manifest, every outcome, the sensitivity ranges, every parameter with its
    source, and the references."""
    from detente.report import sections

    parts = ["<section id='appendix'><h2>Appendix</h2>", "<details><summary>The run</summary><table class='kv'>"]
    for key in ("scenario", "runs", "seed", "start", "horizon_weeks", "scenario_hash", "package_version",
                "created_at", "backend", "chain"):
        parts.append(f"<tr><th>{_e(key)}</th><td>{_e(manifest.get(key, ''))}</td></tr>")
    parts.append(f"<tr><th>run_id</th><td>{_e(run_id)}</td></tr></table></details>")
    parts.append("<details><summary>Every outcome</summary>" + sections.outcome_table(metrics) + "</details>")
    if analysis:
        parts.append("<details><summary>Sensitivity ranges</summary><table class='num'><tr><th>parameter</th>"
                     "<th>low</th><th>high</th></tr>")
        parts += [f"<tr><td>{_e(p['name'])}</td><td>{p['low']:g}</td><td>{p['high']:g}</td></tr>"
                  for p in analysis["parameters"]]
        parts.append("</table></details>")
    rows = assumptions(scenario_json)
    placeholders = sum(1 for r in rows if r["placeholder"])
    parts.append(f"<details class='params'><summary>Assumptions and their sources ({len(rows)} parameters, "
                 f"{placeholders} placeholders)</summary><p>Every parameter of the scenario as run; "
                 "<span class='ph'>placeholder</span> marks an invented value awaiting a source.</p>"
                 "<table class='params'><tr><th>parameter</th><th>value</th><th>uncertainty</th><th>source</th>"
                 "<th>note</th></tr>")
    for row in rows:
        flag = " <span class='ph'>placeholder</span>" if row["placeholder"] else ""
        parts.append(f"<tr><td>{_e(row['field'])}</td><td>{_fmt(row['value'])}</td><td>{_e(row['uncertainty'])}</td>"
                     f"<td>{_e(row['source'])}{flag}</td><td>{_e(row['note'])}</td></tr>")
    parts.append("</table></details>")
    references = scenario_doc.get("references") or {}
    if references:
        parts.append("<details><summary>References</summary><dl>")
        from detente.scenario.provenance import reference_text  # `{cite, date}` entries read as text with their date

        parts += [f"<dt>{_e(k)}</dt><dd>{_e(reference_text(v))}</dd>" for k, v in references.items()]
        parts.append("</dl></details>")
    parts.append("</section>")
    return "".join(parts)


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 1em auto; padding: 0 1em; color: #1a202c; }
h1 { margin-bottom: 0.2em; } h2 { margin: 1.1em 0 0.3em; } .lead { color: #4a5568; margin: 0.2em 0 0.5em; }
.meta { color: #718096; font-size: 0.9em; } .hint { color: #718096; font-size: 0.88em; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.4em 0; }
td, th { border-bottom: 1px solid #e2e8f0; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
table.num td:not(:first-child), table.num th:not(:first-child) { text-align: right; }
td.unit { color: #718096; text-align: left !important; }
.two { display: grid; grid-template-columns: minmax(0, 1.2fr) minmax(0, 1fr); gap: 1.5em; align-items: start; }
.maps { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.5em; }
.fans { display: grid; grid-template-columns: repeat(3, minmax(0, 1fr)); gap: 0.4em; }
.tornados { display: grid; grid-template-columns: repeat(2, minmax(0, 1fr)); gap: 0.5em; }
.map, .fan, .tornado { min-width: 0; overflow: hidden; }
details { margin: 0.4em 0; } summary { cursor: pointer; font-weight: 600; padding: 0.3em 0; }
table.params { table-layout: fixed; width: 100%; } table.params td { overflow-wrap: anywhere; }
.ph { background: #fefcbf; color: #744210; padding: 0 0.3em; border-radius: 3px; font-size: 0.85em; }
.verdict { padding: 0.1em 0.5em; border-radius: 3px; font-weight: 600; white-space: nowrap; }
.verdict.holds { background: #c6f6d5; color: #22543d; } .verdict.fails { background: #fed7d7; color: #822727; }
.verdict.open { background: #fefcbf; color: #744210; }
footer { color: #a0aec0; margin: 2em 0; font-size: 0.8em; }
"""
