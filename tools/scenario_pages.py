"""Regenerate the "## What the model says" section of each docs/scenarios/<name>.md from a fresh ensemble.

Usage:
    python tools/scenario_pages.py                 # every page whose scenarios/<name>.yaml exists
    python tools/scenario_pages.py --only NAME     # one page (repeatable); NAME as in docs/scenarios/NAME.md
    python tools/scenario_pages.py --runs 10000 --seed 1   (the defaults)

Each page's scenario is run in-process (`detente.simulate`, the same ensemble as
`detente run scenarios/<name>.yaml --runs 10000 --seed 1 --json`), and so is the page's reference scenario
(the one its section names as "reference `NAME`" or "Against `NAME`"; `baseline` if it names none or names
itself), once per invocation and reused across pages. Only the section from "## What the model says" up to
the next "## " heading (or the end of the file) is rewritten; every other line of the page is kept as it is.

Pages of variants that state claims (the seed variants) open with a "## Verdict" section: their claims judged by
`detente claims` (tools/verdict_section.py; `--claims-runs`, default 4,000, `--claims-seed`, default 3), a
table and a paragraph saying what the model concludes about the commentator's argument and why.

Interpretive sentences ("Reading") come from NOTES below: each is written against the figures and carries a
check; a note whose check fails on the regenerated figures is left out and reported on stderr, so stale prose
does not survive a change of the model silently.
"""

from __future__ import annotations

import argparse
import math
import re
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Callable

ROOT = Path(__file__).resolve().parents[1]
PAGES = ROOT / "docs" / "scenarios"
SCENARIOS = ROOT / "scenarios"
HEADING = "## What the model says"

HEADLINE = ["area_gained_km2", "casualties_russia", "casualties_ukraine", "manpower_ukraine", "materiel_ukraine",
            "aid_delivered_eur_bn", "backer_gave_up/*", "escalation_peak", "escalation_mean", "nuclear_use",
            "deal_weeks_in_force"]
PROBABILITY_PREFIXES = ("ceasefire_agreed", "ceasefire_held", "leader_fell/", "settled/", "backer_gave_up/",
                        "nuclear_use", "agreements_broke_down")
OPTION_MIN = 0.01
REGIONS_SHOWN = 8

Summary = dict[str, dict[str, float]]


# ---------------------------------------------------------------- running


class Run:
    """What a page needs of one ensemble: summaries, the scenario hash, the logged tables."""

    def __init__(self, name: str, runs: int, seed: int):
        import detente
        from detente.scenario.loader import load_scenario

        started = time.time()
        result = detente.simulate(load_scenario(SCENARIOS / f"{name}.yaml"), runs=runs, seed=seed)
        self.name, self.runs, self.seed = name, runs, seed
        self.summary: Summary = result.summary()
        self.digest: str = result.loaded.digest
        self.start = result.loaded.scenario.start
        self.weeks: int = result.loaded.scenario.horizon_weeks
        self.tables = {k: v for k, v in result.tables.items() if k in ("agreements", "leaders_fallen")}
        self.seconds = time.time() - started

    def p(self, metric: str) -> float:
        """Mean of a metric (a probability for 0/1 metrics); NaN when the scenario lacks it."""
        return self.summary.get(metric, {}).get("mean", math.nan)

    def q(self, metric: str, stat: str = "p50") -> float:
        """A statistic of a metric (the median unless told); NaN when the scenario lacks it."""
        return self.summary.get(metric, {}).get(stat, math.nan)

    def has_table(self) -> bool:
        """Whether the scenario has the bargaining table (its ceasefire metrics)."""
        return any(n.startswith("ceasefire_agreed_by_q") for n in self.summary)

    def scopes(self) -> list[str]:
        """The table's agreement scopes, in the scenario's order."""
        seen = []
        for n in self.summary:
            if n.startswith("ceasefire_agreed_by_q"):
                scope = n.split("/", 1)[1]
                if scope not in seen:
                    seen.append(scope)
        return seen

    def quarters(self) -> list[int]:
        """The quarters the ceasefire metrics are counted at."""
        return sorted({int(n.split("/")[0].removeprefix("ceasefire_agreed_by_q")) for n in self.summary
                       if n.startswith("ceasefire_agreed_by_q")})


class Runner:
    """Runs each scenario at most once per invocation."""

    def __init__(self, runs: int, seed: int):
        self.runs, self.seed, self.done = runs, seed, {}

    def __call__(self, name: str) -> Run:
        if name not in self.done:
            print(f"  running {name} ({self.runs:,} runs, seed {self.seed}) …", file=sys.stderr, flush=True)
            self.done[name] = Run(name, self.runs, self.seed)
            print(f"  … {self.done[name].seconds:.0f} s, hash {self.done[name].digest}", file=sys.stderr, flush=True)
        return self.done[name]


# ---------------------------------------------------------------- formatting


def fmt(value: float, whole: bool = False) -> str:
    """A figure as the CLI prints it: thousands separated from 100 up, two decimals below."""
    if value != value:  # NaN
        return "—"
    if whole:
        return f"{value:,.0f}"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:,.2f}"


def prob(value: float, digits: int = 3) -> str:
    """A probability (a share of runs)."""
    return "—" if value != value else f"{value:.{digits}f}"


def half_width(p: float, n: int) -> float:
    """95% binomial half-width of a share p over n runs."""
    return 1.96 * math.sqrt(max(p * (1 - p), 0.0) / n)


def is_probability(name: str) -> bool:
    """Whether a metric is 0/1 per run (shown as a probability)."""
    return name.startswith(PROBABILITY_PREFIXES)


def table(header: list[str], rows: list[list[str]], right: int = 1) -> list[str]:
    """A Markdown table; columns from `right` on are right-aligned."""
    align = ["---" if i < right else "---:" for i in range(len(header))]
    return ["| " + " | ".join(header) + " |", "|" + "|".join(align) + "|"] + ["| " + " | ".join(r) + " |" for r in rows]


def short(name: str) -> str:
    """A scenario's name without its seed prefix, for column headers."""
    return name.removeprefix("seed000-").removeprefix("seed001-").removeprefix("seed002-")


# ---------------------------------------------------------------- the section


def headline(run: Run, ref: Run) -> list[str]:
    """The headline metrics beside the reference's."""
    names: list[str] = []
    for item in HEADLINE:
        if item.endswith("/*"):
            names += sorted(n for n in run.summary if n.startswith(item[:-1]))
        elif item in run.summary:
            names.append(item)
    rows = []
    for n in names:
        s = run.summary[n]
        if is_probability(n):
            rows.append([f"P({n})", "—", "—", prob(s["mean"]), prob(ref.p(n))])
        else:
            w = n.startswith("deal_weeks_in_force")  # whole weeks
            rows.append([n, fmt(s["p50"], w), f"{fmt(s['p10'], w)} … {fmt(s['p90'], w)}", fmt(s["mean"]),
                         fmt(ref.q(n), w)])
    return table(["metric", "median", "10–90%", "mean", f"{short(ref.name)} median"], rows)


def options(run: Run, ref: Run) -> list[str]:
    """Option shares of 1% and more, and final beliefs."""
    rows = []
    for n, s in run.summary.items():
        if n.startswith("option_share/") and s["mean"] >= OPTION_MIN:
            rows.append([n.removeprefix("option_share/"), f"{s['mean']:.2f}", prob(ref.p(n), 2)])
    for n, s in run.summary.items():
        if n.startswith("belief/"):
            rows.append([f"belief {n.removeprefix('belief/')}", f"{s['mean']:.2f}", prob(ref.p(n), 2)])
    if not rows:
        return []
    return table(["actor / option, or belief", "mean", short(ref.name)], rows)


def ceasefires(run: Run, ref: Run) -> list[str]:
    """Deals agreed by quarter and held, weeks in force, leaders fallen, trust, terms."""
    quarters, n = run.quarters(), run.runs
    rows = []
    for scope in run.scopes():
        cells = [prob(run.p(f"ceasefire_agreed_by_q{q}/{scope}")) for q in quarters]
        held = [prob(run.p(f"ceasefire_held_{d}/{scope}")) for d in ("30d", "90d")]
        w = f"deal_weeks_in_force/{scope}"
        weeks = f"{run.q(w):.0f} ({run.q(w, 'p10'):.0f}–{run.q(w, 'p90'):.0f})"
        rows.append([scope, *cells, *held, weeks])
    out = ["Probability that a deal of each scope is agreed by the end of each quarter, and that one holds 30 and "
           "90 days without a break (shares of runs):", ""]
    out += table(["scope", *[f"by Q{q}" for q in quarters], "held 30 d", "held 90 d",
                  "weeks in force: median (10–90%)"], rows)
    any_w = "deal_weeks_in_force"
    out += ["", f"Weeks with any ceasefire in force (prisoner exchanges aside): median {run.q(any_w):.0f}, "
                f"10–90% {run.q(any_w, 'p10'):.0f}–{run.q(any_w, 'p90'):.0f}. "
                f"Probabilities are shares of runs; their 95% binomial half-width at {n:,} runs is at most "
                f"±{half_width(0.5, n):.3f}.", ""]
    for m in sorted(x for x in run.summary if x.startswith("leader_fell/")):
        p = run.p(m)
        out.append(f"- P(leader falls) {m.removeprefix('leader_fell/')}: {p:.3f} (±{half_width(p, n):.3f})")
    if "agreements_broke_down" in run.summary:
        p = run.p("agreements_broke_down")
        out.append(f"- P(an agreement collapses on lost trust at least once): {p:.3f} (±{half_width(p, n):.3f})")
    if "violations_observed" in run.summary:
        v = "violations_observed"
        out.append(f"- violations observed (incl. false alarms), median {run.q(v):.0f} "
                   f"(10–90% {run.q(v, 'p10'):.0f}–{run.q(v, 'p90'):.0f})")
    return out + terms(run)


def terms(run: Run) -> list[str]:
    """Terms agreed per scope and issue, and how the logged agreements ended."""
    from detente.table.controller import conditional_terms

    rows_in = run.tables.get("agreements")
    if not rows_in or len(rows_in.get("run", [])) == 0:
        return []
    from detente.ensemble.streams import LOGGED_RUNS

    logged = min(run.runs, LOGGED_RUNS)
    rows = []
    for scope in run.scopes():
        for issue, t in conditional_terms(run.tables, scope).items():
            rows.append([scope, issue, f"{t['n']:,.0f}", f"{t['p50']:.2f}", f"{t['p10']:.2f}–{t['p90']:.2f}"])
    if not rows:
        return []
    out = ["", f"Terms of agreements, conditional on an agreement (median and 10–90% over the agreements of the "
               f"first {logged:,} runs, whose agreements are logged):", ""]
    out += table(["scope", "issue", "agreements", "median", "10–90%"], rows, right=2)
    ended = Counter(zip(rows_in["scope"], rows_in["how_ended"]))
    out += ["", "How those agreements ended: " + "; ".join(
        f"{scope} {how} {count:,}" for (scope, how), count in sorted(ended.items())) + "."]
    return out


def table_against(run: Run, ref: Run) -> list[str]:
    """The table's figures beside the reference's."""
    if not (run.has_table() and ref.has_table()):
        return []
    q = run.quarters()
    mid, last = q[len(q) // 2 - 1], q[-1]
    rows = []
    for scope in run.scopes():
        pr = [f"ceasefire_agreed_by_q{mid}/{scope}", f"ceasefire_agreed_by_q{last}/{scope}"]
        if max(run.p(pr[1]), ref.p(pr[1]) if ref.p(pr[1]) == ref.p(pr[1]) else 0) == 0:
            continue
        rows.append([f"P({scope} agreed by Q{mid} / Q{last})", " / ".join(prob(ref.p(m)) for m in pr),
                     " / ".join(prob(run.p(m)) for m in pr)])
        h = f"ceasefire_held_90d/{scope}"
        rows.append([f"P({scope} holds 90 days)", prob(ref.p(h)), prob(run.p(h))])
    rows.append(["weeks with a ceasefire in force, median", f"{ref.q('deal_weeks_in_force'):.0f}",
                 f"{run.q('deal_weeks_in_force'):.0f}"])
    rows.append(["P(an agreement collapses on lost trust)", prob(ref.p("agreements_broke_down")),
                 prob(run.p("agreements_broke_down"))])
    for m in sorted(x for x in run.summary if x.startswith("leader_fell/")):
        if run.p(m) or ref.p(m):
            rows.append([f"P(leader falls) {m.removeprefix('leader_fell/')}", prob(ref.p(m)), prob(run.p(m))])
    return ["", f"Against the reference `{ref.name}` (same seed and runs):", ""] + \
        table(["", short(ref.name), short(run.name)], rows)


def regions(run: Run, ref: Run) -> list[str]:
    """The regions where most area changed hands."""
    names = [n for n in run.summary if n.startswith("area_gained_km2/")]
    names = [n for n in names if max(abs(run.q(n, k)) for k in ("p10", "p50", "p90")) >= 1]
    names.sort(key=lambda n: -abs(run.q(n)) - abs(run.q(n, "p90")))
    rows = [[n.removeprefix("area_gained_km2/"), fmt(run.q(n)), f"{fmt(run.q(n, 'p10'))} … {fmt(run.q(n, 'p90'))}",
             fmt(ref.q(n))] for n in names[:REGIONS_SHOWN]]
    if not rows:
        return []
    head = f"Area gained by Russia per region (km², + to Russia; the {len(rows)} largest changes"
    head += f" of {len(names)}):" if len(names) > len(rows) else "):"
    return [head, ""] + table(["region", "median", "10–90%", f"{short(ref.name)} median"], rows)


def section(run: Run, ref: Run, notes: list[str]) -> str:
    """The whole "What the model says" section, heading included."""
    start = f"{run.start:%d %B %Y}".lstrip("0")
    cmd = f"detente run scenarios/{run.name}.yaml --runs {run.runs} --seed {run.seed} --json"
    out = [HEADING, "",
           f"Ensemble of {run.runs:,} runs, seed {run.seed}, {run.weeks} weeks from {start}; scenario hash "
           f"`{run.digest}` (`{cmd}`). The reference `{ref.name}` (hash `{ref.digest}`) is run with the same seed "
           f"and runs. These figures are regenerated by `python tools/scenario_pages.py` "
           f"(`--only {run.name}` for this page alone).", "",
           "Medians with 10–90% intervals; 0/1 outcomes as probabilities (share of runs, in the mean column). "
           "The last column is the reference's median or probability.", ""]
    out += headline(run, ref)
    opts = options(run, ref)
    if opts:
        out += ["", "Share of weeks each option was in force (mean over runs; options under 1% omitted), and final "
                    f"beliefs (mean over runs); the last column is `{short(ref.name)}`:", ""] + opts
    if run.has_table():
        out += [""] + ceasefires(run, ref) + table_against(run, ref)
    reg = regions(run, ref)
    if reg:
        out += [""] + reg
    if notes:
        out += ["", "Reading: " + " ".join(notes[:1] + [n[0].upper() + n[1:] for n in notes[1:]])]
    out += ["", f"Compare paired with the reference: `detente compare scenarios/{ref.name}.yaml "
                f"scenarios/{run.name}.yaml --runs 1000 --seed {run.seed}`. Ask why an actor chose what it did: "
                "`detente explain RESULTS --run N --week W`.", "",
            "Most utilities, priors and likelihoods are placeholders (marked in the files): read the direction and "
            "size of differences, not the levels."]
    return "\n".join(out) + "\n"


# ---------------------------------------------------------------- interpretive notes
# name -> [(check, text)]; check(run, ref) -> bool says whether the sentence is still true of the figures.

Note = tuple[Callable[[Run, Run], bool], Callable[[Run, Run], str]]


def term(run: Run, scope: str, issue: str, stat: str = "p50") -> float:
    """A statistic of the agreed terms of one issue over a scope's logged agreements (NaN if none)."""
    from detente.table.controller import conditional_terms

    return conditional_terms(run.tables, scope).get(issue, {}).get(stat, math.nan)


def spread(run: Run, scope: str, issue: str) -> float:
    """Width of the 10–90% interval of an issue's agreed terms (NaN if none)."""
    return term(run, scope, issue, "p90") - term(run, scope, issue, "p10")


def agreed(scope: str, q: int = 8) -> str:
    """Metric name: a deal of `scope` agreed by the end of quarter q."""
    return f"ceasefire_agreed_by_q{q}/{scope}"


def held(scope: str, days: int = 90) -> str:
    """Metric name: a deal of `scope` held `days` days without a break."""
    return f"ceasefire_held_{days}d/{scope}"


def weeks(scope: str = "") -> str:
    """Metric name: weeks a deal of `scope` (any ceasefire if none given) was in force."""
    return f"deal_weeks_in_force/{scope}" if scope else "deal_weeks_in_force"


NOTES: dict[str, list[Note]] = {
    "seed000-energy-ceasefire": [
        (lambda r, b: r.p(agreed("energy_strikes", 1)) >= 0.99
         and r.p(held("energy_strikes")) > b.p(held("energy_strikes"))
         and r.q(weeks("energy_strikes")) > b.q(weeks("energy_strikes")),
         lambda r, b: f"with only Washington and Moscow to agree, the energy truce is agreed in the first quarter in "
                      f"{r.p(agreed('energy_strikes', 1)):.1%} of runs; it is in force for a median "
                      f"{r.q(weeks('energy_strikes')):.0f} of {r.weeks} weeks (baseline: "
                      f"{b.q(weeks('energy_strikes')):.0f}) and holds 90 days in {r.p(held('energy_strikes')):.1%} "
                      f"of runs (baseline: {b.p(held('energy_strikes')):.1%})."),
        (lambda r, b: term(r, "energy_strikes", "energy_ceasefire") < term(b, "energy_strikes", "energy_ceasefire"),
         lambda r, b: f"The text agreed is a smaller moratorium than the baseline's three-party shuttle agrees "
                      f"(median {term(r, 'energy_strikes', 'energy_ceasefire'):.2f} of a full moratorium against "
                      f"{term(b, 'energy_strikes', 'energy_ceasefire'):.2f})."),
        (lambda r, b: 0.2 < r.p("agreements_broke_down") < 0.9,
         lambda r, b: f"It is not unbreakable: an agreement collapses on lost trust at least once in "
                      f"{r.p('agreements_broke_down'):.0%} of runs (violations observed, false alarms included: "
                      f"median {r.q('violations_observed'):.0f})."),
        (lambda r, b: abs(r.q("area_gained_km2") / b.q("area_gained_km2") - 1) < 0.03,
         lambda r, b: f"Territory is as in the baseline (median Russian gain {r.q('area_gained_km2'):,.0f} km² "
                      f"against {b.q('area_gained_km2'):,.0f}): the ground war goes on, as the seed says."),
        (lambda r, b: r.p(held("energy_strikes")) > 0.9,
         lambda r, b: "The real moratorium of March–April 2025 lapsed after 30 days; a truce that holds 90 days in "
                      "almost every run suggests that the placeholder temptation to strike the grid "
                      "(`agreements.energy_strikes.temptation`) is too small — a parameter to calibrate against that "
                      "holdout."),
    ],
    "seed001-leader-cannot-sell": [
        (lambda r, b: r.p(agreed("whole_front")) == 0 and b.p(agreed("whole_front")) > 0,
         lambda r, b: f"with win-sets this narrow no whole-front text is ratified: P(whole-front ceasefire agreed by "
                      f"Q8) is {r.p(agreed('whole_front')):.3f}, against {b.p(agreed('whole_front')):.3f} in the "
                      f"baseline."),
        (lambda r, b: r.p(agreed("energy_strikes", 1)) < b.p(agreed("energy_strikes", 1)) - 0.05
         and r.p(agreed("energy_strikes")) > 0.99,
         lambda r, b: f"Texts close to both ideals still get through: the energy truce (agreed in Q1 in "
                      f"{r.p(agreed('energy_strikes', 1)):.0%} of runs rather than "
                      f"{b.p(agreed('energy_strikes', 1)):.0%}, by Q8 in {r.p(agreed('energy_strikes')):.0%}; held "
                      f"90 days in {r.p(held('energy_strikes')):.0%} against {b.p(held('energy_strikes')):.0%}) and "
                      "prisoner exchanges — \"anything more than a temporary ceasefire will likely remain "
                      "elusive\"."),
        (lambda r, b: r.p("leader_fell/ukraine") > 0.9 and r.p(agreed("whole_front")) == 0,
         lambda r, b: f"Ukraine's leader nonetheless falls in {r.p('leader_fell/ukraine'):.0%} of runs (baseline "
                      f"{b.p('leader_fell/ukraine'):.0%}) although no whole-front deal is ever made: what he concedes "
                      "is energy truces and prisoner exchanges, at a domestic price of 1.0 per unit conceded. That "
                      "placeholder concession cost looks too high for routine deals; read `leader_fell/ukraine` here "
                      "as \"support erodes to the edge\" rather than as a forecast of his fall."),
    ],
    "seed001-leader-change": [
        (lambda r, b: r.p(agreed("whole_front")) > b.p(agreed("whole_front")),
         lambda r, b: f"the successor's wider win-set and softer positions make a whole-front ceasefire possible "
                      f"where none is under his predecessor ({b.p(agreed('whole_front')):.3f}), but rarely: it is "
                      f"agreed by Q8 in {r.p(agreed('whole_front')):.1%} of runs "
                      f"(±{half_width(r.p(agreed('whole_front')), r.runs):.3f})."),
        (lambda r, b: r.p(agreed("whole_front")) > 0 and r.p(held("whole_front")) == 0,
         lambda r, b: f"None of these holds 90 days (held 30 days: {r.p(held('whole_front', 30)):.1%} of runs)."),
        (lambda r, b: term(r, "whole_front", "line_of_control") > 0.7
         and term(r, "whole_front", "nato_membership") < 0.2,
         lambda r, b: f"Their terms lean Russia's way — median agreed line of control "
                      f"{term(r, 'whole_front', 'line_of_control'):.2f} of the claimed oblasts, NATO membership "
                      f"{term(r, 'whole_front', 'nato_membership'):.2f} — but rest on only "
                      f"{term(r, 'whole_front', 'line_of_control', 'n'):.0f} logged agreements."),
        (lambda r, b: r.p("leader_fell/ukraine") > 0.9 and r.p(agreed("whole_front")) < 0.05,
         lambda r, b: f"Ukraine's leader falls in {r.p('leader_fell/ukraine'):.0%} of runs "
                      f"({b.p('leader_fell/ukraine'):.0%} in `{b.name}`), so the change of "
                      "leader happens almost always; the seed's claim that it is the \"fastest and easiest path to "
                      "peace\" holds in direction only, and weakly: it rarely leads even to a temporary whole-front "
                      "ceasefire."),
    ],
    "seed001-shuttle-telephone": [
        (lambda r, b: r.p(held("energy_strikes")) < 0.1 < 0.5 < b.p(held("energy_strikes")),
         lambda r, b: f"the noisy shuttle still produces texts — the energy truce is agreed in Q1 in "
                      f"{r.p(agreed('energy_strikes', 1)):.0%} of runs — but they do not last: the energy truce "
                      f"holds 90 days in {r.p(held('energy_strikes')):.1%} of runs against "
                      f"{b.p(held('energy_strikes')):.1%} in the baseline, agreements collapse on lost trust at least "
                      f"once in {r.p('agreements_broke_down'):.0%} of runs (baseline "
                      f"{b.p('agreements_broke_down'):.0%}), and a ceasefire is in force for a median "
                      f"{r.q(weeks()):.0f} weeks (baseline {b.q(weeks()):.0f})."),
        (lambda r, b: r.p(agreed("whole_front")) < b.p(agreed("whole_front")),
         lambda r, b: f"A whole-front ceasefire is agreed by Q8 in {r.p(agreed('whole_front')):.1%} of runs "
                      f"(baseline {b.p(agreed('whole_front')):.1%})."),
        (lambda r, b: spread(r, "whole_front", "line_of_control") > spread(b, "whole_front", "line_of_control")
         and spread(r, "energy_strikes", "energy_ceasefire") > spread(b, "energy_strikes", "energy_ceasefire"),
         lambda r, b: f"What is agreed is less predictable: the energy moratorium agreed spans "
                      f"{term(r, 'energy_strikes', 'energy_ceasefire', 'p10'):.2f}–"
                      f"{term(r, 'energy_strikes', 'energy_ceasefire', 'p90'):.2f} (10–90%; baseline "
                      f"{term(b, 'energy_strikes', 'energy_ceasefire', 'p10'):.2f}–"
                      f"{term(b, 'energy_strikes', 'energy_ceasefire', 'p90'):.2f}), the line of control of the few "
                      f"whole-front texts {term(r, 'whole_front', 'line_of_control', 'p10'):.2f}–"
                      f"{term(r, 'whole_front', 'line_of_control', 'p90'):.2f} (baseline "
                      f"{term(b, 'whole_front', 'line_of_control', 'p10'):.2f}–"
                      f"{term(b, 'whole_front', 'line_of_control', 'p90'):.2f}; "
                      f"{term(r, 'whole_front', 'line_of_control', 'n'):.0f} and "
                      f"{term(b, 'whole_front', 'line_of_control', 'n'):.0f} logged agreements)."),
        (lambda r, b: r.p(held("energy_strikes")) < 0.1 and r.p("agreements_broke_down") > b.p("agreements_broke_down"),
         lambda r, b: "That is the seed's claim — \"even if some sort of ceasefire is reached on the basis of said "
                      "backroom deal, it's highly unlikely to be sustainable\" — reproduced by mechanism, with the "
                      "size of the effect set by placeholder distortion and fragility parameters that a sensitivity "
                      "analysis should vary."),
    ],
}


def reading(name: str, run: Run, ref: Run) -> list[str]:
    """The page's notes whose checks pass on these figures."""
    kept = []
    for i, (check, text) in enumerate(NOTES.get(name, [])):
        try:
            ok = bool(check(run, ref))
        except (KeyError, ValueError, ZeroDivisionError):
            ok = False
        if ok:
            kept.append(text(run, ref))
        else:
            print(f"  note {i} of {name} left out: its check fails on the new figures", file=sys.stderr)
    return kept


# ---------------------------------------------------------------- pages


def reference_of(name: str, page: str) -> str:
    """The reference scenario a page's section names (baseline if none, or if it names itself)."""
    for pattern in (r"reference `([A-Za-z0-9_.-]+)`", r"Against `([A-Za-z0-9_.-]+)`"):
        m = re.search(pattern, page)
        if m and m.group(1) != name and (SCENARIOS / f"{m.group(1)}.yaml").exists():
            return m.group(1)
    return "baseline"


def split(page: str) -> tuple[str, str, str]:
    """(before, section, after): the section runs from its heading to the next "## " heading or the end."""
    lines = page.splitlines(keepends=True)
    starts = [i for i, ln in enumerate(lines) if ln.rstrip("\n") == HEADING]
    if len(starts) != 1:
        raise ValueError(f"expected one line '{HEADING}', found {len(starts)}")
    s = starts[0]
    e = next((i for i in range(s + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
    return "".join(lines[:s]), "".join(lines[s:e]), "".join(lines[e:])


def regenerate(name: str, runner: Runner) -> str:
    """Rewrite one page's section; return a one-line headline."""
    path = PAGES / f"{name}.md"
    page = path.read_text()
    before, old, after = split(page)
    ref_name = reference_of(name, old)
    run, ref = runner(name), runner(ref_name)
    new = section(run, ref, reading(name, run, ref))
    if after:
        new += "\n"
    path.write_text(before + new + after)
    return (f"{name}: hash {run.digest}; median area gained {run.q('area_gained_km2'):,.0f} km² "
            f"({ref_name} {ref.q('area_gained_km2'):,.0f})")


def verdicts(names: list[str], runs: int, seed: int, claims_json: Path | None = None) -> None:
    """Open each page whose scenario states claims with its verdict section (tools/verdict_section.py); from a
    saved `detente claims scenarios/ --runs RUNS --seed SEED --json` where `claims_json` names one."""
    sys.path.insert(0, str(ROOT / "src"))
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from verdict_section import place, section

    from detente.analysis.claims import judge_claims
    from detente.scenario.loader import load_scenario

    with_claims = [n for n in names if load_scenario(SCENARIOS / f"{n}.yaml").scenario.claims is not None]
    if not with_claims:
        return
    if claims_json is not None:
        import json

        rows = json.loads(Path(claims_json).read_text())["claims"]
        missing = sorted(set(with_claims) - {r["scenario"] for r in rows})
        if missing:
            raise SystemExit(f"{claims_json} has no claims of {', '.join(missing)}")
    else:
        print(f"claims of {len(with_claims)} variants ({runs:,} runs, seed {seed}) …", file=sys.stderr, flush=True)
        report = judge_claims([SCENARIOS / f"{n}.yaml" for n in with_claims], runs=runs, seed=seed)
        rows = report.to_json()["claims"]
    for name in with_claims:
        parent = load_scenario(SCENARIOS / f"{name}.yaml").chain[-2].stem
        path = PAGES / f"{name}.md"
        path.write_text(place(path.read_text(), section(name, rows, runs, seed, parent)))
        print(f"{name}: " + ", ".join(f"{r['metric']} {r['verdict']}" for r in rows if r["scenario"] == name
                                       and r["kind"] == "conclusion"), flush=True)


def main(argv: list[str] | None = None) -> int:
    """Command line: regenerate every page, or those named with --only."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--only", action="append", metavar="NAME", help="regenerate only this page (repeatable)")
    ap.add_argument("--runs", type=int, default=10000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--claims-runs", type=int, default=4000, help="runs of `detente claims` for the verdicts")
    ap.add_argument("--claims-seed", type=int, default=3)
    ap.add_argument("--verdicts-only", action="store_true", help="rewrite only the verdict sections")
    ap.add_argument("--claims-json", type=Path, metavar="FILE",
                    help="verdicts from a saved `detente claims scenarios/ --runs N --seed S --json` (its N and S "
                         "given as --claims-runs and --claims-seed) instead of running the claims again")
    args = ap.parse_args(argv)
    names = sorted(p.stem for p in PAGES.glob("*.md") if (SCENARIOS / f"{p.stem}.yaml").exists())
    if args.only:
        missing = [n for n in args.only if n not in names]
        if missing:
            ap.error(f"no page with a scenario file: {', '.join(missing)} (pages: {', '.join(names)})")
        names = [n for n in names if n in args.only]
    verdicts(names, args.claims_runs, args.claims_seed, args.claims_json)
    if args.verdicts_only:
        return 0
    runner = Runner(args.runs, args.seed)
    for name in names:
        print(f"{name}:", file=sys.stderr, flush=True)
        print(regenerate(name, runner), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
