"""Metric tables for an 80-column terminal: titles and units from the metric registry, shares as percentages.

Each metric is one row: its title (the registry's label, wrapped rather than cut), its unit, the median and
the 10–90% interval, or for a yes/no outcome the share of runs as a percentage. `--json` never goes
through here: it keeps the raw names and fractions.
"""

from __future__ import annotations

from rich import box
from rich.table import Table

from detente.ensemble.result_views import describe, number  # noqa: F401  (one formatting for CLI and API)


def metric_rows(summary: dict[str, dict[str, float]]) -> list[tuple[str, str, str, str]]:
    """(title, median or share, interval, unit) per metric, in the registry's order; quiet family members
    (a region where nothing moved, an option never taken) are left out as the registry declares."""
    from detente.ensemble import registry

    rows = []
    for name in registry.order(list(summary)):
        s, metric = summary[name], registry.find(name)
        if metric is not None and metric.hide_within is not None:
            values = (s["mean"],) if metric.percent else (s["p10"], s["p90"])
            if max(abs(v) for v in values) < metric.hide_within:
                continue
        title, unit, percent = describe(name)
        if percent:
            rows.append((title, f"{s['mean']:.1%}", "", "% of runs" if metric.kind == "probability" else "% of weeks"))
        else:
            rows.append((title, number(s["p50"]), f"{number(s['p10'])} … {number(s['p90'])}", unit))
    return rows


def metric_table(title: str, rows: list[tuple[str, str, str, str]]) -> Table:
    """A table of metric rows that fits 80 columns (titles and units wrap, numbers never do)."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("metric", overflow="fold", ratio=1, min_width=20)
    table.add_column("median or %", justify="right", no_wrap=True)
    table.add_column("10–90%", justify="right", no_wrap=True)
    table.add_column("unit", overflow="fold", max_width=12)
    for row in rows:
        table.add_row(*row)
    return table
