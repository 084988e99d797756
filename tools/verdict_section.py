"""The "## Verdict" section that opens each seed page: its claims judged, and what the model concludes.

`detente claims` (analysis.claims) runs every seed variant against its parent on common random numbers and
judges each claim; this module turns those verdicts into the page's opening table and paragraph. The
paragraph is generated from the verdicts and from the screen that names what decides a conclusion that is
not supported, followed by a sentence per seed (WHY below) saying which assumption of the model decides
it. Each sentence names the verdicts it was written against; if a regeneration gives other verdicts, the
sentence is left out and reported on stderr, so prose that no longer fits the figures cannot survive.
"""

from __future__ import annotations

import sys
from typing import Any

HEADING = "## Verdict: what the model concludes about the argument"

# seed -> [(conclusion metric -> the verdict the sentence was written for, sentence)]
WHY: dict[str, list[tuple[dict[str, str], str]]] = {
    "seed002-expansion-bluff": [
        ({"area_gained_km2": "supported"},
         "What decides it is the US's type together with what a bluff leaves behind: a US that threatens but "
         "keeps its aid cut off leaves Ukraine with Europe's deliveries alone against a wider offensive. (Before "
         "levers kept their value, a bluffing US silently re-armed Ukraine at the 2022–24 rate and the sign was "
         "reversed: an encoding bug, not a finding.)"),
    ],
    "seed002-expansion-escalate": [
        ({"area_gained_km2": "supported"},
         "What decides it is the US's reply: secondary sanctions and deliveries at twice the 2022–24 rate "
         "outweigh the gain of going around the fortified lines, and Russia's belief that the US escalates rises "
         "with each escalation, so a risk-averse Russia falls back to the four regions."),
    ],
    "seed002-four-regions": [
        ({"option_share/united_states/escalate": "supported"},
         "The US's rules escalate only against expansion, so a Russia that never expands never meets an "
         "escalating US; the model prices this safety in ground (see the expansion variants)."),
    ],
    "seed002-middle-path": [
        ({"escalation_peak": "supported", "area_gained_km2": "supported"},
         "What decides it is signalling: announced advances are read without error and keep the US's belief in "
         "Russia's sincerity above its threshold, so the US presses Kyiv instead of escalating, while the small "
         "advances still add ground."),
        ({"escalation_peak": "contradicted", "area_gained_km2": "supported"},
         "Announcing the advances works as the seed says on the US — it presses Kyiv and never escalates — but "
         "the escalation score measures what happens each week on Rivera et al.'s scale, and a small advance "
         "into a region Russia did not hold is still an advance into a new region (violent escalation, 28 "
         "points), while the US's pressure is a signal (4); so the peak ends higher than in the baseline. What "
         "decides it is what counts as escalation: the parties' choices (lower) or the events on the ground "
         "(higher). Russia does gain more ground."),
    ],
    "seed002-commitment-problem": [
        ({"ceasefire_agreed/whole_front": "inconclusive"},
         "The commitment term κ does grow with Europe's deliveries (rearm_factor × aid), but the same deliveries "
         "improve Ukraine's prospects and so Russia's outside option shrinks too; and the calibrated baseline "
         "rarely signs a whole-front ceasefire at all, which leaves the difference little room. What decides it "
         "are the table's placeholders: Russia's cost of war and the rearm factor (see "
         "scenarios/sensitivity/baseline-table.yaml)."),
        ({"ceasefire_agreed/whole_front": "supported"},
         "The effect is small (the table's difference: a percentage point or two of runs). In the model the "
         "one channel from "
         "Europe's deliveries to Russia's signing is the table: the commitment term κ (a truce lets Ukraine "
         "stockpile at rearm_factor × aid) and the forecasts of the war that those deliveries improve for Kyiv; "
         "its size rests on the placeholder rearm factor and Russia's cost of war "
         "(scenarios/sensitivity/baseline-table.yaml)."),
    ],
    "seed001-slow-attrition": [
        ({"backer_will/europe": "contradicted", "manpower_ukraine": "contradicted"},
         "What decides it is how the model erodes a backer's will: by time at a fixed weekly rate and by the "
         "ground Russia takes. A slower Russian campaign takes less ground and kills fewer Ukrainians, so "
         "Europe's will and Ukraine's manpower end higher. The commentator's mechanism — backers bled by the "
         "cost of a long war — would need will to erode with the cost of aid given, which the model does not "
         "assume (backers.*.will_erosion_per_week is a placeholder independent of Russia's tempo)."),
    ],
    "seed001-trade-space": [
        ({"area_gained_km2": "supported", "casualties_ukraine": "contradicted"},
         "The counter-attack that the strategy saves men for retakes ground, so Russia ends with less; but "
         "committing the saved strength costs Ukraine more casualties over the two years than holding every "
         "metre does. What decides it is the counter-attack's commitment (the variant's line factor of 2, a "
         "placeholder) against the Russian force ratio at the time: the option has no value in the baseline to "
         "screen from, so the screen lists it as structural and ranks only the numeric changes, of which the "
         "partisans' growth (doubled in the variant) moves Ukraine's casualties most, with a wide interval."),
    ],
    "seed001-shuttle-telephone": [
        ({"ceasefire_held_90d/energy_strikes": "supported"},
         "The model reproduces it by mechanism: each relay and issue adds noise to each party's copy, the "
         "divergence of the readings tempts both sides to break the text (compliance.fragility), and broken "
         "truces cost trust. The size rests on placeholder distortion and fragility parameters."),
    ],
    "seed001-leader-cannot-sell": [
        ({"ceasefire_agreed/whole_front": "supported"},
         "What decides it is the two-level game: narrow ratification thresholds and publics that judge terms "
         "against what was promised leave no text both homes ratify."),
    ],
    "seed001-leader-change": [
        ({"ceasefire_agreed/whole_front": "supported"},
         "The successor's wider win-set and more flexible positions do unlock deals, but rarely: the "
         "difference is small because Russia's terms, not only Kyiv's, stand in the way."),
    ],
    "seed000-energy-ceasefire": [
        ({"area_gained_km2": "inconclusive"},
         "In the model the energy truce and the ground war are separate mechanisms: stopping strikes on "
         "energy changes output a little and frees no troops, so the ground war goes on much as before — "
         "neither faster nor slower beyond the noise of 4,000 runs. The deal struck over Kyiv's head holds "
         "fewer weeks, as Kyiv, not having consented, has no stake restraining it."),
        ({"area_gained_km2": "supported"},
         "The ground war goes on: stopping strikes on energy frees no troops, and the truce changes Russian "
         "output a little; the deal struck over Kyiv's head holds fewer weeks, as Kyiv has no stake in it."),
    ],
    "seed000-odesa-transnistria": [
        ({"area_gained_km2/odesa": "contradicted"},
         "With the front contiguous, Russia can attack Odesa only from ground joined to its bases, so the "
         "drive must first cross Mykolaiv; it takes ground there, but at the calibrated ground rate it does not "
         "reach Odesa oblast, let alone Moldova, within two years. What decides it is the ground law as fitted "
         "to 2023–24 (combat.ground_rate_km2) and the Dnipro and Mykolaiv defences."),
        ({"area_gained_km2/odesa": "supported", "area_gained_km2/moldova": "contradicted"},
         "Only at the margin: with the front contiguous, Russia can attack Odesa only from ground joined to its "
         "bases, so the drive must first cross Mykolaiv, and at the ground rate fitted to 2023–24 it reaches "
         "the edge of Odesa oblast in few runs (the mean gain over all runs, in the table, is square kilometres, "
         "not an oblast) and never Moldova within two years. What decides it is the ground law "
         "(combat.ground_rate_km2) and the Dnipro and Mykolaiv defences: the direction is the seed's, the size "
         "is not."),
        ({"area_gained_km2/odesa": "supported", "area_gained_km2/moldova": "inconclusive"},
         "Only at the margin: with the front contiguous, Russia can attack Odesa only from ground joined to its "
         "bases, so the drive must first cross Mykolaiv, and at the ground rate fitted to 2023–24 it reaches "
         "the edge of Odesa oblast in some runs (the mean gain over all runs, in the table, is tens of square "
         "kilometres, not an oblast); Moldova it touches in so few runs that 4,000 cannot tell them from none. "
         "What decides it is the ground law (combat.ground_rate_km2) and the Dnipro and Mykolaiv defences: the "
         "direction is the seed's, the size is not."),
        ({"area_gained_km2/odesa": "supported", "area_gained_km2/moldova": "supported"},
         "In the seed's direction on both counts, at the margin in size: with the front contiguous, Russia can "
         "attack Odesa only from ground joined to its bases, so the drive must first cross Mykolaiv (where it "
         "takes thousands of square kilometres); it then reaches Odesa oblast in some runs and Moldova in a few "
         "(the mean gains over all runs, in the table, are tens and a few square kilometres, not an oblast and "
         "not a country). What decides it is the ground law (combat.ground_rate_km2, combat.ratio_elasticity) and "
         "the pace Russia starts at (its effort nowcast from the weeks before 18 March 2025, "
         "forces.russia.effort_at_start), against the Dnipro and Mykolaiv defences: the direction is the seed's, "
         "the size is not."),
    ],
    "seed000-counter-moves": [
        ({"area_gained_km2/odesa": "inconclusive"},
         "Russia reaches Odesa oblast in so few runs (the mean gain over all runs, in the table, is a few square "
         "kilometres) that 4,000 runs cannot tell the variant from the baseline: the drive must cross Mykolaiv "
         "first, Kyiv's pre-emption and the British and French deployments hold the coast, and with the naval "
         "base tabled Russia more often settles for what the table gives it. In this model the last act is not "
         "played out at Odesa, though it cannot be ruled out at the margin."),
        ({"area_gained_km2/odesa": "contradicted"},
         "Russia never fights in Odesa oblast: the drive must cross Mykolaiv first, Kyiv's pre-emption and the "
         "British and French deployments hold the coast, and with the naval base tabled Russia more often "
         "settles for what the table gives it. The last act is not played out at Odesa in this model."),
    ],
}


def _num(x: float) -> str:
    if x != x:
        return "—"
    return f"{x:+,.0f}" if abs(x) >= 100 else f"{x:+,.3f}"


def section(name: str, verdicts: list[dict[str, Any]], runs: int, seed: int, parent: str) -> str:
    """The verdict table and paragraph for one seed variant, from `detente claims --json` rows."""
    mine = [v for v in verdicts if v["scenario"] == name]
    lines = [HEADING, "",
             f"`detente claims scenarios/{name}.yaml --runs {runs} --seed {seed}`: each claim of the scenario "
             f"file against `{parent}` on common random numbers — the mean paired difference (variant − parent; "
             "for a level, the variant's own mean) with a bootstrap 90% interval of that mean. Premises are what "
             "the variant encodes and must hold; the conclusion is the commentator's, and the model may "
             "disagree.", "",
             "| | claim | metric | difference [90% interval] | verdict |", "|---|---|---|---:|---|"]
    for v in mine:
        d = v["difference"]
        lines.append(f"| {v['kind']} | {v['claim']} | `{v['metric']}` | {_num(d['mean'])} "
                     f"[{_num(d['p05'])}, {_num(d['p95'])}] | **{v['verdict']}** |")
    lines += ["", paragraph(name, mine), ""]
    return "\n".join(lines)


def paragraph(name: str, mine: list[dict[str, Any]]) -> str:
    """What the model concludes about the argument, and which assumption decides it."""
    premises = [v for v in mine if v["kind"] == "premise"]
    conclusions = [v for v in mine if v["kind"] == "conclusion"]
    broken = [v for v in premises if v["verdict"] != "holds"]
    parts = []
    if broken:
        parts.append(f"{len(broken)} premise(s) do not hold ({'; '.join(v['claim'] for v in broken)}): the "
                     "variant does not yet encode what the seed assumes, so its conclusion is not a finding.")
    else:
        parts.append("Every premise holds: the variant encodes what the seed assumes.")
    said = {"supported": "supports", "contradicted": "contradicts", "inconclusive": "cannot decide"}
    for v in conclusions:
        parts.append(f"The model {said[v['verdict']]} the conclusion \"{v['claim']}\".")
        numeric = [d for d in v.get("decided_by", []) if not d.get("structural")]
        if v["verdict"] != "supported" and numeric:
            top = numeric[0]
            if top["mu_star"] > 0:
                parts.append(f"Of the variant's own changes, `{top['parameter']}` (from {top['from']:g} to "
                             f"{top['to']:g}) moves it most (Morris μ* {top['mu_star']:.3g}).")
            else:  # a screen in which nothing moves the metric ranks nothing: say so, not a "most"
                parts.append(f"None of the variant's {len(numeric)} numeric changes moves it over its range "
                             "(Morris μ* 0 for each): what decides it is the model's structure, not a value "
                             "the variant sets.")
    verdict_of = {v["metric"]: v["verdict"] for v in conclusions}
    kept = False
    for expected, text in WHY.get(name, []):
        if all(verdict_of.get(m) == want for m, want in expected.items()):
            parts.append(text)
            kept = True
    if WHY.get(name) and not kept:
        print(f"  {name}: no WHY sentence fits the verdicts {verdict_of}; write one", file=sys.stderr)
    return " ".join(parts)


def place(page: str, text: str) -> str:
    """Put the verdict section right after the page's title (replacing an earlier one)."""
    lines = page.splitlines(keepends=True)
    starts = [i for i, ln in enumerate(lines) if ln.rstrip("\n") == HEADING]
    if starts:
        s = starts[0]
        e = next((i for i in range(s + 1, len(lines)) if lines[i].startswith("## ")), len(lines))
        lines = lines[:s] + lines[e:]
    title = next(i for i, ln in enumerate(lines) if ln.startswith("# "))
    rest = lines[title + 1:]
    while rest and not rest[0].strip():
        rest = rest[1:]
    return "".join(lines[:title + 1]) + "\n" + text + "\n" + "".join(rest)
