"""The report's text sections as pure functions of stored numbers: the summary, the quarterly agreement table,
the claims' verdicts and the appendix tables. Each returns an HTML fragment; `report.html` assembles them.

Why separate: these are the parts a reader reads first, and the parts tests check line by line (a yes/no
outcome reads as a percentage, never as "median 0, 0 … 0"); they need no figures and no store.
"""

from __future__ import annotations

import datetime as dt
import html
import math
from typing import Any, Iterable, Mapping

from detente.ensemble import registry
from detente.report import labels

# The outcomes a reader looks for first, as the registry names them (a family stands for all its members).
HEADLINE = ("area_gained_km2", "casualties_russia", "casualties_ukraine", "aid_delivered_eur_bn",
            "deal_weeks_in_force", "escalation_peak", "backer_gave_up/<backer>", "agreements_broke_down",
            "leader_fell/<actor>", "nuclear_use", "events/<scope>", "persons/<scope>", "truce_days/<kind>/<scope>")
QUARTER_WEEKS = 13
Z90 = 1.6449  # the normal quantile of a two-sided 90% interval


def _e(value: Any) -> str:
    return html.escape(str(value), quote=True)


def wilson(share: float, runs: int, z: float = Z90) -> tuple[float, float]:
    """The 90% Wilson interval of a share estimated from `runs` yes/no runs (sound at 0% and 100% too)."""
    if runs <= 0:
        return (0.0, 1.0)
    centre = (share + z * z / (2 * runs)) / (1 + z * z / runs)
    half = z * math.sqrt(share * (1 - share) / runs + z * z / (4 * runs * runs)) / (1 + z * z / runs)
    return max(0.0, centre - half), min(1.0, centre + half)


def headline_rows(metrics: Mapping[str, Mapping[str, float | None]], runs: int) -> list[dict[str, str]]:
    """One row per headline outcome: title, unit, the value as read (median, or share of runs) and its interval."""
    rows = []
    for name in registry.order(list(metrics)):
        declared = registry.find(name)
        if declared is None or declared.name not in HEADLINE:
            continue
        label, s = labels.describe(name), metrics[name]
        if label.kind == "probability":
            share = float(s.get("mean") or 0.0)
            low, high = wilson(share, runs)
            rows.append({"name": name, "title": label.heading, "unit": "share of runs", "kind": "probability",
                         "value": labels.percent(share),
                         "interval": f"{labels.percent(low)} – {labels.percent(high)}"})
        else:
            rows.append({"name": name, "title": label.heading, "unit": label.unit, "kind": label.kind,
                         "value": labels.value(label, s.get("p50")),
                         "interval": f"{labels.value(label, s.get('p10'))} – {labels.value(label, s.get('p90'))}"})
    return rows


def summary(metrics: Mapping[str, Mapping[str, float | None]], manifest: Mapping[str, Any]) -> str:
    """The summary: the headline outcomes, amounts beside yes/no outcomes, each with its interval."""
    runs = int(manifest.get("runs") or 0)
    start = date_text(manifest.get("start"))
    rows = headline_rows(metrics, runs)
    amounts = [r for r in rows if r["kind"] != "probability"]
    shares = [r for r in rows if r["kind"] == "probability"]
    parts = [f"<section id='summary'><h2>Summary</h2><p class='lead'>{runs:,} runs of "
             f"{manifest.get('horizon_weeks')} weeks from {start}. Amounts: the median over runs and the range "
             "holding the middle 80% of runs (10–90%). Yes/no outcomes: "
             "the share of runs in which it happened, and the 90% interval of that share.</p>"
             "<div class='two'><table class='num summary'><tr><th>outcome</th><th>median</th>"
             "<th>10–90% of runs</th><th>unit</th></tr>"]
    parts += [f"<tr data-metric='{_e(r['name'])}'><td>{_e(r['title'])}</td><td>{_e(r['value'])}</td>"
              f"<td>{_e(r['interval'])}</td><td class='unit'>{_e(r['unit'])}</td></tr>" for r in amounts]
    parts.append("</table><table class='num summary'><tr><th>it happened</th><th>share of runs</th>"
                 "<th>90% interval</th></tr>")
    parts += [f"<tr data-metric='{_e(r['name'])}'><td>{_e(r['title'])}</td><td>{_e(r['value'])}</td>"
              f"<td>{_e(r['interval'])}</td></tr>" for r in shares]
    parts.append("</table></div><p class='hint'>Casualties, area and aid are counted from the scenario's start "
                 f"({start}), not from February 2022.</p></section>")
    return "".join(parts)


def quarter_rows(metrics: Mapping[str, Mapping[str, float | None]]) -> tuple[list[int], list[dict[str, Any]]]:
    """Quarters, and per agreement scope the share of runs that had signed it by the end of each quarter,
    with the share that held 90 days and the median weeks in force."""
    found = registry.members(list(metrics), "ceasefire_agreed_by_q<quarter>/<scope>")
    quarters = sorted({int(v["quarter"]) for v in found.values()})
    scopes = sorted({v["scope"] for v in found.values()})
    rows = []
    for scope in scopes:
        def mean(name: str) -> float | None:
            return (metrics.get(name) or {}).get("mean")
        rows.append({"scope": scope, "title": labels.describe(f"ceasefire_agreed/{scope}").heading.removesuffix(
                         " agreed"),
                     "by_quarter": [mean(f"ceasefire_agreed_by_q{q}/{scope}") for q in quarters],
                     "held_90d": mean(f"ceasefire_held_90d/{scope}"),
                     "weeks": (metrics.get(f"deal_weeks_in_force/{scope}") or {}).get("p50")})
    return quarters, rows


def quarter_table(metrics: Mapping[str, Mapping[str, float | None]], manifest: Mapping[str, Any]) -> str:
    """The quarterly agreement table: share of runs with each agreement signed by the end of each quarter."""
    quarters, rows = quarter_rows(metrics)
    if not rows:
        return ""
    start = dt.date.fromisoformat(str(manifest["start"])[:10]) if manifest.get("start") else None
    heads = "".join(f"<th>Q{q}<br><small>{date_text(start + dt.timedelta(weeks=QUARTER_WEEKS * q)) if start else ''}"
                    "</small></th>" for q in quarters)
    parts = ["<section id='quarters'><h2>Agreements by quarter</h2><p class='lead'>Share of runs in which each "
             "agreement had been signed by the end of each quarter (13 weeks) of the horizon; then the share in "
             "which it held 90 days in a row, and the median weeks it was in force.</p>"
             f"<table class='num quarters'><tr><th>agreement</th>{heads}<th>held 90 days</th>"
             "<th>weeks in force</th></tr>"]
    for row in rows:
        cells = "".join(f"<td>{labels.percent(v)}</td>" for v in row["by_quarter"])
        parts.append(f"<tr data-scope='{_e(row['scope'])}'><td>{_e(row['title'])}</td>{cells}"
                     f"<td>{labels.percent(row['held_90d'])}</td><td>{labels.number(row['weeks'])}</td></tr>")
    parts.append("</table></section>")
    return "".join(parts)


def event_quarter_rows(metrics: Mapping[str, Mapping[str, float | None]]) -> tuple[list[int], list[dict[str, Any]]]:
    """Quarters, and per event of the table (prisoner exchanges, agreements of a scope begun) its mean count per
    run in each quarter."""
    found = registry.members(list(metrics), "events_in_q<quarter>/<event>")
    quarters = sorted({int(v["quarter"]) for v in found.values()})
    rows = []
    for event in sorted({v["event"] for v in found.values()}):
        rows.append({"event": event, "by_quarter": [(metrics.get(f"events_in_q{q}/{event}") or {}).get("mean")
                                                    for q in quarters]})
    return quarters, rows


def event_quarter_table(metrics: Mapping[str, Mapping[str, float | None]], manifest: Mapping[str, Any]) -> str:
    """The table's events by quarter: mean exchanges, and mean agreements of each scope begun, per run."""
    quarters, rows = event_quarter_rows(metrics)
    if not rows:
        return ""
    heads = "".join(f"<th>Q{q}</th>" for q in quarters)
    parts = ["<section id='events'><h2>The table's events by quarter</h2><p class='lead'>Mean per run in each "
             "quarter (13 weeks) of the horizon: one-off events (prisoner exchanges, summits, agreements in principle) "
             f"and agreements of each scope that began.</p><table class='num quarters'><tr><th>event</th>{heads}</tr>"]
    for row in rows:
        cells = "".join(f"<td>{'–' if v is None else f'{v:.1f}'}</td>" for v in row["by_quarter"])
        parts.append(f"<tr data-event='{_e(row['event'])}'><td>{_e(row['event'])}</td>{cells}</tr>")
    parts.append("</table></section>")
    return "".join(parts)


def _field(item: Any, *names: str, default: Any = None) -> Any:
    for name in names:
        if isinstance(item, Mapping) and item.get(name) is not None:
            return item[name]
        if not isinstance(item, Mapping) and getattr(item, name, None) is not None:
            return getattr(item, name)
    return default


def verdict_class(verdict: str) -> str:
    """A CSS class for a verdict's colour: holds (green), fails (red), or neither (amber)."""
    text = verdict.lower()
    if any(w in text for w in ("not supported", "contradicted", "broken", "refuted", "fails", "false",
                               "does not hold")):
        return "fails"
    if any(w in text for w in ("supported", "holds", "true", "consistent", "confirmed")):
        return "holds"
    return "open"  # inconclusive, undecided, not tested


def _simulated(item: Any) -> str:
    """What the runs say: for a judged claim (`detente claims`), the variant's mean difference from its parent
    (or its own level) with the 90% interval of that mean, in the metric's unit; else a plain share."""
    metric, mean = _field(item, "metric"), _field(item, "mean")
    if metric is not None and isinstance(mean, (int, float)):
        label = labels.describe(metric)
        low, high = _field(item, "p05"), _field(item, "p95")
        level = _field(item, "against", default="parent") != "parent"
        shown = labels.value(label, mean) if level else labels.difference(label, mean)
        interval = ""
        if isinstance(low, (int, float)) and isinstance(high, (int, float)):
            ends = [labels.value(label, x) if level else labels.difference(label, x) for x in (low, high)]
            interval = f" <small>(90%: {_e(ends[0])} … {_e(ends[1])})</small>"
        what = label.heading + ("" if level else ", variant − parent")
        unit = "" if label.percent or not label.unit else f" {label.unit}"
        return f"{_e(what)}: <b>{_e(shown)}{_e(unit)}</b>{interval}"
    share = _field(item, "probability", "share", "p")
    return labels.percent(float(share)) if isinstance(share, (int, float)) else ""


def _why(item: Any) -> str:
    detail = _field(item, "detail", "evidence", "reason", default="")
    decided = _field(item, "decided_by", default=[]) or []
    names = [str(d.get("parameter")) for d in decided if isinstance(d, Mapping) and d.get("parameter")][:3]
    if names:
        detail = (detail + "; " if detail else "") + "decided by " + ", ".join(names)
    return _e(detail)


def _author(item: Any) -> str:
    author = _field(item, "author", "who")
    if author is None:
        source = _field(item, "source")
        author = source if isinstance(source, str) else _field(source, "seed", "cite") if source else None
    return f"<br><small>{_e(author)}</small>" if author else ""


def render_claims(verdicts: Iterable[Any]) -> str:
    """The claims' verdicts as a table: each claim (and who made it), premise or conclusion, the verdict, what
    the runs say, and what decides it.

    Takes what `detente claims` produces (`analysis.claims.Verdict`: claim, kind, metric, mean, p05, p95,
    against, verdict, source, decided_by) or plain mappings with `claim` (or `text`), `verdict`, and
    optionally `author`, `probability` (a share of runs) and `detail`. Returns '' for no verdicts, so a
    variant without claims shows nothing."""
    items = list(verdicts or [])
    if not items:
        return ""
    parts = ["<section id='claims'><h2>The claims, tested</h2><p class='lead'>What the scenario's author "
             "assumed (premises) and concluded, judged on the runs: a conclusion is supported when the 90% "
             "interval of the variant's difference from its parent lies in the claimed direction.</p>"
             "<table class='claims'><tr><th>claim</th><th>kind</th><th>verdict</th><th>the runs say</th>"
             "<th>why</th></tr>"]
    for item in items:
        claim = _field(item, "claim", "text", "statement", default="")
        verdict = str(_field(item, "verdict", "result", default="not tested"))
        kind = _field(item, "kind", default="")
        parts.append(f"<tr><td>{_e(claim)}{_author(item)}</td><td>{_e(kind)}</td><td><span class='verdict "
                     f"{verdict_class(verdict)}'>{_e(verdict)}</span></td><td>{_simulated(item)}</td>"
                     f"<td>{_why(item)}</td></tr>")
    parts.append("</table></section>")
    return "".join(parts)


def outcome_table(metrics: Mapping[str, Mapping[str, float | None]]) -> str:
    """Every outcome the run stored (per-region and per-option families left to the map), titled, with units."""
    parts = ["<table class='num'><tr><th>outcome</th><th>median or share</th><th>10–90% of runs</th>"
             "<th>unit</th></tr>"]
    for name in registry.order(list(metrics)):
        declared = registry.find(name)
        if declared is None or declared.hide_within is not None:
            continue
        label, s = labels.describe(name), metrics[name]
        if label.percent:
            parts.append(f"<tr><td>{_e(label.heading)}</td><td>{labels.percent(s.get('mean'))}</td><td></td>"
                         f"<td class='unit'>{_e(label.unit)}</td></tr>")
        else:
            parts.append(f"<tr><td>{_e(label.heading)}</td><td>{labels.number(s.get('p50'))}</td>"
                         f"<td>{labels.number(s.get('p10'))} – {labels.number(s.get('p90'))}</td>"
                         f"<td class='unit'>{_e(label.unit)}</td></tr>")
    parts.append("</table>")
    return "".join(parts)


def date_text(value: Any) -> str:
    """18 Mar 2025."""
    if value is None:
        return ""
    try:
        day = value if isinstance(value, dt.date) else dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return str(value)
    return f"{day.day} {day:%b %Y}"
