"""The war core written the way a Mesa user would write it, checked against détente's engine and timed.

    pip install -e '.[bench]'
    python bench/mesa_reference.py [--runs 1000] [--weeks 52] [--repeat 5] [--mesa-repeat 3]

What is compared. Both compute the same model on the same compiled parameters (`compile_model` of the
baseline): weekly aid from each backer and its will eroding and responding to the front; energy repair and
war output (with sanctions; Ukraine's output less what its power deficit costs, plus the Black Sea's export
revenue); where the fronts are (the contiguous front: Russian ground is supplied when joined by land to a home
region; contested regions, entries next to supplied ground by land, across the Dnipro or past a split region's
line, counter-attacks next to Ukrainian-held ground), Russia attacking only from supplied ground; allocation of
each side's line across fronts; Helmbold casualties and the force-ratio ground law with their noise, each side's intent to attack scaled by
its offensive tempo (an AR(1) log-tempo); manpower
and materiel pools; per-run draws of the uncertain parameters and one joint row per run of the scenario's
posterior (the calibrated ground law, fire ratio, front shares, fortifications), as détente draws them.
détente runs a variant that switches off what this version leaves out: long-range
strikes (strike rate 0), occupation (no garrison, no partisans) and the Dnipro barrier (factor 1), and no
controllers (no bargaining table, no decisions). The Mesa version has one agent per side, per backer and per
contestable region (a front), a model step that calls them in the engine's order, and a DataCollector; each
run is one Model with its own seed (Mesa's `batch_run` pattern), so its random numbers are its own: the check
is on distributions (means and quantiles of the outcome over `--runs` runs, and a two-sample KS test per
outcome), not run by run. A mechanism added to the engine's war core must be added here too (or switched off in
both), or the check fails: the twin last matched at 1,000 runs with every KS p ≥ 0.1 (issue 13).

Mesa 3.5.1 needs Python ≥ 3.12; on 3.11 the `bench` extra installs Mesa 3.3.1 (the same Agent/AgentSet/
DataCollector API).
"""

from __future__ import annotations

import argparse
import math
import tempfile
import time
from pathlib import Path
from typing import Any

import mesa
import numpy as np

from detente.ensemble.runner import run_block, simulate
from detente.ensemble.streams import block_plan
from detente.scenario.loader import load_scenario
from detente.world.model import compile_model
from detente.world.state import RUSSIA, UKRAINE

ROOT = Path(__file__).resolve().parents[1]
SWITCHED_OFF = {
    "forces.russia.strike_rate": 0.0, "forces.ukraine.strike_rate": 0.0, "combat.dnipro_barrier": 1.0,
    "occupation.garrison_per_1000_hostile": 0.0, "occupation.partisan_growth": 0.0,
    "occupation.partisan_casualties_per_week": 0.0,
}
COMPARED = ("area_gained_km2", "casualties_russia", "casualties_ukraine", "manpower_russia", "manpower_ukraine",
            "materiel_russia", "materiel_ukraine", "aid_delivered_eur_bn")


def core_variant(folder: Path, weeks: int) -> Path:
    """The baseline with strikes, occupation and the Dnipro barrier switched off, and no controllers (each value
    set whole, as a number without the baseline's uncertainty range, which would not admit 0)."""
    lines = ["schema_version: 1", f"extends: {ROOT / 'scenarios' / 'baseline.yaml'}", "name: war-core",
             f"horizon_weeks: {weeks}", "set:"] + [f"  {k}: {{value: {v}}}" for k, v in SWITCHED_OFF.items()]
    path = folder / "war-core.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


def parameter_draws(model: Any, rng: np.random.Generator) -> dict[tuple, float]:
    """One value per uncertain parameter, drawn as détente's `realise` draws them, then one joint row of the
    scenario's posterior (the fitted parameters: ground law, fire ratio, front shares, fortifications), as
    `realise` takes one row per run."""
    out = {}
    for key in sorted(model.uncertain, key=repr):
        p = model.uncertain[key]
        if p.between:
            out[key] = float(rng.uniform(p.between[0], p.between[1]))
        else:
            sigma = float(p.spread)
            out[key] = float(p.value * math.exp(sigma * rng.standard_normal() - 0.5 * sigma ** 2))
    if model.posterior:
        row = int(rng.integers(0, len(next(iter(model.posterior.values())))))
        out.update({key: float(samples[row]) for key, samples in model.posterior.items()})
    return out


class Side(mesa.Agent):
    """A belligerent: manpower, materiel, energy, casualties."""

    def __init__(self, model: "WarCore", index: int, p: dict[str, float]):
        super().__init__(model)
        self.index, self.p = index, p
        self.manpower, self.materiel, self.energy = p["manpower"], p["materiel"], p["energy"]
        self.manpower0, self.materiel0 = p["manpower"], p["materiel"]
        self.casualties = 0.0
        self.tempo = 0.0  # log of the offensive tempo (dynamics/tempo.py), at its fitted median at the start
        self.produced = 0.0
        self.line = 0.0
        self.week_losses = 0.0

    def produce(self) -> None:
        """Repair energy (no strikes in this core) and produce materiel."""
        self.energy = min(max(self.energy + self.p["energy_repair_per_week"] * (1.0 - self.energy), 0.0), 1.0)
        keep, e = 1.0, self.model.economy
        if self.index == RUSSIA:
            keep = 1.0 - min(max(e["sanctions_output_loss"] + e["secondary_sanctions_output_loss"]
                                 * e["secondary_sanctions"], 0.0), 1.0)
        self.produced = self.p["production_per_week"] * self.energy ** e["energy_output_elasticity"] * keep
        if self.index == UKRAINE:
            d0, e0 = e["power_deficit_at_start"], self.p["energy"]  # the power deficit, d0 at the start's capacity
            deficit = max(1.0 - (1.0 - d0) * self.energy / e0, 0.0) if e0 > 0 else 1.0
            self.produced -= e["deficit_output_loss"] * (deficit - d0) * self.produced  # beyond the start's
            shipped = e["sea_exports_mt_per_week"] * max(1.0 + e["sea_deal_uplift"] * (1.0 - 1.0), 0.0)  # no deal
            self.produced += e["sea_revenue_to_materiel"] * e["sea_export_eur_per_t"] * (
                shipped - e["sea_exports_mt_per_week"]) / 1e3

    def quality(self) -> float:
        """Firepower per soldier against the start."""
        ratio = (self.materiel / max(self.manpower, 1.0)) / (max(self.materiel0, 1e-9) / max(self.manpower0, 1.0))
        return self.p["firepower"] * min(max(ratio, 0.02), 50.0) ** self.model.combat["materiel_quality_exponent"]

    def next_tempo(self) -> None:
        """Next week's log-tempo, an AR(1) with stationary s.d. σ (no draw where σ = 0)."""
        c = self.model.combat
        phi, sigma = c["tempo_persistence"], c["tempo_volatility"]
        eps = self.model.rng.standard_normal() if sigma > 0 else 0.0
        self.tempo = phi * self.tempo + sigma * math.sqrt(max(1.0 - phi * phi, 0.0)) * eps

    def update_pools(self, aid: float) -> None:
        """Recruit, lose, produce, receive aid, use materiel."""
        self.casualties += self.week_losses
        self.manpower = max(self.manpower + self.p["recruitment_per_week"]
                            - self.p["permanent_loss_share"] * self.week_losses, 0.0)
        self.materiel = max(self.materiel + self.produced + aid - self.p["materiel_use_per_week"] * self.line / 1e5, 0.0)


class Backer(mesa.Agent):
    """A backer of Ukraine: aid at full will, and will that erodes and responds to the front."""

    def __init__(self, model: "WarCore", p: dict[str, float]):
        super().__init__(model)
        self.p = p
        self.will = p["will"]
        self.active = self.will >= p["will_threshold"]
        self.aid = 0.0
        self.delivered = 0.0

    def give(self) -> None:
        """This week's aid."""
        self.aid = self.p["aid_per_week"] * self.will * float(self.active)
        self.delivered += self.aid

    def respond(self, ukraine_gain_km2: float) -> None:
        """Will after this week's cost and the news from the front."""
        burden = self.aid / (self.p["aid_per_week"] if self.p["aid_per_week"] > 0 else 1.0)
        change = (-self.p["will_erosion_per_week"] * self.will * burden
                  + self.p["will_response_to_front"] * ukraine_gain_km2 / 1000.0
                  + self.p["will_noise"] * self.model.rng.standard_normal())
        self.will = min(max(self.will + change, 0.0), 1.0)
        self.active = self.active and self.will >= self.p["will_threshold"]


class Front(mesa.Agent):
    """A contestable region: who holds how much, and the week's battle there."""

    def __init__(self, model: "WarCore", region: int, p: dict[str, Any]):
        super().__init__(model)
        self.region, self.p = region, p
        self.control = self.control0 = p["control"]
        self.active = False
        self.russia = self.ukraine = 0.0
        self.moved_km2 = 0.0

    def find_contact(self) -> None:
        """On the front this week: contested, an entry where supplied Russian ground lies next door (by land,
        across the Dnipro, or past a split region's line), or a counter-attack into a fully Russian region next
        to Ukrainian-held ground. Russia attacks only where it is supplied or next to supplied ground."""
        control, supplied, p = self.model.control, self.model.supplied, self.p
        c = self.control
        self.connected = supplied[self.region] or any(supplied[n] for n in p["adjacent"])
        self.active = 1e-6 < c < 1.0 - 1e-6
        if not self.active and c <= 1e-6 and p["objective"] > 0:
            reach = any(supplied[n] for n in (*p["land"], *p["across"]))
            for n, by_land, by_river in p["split_from"]:
                if supplied[n] or any(supplied[m] for m in self.model.adjacent[n]):
                    reach = reach or control[n] > by_land or control[n] > by_river
            self.active = reach
        if (not self.active and p["counter_objective"] > 0 and c >= 1.0 - 1e-6
                and any(self.model.contestable[n] and control[n] < 0.5 for n in p["adjacent"])):
            self.active = True

    def fight(self, q_russia: float, q_ukraine: float) -> tuple[float, float]:
        """Casualties (Russia, Ukraine) and the ground that moves to Russia (applied later)."""
        c, p = self.model.combat, self.p
        self.moved_km2 = 0.0
        if not self.active:
            return 0.0, 0.0
        R, U = self.russia, self.ukraine
        supply = math.exp(-p["home_distance_km"] / c["logistics_range_km"])
        defence = p["fortification"] * p["terrain"]
        battle, ground = self.model.rng.standard_normal(2)
        w, sc = c["helmbold_w"], c["casualty_noise"]
        shock = math.exp(sc * battle - 0.5 * sc ** 2)
        if R > 0 and U > 0:
            lost_r = c["russian_loss_rate"] * q_ukraine * defence * U ** w * R ** (1 - w) * shock
            lost_u = c["ukrainian_loss_rate"] * q_russia * supply / defence * R ** w * U ** (1 - w) * shock
        else:
            lost_r = lost_u = 0.0
        p_r, p_u = R * q_russia * supply, U * q_ukraine
        e, t, tiny = c["ratio_elasticity"], c["ratio_threshold"], 1e-9
        push_r = 1.0 / (1.0 + ((t * p_u * defence + tiny) / (p_r + tiny)) ** e)
        push_u = 1.0 / (1.0 + ((t * p_r * defence + tiny) / (p_u + tiny)) ** e)
        russia, ukraine = self.model.sides
        intent_r = float(p["objective"] > 0 and self.connected) * math.exp(russia.tempo)
        intent_u = max(float(p["counter_objective"] > 0), c["counterattack_posture"]) * math.exp(ukraine.tempo)
        sg = c["ground_noise"]
        gain = c["ground_rate_km2"] * (R * intent_r * push_r - U * intent_u * push_u) / 1000.0 \
            * math.exp(sg * ground - 0.5 * sg ** 2)
        wanted = gain / p["area"]
        moved = min(max(wanted, -self.control), 1.0 - self.control)
        self.pending = moved
        self.moved_km2 = moved * p["area"]
        return lost_r, lost_u

    def move(self) -> None:
        """Apply the week's ground change."""
        if self.active:
            self.control += self.pending
            self.model.control[self.region] = self.control


class WarCore(mesa.Model):
    """One run of the war core: sides, backers and fronts stepped in the engine's order."""

    def __init__(self, compiled: Any, seed: int):
        super().__init__(seed=seed)
        draws = parameter_draws(compiled, self.rng)

        def value(group: str, name: str, index: int | None = None) -> float:
            key = (group, name) if index is None else (group, name, index)
            if key in draws:
                return draws[key]
            v = getattr(compiled, group)[name]
            return float(v if index is None else np.asarray(v)[index])

        self.combat = {k: value("combat", k) for k in compiled.combat}
        self.economy = {k: value("economy", k) for k in compiled.economy}
        self.control = [float(c) for c in compiled.regions["control"]]
        self.contestable = [bool(x) for x in compiled.contestable]
        self.sides = [Side(self, s, {k: value("sides", k, s) for k in compiled.sides}) for s in (RUSSIA, UKRAINE)]
        self.backer_agents = [Backer(self, {k: value("backers", k, b) for k in compiled.backers})
                              for b in range(len(compiled.backer_ids))]
        edges = compiled.edges
        R = compiled.n_regions
        self.fronts = []
        self.adjacent = [[int(n) for n in edges.adjacent[r] if n < R] for r in range(R)]
        self.home = [bool(h) for h in compiled.home]
        for r in np.flatnonzero(compiled.contestable):
            p = {k: value("regions", k, r) for k in compiled.regions}
            p.update(area=float(compiled.area[r]), home_distance_km=float(compiled.home_distance_km[r]),
                     land=[int(n) for n in edges.land[r] if n < R], across=[int(n) for n in edges.across[r] if n < R],
                     split_from=[(int(n), a, b) for rr, n, a, b in edges.split_edges if rr == r],
                     adjacent=self.adjacent[r])
            self.fronts.append(Front(self, int(r), p))
        self.supplied = [False] * R
        self.area = compiled.area
        self.datacollector = mesa.DataCollector(model_reporters={
            "area_gained_km2": lambda m: sum((f.control - f.control0) * f.p["area"] for f in m.fronts),
            "casualties_russia": lambda m: m.sides[RUSSIA].casualties,
            "casualties_ukraine": lambda m: m.sides[UKRAINE].casualties,
            "manpower_russia": lambda m: m.sides[RUSSIA].manpower,
            "manpower_ukraine": lambda m: m.sides[UKRAINE].manpower,
            "materiel_russia": lambda m: m.sides[RUSSIA].materiel,
            "materiel_ukraine": lambda m: m.sides[UKRAINE].materiel,
            "aid_delivered_eur_bn": lambda m: sum(b.delivered for b in m.backer_agents),
        })
        self.datacollector.collect(self)

    def supplied_ground(self) -> list[bool]:
        """Russian-held regions (control > ½) joined by land through Russian-held regions to a home region."""
        held = [c > 0.5 for c in self.control]
        supplied = [h and home for h, home in zip(held, self.home)]
        todo = [r for r, s in enumerate(supplied) if s]
        while todo:
            for n in self.adjacent[todo.pop()]:
                if held[n] and not supplied[n]:
                    supplied[n] = True
                    todo.append(n)
        return supplied

    def step(self) -> None:
        """One week, in the engine's order."""
        russia, ukraine = self.sides
        for backer in self.backer_agents:
            backer.give()
        for side in self.sides:
            side.produce()
        line_r = max(russia.manpower, 0.0) * min(russia.p["front_share"], 1.0)
        line_u = ukraine.manpower * min(ukraine.p["front_share"], 1.0)
        self.supplied = self.supplied_ground()
        for front in self.fronts:
            front.find_contact()
        c = self.combat
        active = [f for f in self.fronts if f.active]
        attack = {f: max(f.p["objective"], c["holding_weight"]) for f in active}
        hold = {f: f.p["defence_priority"] + f.p["counter_objective"] for f in active}
        attack_total, hold_total = sum(attack.values()), sum(hold.values())
        tau = c["threat_matching"]
        for f in self.fronts:
            f.russia = f.ukraine = 0.0
        for f in active:
            threat = attack[f] / attack_total if attack_total > 0 else 0.0
            held = hold[f] / hold_total if hold_total > 0 else 0.0
            f.russia = line_r * threat
            f.ukraine = line_u * (tau * threat + (1 - tau) * held)
        q_r, q_u = russia.quality(), ukraine.quality()
        russia.week_losses = ukraine.week_losses = 0.0
        for f in self.fronts:
            lost_r, lost_u = f.fight(q_r, q_u)
            russia.week_losses += lost_r
            ukraine.week_losses += lost_u
        for f in self.fronts:
            f.move()
        russia.line = sum(f.russia for f in self.fronts)
        ukraine.line = sum(f.ukraine for f in self.fronts)
        russia.update_pools(0.0)
        ukraine.update_pools(sum(b.aid for b in self.backer_agents))
        ukraine_gain = -sum(f.moved_km2 for f in self.fronts)
        for backer in self.backer_agents:
            backer.respond(ukraine_gain)
        for side in self.sides:
            side.next_tempo()
        self.datacollector.collect(self)


def run_mesa(compiled: Any, runs: int, weeks: int, seed: int = 0) -> tuple[dict[str, np.ndarray], float]:
    """Final outcomes of `runs` Mesa runs and the seconds they took."""
    out: dict[str, list[float]] = {k: [] for k in COMPARED}
    start = time.perf_counter()
    for run in range(runs):
        model = WarCore(compiled, seed=seed * 1_000_003 + run)
        for _ in range(weeks):
            model.step()
        final = model.datacollector.get_model_vars_dataframe().iloc[-1]
        for k in COMPARED:
            out[k].append(float(final[k]))
    return {k: np.array(v) for k, v in out.items()}, time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=1000, help="runs of each for the distribution check")
    parser.add_argument("--weeks", type=int, default=52)
    parser.add_argument("--repeat", type=int, default=5, help="détente timings: best of this many")
    parser.add_argument("--mesa-repeat", type=int, default=3,
                        help="Mesa timings: best of this many (the same seeds each time; both sides best-of, as timeit)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        loaded = load_scenario(core_variant(Path(folder), args.weeks))
    compiled = compile_model(loaded.scenario)
    simulate(loaded, runs=200, seed=99, controllers=())              # warm-up (imports, caches)
    detente_s, stepping_s = math.inf, math.inf
    for _ in range(args.repeat):  # détente's timings are short: best of a few, as timeit does
        start = time.perf_counter()
        result = simulate(loaded, runs=args.runs, seed=1, controllers=())
        detente_s = min(detente_s, time.perf_counter() - start)
        start = time.perf_counter()   # the runs alone: stepping and per-run weekly records, as Mesa's loop does
        for block, runs in block_plan(args.runs):
            run_block(compiled, 1, block, runs)
        stepping_s = min(stepping_s, time.perf_counter() - start)
    mesa_out, mesa_s = run_mesa(compiled, args.runs, args.weeks)
    for _ in range(args.mesa_repeat - 1):  # the same runs again: only the time can differ
        mesa_s = min(mesa_s, run_mesa(compiled, args.runs, args.weeks)[1])
    mesa_runs = args.runs
    print(f"war core, {args.weeks} weeks, {args.runs:,} runs each; switched off in both: "
          f"{', '.join(f'{k}={v}' for k, v in SWITCHED_OFF.items())}; no controllers")
    print(f"{'metric':22s} {'détente mean':>14s} {'Mesa mean':>14s} {'rel.diff':>9s}   p10 / p50 / p90 (détente | Mesa)")
    worst = 0.0
    for k in COMPARED:
        d, m = result.metrics[k], mesa_out[k]
        scale = max(abs(d.mean()), d.std(), 1e-9)
        worst = max(worst, abs(d.mean() - m.mean()) / scale)
        dq, mq = np.percentile(d, [10, 50, 90]), np.percentile(m, [10, 50, 90])
        print(f"{k:22s} {d.mean():14,.1f} {m.mean():14,.1f} {(m.mean() - d.mean()) / scale:+9.3f}   "
              f"{dq[0]:,.0f} / {dq[1]:,.0f} / {dq[2]:,.0f} | {mq[0]:,.0f} / {mq[1]:,.0f} / {mq[2]:,.0f}")
        from scipy.stats import ks_2samp

        print(f"{'':22s} two-sample KS p = {ks_2samp(d, m).pvalue:.3f}")
    run_weeks = args.runs * args.weeks
    per_d = detente_s / run_weeks * 1e6
    per_m = mesa_s / (mesa_runs * args.weeks) * 1e6
    print(f"largest difference of means: {worst:.3f} of max(|mean|, sd)")
    per_s = stepping_s / run_weeks * 1e6
    print(f"détente, whole ensemble (simulate: runs, weekly quantiles, maps, metrics): {detente_s:.2f} s for "
          f"{run_weeks:,} run-weeks = {per_d:.2f} µs per run-week")
    print(f"détente, the runs alone (run_block: stepping and per-run weekly records): {stepping_s:.2f} s = "
          f"{per_s:.2f} µs per run-week")
    print(f"Mesa (model steps and DataCollector, best of {args.mesa_repeat}):  {mesa_s:.2f} s for "
          f"{mesa_runs * args.weeks:,} run-weeks = {per_m:.1f} µs per run-week")
    print(f"détente is {per_m / per_d:,.0f}× faster per run-week for the whole ensemble, {per_m / per_s:,.0f}× for "
          "the runs alone (one process, one core, same machine)")


if __name__ == "__main__":
    main()
