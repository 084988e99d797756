"""The weekly step compiled: the mechanisms of `detente.dynamics`, fused into one loop over runs by numba.

`detente.engine.reference_step` composes the mechanisms as NumPy array functions, one module each, and is
the readable specification. Over a thousand runs each of its ~150 array operations is mostly interpreter
and dispatch overhead, so the ensemble runs this kernel instead: per run, it walks the same equations in
the same order over scalars and a few region-length buffers (about 0.7 µs per run and week on one core).
tests/test_kernel.py checks, on random states, that the two agree to rounding; any change to a mechanism
must be made in both (the reference first), or that test fails.

The mechanisms revised for calibration (the ground law `attrition.advance_share`, contiguity
`allocation.supplied_ground`) are written once, as numba functions this kernel calls; the reference calls
the same functions' `.py_func`, so their equations exist in one place only.

The kernel reads the state's arrays and writes fresh output arrays (it never changes its inputs), and draws
the normals it needs from the block's generator as it goes (about a dozen per run and week, where the
array form draws one per region whether or not it fights there), so runs are reproducible from the seed.
Sides, regions and scalars arrive as one row plus the few entries drawn per run (`KernelModel.varying`,
`.values`), which the kernel writes into its own copy of the row before each run; backers and reach are
per-run arrays, broadcast (stride 0) where every run agrees. Contiguity (`supplied_ground`) depends on the
held regions only, so a run holding what the previous run held reuses it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numba
import numpy as np

from detente.dynamics.allocation import EDGE, supplied_ground
from detente.dynamics.attrition import advance_share
from detente.dynamics.scopes import ENERGY, FRONT
from detente.rows import shared_rows
from detente.world.model import WarModel
from detente.world.state import RUSSIA, UKRAINE

TINY = 1e-9

SIDE_KEYS = ("strike_rate", "air_defence", "energy_repair_per_week", "production_per_week", "front_share",
             "firepower", "materiel", "manpower", "recruitment_per_week", "permanent_loss_share",
             "materiel_use_per_week")
REGION_KEYS = ("defence_priority", "counter_objective", "fortification", "terrain")
BACKER_KEYS = ("aid_per_week", "will_erosion_per_week", "will_response_to_front", "will_threshold", "will_noise")
SCALAR_KEYS = (("combat", "threat_matching"), ("combat", "holding_weight"), ("combat", "materiel_quality_exponent"),
               ("combat", "logistics_range_km"), ("combat", "russian_loss_rate"), ("combat", "ukrainian_loss_rate"),
               ("combat", "helmbold_w"), ("combat", "casualty_noise"), ("combat", "dnipro_barrier"),
               ("combat", "ground_rate_km2"), ("combat", "ratio_threshold"), ("combat", "ratio_elasticity"),
               ("combat", "ground_noise"), ("economy", "strike_noise"), ("economy", "energy_output_elasticity"),
               ("economy", "sanctions_output_loss"), ("economy", "secondary_sanctions_output_loss"),
               ("occupation", "garrison_per_1000_hostile"), ("occupation", "max_garrison_share"),
               ("occupation", "partisan_logistics_damage"), ("occupation", "partisan_casualties_per_week"),
               ("occupation", "partisan_growth"), ("occupation", "partisan_suppression"))
(THREAT, HOLDING, QUALITY_EXP, LOGISTICS_RANGE, LOSS_R, LOSS_U, HELMBOLD_W, CASUALTY_SD, BARRIER, GROUND_RATE,
 RATIO_T, RATIO_E, GROUND_SD, STRIKE_SD, ELASTICITY, SANCTIONS, SECONDARY_LOSS, GARRISON_RATE, GARRISON_CAP,
 PARTISAN_DAMAGE, PARTISAN_KILL, PARTISAN_GROWTH, PARTISAN_SUPPRESSION) = range(len(SCALAR_KEYS))


@dataclass(frozen=True)
class KernelModel:
    """A block's model as the kernel reads it: parameters stacked by kind, each indexable by run."""

    runs: int
    sides: np.ndarray       # (2, len(SIDE_KEYS)) as in run 0; the entries that differ by run are in `values`
    regions: np.ndarray     # (R, len(REGION_KEYS)) as in run 0, the same
    scalars: np.ndarray     # (len(SCALAR_KEYS),) as in run 0, the same
    varying: np.ndarray     # (M,) the entries of [sides, regions, scalars] (flattened, in that order) drawn per run
    values: np.ndarray      # (N, M) their values in each run
    backers: np.ndarray     # (N, B, len(BACKER_KEYS))
    reach: np.ndarray       # (N, R) exp(−d_r / L): supply reaching each region from Russia's bases (fixed in a run)
    area: np.ndarray
    hostile_population: np.ndarray
    hostility: np.ndarray
    occupiable: np.ndarray
    contestable: np.ndarray
    home: np.ndarray               # (R,) bool: Russia's supply bases
    occupied_regions: np.ndarray   # indices of the regions where Russian control is an occupation
    contested_regions: np.ndarray  # indices of the regions where ground can change hands
    left_bank_share: np.ndarray
    land: np.ndarray
    across: np.ndarray
    adjacent: np.ndarray
    split_edges: np.ndarray  # (E, 4): region, neighbour, land threshold, river threshold

    @classmethod
    def of(cls, model: WarModel, runs: int) -> "KernelModel":
        """Stack a (realised) model's parameters, broadcasting constants over the runs; a stack that is the
        same in every run is kept once (`detente.rows.shared_rows`). Sides, regions and scalars are kept as
        one row plus the few entries a scenario draws per run (a posterior draws ~10 of ~200): per-run copies
        of the whole groups made the kernel read megabytes a week for a few changing numbers."""
        def per_run(values: np.ndarray, rows: int) -> np.ndarray:  # one row per run, or one row seen N times
            return shared_rows(values) if rows == runs else np.broadcast_to(values, (runs, *values.shape[1:]))

        def stack(group: dict, keys: tuple[str, ...], width: int) -> np.ndarray:
            rows = runs if any(np.ndim(group[k]) == 2 for k in keys) else 1  # (runs, width): drawn per run
            return per_run(np.ascontiguousarray(
                np.stack([np.broadcast_to(np.asarray(group[k], float), (rows, width)) for k in keys], axis=-1)), rows)

        R, B = model.n_regions, len(model.backer_ids)
        values = [np.asarray(getattr(model, g)[k], float) for g, k in SCALAR_KEYS]
        rows = runs if any(v.ndim == 1 for v in values) else 1
        scalars = np.ascontiguousarray(np.stack([np.broadcast_to(v, (rows,)) for v in values], axis=-1))
        split = np.array(model.edges.split_edges, float).reshape(-1, 4)
        reach = np.exp(-np.asarray(model.home_distance_km, float)[None, :]
                       / scalars[:, LOGISTICS_RANGE: LOGISTICS_RANGE + 1])
        groups = (stack(model.sides, SIDE_KEYS, 2), stack(model.regions, REGION_KEYS, R),
                  np.broadcast_to(scalars, (runs, len(SCALAR_KEYS))))
        flat = np.concatenate([np.reshape(g, (runs, -1)) for g in groups], axis=1)  # (N, P)
        varying = np.flatnonzero((flat != flat[:1]).any(axis=0))
        return cls(runs=runs, sides=np.ascontiguousarray(groups[0][0]), regions=np.ascontiguousarray(groups[1][0]),
                   scalars=np.ascontiguousarray(groups[2][0]), varying=varying.astype(np.int64),
                   values=np.ascontiguousarray(flat[:, varying]), backers=stack(model.backers, BACKER_KEYS, B),
                   reach=per_run(np.ascontiguousarray(reach), rows),
                   area=np.asarray(model.area, float), hostile_population=np.asarray(model.hostile_population, float),
                   hostility=np.asarray(model.geography.hostility, float), occupiable=np.asarray(model.occupiable),
                   contestable=np.asarray(model.contestable), home=np.asarray(model.home),
                   occupied_regions=np.flatnonzero(model.occupiable),
                   contested_regions=np.flatnonzero(model.contestable),
                   left_bank_share=np.asarray(model.left_bank_share, float),
                   land=model.edges.land, across=model.edges.across, adjacent=model.edges.adjacent, split_edges=split)


_last: tuple | None = None  # (model, runs, KernelModel) of the block in progress: realise() makes one per block


def kernel_model(model: WarModel, runs: int) -> KernelModel:
    """The stacked parameters of this block's model, made once per block (the entry is read and replaced
    whole, so threads running blocks side by side never get each other's)."""
    global _last
    last = _last
    if last is not None and last[0] is model and last[1] == runs:
        return last[2]
    km = KernelModel.of(model, runs)
    _last = (model, runs, km)
    return km


@numba.njit(cache=True)
def _neighbour_held(held: np.ndarray, table: np.ndarray, r: int) -> bool:
    for k in range(table.shape[1]):
        if held[table[r, k]]:
            return True
    return False


@numba.njit(cache=True)
def _reach(c: np.ndarray, held: np.ndarray, land: np.ndarray, across: np.ndarray, adjacent: np.ndarray,
           split_edges: np.ndarray, r: int) -> tuple[bool, bool]:
    """allocation.russian_reach for one region: supplied Russian-held ground (`held`) next door by land, and
    across the Dnipro."""
    by_land, by_river = _neighbour_held(held, land, r), _neighbour_held(held, across, r)
    for i in range(split_edges.shape[0]):
        if int(split_edges[i, 0]) == r:
            m = int(split_edges[i, 1])
            if held[m] or _neighbour_held(held, adjacent, m):
                by_land = by_land or c[m] > split_edges[i, 2]
                by_river = by_river or c[m] > split_edges[i, 3]
    return by_land, by_river


@numba.njit(cache=True, error_model="numpy")
def _quality(materiel: float, manpower: float, materiel0: float, manpower0: float, firepower: float,
             exponent: float) -> float:
    """attrition.firepower_quality for one side."""
    ratio = (materiel / max(manpower, 1.0)) / (max(materiel0, 1e-9) / max(manpower0, 1.0))
    return firepower * min(max(ratio, 0.02), 50.0) ** exponent


@numba.njit(cache=True)
def _shock(sd: float, eps: float) -> float:
    return math.exp(sd * eps - 0.5 * sd * sd)


@numba.njit(cache=True, error_model="numpy")
def advance(control, manpower, materiel, casualties, energy, will, active, aid_delivered, partisans, objective,
            truce, aid_factor, strike_factor, recruitment_factor, line_factor, counterattack, secondary, foreign,
            rng, keep, drawn, sides, regions, scalars, varying, values, backers, reach, area, hostile_population,
            hostility, occupiable, contestable, home, occupied_regions, contested_regions, left_bank_share, land,
            across, adjacent, split_edges,
            out_control, out_manpower, out_materiel, out_casualties, out_energy, out_will, out_active, out_aid_total,
            out_partisans, out_garrison, week_casualties, moved, front, russia, ukraine, aid):
    """One week for every run; writes the out_* arrays and the report arrays (see `detente.engine.step`); the
    report arrays `moved`, `front`, `russia`, `ukraine` arrive zeroed and only front regions are written.

    Per run: what Russia holds and occupies (over the map, then the occupied regions); where the fronts are
    (over the contestable regions); who is placed where and the battles (over that run's fronts); partisans
    on the new control (over the map). Transcendentals are evaluated only where they can matter
    (a side with no intent to attack, or without the margin ρ*, advances by zero whatever its log-ratio).
    Division follows NumPy's rules (error_model="numpy"), as the reference does.

    Standard normals come from `rng` (the block's dynamics Generator) as they are needed, run by run in a
    fixed order: the two strike shocks, then for each front region in map order its battle and ground
    shocks, then one will shock per backer. With `keep`, each is also written to `drawn` (N, noise_width)
    at its column, so `reference_step` can replay the week."""
    N, R = control.shape
    B = will.shape[1]
    held = np.zeros(R + 1, np.bool_)        # padding slot R is never held
    held_ukr = np.zeros(R + 1, np.bool_)
    supplied = np.zeros(R + 1, np.bool_)   # held and joined to a home region (allocation.supplied_ground)
    connected = np.zeros(R, np.bool_)      # supplied or next to supplied ground: Russia can attack there
    by_land = np.zeros(R, np.bool_)
    by_river = np.zeros(R, np.bool_)
    fronts = np.empty(R, np.int64)           # this run's front regions, in map order
    known = False                            # `supplied` and `connected` hold the contiguity of `held`
    S = sides.size
    own = np.concatenate((sides.ravel(), regions.ravel(), scalars))  # this run's sides, regions and scalars
    side, region = own[:S].reshape(sides.shape), own[S: S + regions.size].reshape(regions.shape)  # views of own
    p = own[S + regions.size:]
    for n in range(N):
        c = control[n]
        for m in range(varying.size):
            own[varying[m]] = values[n, m]
        # --- backers: aid arrives (backers.aid_flow)
        aid_total = 0.0
        for b in range(B):
            a = backers[n, b, 0] * will[n, b] * aid_factor[n, b] * (1.0 if active[n, b] else 0.0)
            aid[n, b] = a
            aid_total += a
        # --- strikes on energy and output (strikes.energy_damage, strikes.output)
        energy_truce = truce[n, ENERGY]
        produced_r, produced_u = 0.0, 0.0
        keep_russia = 1.0 - min(max(p[SANCTIONS] + p[SECONDARY_LOSS] * secondary[n], 0.0), 1.0)
        for s in range(2):
            o = 1 - s
            eps = rng.standard_normal()
            if keep:
                drawn[n, 2 * R + s] = eps
            incoming = side[o, 0] * strike_factor[n, o]
            exposed = incoming * (1.0 - side[s, 1]) * (1.0 - energy_truce)
            hit = exposed * _shock(p[STRIKE_SD], eps) if exposed != 0.0 else 0.0  # a truce: no strikes to scale
            e = energy[n, s]
            e_new = min(max(e - hit * e + side[s, 2] * (1.0 - e), 0.0), 1.0)
            out_energy[n, s] = e_new
            working = e_new ** p[ELASTICITY] if e_new != 1.0 else 1.0
            if s == RUSSIA:
                produced_r = side[s, 3] * working * keep_russia
            else:
                produced_u = side[s, 3] * working * 1.0
        # --- pass 1: held ground, occupation and partisans behind the line (occupation.hostile_under_occupation,
        #     occupation.garrison, occupation.partisan_casualties, the partisan level of attrition.logistics)
        hostile_total, occupied, partisan_sum, partisan_hits = 0.0, 0.0, 0.0, 0.0
        same = True  # Russia holds what it held in the previous run: its supplied ground is the same
        for r in range(R):
            russian = c[r] > 0.5
            same = same and held[r] == russian
            held[r] = russian
            held_ukr[r] = contestable[r] and c[r] < 0.5
        known = known and same
        for i in range(occupied_regions.size):  # index loops: iterating an array costs a reference count per run
            r = occupied_regions[i]
            h = c[r] * hostile_population[r]
            hostile_total += h
            partisan_hits += partisans[n, r] * h
            occupied += c[r] * area[r]
            partisan_sum += partisans[n, r] * c[r] * area[r]
        needed = p[GARRISON_RATE] * hostile_total / 1000.0
        garrison = min(needed, p[GARRISON_CAP] * manpower[n, RUSSIA])
        coverage = garrison / needed if needed > 0 else 1.0
        partisan_level = partisan_sum / max(occupied, 1.0)
        line_russia = max(manpower[n, RUSSIA] - garrison, 0.0) * min(side[RUSSIA, 4] * line_factor[n, RUSSIA], 1.0)
        line_ukraine = manpower[n, UKRAINE] * min(side[UKRAINE, 4] * line_factor[n, UKRAINE], 1.0)
        # --- pass 2: where the fronts are (allocation.supplied_ground, allocation.russian_reach,
        #     allocation.front_mask)
        fighting = 1.0 - truce[n, FRONT] > 0
        if fighting and not known:  # contiguity depends on the held regions only: runs that agree share it
            supplied_ground(held, home, adjacent, supplied)
            for i in range(contested_regions.size):
                r = contested_regions[i]
                connected[r] = supplied[r] or _neighbour_held(supplied, adjacent, r)
            known = True
        attack_total, hold_total, F = 0.0, 0.0, 0
        for i in range(contested_regions.size if fighting else 0):
            r = contested_regions[i]
            by_land[r], by_river[r] = False, False
            f = False
            if c[r] > EDGE and c[r] < 1.0 - EDGE:
                f = True
            elif c[r] <= EDGE and objective[n, r] > 0:  # entering untouched ground needs Russian reach
                by_land[r], by_river[r] = _reach(c, supplied, land, across, adjacent, split_edges, r)
                f = by_land[r] or by_river[r]
            if not f and region[r, 1] > 0 and c[r] >= 1.0 - EDGE and _neighbour_held(held_ukr, adjacent, r):
                f = True
            if f:
                front[n, r] = True
                fronts[F] = r
                F += 1
                attack_total += max(objective[n, r], p[HOLDING])
                hold_total += region[r, 0] + region[r, 1]
        # --- pass 3: allocation.allocate
        safe_attack = attack_total if attack_total > 0 else 1.0
        safe_hold = hold_total if hold_total > 0 else 1.0
        tau = p[THREAT]
        line_sum_r, line_sum_u = 0.0, 0.0
        for i in range(F):
            r = fronts[i]
            weight = max(objective[n, r], p[HOLDING])
            ru = line_russia * weight / safe_attack
            hold_share = (region[r, 0] + region[r, 1]) / safe_hold
            uk = line_ukraine * (tau * (weight / safe_attack) + (1.0 - tau) * hold_share) + foreign[n, r]
            russia[n, r], ukraine[n, r] = ru, uk
            line_sum_r += ru
            line_sum_u += uk
        q_r = _quality(materiel[n, RUSSIA], manpower[n, RUSSIA], side[RUSSIA, 6], side[RUSSIA, 7],
                       side[RUSSIA, 5], p[QUALITY_EXP])
        q_u = _quality(materiel[n, UKRAINE], manpower[n, UKRAINE], side[UKRAINE, 6], side[UKRAINE, 7],
                       side[UKRAINE, 5], p[QUALITY_EXP])
        # --- pass 4: battles (attrition.casualties, river_barrier, ground_change), ground (territory.apply_ground)
        #     and partisans on the new control (occupation.partisans_after)
        lost_russia, lost_ukraine, russian_gain = 0.0, 0.0, 0.0
        w, sd_c, sd_g = p[HELMBOLD_W], p[CASUALTY_SD], p[GROUND_SD]
        for r in range(R):
            out_control[n, r] = c[r]
        for i in range(F):
            r = fronts[i]
            cr = c[r]
            ru, uk = russia[n, r], ukraine[n, r]
            supply = reach[n, r] * (1.0 - p[PARTISAN_DAMAGE] * partisan_level)
            defence = region[r, 2] * region[r, 3]
            eps_battle, eps_ground = rng.standard_normal(), rng.standard_normal()
            if keep:
                drawn[n, R + r], drawn[n, r] = eps_battle, eps_ground
            if ru > 0 and uk > 0:
                shock = _shock(sd_c, eps_battle)
                ratio_w = (uk / ru) ** w
                lost_russia += p[LOSS_R] * q_u * defence * ru * ratio_w * shock
                lost_ukraine += p[LOSS_U] * q_r * supply / defence * uk * (1.0 / ratio_w) * shock
            barrier = 1.0
            bank = left_bank_share[r]
            if (cr <= 1e-6 and not by_land[r] and by_river[r]) or (not math.isnan(bank) and cr >= bank - 0.01
                                                                  and cr < 1.0):
                barrier = p[BARRIER]
            power_r, power_u = ru * q_r * supply, uk * q_u
            intent_r = 1.0 if objective[n, r] > 0 and connected[r] else 0.0
            intent_u = max(1.0 if region[r, 1] > 0 else 0.0, counterattack[n])
            net = 0.0
            if intent_r > 0:
                net += ru * intent_r * advance_share(power_r, p[RATIO_T] * power_u * defence * barrier, p[RATIO_E])
            if intent_u > 0:
                net -= uk * intent_u * advance_share(power_u, p[RATIO_T] * power_r * defence * barrier, p[RATIO_E])
            gain = p[GROUND_RATE] * net / 1000.0 * _shock(sd_g, eps_ground) if net != 0.0 else 0.0
            share = min(max(gain / area[r], -cr), 1.0 - cr)
            out_control[n, r] = cr + share
            moved[n, r] = share * area[r]
            russian_gain += share * area[r]
        for r in range(R):
            cr = out_control[n, r]
            pr = partisans[n, r]
            if occupiable[r] and cr > 0:
                grown = (pr + p[PARTISAN_GROWTH] * hostility[r] * cr * (1.0 - pr)
                         - p[PARTISAN_SUPPRESSION] * coverage * pr)
                out_partisans[n, r] = min(max(grown, 0.0), 1.0)
            elif cr > 0:
                out_partisans[n, r] = min(max(pr - p[PARTISAN_SUPPRESSION] * coverage * pr, 0.0), 1.0)
            else:
                out_partisans[n, r] = 0.0
        # --- pools (forces.manpower_after, forces.materiel_after)
        week_casualties[n, RUSSIA] = lost_russia + p[PARTISAN_KILL] * partisan_hits / 1e6
        week_casualties[n, UKRAINE] = lost_ukraine
        for s in range(2):
            recruits = side[s, 8] * recruitment_factor[n, s]
            out_manpower[n, s] = max(manpower[n, s] + recruits - side[s, 9] * week_casualties[n, s], 0.0)
            inflow = produced_r if s == RUSSIA else produced_u + aid_total
            line = line_sum_r if s == RUSSIA else line_sum_u
            out_materiel[n, s] = max(materiel[n, s] + inflow - side[s, 10] * line / 1e5, 0.0)
            out_casualties[n, s] = casualties[n, s] + week_casualties[n, s]
        out_garrison[n] = garrison
        # --- backers.update_will
        for b in range(B):
            eps = rng.standard_normal()
            if keep:
                drawn[n, 2 * R + 2 + b] = eps
            per_week = backers[n, b, 0]
            burden = aid[n, b] / (per_week if per_week > 0 else 1.0)
            change = (-backers[n, b, 1] * will[n, b] * burden + backers[n, b, 2] * (-russian_gain) / 1000.0
                      + backers[n, b, 4] * eps)
            new_will = min(max(will[n, b] + change, 0.0), 1.0)
            out_will[n, b] = new_will
            out_active[n, b] = active[n, b] and new_will >= backers[n, b, 3]
            out_aid_total[n, b] = aid_delivered[n, b] + aid[n, b]
