"""One self-contained HTML report of a stored run: assumptions and sources, figures, maps, sensitivity.

plotly.js is inlined once (from the installed plotly package), every figure follows as a plain div, and the
map is drawn as SVG polygons (see `report.plots`), so the file opens offline from disk.
"""

from __future__ import annotations

import datetime as dt
import html
import json
from pathlib import Path
from typing import Any

from detente.ensemble import registry
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


def write_report(results: str | Path, run_id: str, output: str | Path, weeks: list[int] | tuple[int, ...] = DEFAULT_WEEKS,
                 sensitivity_id: str | None = None) -> Path:
    """Write the report of one run to `output` and return its path."""
    import plotly.offline

    from detente.report import plots
    from detente.store.duck import ResultStore
    from detente.store.sensitivity import latest_for_scenario, load_sensitivity

    store = ResultStore(results, read_only=True)
    shown = store.get_run(run_id)
    if shown is None:
        raise DetenteError(f"no run '{run_id}' in {store.path}; `detente runs --results {store.path}` lists them")
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
    figures: list[tuple[str, Any]] = []

    region_rows = store.query("SELECT region, week, p50_control, p10_control, p90_control, p_changed_hands "
                              "FROM region_weekly WHERE run_id = ? ORDER BY week, region", [run_id])
    by_week: dict[int, dict[str, tuple]] = {}
    for region, week, *values in region_rows:
        by_week.setdefault(week, {})[region] = tuple(values)
    borders = plots.shared_borders()
    from detente.world.geography import load_geography

    geo = load_geography()
    maps = []
    for week in weeks:
        cells = by_week.get(week, {})
        control = {r: v[0] for r, v in cells.items()}
        hover = {r: f"{geo.names[geo.index(r)] if r in geo.ids else r}<br>under Russian control: median {v[0]:.0%} "
                    f"(10–90%: {v[1]:.0%} – {v[2]:.0%})<br>P(changes hands) {v[3]:.0%}" for r, v in cells.items()}
        date = dt.date.fromisoformat(manifest["start"]) + dt.timedelta(weeks=week)
        front = [borders[k] for k in plots.front_borders(control, borders)]
        maps.append(plots.svg_map_figure(control, hover, f"Week {week} ({date}): median share under Russian control",
                                         front=front))

    weekly = store.query("SELECT series, week, date, mean, p05, p10, p25, p50, p75, p90, p95 FROM weekly_summary "
                         "WHERE run_id = ? ORDER BY series, week", [run_id])
    grouped: dict[str, dict[str, list]] = {}
    for series, _week, date, *stats in weekly:
        g = grouped.setdefault(series, {"dates": [], **{k: [] for k in
                                                          ("mean", "p05", "p10", "p25", "p50", "p75", "p90", "p95")}})
        g["dates"].append(str(date))
        for k, v in zip(("mean", "p05", "p10", "p25", "p50", "p75", "p90", "p95"), stats):
            g[k].append(v)
    for name in plots.series_order(list(grouped)):
        figures.append((name, plots.fan_figure(name, grouped[name], grouped[name]["dates"])))

    analysis = (load_sensitivity(store.path, sensitivity_id) if sensitivity_id
                else latest_for_scenario(store.path, manifest["scenario"]))
    if sensitivity_id and analysis is None:
        raise DetenteError(f"no sensitivity analysis '{sensitivity_id}' in {store.path}")

    def div(figure: Any) -> str:
        return figure.to_html(full_html=False, include_plotlyjs=False, config={"displayModeBar": False,
                                                                                "responsive": True})

    parts = [f"<h1>{_e(scenario_doc.get('title') or manifest['scenario'])}</h1>",
             f"<p class='lead'>{_e(scenario_doc.get('description', ''))}</p>",
             "<h2>Run</h2><table class='kv'>"]
    for key in ("scenario", "runs", "seed", "start", "horizon_weeks", "scenario_hash", "package_version",
                "created_at", "backend", "chain"):
        parts.append(f"<tr><th>{_e(key)}</th><td>{_e(manifest.get(key, ''))}</td></tr>")
    parts.append(f"<tr><th>run_id</th><td>{_e(run_id)}</td></tr></table>")
    parts.append("<h2>Outcomes</h2><table class='num'><tr><th>metric</th><th>median</th><th>10–90% interval</th>"
                 "<th>mean</th></tr>")
    for name in registry.order(list(shown["metrics"])):
        s, declared = shown["metrics"][name], registry.find(name)
        if declared is None or declared.hide_within is not None:
            continue  # per-region and per-option families: the map and the dashboard show those
        if declared.percent:  # a yes/no outcome: the share of runs
            parts.append(f"<tr><td>{_e(name)}</td><td></td><td></td><td>{s['mean']:.1%}</td></tr>")
            continue
        parts.append(f"<tr><td>{_e(name)}</td><td>{_fmt(s['p50'])}</td><td>{_fmt(s['p10'])} … {_fmt(s['p90'])}"
                     f"</td><td>{_fmt(s['mean'])}</td></tr>")
    parts.append("</table><h2>The map</h2><p>Each region coloured by the median share of its area under Russian "
                 "control across runs; the black line is the front (borders where a mostly Russian-held region "
                 "meets one that is not).</p><div class='maps'>")
    parts += [f"<div class='map' data-week='{w}'>{div(m)}</div>" for w, m in zip(weeks, maps)]
    parts.append("</div><h2>Over time</h2><p>Median, 50% and 90% bands over runs; for ceasefire series, the "
                 "probability that it is in force.</p><div class='fans'>")
    parts += [f"<div class='fan' data-series='{_e(n)}'>{div(f)}</div>" for n, f in figures]
    parts.append("</div>")
    if analysis:
        parts.append(f"<h2>Sensitivity</h2><p>{_e(analysis['method'])} analysis {_e(analysis['analysis_id'])}: "
                     f"{analysis['runs']:,} runs, {len(analysis['parameters'])} parameters varied over the ranges "
                     "below. S1 is the share of an outcome's variance a parameter explains alone, ST with its "
                     "interactions (Morris: mu* and sigma).</p><table class='num'><tr><th>parameter</th><th>low</th>"
                     "<th>high</th></tr>")
        parts += [f"<tr><td>{_e(p['name'])}</td><td>{p['low']:g}</td><td>{p['high']:g}</td></tr>"
                  for p in analysis["parameters"]]
        parts.append("</table><div class='tornados'>")
        for metric in list(analysis["indices"])[:8]:
            parts.append(f"<div class='tornado' data-metric='{_e(metric)}'>"
                         f"{div(plots.tornado_figure(analysis['indices'][metric], analysis['method'], metric))}</div>")
        parts.append("</div>")
    parts.append("<h2>Assumptions and their sources</h2><p>Every parameter of the scenario as run; "
                 "<span class='ph'>placeholder</span> marks an invented value awaiting a source.</p>")
    references = scenario_doc.get("references") or {}
    parts.append("<table class='params'><tr><th>parameter</th><th>value</th><th>uncertainty</th><th>source</th>"
                 "<th>note</th></tr>")
    for row in assumptions(scenario_json):
        flag = " <span class='ph'>placeholder</span>" if row["placeholder"] else ""
        parts.append(f"<tr><td>{_e(row['field'])}</td><td>{_fmt(row['value'])}</td><td>{_e(row['uncertainty'])}</td>"
                     f"<td>{_e(row['source'])}{flag}</td><td>{_e(row['note'])}</td></tr>")
    parts.append("</table>")
    if references:
        parts.append("<h3>References</h3><dl>")
        from detente.scenario.provenance import reference_text

        parts += [f"<dt>{_e(k)}</dt><dd>{_e(reference_text(v))}</dd>" for k, v in references.items()]
        parts.append("</dl>")
    document = (
        "<!doctype html><html lang='en'><head><meta charset='utf-8'>"
        f"<title>détente report: {_e(manifest['scenario'])} ({_e(run_id)})</title><style>{_STYLE}</style>"
        f"<script>{plotly.offline.get_plotlyjs()}</script></head><body>"
        + "\n".join(parts)
        + f"<footer>détente {_e(manifest.get('package_version', ''))}, written "
          f"{dt.datetime.now(dt.timezone.utc).isoformat(timespec='seconds')}</footer></body></html>")
    output = Path(output)
    try:
        output.parent.mkdir(parents=True, exist_ok=True)
        output.write_text(document, encoding="utf-8")
    except OSError as error:
        raise StoreError(f"cannot write the report to {output}: {error.strerror}") from None
    return output


_STYLE = """
body { font-family: system-ui, sans-serif; max-width: 1200px; margin: 1em auto; padding: 0 1em; color: #1a202c; }
h1 { margin-bottom: 0.2em; } .lead { color: #4a5568; }
table { border-collapse: collapse; font-size: 0.88em; margin: 0.5em 0; }
td, th { border-bottom: 1px solid #e2e8f0; padding: 0.2em 0.6em; text-align: left; vertical-align: top; }
table.num td:not(:first-child) { text-align: right; }
.maps { display: grid; grid-template-columns: repeat(auto-fill, minmax(540px, 1fr)); gap: 0.5em; }
.fans { display: grid; grid-template-columns: repeat(auto-fill, minmax(380px, 1fr)); gap: 0.5em; }
.ph { background: #fefcbf; color: #744210; padding: 0 0.3em; border-radius: 3px; font-size: 0.85em; }
footer { color: #a0aec0; margin: 2em 0; font-size: 0.8em; }
"""
