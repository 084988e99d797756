"""Read the observed record (`data/record/`): each file's layout is recognised by its header row.

Three layouts can be scored (see `data/record/README.md` for what each source measures):

- ISW area, daily (`date, russian_controlled_km2, …`): one level series, `area_controlled_km2`.
- DeepState by region, weekly (`week_ending, …, region, occupied_km2, …, ua_held_km2`): a level series
  `area_controlled_km2/<region>` per region with an occupied area (the map's region ids, plus `ukraine_total` and
  `ukraine_regions_sum`), and `ua_held_km2/<region>` where Ukraine holds ground in Russia (Kursk).
- Russian casualties, monthly (`month, ukmod_estimate, genstaff_claimed, …`): three flow series
  `casualties_russia/ukmod_estimate`, `/genstaff_claimed`, `/mediazona_deaths`, each month's losses dated at the
  month's last day. A partial month (the General Staff's 1–18 March 2025) is left out: only a month whose
  `genstaff_period_end` is its last day counts for the General Staff column.

Anything else (aid, diplomacy, a file of another layout) is refused with an error naming the file and its header.
"""

from __future__ import annotations

import calendar
import csv
import datetime as dt
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from detente.errors import InputError

LEVEL, FLOW = "level", "flow"  # a level is read as its change since the start; a flow is cumulated since the start

ISW_AREA, DEEPSTATE_REGIONS = "isw_area_daily", "deepstate_oblast_weekly"
RUSSIAN_CASUALTIES = "russian_casualties_monthly"
LAYOUTS: dict[str, tuple[str, ...]] = {  # columns a layout must have, in the order its header starts with
    ISW_AREA: ("date", "russian_controlled_km2"),
    DEEPSTATE_REGIONS: ("week_ending", "snapshot_date", "source", "region", "occupied_km2", "occupied_share",
                        "unknown_km2", "ua_held_km2"),
    RUSSIAN_CASUALTIES: ("month", "ukmod_estimate", "genstaff_claimed", "genstaff_period_end", "mediazona_deaths"),
}
CASUALTY_COLUMNS = ("ukmod_estimate", "genstaff_claimed", "mediazona_deaths")


@dataclass(frozen=True)
class ObservedSeries:
    """One observed series: dates (sorted, unique) and values, and whether it is a level or a flow per period."""

    name: str
    dates: tuple[dt.date, ...]
    values: np.ndarray
    kind: str  # LEVEL or FLOW
    unit: str

    def level(self) -> "ObservedSeries":
        """The series as a level: a flow cumulated from its first period (a level is itself)."""
        if self.kind == LEVEL:
            return self
        return ObservedSeries(self.name, self.dates, np.cumsum(self.values), LEVEL, self.unit)

    def index_on(self, day: dt.date, within_days: int | None = None) -> int | None:
        """Index of the last observation on or before `day` (what the record said that day), with `within_days`
        one at most that many days old; None if there is none."""
        i = int(np.searchsorted(np.array(self.dates, dtype="datetime64[D]"), np.datetime64(day, "D"), side="right")) - 1
        if i < 0 or (within_days is not None and (day - self.dates[i]).days > within_days):
            return None
        return i

    def level_on(self, day: dt.date, within_days: int | None = None) -> float:
        """The value of `index_on`, refused with the reason where there is none: before the series starts, or (with
        `within_days`) a day past the record's end, which would otherwise read as its end."""
        i = self.index_on(day, within_days)
        if i is not None:
            return float(self.values[i])
        last = self.index_on(day)
        if last is None:
            raise InputError.single(self.name, f"no observation on or before {day}",
                                    hint=f"the series starts on {self.dates[0]}" if self.dates else "")
        raise InputError.single(self.name, f"no observation within {within_days} days before {day}",
                                hint=f"the last one before it is of {self.dates[last]} (the record ends on "
                                     f"{self.dates[-1]})")


@dataclass(frozen=True)
class ObservedRecord:
    """The series one record file holds."""

    path: Path
    layout: str
    series: dict[str, ObservedSeries] = field(default_factory=dict)


def _refuse(path: Path, message: str, hint: str = "", line: int | None = None,
            field_name: str = "") -> InputError:
    return InputError.single(str(path), message, line=line, field=field_name, hint=hint)


def recognise_layout(path: Path, header: list[str]) -> str:
    """The layout whose columns the header has; a clear error for any other file."""
    for layout, columns in LAYOUTS.items():
        if header[:len(columns)] == list(columns):
            return layout
    known = "; ".join(f"{name}.csv ({', '.join(cols[:3])}, …)" for name, cols in LAYOUTS.items())
    raise _refuse(path, f"is not a record layout that can be scored (header: {', '.join(header[:6]) or 'empty'})",
                  hint=f"score against one of: {known}", line=1)


def _date(path: Path, line: int, column: str, text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise _refuse(path, f"'{text}' is not an ISO date (YYYY-MM-DD)", line=line, field_name=column) from None


def _number(path: Path, line: int, column: str, text: str) -> float | None:
    text = text.strip()
    if not text:
        return None  # empty: not in the source, never zero
    try:
        return float(text)
    except ValueError:
        raise _refuse(path, f"'{text}' is not a number", line=line, field_name=column) from None


def month_end(month: str, path: Path, line: int) -> dt.date:
    """The last day of a `YYYY-MM` month."""
    try:
        year, mon = (int(part) for part in month.strip().split("-"))
        return dt.date(year, mon, calendar.monthrange(year, mon)[1])
    except ValueError:
        raise _refuse(path, f"'{month}' is not a month (YYYY-MM)", line=line, field_name="month") from None


def _series(name: str, points: dict[dt.date, float], kind: str, unit: str) -> ObservedSeries:
    dates = tuple(sorted(points))
    return ObservedSeries(name, dates, np.array([points[d] for d in dates], dtype=float), kind, unit)


def load_record(path: str | Path) -> ObservedRecord:
    """Read a record file into its named series; its layout is recognised by its header."""
    path = Path(path)
    if not path.is_file():
        raise InputError.single(str(path), "no such record file", hint="the record is under data/record/")
    with open(path, newline="", encoding="utf-8") as handle:
        reader = csv.reader(handle)
        header = [h.strip() for h in next(reader, [])]
        layout = recognise_layout(path, header)
        rows = [(i, dict(zip(header, row))) for i, row in enumerate(reader, start=2) if any(c.strip() for c in row)]
    if not rows:
        raise _refuse(path, "has a header but no rows")
    reader_of = {ISW_AREA: _isw, DEEPSTATE_REGIONS: _deepstate, RUSSIAN_CASUALTIES: _casualties}[layout]
    return ObservedRecord(path=path, layout=layout, series=reader_of(path, rows))


def _isw(path: Path, rows: list[tuple[int, dict[str, str]]]) -> dict[str, ObservedSeries]:
    points: dict[dt.date, float] = {}
    for line, row in rows:
        value = _number(path, line, "russian_controlled_km2", row["russian_controlled_km2"])
        if value is not None:
            points[_date(path, line, "date", row["date"])] = value
    return {"area_controlled_km2": _series("area_controlled_km2", points, LEVEL, "km²")}


def _deepstate(path: Path, rows: list[tuple[int, dict[str, str]]]) -> dict[str, ObservedSeries]:
    columns = {"occupied_km2": "area_controlled_km2", "ua_held_km2": "ua_held_km2"}
    points: dict[str, dict[dt.date, float]] = {}
    for line, row in rows:
        day = _date(path, line, "week_ending", row["week_ending"])
        region = row["region"].strip()
        for column, prefix in columns.items():
            value = _number(path, line, column, row[column])
            if value is not None:
                points.setdefault(f"{prefix}/{region}", {})[day] = value
    # a region's Ukrainian-held ground is a series only where Ukraine ever held some (Kursk from August 2024)
    return {name: _series(name, p, LEVEL, "km²") for name, p in sorted(points.items())
            if not (name.startswith("ua_held_km2/") and not any(p.values()))}


def _casualties(path: Path, rows: list[tuple[int, dict[str, str]]]) -> dict[str, ObservedSeries]:
    points: dict[str, dict[dt.date, float]] = {c: {} for c in CASUALTY_COLUMNS}
    for line, row in rows:
        end = month_end(row["month"], path, line)
        for column in CASUALTY_COLUMNS:
            value = _number(path, line, column, row[column])
            if value is None:
                continue
            if column == "genstaff_claimed":
                covered = _date(path, line, "genstaff_period_end", row["genstaff_period_end"])
                if covered != end:  # a partial month (1–18 March 2025): left out
                    continue
            points[column][end] = value
    return {f"casualties_russia/{c}": _series(f"casualties_russia/{c}", points[c], FLOW, "persons")
            for c in CASUALTY_COLUMNS if points[c]}
