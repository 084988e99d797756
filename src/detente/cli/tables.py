"""Metric tables for an 80-column terminal: titles and units from the metric registry, shares as percentages.

Each metric is one row: its title (the registry's label, wrapped rather than cut), its unit, the median and
the 10–90% interval, or for a yes/no outcome the share of runs as a percentage. `--json` never goes
through here: it keeps the raw names and fractions.
"""

from __future__ import annotations

from typing import Any

from rich import box
from rich.table import Table


def describe(name: str) -> tuple[str, str, bool]:
    """(title, unit, shown as a percentage) of a metric name, from the registry where it declares the name."""
    try:
        from detente.ensemble import registry
    except ImportError:  # before the registry existed: the raw name, and probabilities by their prefix
        registry = None
    if registry is not None:
        found = registry.find(name)
        if found is not None:
            return found.title(name), found.unit, found.percent
    from detente.cli.commands_war import _is_probability

    return name, "", _is_probability(name)


def number(value: float) -> str:
    """A readable number: thousands separated, two decimals below 100."""
    if value != value:  # NaN
        return "–"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def metric_rows(summary: dict[str, dict[str, float]]) -> list[tuple[str, str, str, str]]:
    """(title, unit, median or share, interval) per metric, in the registry's order where it gives one."""
    names = list(summary)
    try:
        from detente.ensemble import registry

        names = registry.order(names)
    except (ImportError, AttributeError):
        names = sorted(names)
    rows = []
    for name in names:
        s = summary[name]
        title, unit, percent = describe(name)
        if percent:
            rows.append((title, "% of runs" if not unit.startswith("share") else "%", f"{s['mean']:.1%}", ""))
        else:
            rows.append((title, unit, number(s["p50"]), f"{number(s['p10'])} … {number(s['p90'])}"))
    return rows


def metric_table(title: str, rows: list[tuple[str, str, str, str]]) -> Table:
    """A table of metric rows that fits 80 columns (titles and units wrap, numbers never do)."""
    table = Table(title=title, box=box.SIMPLE_HEAD, title_justify="left")
    table.add_column("metric", overflow="fold", ratio=3)
    table.add_column("unit", overflow="fold", ratio=1)
    table.add_column("median or share", justify="right", no_wrap=True)
    table.add_column("10–90% interval", justify="right", no_wrap=True)
    for row in rows:
        table.add_row(*row)
    return table


def shown_value(summary: dict[str, Any], name: str) -> str:
    """One metric's headline as text: a percentage for shares, otherwise the median."""
    _, _, percent = describe(name)
    s = summary[name]
    return f"{s['mean']:.1%}" if percent else number(s["p50"])
