"""Every metric détente reports, declared once: its name, kind, unit, section and what it means.

A metric name is a contract between the code that produces it (the war's reporters in `metrics.py`, the
bargaining table, the decisions) and everything that reads it (the CLI's tables, `compare`, the store,
the report, the dashboard). As Mesa's `DataCollector` names each reporter once, this module names each
metric once, and the readers ask it (`lookup`) what a name is instead of decoding prefixes.

Families that repeat per region, scope, actor or issue are declared with placeholders in angle brackets
(`area_gained_km2/<region>`); a placeholder stands for one path segment or the rest of one (no `/`).

Kinds:
- probability: a yes/no outcome per run (0 or 1); over an ensemble it is reported as the share of runs
  (a fraction 0–1 in JSON, a percentage in tables and charts), its difference with a bootstrap interval;
- quantity: a measured amount (km², € bn, weeks, shares); reported as median and 10–90% interval;
- count: a number of people or events; reported as median and 10–90% interval;
- score: an index on a scale of its own (will, support, trust, escalation points, beliefs).
"""

from __future__ import annotations

import re
from dataclasses import asdict, dataclass
from functools import lru_cache

from detente.dynamics.catalogue import MECHANISMS
from detente.errors import DetenteError

KINDS = ("probability", "quantity", "count", "score")
SECTIONS = ("war", "table", "decisions")
WHEN = ("horizon", "weekly")  # a value per run at the horizon (an outcome), and/or a weekly series


class UnknownMetric(DetenteError):
    """A metric name that no declaration in the registry matches."""


@dataclass(frozen=True)
class Metric:
    """One metric, or one family of metrics with placeholders, as declared."""

    name: str
    kind: str
    unit: str
    section: str
    description: str
    label: str = ""                       # a short title; placeholders are filled in by `title`
    recorded: tuple[str, ...] = ("horizon",)
    hide_within: float | None = None     # tables leave out family members whose values all stay within ±this

    @property
    def is_family(self) -> bool:
        """Whether the name holds placeholders (one declaration for many concrete names)."""
        return "<" in self.name

    @property
    def percent(self) -> bool:
        """Whether tables and charts show it as a percentage (a share of runs, or a share of weeks)."""
        return self.kind == "probability" or self.unit.startswith("share of weeks")

    def title(self, name: str | None = None) -> str:
        """The label with the placeholders of a concrete name filled in (`area gained, kharkiv`)."""
        label = self.label or self.name
        if name is None or not self.is_family:
            return label
        values = _pattern(self.name).fullmatch(name)
        if values is None:
            return label
        for key, value in values.groupdict().items():
            label = label.replace(f"<{key}>", value)
        return label

    def to_json(self) -> dict[str, object]:
        """{"name", "kind", "unit", "section", "description", "label", "recorded"}."""
        out = asdict(self)
        out["recorded"] = list(self.recorded)
        out.pop("hide_within")
        return out


def _m(name: str, kind: str, unit: str, section: str, description: str, label: str = "",
       recorded: tuple[str, ...] = ("horizon",), hide_within: float | None = None) -> Metric:
    return Metric(name, kind, unit, section, description, label, recorded, hide_within)


BOTH = ("horizon", "weekly")
WEEKLY = ("weekly",)

# The order is the reading order of the CLI's tables, section by section.
METRICS: tuple[Metric, ...] = (
    # --- war: detente.ensemble.metrics (each of these is also a weekly series) -------------------------------
    _m("area_gained_km2", "quantity", "km²", "war",
       "net area that moved to Russian control since the start (negative: Ukraine gained)", "area gained by Russia",
       BOTH),
    _m("casualties_russia", "count", "people", "war", "Russian casualties (killed, wounded, missing) so far",
       "Russian casualties", BOTH),
    _m("casualties_ukraine", "count", "people", "war", "Ukrainian casualties (killed, wounded, missing) so far",
       "Ukrainian casualties", BOTH),
    _m("manpower_russia", "count", "troops", "war", "Russian troops in the theatre", "Russian troops", BOTH),
    _m("manpower_ukraine", "count", "troops", "war", "Ukrainian troops in the theatre", "Ukrainian troops", BOTH),
    _m("materiel_russia", "quantity", "€ bn", "war", "Russian equipment and munitions in the theatre",
       "Russian materiel", BOTH),
    _m("materiel_ukraine", "quantity", "€ bn", "war", "Ukrainian equipment and munitions in the theatre",
       "Ukrainian materiel", BOTH),
    _m("energy_russia", "quantity", "share of pre-war capacity", "war",
       "share of Russia's pre-war energy capacity still working", "Russian energy capacity", BOTH),
    _m("energy_ukraine", "quantity", "share of pre-war capacity", "war",
       "share of Ukraine's pre-war energy capacity still working", "Ukrainian energy capacity", BOTH),
    _m("garrison_russia", "count", "troops", "war",
       "Russian troops tied down holding occupied hostile territory", "Russian garrison", BOTH),
    _m("partisan_activity", "score", "index 0–1", "war",
       "partisan activity, averaged over the occupied area", "partisan activity", BOTH),
    _m("aid_delivered_eur_bn", "quantity", "€ bn", "war", "military aid delivered to Ukraine so far, all backers",
       "aid delivered", BOTH),
    # the metrics the war's mechanisms report from the state, as each declares them (`Mechanism.reporters`)
    *(_m(r.name, r.kind, r.unit, "war", r.description, r.label) for m in MECHANISMS for r in m.reporters),
    _m("backer_will/<backer>", "score", "will 0–1", "war", "a backer's political will to keep giving",
       "will of <backer>", BOTH),
    _m("backer_gave_up/<backer>", "probability", "share of runs", "war",
       "the backer's will broke and it stopped giving", "<backer> gave up"),
    _m("area_retaken_km2", "quantity", "km²", "war",
       "ground Ukraine took back from Russia's furthest extent: the largest net Russian gain of any week less "
       "the gain at the horizon (0 when Russia ends at its furthest)", "area retaken by Ukraine"),
    _m("area_gained_km2/<region>", "quantity", "km²", "war",
       "area of one region that moved to Russian control since the start (negative: Ukraine gained)",
       "area gained by Russia in <region>", hide_within=1.0),
    _m("observed:<series>@<week>", "quantity", "the series' own unit", "war",
       "a scored series' level in each run at a week the record observes it (`detente score`)",
       "<series> at week <week>"),
    # --- table: detente.table.controller ---------------------------------------------------------------------
    _m("ceasefire_agreed/<scope>", "probability", "share of runs", "table",
       "an agreement of this scope was signed before the horizon", "<scope> agreed"),
    _m("ceasefire_agreed_by_q<quarter>/<scope>", "probability", "share of runs", "table",
       "an agreement of this scope was first signed by the end of this quarter (13 weeks) of the horizon",
       "<scope> agreed by Q<quarter>"),
    _m("ceasefire_held_30d/<scope>", "probability", "share of runs", "table",
       "an agreement of this scope stayed in force for 30 days in a row", "<scope> held 30 days"),
    _m("ceasefire_held_90d/<scope>", "probability", "share of runs", "table",
       "an agreement of this scope stayed in force for 90 days in a row", "<scope> held 90 days"),
    _m("ceasefire_in_force/<scope>", "probability", "share of runs", "table",
       "an agreement of this scope is in force this week", "<scope> in force", WEEKLY),
    _m("deal_weeks_in_force", "quantity", "weeks", "table", "weeks in which any agreement was in force",
       "weeks under an agreement"),
    _m("deal_weeks_in_force/<scope>", "quantity", "weeks", "table", "weeks in which this agreement was in force",
       "weeks under <scope>"),
    _m("events/<scope>", "count", "events", "table",
       "one-off events of this kind (prisoner exchanges; summits, direct talks, agreements in principle), each "
       "counted once", "<scope> events"),
    _m("in_principle/<scope>", "count", "sessions", "table",
       "sessions at which every negotiator accepted the text of this scope but a home would not ratify it (or its "
       "leader would not survive it): agreed in principle, never implemented, nothing changes in the war",
       "<scope> agreed in principle"),
    _m("with_deal/<event>", "count", "events", "table",
       "one-off events of this kind (summits) that ended in a text the participants accepted",
       "<event>s with a deal"),
    _m("persons/<scope>", "count", "people", "table",
       "persons one-off events of this scope involved (prisoners exchanged, both directions)", "persons in <scope>"),
    _m("events_in_q<quarter>/<event>", "count", "events", "table",
       "the table's events in this quarter (13 weeks) of the horizon: prisoner exchanges and other one-off "
       "events, or agreements of a scope that began (a truce of that scope after a week without one)",
       "<event> in Q<quarter>"),
    _m("events_to_date/<event>", "count", "events", "table",
       "one-off events so far (prisoner exchanges)", "<event> events so far",
       WEEKLY),
    _m("unilateral_declared/<truce>", "count", "truces", "table",
       "times one side declared this unilateral truce on its own consent (detente.table.unilateral), observed by the "
       "other side or not", "<truce> declared"),
    _m("truce_days/<kind>/<scope>", "quantity", "days", "table",
       "days a truce of this scope was in force, by kind: agreed at the table, or declared by one side alone "
       "(unilateral)", "days of <kind> <scope> truce"),
    _m("terms/<issue>", "quantity", "issue units", "table",
       "what holds on a status-quo issue at the horizon: the terms of the latest agreement that settled it, "
       "else its status quo", "<issue> at the horizon"),
    _m("settled/<issue>", "probability", "share of runs", "table",
       "an agreement that settles this issue was signed", "<issue> settled"),
    _m("leader_fell/<actor>", "probability", "share of runs", "table", "the actor's leader fell from power",
       "leader of <actor> fell"),
    _m("leader_support/<actor>", "score", "support 0–1", "table", "domestic support of the actor's leader",
       "support of <actor>'s leader", WEEKLY),
    _m("agreements_broke_down", "probability", "share of runs", "table",
       "an agreement in force broke down (violations or withdrawal)", "an agreement broke down"),
    _m("violations_observed", "count", "violations", "table", "violations of agreements observed by the parties",
       "violations observed"),
    _m("trust/<pair>", "score", "trust 0–1", "table", "trust between the two belligerents",
       "trust <pair>", WEEKLY),
    _m("trust_final/<pair>", "score", "trust 0–1", "table", "trust between the two belligerents at the horizon",
       "trust <pair> at the horizon"),
    # --- decisions: detente.decisions.controller -------------------------------------------------------------
    _m("escalation_peak", "score", "escalation points", "decisions",
       "highest weekly escalation score over the weeks fought", "peak escalation"),
    _m("escalation_mean", "score", "escalation points", "decisions",
       "mean weekly escalation score over the weeks fought", "mean escalation"),
    _m("escalation_score", "score", "escalation points", "decisions",
       "what happened this week on Rivera et al.'s scale: energy strikes, advances into new regions, truce "
       "violations, signings, announced options, foreign troops, nuclear options (decisions.escalation)",
       "escalation score", WEEKLY),
    _m("nuclear_use", "probability", "share of runs", "decisions", "an actor chose an option that uses nuclear weapons",
       "nuclear use"),
    _m("option_share/<actor>/<option>", "quantity", "share of weeks", "decisions",
       "share of the weeks in which the actor kept this option in force", "<actor>: <option>", hide_within=0.005),
    _m("belief/<belief>", "score", "probability held 0–1", "decisions",
       "an actor's belief at the horizon (Bayes' rule over observed actions)", "belief <belief>"),
)


def _pattern(name: str) -> re.Pattern[str]:
    """A declared name as a regular expression: each `<placeholder>` matches one segment's worth (no `/`)."""
    parts = re.split(r"(<[^>]+>)", name)
    return re.compile("".join(f"(?P<{p[1:-1]}>[^/]+)" if p.startswith("<") else re.escape(p) for p in parts))


@lru_cache(maxsize=4096)
def find(name: str) -> Metric | None:
    """The declaration of a concrete metric name, or None if nothing declares it (exact names first)."""
    for metric in METRICS:
        if metric.name == name:
            return metric
    for metric in METRICS:
        if metric.is_family and _pattern(metric.name).fullmatch(name):
            return metric
    return None


def lookup(name: str) -> Metric:
    """The declaration of a concrete metric name (`area_gained_km2/kharkiv` -> `area_gained_km2/<region>`)."""
    metric = find(name)
    if metric is None:
        raise UnknownMetric(f"metric '{name}' is not declared in detente.ensemble.registry; declare it there "
                            "(name, kind, unit, section, description) where the code that produces it is added")
    return metric


def kind(name: str) -> str:
    """The kind of a concrete metric name (`quantity` for an undeclared one, so displays never fail)."""
    metric = find(name)
    return metric.kind if metric else "quantity"


def is_probability(name: str) -> bool:
    """Whether a concrete metric is a yes/no outcome (reported as a share of runs)."""
    return kind(name) == "probability"


def section(name: str) -> str:
    """The section (war, table, decisions) of a concrete metric name."""
    return lookup(name).section


def title(name: str) -> str:
    """A short human title for a concrete metric name, placeholders filled in; the name itself if undeclared."""
    metric = find(name)
    return metric.title(name) if metric else name


def order(names: list[str] | set[str]) -> list[str]:
    """Concrete names in the registry's reading order (declaration order, then name); undeclared ones last."""
    rank = {m.name: i for i, m in enumerate(METRICS)}
    return sorted(names, key=lambda n: (rank[find(n).name] if find(n) else len(rank), n))


def members(names: list[str] | set[str], family: str) -> dict[str, dict[str, str]]:
    """The concrete names that belong to a declared family, each with its placeholders' values
    (`members(names, "settled/<issue>")` -> {"settled/odesa": {"issue": "odesa"}, ...})."""
    pattern = _pattern(family)
    return {n: match.groupdict() for n in names if find(n) is not None and find(n).name == family
            and (match := pattern.fullmatch(n)) is not None}


def declared() -> list[dict[str, object]]:
    """Every declaration as JSON (what `detente metrics --json` prints)."""
    return [m.to_json() for m in METRICS]


def _check() -> None:
    """Declarations are well formed: known kind and section, unique names, no name of placeholders alone."""
    seen: set[str] = set()
    for m in METRICS:
        assert m.kind in KINDS and m.section in SECTIONS, m
        assert all(w in WHEN for w in m.recorded), m
        assert m.name not in seen, f"metric {m.name} declared twice"
        assert re.sub(r"<[^>]+>|/", "", m.name), f"{m.name}: a name of placeholders alone would match everything"
        seen.add(m.name)


_check()
