"""Plotly figure builders shared by the report and the dashboard, and the map geometry both draw.

Maps are plotly's SVG `choropleth` on a geo subplot with every base layer off (`geo_map_figure`, and the same
layout in the dashboard's app.js): it draws synchronously, from http and from file:// alike. MapLibre's
`choroplethmap`, used before, needs a web worker: it drew in 1 of 5 plain headless screenshots of the
dashboard and not at all from file://.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any

import plotly.graph_objects as go

from detente.report import labels

CONTROL_COLOURS = [[0.0, "#2b6cb0"], [0.5, "#f7f7f7"], [1.0, "#c53030"]]  # Ukrainian blue → Russian red
CHANGE_COLOURS = [[0.0, "#fffbea"], [1.0, "#7b341e"]]
NEUTRAL_COLOUR = "#d6d3ce"  # countries outside the war: neither side's colour


def series_order(names: list[str]) -> list[str]:
    """Weekly series in the registry's reading order (war, table, decisions; detente.ensemble.registry)."""
    from detente.ensemble import registry

    return registry.order(names)


def is_probability_series(name: str) -> bool:
    """Series whose mean over runs is a probability (a 0/1 indicator per run), e.g. a ceasefire in force."""
    from detente.ensemble import registry

    return registry.is_probability(name)


def short_name(name: str) -> str:
    """A region's name as printed on a map: `Kharkiv Oblast` -> `Kharkiv`; a city inside an oblast -> '' (hover
    names it; its label would sit on the oblast's)."""
    if name.endswith("(city)"):
        return ""
    for long, short in (("Autonomous Republic of ", ""), (" Oblast", ""), (" (right bank)", ""),
                        (" (left bank and Bender)", "")):
        name = name.replace(long, short)
    return name


def series_view(name: str, stats: dict[str, list[float]], start_date: str | None = None) -> dict[str, Any]:
    """How one weekly series is drawn: its label, the first week worth drawing, and whether it is worth a chart.

    Two shapes would mislead as charts and are handled here, for the dashboard and the report alike:
    - constant: every quantile equal in every week (a ceasefire never agreed, a leader's support the model
      never moves) -> no chart, a line in a list of constants instead;
    - a stock first computed by the first step (the garrison: 0 at week 0, 52,000 at week 1) -> the chart
      starts at week 1, and says so. A series that counts up from the start (casualties) is not affected:
      its first step is like the others.
    """
    label = labels.describe(name)
    p05, p50, p95 = (list(stats[k]) for k in ("p05", "p50", "p95"))
    mean = list(stats["mean"])
    lows, highs = (mean, mean) if label.percent else (p05, p95)
    constant = max(highs) - min(lows) <= 1e-9 * max(1.0, abs(max(highs)))
    first, note = 0, ""
    steps = [abs(b - a) for a, b in zip(p50[1:], p50[2:])]
    if (len(p50) > 3 and not label.cumulative and all(stats[k][0] == 0 for k in ("p05", "p50", "p95"))
            and abs(p50[1]) > 10 * max(sorted(steps)[len(steps) // 2], 1e-12)
            and abs(p50[1]) >= 0.25 * (max(p95) - min(p05))):
        first, note = 1, "from week 1: the model first computes it in the first week"
    if label.cumulative and start_date:
        from detente.report.sections import date_text

        note = f"counted from the scenario's start, {date_text(start_date)}"
    return {**label.to_json(), "first_week": first, "constant": bool(constant), "note": note,
            "constant_value": (mean[0] if label.percent else p50[0]) if constant else None}


def _rings(geometry: dict[str, Any]) -> list[list[list[float]]]:
    polygons = geometry["coordinates"] if geometry["type"] == "MultiPolygon" else [geometry["coordinates"]]
    return [ring for polygon in polygons for ring in polygon]


@lru_cache(maxsize=2)
def _borders_cached(key: int) -> list[dict[str, Any]]:
    from detente.world.geography import load_geography

    geo = load_geography()
    features = {f["properties"]["id"]: f for f in geo.geojson()["features"]}
    vertices = {rid: {tuple(c) for ring in _rings(f["geometry"]) for c in ring} for rid, f in features.items()}
    borders = []
    for i, a in enumerate(geo.ids):
        for j in range(i + 1, len(geo.ids)):
            b = geo.ids[j]
            if not geo.adjacent[i, j] or a not in features or b not in features:
                continue
            lon: list[float | None] = []
            lat: list[float | None] = []
            for ring in _rings(features[a]["geometry"]):
                inside = [tuple(c) in vertices[b] for c in ring]
                for k in range(len(ring) - 1):
                    if inside[k] and inside[k + 1]:
                        if not lon or lon[-1] is None or (lon[-1], lat[-1]) != (ring[k][0], ring[k][1]):
                            if lon and lon[-1] is not None:
                                lon.append(None)
                                lat.append(None)
                            lon.append(ring[k][0])
                            lat.append(ring[k][1])
                        lon.append(ring[k + 1][0])
                        lat.append(ring[k + 1][1])
            if lon:
                borders.append({"a": a, "b": b, "lon": lon, "lat": lat})
    return borders


def shared_borders() -> list[dict[str, Any]]:
    """The land border of each adjacent pair of regions as a polyline {a, b, lon, lat} (None breaks a line)."""
    return _borders_cached(0)


def front_borders(control: dict[str, float], borders: list[dict[str, Any]]) -> list[int]:
    """Indices of the borders where control meets: one side mostly Russian-held, the other not."""
    return [k for k, border in enumerate(borders)
            if (control.get(border["a"], 0.0) > 0.5) != (control.get(border["b"], 0.0) > 0.5)]


def fan_figure(name: str, weeks: dict[str, list[float]], dates: list[str], start_date: str | None = None,
               height: int = 250) -> go.Figure:
    """Fan chart of one weekly series: median, 50% and 90% bands; for a yes/no series, the share of runs.

    Titled and unitised from the metric registry; starts where `series_view` says (week 1 for a stock the
    first step computes); shares on a 0–100% axis, large numbers as 200k / 1M rather than exponents."""
    view = series_view(name, weeks, start_date)
    first = view["first_week"]
    x = list(dates)[first:]
    cut = {k: list(v)[first:] for k, v in weeks.items() if k != "dates"}
    figure = go.Figure()
    if view["kind"] == "probability":
        figure.add_trace(go.Scatter(x=x, y=cut["mean"], name="share of runs", line={"color": "#2f855a"},
                                    hovertemplate="%{x}: %{y:.0%} of runs<extra></extra>"))
    else:
        for low, high, colour, label in (("p05", "p95", "rgba(49,130,206,0.18)", "90%"),
                                         ("p25", "p75", "rgba(49,130,206,0.38)", "50%")):
            figure.add_trace(go.Scatter(x=x, y=cut[high], line={"width": 0}, showlegend=False, hoverinfo="skip"))
            figure.add_trace(go.Scatter(x=x, y=cut[low], fill="tonexty", fillcolor=colour, line={"width": 0},
                                        name=f"{label} band", hoverinfo="skip"))
        figure.add_trace(go.Scatter(x=x, y=cut["p50"], name="median", line={"color": "#1a365d"},
                                    hovertemplate="%{x}: median %{y:,.3~r}<extra></extra>"))
    figure.update_yaxes(**axis_format(view, max(cut["p95"] + cut["mean"])))
    unit = "share of runs" if view["kind"] == "probability" else view["unit"]
    sub = " · ".join(t for t in (unit, view["note"]) if t)
    figure.update_layout(title={"text": f"{view['title']}<br><span style='font-size:11px;color:#4a5568'>{sub}</span>",
                                "font": {"size": 14}},
                         height=height, margin={"l": 50, "r": 12, "t": 50, "b": 30}, showlegend=False)
    return figure


def axis_format(view: dict[str, Any], top: float) -> dict[str, Any]:
    """A fan chart's y axis: shares on 0–100%, 0–1 indices on 0–1, thousands as 200k and millions as 1M
    (never SI's m for milli on values below 1), amounts from zero."""
    if view["percent"] or view["unit"].startswith("share"):
        return {"range": [0, 1], "tickformat": ".0%"}
    if view["unit"].endswith("0–1"):
        return {"range": [0, 1]}
    return {"tickformat": "~s" if top >= 1000 else "", "rangemode": "tozero"}


def geo_map_figure(values: dict[str, float], hover: dict[str, str], title: str, neutral: set[str] | None = None,
                   front: list[dict[str, Any]] | None = None, colourscale: list | None = None,
                   zrange: tuple[float, float] = (0.0, 1.0), colourbar_title: str = "Russian control",
                   height: int = 480) -> go.Figure:
    """The map as the dashboard draws it: plotly's SVG `choropleth` on a geo subplot with every base layer off
    (draws at once, from file:// too: no worker, no tiles), framed on every region, labelled, countries outside
    the war in a neutral grey, the front in black.

    The first trace is the labels' scattergeo: plotly.js fetches a world topojson from the internet when the
    first trace of a geo subplot has a `locationmode`, even with every base layer off."""
    from detente.world.geography import load_geography

    geo = load_geography()
    geojson = geo.geojson()
    neutral = neutral or set()
    low, high = zrange
    parties = [r for r in geo.ids if r in values and r not in neutral]
    outside = [r for r in geo.ids if r in neutral]

    def labels(ids: list[str], colour: str) -> go.Scattergeo:
        named = [r for r in ids if short_name(geo.names[geo.index(r)])]
        return go.Scattergeo(lon=[float(geo.lon[geo.index(r)]) for r in named],
                             lat=[float(geo.lat[geo.index(r)]) for r in named], mode="text",
                             text=[short_name(geo.names[geo.index(r)]) for r in named],
                             textfont={"size": 9, "color": colour}, hoverinfo="skip", showlegend=False)

    figure = go.Figure([labels(parties, "#1a202c"), labels(outside, "#6b6b6b")])
    figure.add_trace(go.Choropleth(geojson=geojson, featureidkey="properties.id", locations=outside,
                                   z=[0] * len(outside), zmin=0, zmax=1, showscale=False,
                                   colorscale=[[0, NEUTRAL_COLOUR], [1, NEUTRAL_COLOUR]],
                                   marker={"line": {"color": "#a0a0a0", "width": 0.5}},
                                   text=[geo.names[geo.index(r)] for r in outside],
                                   hovertemplate="<b>%{text}</b><br>not a party to the war<extra></extra>"))
    figure.add_trace(go.Choropleth(
        geojson=geojson, featureidkey="properties.id", locations=parties, z=[values[r] for r in parties],
        zmin=low, zmax=high, colorscale=colourscale or CONTROL_COLOURS, marker={"line": {"color": "#555",
                                                                                        "width": 0.6}},
        text=[hover.get(r, r) for r in parties], hovertemplate="%{text}<extra></extra>",
        colorbar={"title": {"text": colourbar_title, "side": "top"}, "tickformat": ".0%", "thickness": 10,
                  "len": 0.5, "y": 0.03, "yanchor": "bottom"}))  # beside the map, low: clear of any toolbar
    lon: list[float | None] = []
    lat: list[float | None] = []
    for border in front or []:
        lon += list(border["lon"]) + [None]
        lat += list(border["lat"]) + [None]
    figure.add_trace(go.Scattergeo(lon=lon, lat=lat, mode="lines", line={"color": "#111", "width": 2},
                                   hoverinfo="skip", showlegend=False, name="front"))
    lon0, lat0, lon1, lat1 = _bounds(geojson)
    figure.update_geos(visible=False, bgcolor="#e8eef3", lonaxis_range=[lon0 - 0.4, lon1 + 0.4],
                       lataxis_range=[lat0 - 0.4, lat1 + 0.4], projection_type="conic conformal",
                       projection_parallels=[45, 56], projection_rotation_lon=(lon0 + lon1) / 2)
    figure.update_layout(title={"text": title, "font": {"size": 14}}, height=height, paper_bgcolor="#e8eef3",
                         margin={"l": 0, "r": 0, "t": 36, "b": 0})
    return figure


def _bounds(geojson: dict[str, Any]) -> tuple[float, float, float, float]:
    """(lon0, lat0, lon1, lat1) of every polygon of the map."""
    points = [c for f in geojson["features"] for ring in _rings(f["geometry"]) for c in ring]
    return (min(p[0] for p in points), min(p[1] for p in points), max(p[0] for p in points),
            max(p[1] for p in points))


def tornado_figure(indices: dict[str, dict[str, float]], method: str, metric: str, top: int = 15) -> go.Figure:
    """Horizontal bars of each parameter's main and total index for one metric, most influential on top."""
    from detente.analysis.sensitivity import ranking

    rows = ranking(indices, method)[:top][::-1]
    first, total = ("S1 (first order)", "ST (total)") if method == "sobol" else ("mu* (mean |effect|)", "sigma")
    figure = go.Figure()
    figure.add_trace(go.Bar(y=[r[0] for r in rows], x=[r[2] for r in rows], orientation="h", name=total,
                            marker_color="#c53030"))
    figure.add_trace(go.Bar(y=[r[0] for r in rows], x=[r[1] for r in rows], orientation="h", name=first,
                            marker_color="#2b6cb0"))
    figure.update_layout(title=f"{labels.describe(metric).heading}: {method} indices", barmode="group",
                         height=120 + 26 * len(rows),
                         margin={"l": 260, "r": 10, "t": 35, "b": 30}, legend={"orientation": "h"})
    return figure
