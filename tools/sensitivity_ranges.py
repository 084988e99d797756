"""Write the parameter-range files of scenarios/sensitivity/ from the scenario they describe.

A range file's comments say what value the scenario uses and where it comes from; written by hand they go
stale (one cited a ground rate of 0.84 after the baseline moved to 1.44, so its range excluded the value in
use). Here each range is a rule applied to the scenario's current value, and the comment is generated from
that value and its source, so regenerating after any change to the scenario keeps both true:

    python tools/sensitivity_ranges.py            # rewrite every file
    python tools/sensitivity_ranges.py --check    # exit 1 if a file differs from what the scenario gives

Rules: ("rel", f) → value × (1 ∓ f); ("log", k) → value ÷× k; ("abs", lo, hi) → fixed bounds, refused unless
they contain the value in use. Every range must contain the value in use.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from detente.scenario.loader import iter_params, load_scenario  # noqa: E402

FILES = {
    "baseline-20.yaml": {
        "scenario": "baseline.yaml",
        "title": "Twenty assumptions of scenarios/baseline.yaml and the ranges a Sobol analysis varies them over.",
        "description": "Twenty baseline assumptions that plausibly decide area, casualties and backer will.",
        "parameters": [
            ("combat.ground_rate_km2", ("rel", 0.4), "about ±40%: the posterior's spread and more"),
            ("combat.russian_loss_rate", ("rel", 0.3), "±30% for casualty-estimate disagreement (UK MoD vs ISW)"),
            ("combat.ukrainian_loss_rate", ("rel", 0.4), "spans the 1:2 to 1:3 loss ratios of public estimates"),
            ("combat.helmbold_w", ("abs", 0.143, 0.208), "90% CI of the exponent fitted to 1,079 battles"),
            ("combat.ratio_threshold", ("abs", 0.8, 1.3), "from a slight defender's edge to a need for superiority"),
            ("combat.ratio_elasticity", ("log", 2.0), "half to twice the value in use"),
            ("combat.dnipro_barrier", ("abs", 2.0, 5.0), "2 a weak river, 5 near-impassable (Krynky: strong)"),
            ("combat.logistics_range_km", ("rel", 0.375), "rail-fed reach ±300 km around 800 km"),
            ("combat.threat_matching", ("abs", 0.4, 0.9), "how far Ukraine's allocation follows Russia's objectives"),
            ("forces.russia.manpower", ("abs", 600000, 800000), "617k (Dec 2023) to 700k (Jun 2024) and growth since"),
            ("forces.ukraine.manpower", ("rel", 0.15), "±15% for what counts as the army"),
            ("forces.russia.recruitment_per_week", ("abs", 6000, 10000), "the 2025 rate falling or rising"),
            ("forces.ukraine.recruitment_per_week", ("abs", 1500, 4000), "net mobilisation; desertion uncertain"),
            ("forces.russia.firepower", ("abs", 1.2, 2.2), "the 3:1 artillery edge narrowing or widening"),
            ("forces.ukraine.materiel", ("rel", 0.5), "±50% for lack of any source"),
            ("forces.russia.production_per_week", ("rel", 0.33), "±1/3 for prices and the rouble"),
            ("backers.europe.aid_per_week", ("abs", 0.25, 0.65), "from a cut of a third to the 2025 pledges"),
            ("backers.europe.will_erosion_per_week", ("abs", 0.001, 0.008), "half-life ~13 years to ~1.6 years"),
            ("regions.donetsk.fortification", ("abs", 1.0, 1.8), "the fortress belt from nothing to near-doubling"),
            ("occupation.partisan_growth", ("log", 3.0), "an order of magnitude around the value in use"),
        ],
    },
    "baseline-table.yaml": {
        "scenario": "baseline.yaml",
        "title": "The bargaining table's and the decisions' assumptions of scenarios/baseline.yaml that decide "
                 "the ceasefire probabilities.",
        "description": "Table and decision parameters (drawn per run by the controllers) that decide ceasefires.",
        "parameters": [
            ("table.party_setup.russia.cost_of_war", ("abs", 0.02, 0.3),
             "from half the value to a war costly enough for Russia to sign (the issue's 0.05→0.2 test)"),
            ("table.party_setup.ukraine.cost_of_war", ("rel", 0.5), "±50%: a placeholder"),
            ("table.party_setup.russia.optimism", ("abs", 0.0, 1.0), "no optimism to a strong belief in winning"),
            ("table.party_setup.ukraine.ratification_threshold", ("abs", 0.05, 0.4), "narrow to wide win-set"),
            ("table.rearm_factor", ("abs", 1.0, 2.5), "no extra rearmament to Europe doubling deliveries in a truce"),
            ("table.compliance.fragility", ("log", 3.0), "a third to three times: the telephone game's weight"),
            ("table.mediation.acceptance_margin", ("rel", 0.5), "±50%: a placeholder"),
            ("decisions.actors.russia.risk_aversion", ("abs", 0.3, 2.0), "bold hardliners to a cautious Putin"),
            ("decisions.beliefs.us_escalates.prior", ("abs", 0.05, 0.9), "sure of a bluff to sure of escalation"),
        ],
    },
}


def _range(rule: tuple, value: float) -> tuple[float, float]:
    kind = rule[0]
    if kind == "rel":
        return value * (1 - rule[1]), value * (1 + rule[1])
    if kind == "log":
        return value / rule[1], value * rule[1]
    return float(rule[1]), float(rule[2])


def _number(x: float) -> str:
    return f"{x:.0f}" if abs(x) >= 1000 else f"{x:.4g}"


def _source(param) -> str:  # noqa: ANN001
    if param.placeholder:
        return "placeholder"
    src = param.source[0] if isinstance(param.source, list) else param.source
    if src is None:
        return "unsourced"
    if isinstance(src, str):
        return src
    for name in ("cite", "seed"):
        if getattr(src, name, None):
            text = str(getattr(src, name))
            return text if len(text) < 40 else text[:37] + "…"
    return "sourced"


def render(name: str, spec: dict) -> str:
    """The text of one range file, from the scenario as it stands."""
    loaded = load_scenario(ROOT / "scenarios" / spec["scenario"])
    params = {".".join(map(str, p)): v for p, v in iter_params(loaded.scenario)}
    lines = [f"# {spec['title']}",
             f"# Written by tools/sensitivity_ranges.py from scenarios/{spec['scenario']} (do not edit: rerun it).",
             f"# Use: detente sensitivity scenarios/{spec['scenario']} --params scenarios/sensitivity/{name} "
             "--method sobol",
             "# Each range is uniform and contains the value in use; the comment gives that value, its source and",
             "# why the range is that wide.",
             f"description: {spec['description']}", "parameters:"]
    width = max(len(p) for p, _, _ in spec["parameters"]) + 2
    for path, rule, why in spec["parameters"]:
        if path not in params:
            raise SystemExit(f"{name}: {path} is not a parameter of scenarios/{spec['scenario']}")
        value = params[path].value
        low, high = _range(rule, value)
        if not low <= value <= high:
            raise SystemExit(f"{name}: {path} = {value:g} lies outside its range [{low:g}, {high:g}]")
        entry = f"  {path}: [{_number(low)}, {_number(high)}]"
        lines.append(f"{entry:<{width + 20}}# in use {_number(value)} ({_source(params[path])}); {why}")
    return "\n".join(lines) + "\n"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="report files that differ; write nothing")
    args = parser.parse_args()
    stale = []
    for name, spec in FILES.items():
        path, text = ROOT / "scenarios" / "sensitivity" / name, render(name, spec)
        if args.check:
            if not path.exists() or path.read_text() != text:
                stale.append(name)
        else:
            path.write_text(text)
            print(f"wrote {path.relative_to(ROOT)}")
    if stale:
        print(f"stale: {', '.join(stale)} (run python tools/sensitivity_ranges.py)")
        return 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
