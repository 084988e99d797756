"""What the report and the dashboard print for a metric: its title, unit and kind, and numbers read as people read them.

The metric registry (`detente.ensemble.registry`) declares every metric once; this module asks it and turns the
answer into what a chart or a table needs: a title, a unit, whether values are percentages, whether the series
counts up from the scenario's start (casualties, area, aid), and numbers formatted without exponents
(`28,200`, `34%`, `+12 pp`). A name the registry does not declare is shown as itself, so a display never fails.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

from detente.ensemble import registry as _registry


@dataclass(frozen=True)
class Label:
    """A metric as displayed: title, unit, kind, whether it is shown as a percentage, and what it means."""

    name: str
    title: str
    unit: str
    kind: str
    percent: bool
    description: str

    @property
    def heading(self) -> str:
        """The title with a capital first letter, for a chart or a table row."""
        text = self.title
        for word, proper in _PROPER:
            text = re.sub(rf"\b{word}\b", proper, text)
        return text[:1].upper() + text[1:]

    @property
    def cumulative(self) -> bool:
        """Whether the value counts up from the scenario's start (so a chart must say since when)."""
        text = self.description.lower()
        return "so far" in text or "since the start" in text

    def to_json(self) -> dict[str, Any]:
        return {"name": self.name, "title": self.heading, "unit": self.unit, "kind": self.kind,
                "percent": self.percent, "description": self.description, "cumulative": self.cumulative}


# Placeholder values (actors, backers) as names are written; the registry gives them as ids.
_PROPER = (("united states", "United States"), ("united kingdom", "United Kingdom"), ("europe", "Europe"),
           ("russia", "Russia"), ("ukraine", "Ukraine"), ("france", "France"), ("eu", "EU"),
           ("black sea", "Black Sea"), ("us", "US"), ("nato", "NATO"), ("odesa", "Odesa"), ("kyiv", "Kyiv"))


def describe(name: str) -> Label:
    """The display label of a concrete metric or series name (the raw name as title if nothing declares it)."""
    metric = _registry.find(name)
    if metric is None:
        return Label(name, name, "", "quantity", False, "")
    return Label(name, metric.title(name).replace("_", " "), metric.unit, metric.kind, metric.percent,
                 metric.description)


def order(names: set[str] | list[str]) -> list[str]:
    """Names in the registry's reading order (war, table, decisions)."""
    return _registry.order(list(names))


# --- numbers as people read them -------------------------------------------------------------------------------

def number(value: float | None, digits: int = 3) -> str:
    """A plain number with thousands separators and about `digits` significant digits; never an exponent."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if value == 0:
        return "0"
    magnitude = math.floor(math.log10(abs(value)))
    if magnitude >= digits - 1:
        return f"{round(value, digits - 1 - magnitude):,.0f}"
    return f"{value:,.{digits - 1 - magnitude}f}".rstrip("0").rstrip(".")


def percent(value: float | None) -> str:
    """A share 0–1 as a percentage: `34%`, `<1%` and `>99%` where rounding would say 0% or 100% untruly."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return "–"
    if 0 < value < 0.005:
        return "<1%"
    if 0.995 < value < 1:
        return ">99%"
    return f"{value * 100:.0f}%"


def value(label: Label, x: float | None) -> str:
    """A value of this metric as shown: a percentage for shares, else a number (the unit is shown apart)."""
    return percent(x) if label.percent else number(x)


def difference(label: Label, x: float | None) -> str:
    """A difference of this metric, signed: percentage points for shares (`+12 pp`), else a number."""
    if x is None:
        return "–"
    if label.percent:
        return f"{x * 100:+.0f} pp" if abs(x) >= 0.005 or x == 0 else f"{x * 100:+.1f} pp"
    shown = number(x)
    return shown if shown.startswith("-") or x == 0 else "+" + shown
