"""What the report and the dashboard print for a metric: its title, unit and kind, and numbers read as people read them.

The metric registry (`detente.ensemble.registry`) declares every metric once; this module asks it and turns the
answer into what a chart or a table needs: a title, a unit, whether values are percentages, whether the series
counts up from the scenario's start (casualties, area, aid), and numbers formatted without exponents
(`28,240`, `34%`, `+12 pp`). Until the registry has landed on this branch, a small table of its own stands in for
the names the charts use most, so the displays degrade to the raw name rather than fail.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from typing import Any

try:  # the metric registry of the contracts issue
    from detente.ensemble import registry as _registry
except ImportError:  # pragma: no cover - only before the registry lands
    _registry = None


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
           ("black sea", "Black Sea"))


# Stand-in declarations (name prefix -> kind, unit, title, description) used only when the registry is absent.
_FALLBACK: tuple[tuple[str, str, str, str, str], ...] = (
    ("area_gained_km2/", "quantity", "km²", "area gained by Russia in {}", "area that moved to Russian control "
     "since the start"),
    ("area_gained_km2", "quantity", "km²", "area gained by Russia", "net area that moved to Russian control since "
     "the start (negative: Ukraine gained)"),
    ("casualties_russia", "count", "people", "Russian casualties", "Russian casualties so far"),
    ("casualties_ukraine", "count", "people", "Ukrainian casualties", "Ukrainian casualties so far"),
    ("manpower_russia", "count", "troops", "Russian troops", "Russian troops in the theatre"),
    ("manpower_ukraine", "count", "troops", "Ukrainian troops", "Ukrainian troops in the theatre"),
    ("materiel_russia", "quantity", "€ bn", "Russian materiel", "Russian equipment and munitions"),
    ("materiel_ukraine", "quantity", "€ bn", "Ukrainian materiel", "Ukrainian equipment and munitions"),
    ("energy_russia", "quantity", "share of pre-war capacity", "Russian energy capacity", "share still working"),
    ("energy_ukraine", "quantity", "share of pre-war capacity", "Ukrainian energy capacity", "share still working"),
    ("garrison_russia", "count", "troops", "Russian garrison", "troops tied down holding occupied territory"),
    ("partisan_activity", "score", "index 0–1", "partisan activity", "partisan activity in the occupied area"),
    ("aid_delivered_eur_bn", "quantity", "€ bn", "aid delivered", "military aid delivered to Ukraine so far"),
    ("backer_will/", "score", "will 0–1", "will of {}", "a backer's political will to keep giving"),
    ("backer_gave_up/", "probability", "share of runs", "{} gave up", "the backer stopped giving"),
    ("ceasefire_agreed_by_q", "probability", "share of runs", "{} agreed by Q{}", "first signed by this quarter"),
    ("ceasefire_agreed/", "probability", "share of runs", "{} agreed", "an agreement of this scope was signed"),
    ("ceasefire_held_30d/", "probability", "share of runs", "{} held 30 days", "in force 30 days in a row"),
    ("ceasefire_held_90d/", "probability", "share of runs", "{} held 90 days", "in force 90 days in a row"),
    ("ceasefire_in_force/", "probability", "share of runs", "{} in force", "an agreement of this scope is in force"),
    ("deal_weeks_in_force", "quantity", "weeks", "weeks under an agreement", "weeks with an agreement in force"),
    ("settled/", "probability", "share of runs", "{} settled", "an agreement settling this issue was signed"),
    ("leader_fell/", "probability", "share of runs", "leader of {} fell", "the actor's leader fell from power"),
    ("leader_support/", "score", "support 0–1", "support of {}'s leader", "domestic support of the leader"),
    ("agreements_broke_down", "probability", "share of runs", "an agreement broke down", "an agreement broke down"),
    ("nuclear_use", "probability", "share of runs", "nuclear use", "an actor used nuclear weapons"),
    ("escalation_score", "score", "escalation points", "escalation score", "escalation points in force"),
    ("escalation_peak", "score", "escalation points", "peak escalation", "highest weekly escalation score"),
    ("trust/", "score", "trust 0–1", "trust {}", "trust between the two belligerents"),
)


def _fallback(name: str) -> Label:
    for prefix, kind, unit, title, description in _FALLBACK:
        if name == prefix or (name.startswith(prefix) and prefix.endswith(("/", "_q"))):
            rest = name[len(prefix):]
            parts = rest.split("/")[::-1] if prefix.endswith("_q") else [rest.replace("_", " ")]
            try:
                shown = title.format(*[p.replace("_", " ") for p in parts])
            except IndexError:
                shown = name
            return Label(name, shown, unit, kind, kind == "probability" or unit.startswith("share of weeks"),
                         description)
    return Label(name, name, "", "quantity", False, "")


def describe(name: str) -> Label:
    """The display label of a concrete metric or series name (the raw name as title if nothing declares it)."""
    if _registry is not None:
        metric = _registry.find(name)
        if metric is not None:
            return Label(name, metric.title(name).replace("_", " "), metric.unit, metric.kind, metric.percent,
                         metric.description)
        return Label(name, name, "", "quantity", False, "")
    return _fallback(name)


def order(names: set[str] | list[str]) -> list[str]:
    """Names in the registry's reading order (war, table, decisions); without the registry, plain names first."""
    if _registry is not None:
        return _registry.order(list(names))
    return sorted(names, key=lambda n: ("/" in n, n))


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
