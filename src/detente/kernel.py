"""The weekly step: the mechanisms of `detente.dynamics` composed, per run, into one compiled loop over runs.

Each mechanism module holds its equations once, as numba functions over one run's scalars, records and
region buffers; `advance` calls them in the week's order (see `detente.engine`) for every run. The readable
reference is this same code run by the interpreter (`engine.reference_step`, through
`dynamics.mechanism.uncompiled`): there is no second transcription of any equation. Per run and week the
compiled loop costs about 0.7 µs on one core, where composing the mechanisms as array operations over a
thousand runs was mostly interpreter and dispatch overhead.

Parameters travel as records read by field name (`side[RUSSIA].firepower`, `p.ground_rate_km2`), their
types built from what the mechanisms declare (`dynamics.mechanism.record_dtype`). A block keeps them as one
row (run 0's) plus the few entries a scenario draws per run (`KernelModel.varying`, `.values`; a posterior
draws ~10 of ~200), which the kernel writes into its own copy of the row (`own`, of which the records are
views) before each run; backers and reach are per-run arrays, broadcast (stride 0) where every run agrees.
Arguments are grouped in named tuples whose fields are named as the `WarState` and `WeekReport` fields they
carry, so no call lists more than ten.

What keeps it as fast as the single hand-fused loop it replaces (measured, issue 13): the row is copied inside
the kernel, so the compiler knows no output aliases the records; the tuples' arrays are taken out by name once,
before the loop over runs; the mechanism functions that take region buffers are inlined by numba
(`inline="always"`), the rest by LLVM; the map travels as plain arrays, whose loops vectorise, not records.
Mechanisms are passed block arrays and a run index rather than row views (a view costs reference counts).
An index read from an index array (regions, fronts, neighbours) goes through `mechanism.nonnegative`, so the
compiler drops NumPy's negative-index wraparound on every access through it; loops over regions are written
without branches where they can be (`allocation.held_ground`, `occupation.partisans_after`), so they vectorise.

The kernel reads the state's arrays and writes fresh output arrays (it never changes its inputs), and draws
the normals it needs from the block's generator as it goes, run by run in a fixed order: the two strike
shocks, then for each front region in map order its battle and ground shocks, then one will shock per
backer, then (only where the scenario has a tempo process, σ > 0) one tempo shock per side. Contiguity (`allocation.contiguity`) depends on the held regions only, so a run holding what the
previous run held reuses it.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass
from typing import NamedTuple

import numba
import numpy as np

from detente.dynamics import (allocation, attrition, backers, black_sea, catalogue, forces, mechanism, mobilisation,
                              occupation, power, scopes, strikes, tempo, territory)
from detente.dynamics.mechanism import (BACKER_SECTION, REGION_SECTION, SCALAR_SECTIONS, SIDE_SECTION,
                                        as_records, cached_with, nonnegative, record_dtype)
from detente.dynamics.scopes import BLACK_SEA, ENERGY, FRONT
from detente.rows import shared_rows
from detente.world import state as war_state
from detente.world.model import WarModel
from detente.world.state import RUSSIA, UKRAINE

# The war's mechanisms in the order a week runs them (listed once, in `dynamics.catalogue`); their declarations
# make the parameter records.
MECHANISMS = catalogue.MECHANISMS
SIDE = record_dtype(MECHANISMS, (SIDE_SECTION,))          # per side: the scenario's forces.<side>.*
REGION = record_dtype(MECHANISMS, (REGION_SECTION,))      # per region: regions.<id>.*
PARAMS = record_dtype(MECHANISMS, SCALAR_SECTIONS)        # combat.*, economy.*, occupation.*
BACKER = record_dtype(MECHANISMS, (BACKER_SECTION,))      # per backer: backers.<id>.*
SIDE_WIDTH, REGION_WIDTH = len(SIDE.names), len(REGION.names)


def _state_fields(kind: str) -> list[str]:
    """The `WarState` fields some mechanism declares it `reads` or `writes`, in the state's order: the week's
    named tuples follow the declarations, so a new mechanism's state fields reach the kernel without an edit here."""
    declared = set().union(*(getattr(m, kind) for m in MECHANISMS))
    return [f.name for f in dataclasses.fields(war_state.WarState) if f.name in declared]


# The `WarState` fields a week reads, and those it writes as fresh arrays (named as in `WarState`).
WeekIn = NamedTuple("WeekIn", [(name, np.ndarray) for name in _state_fields("reads")])
WeekOut = NamedTuple("WeekOut", [(name, np.ndarray) for name in _state_fields("writes")])


class Report(NamedTuple):
    """What the week reports (named as in `engine.WeekReport`); `ground_km2`, `front`, `russia_line`,
    `ukraine_line` arrive zeroed (or need not be, when nobody reads them) and are written at fronts only."""

    casualties: np.ndarray
    ground_km2: np.ndarray
    front: np.ndarray
    russia_line: np.ndarray
    ukraine_line: np.ndarray
    aid: np.ndarray


class Params(NamedTuple):
    """A block's parameters: `row`, run 0's sides (2 SIDE records), regions (R REGION records) and scalars (one
    PARAMS record) as floats; the entries of the row drawn per run; per-run backers (N, B) BACKER records and
    reach (N, R)."""

    row: np.ndarray
    varying: np.ndarray
    values: np.ndarray
    backers: np.ndarray
    reach: np.ndarray


class Map(NamedTuple):
    """The map as the kernel reads it (`world.model.WarModel`): per region (R,) its area (km²), hostile
    inhabitants, share hostile, left-bank share (NaN where the Dnipro does not split it), whether Russian
    control there is an occupation, whether ground can change hands, whether it is one of Russia's supply
    bases; the index lists of occupied and contested regions; the neighbour tables (`world.model.EdgeList`).
    Plain arrays, not records: the kernel's loops over regions vectorise over them."""

    area: np.ndarray
    hostile_population: np.ndarray
    hostility: np.ndarray
    left_bank_share: np.ndarray
    occupiable: np.ndarray
    contestable: np.ndarray
    home: np.ndarray
    occupied_regions: np.ndarray
    contested_regions: np.ndarray
    land: np.ndarray
    across: np.ndarray
    adjacent: np.ndarray
    split_edges: np.ndarray


def _records(values: np.ndarray, dtype: np.dtype) -> np.ndarray:
    """(..., k) floats in the record's field order -> (...) records (a view of a contiguous copy)."""
    return np.ascontiguousarray(values, dtype=np.float64).view(dtype)[..., 0]


@dataclass(frozen=True)
class KernelModel:
    """A block's model as the kernel reads it: parameters as records, each indexable by run."""

    runs: int
    row: np.ndarray         # (P,) run 0's sides, regions and scalars, flat (the SIDE, REGION, PARAMS records)
    varying: np.ndarray     # (M,) the entries of `row` drawn per run
    values: np.ndarray      # (N, M) their values in each run
    backers: np.ndarray     # (N, B) BACKER records
    reach: np.ndarray       # (N, R) exp(−d_r / L): supply reaching each region from Russia's bases (fixed in a run)
    map: Map

    @classmethod
    def of(cls, model: WarModel, runs: int) -> "KernelModel":
        """Stack a (realised) model's parameters by record, broadcasting constants over the runs; a stack that
        is the same in every run is kept once (`detente.rows.shared_rows`). Sides, regions and scalars are
        kept as one row plus the few entries a scenario draws per run: per-run copies of the whole groups
        made the kernel read megabytes a week for a few changing numbers."""
        def per_run(values: np.ndarray, rows: int) -> np.ndarray:  # one row per run, or one row seen N times
            return shared_rows(values) if rows == runs else np.broadcast_to(values, (runs, *values.shape[1:]))

        def stack(group: dict, dtype: np.dtype, width: int) -> np.ndarray:  # (runs, width, fields)
            keys = dtype.names
            rows = runs if any(np.ndim(group[k]) == 2 for k in keys) else 1  # (runs, width): drawn per run
            return np.broadcast_to(np.stack([np.broadcast_to(np.asarray(group[k], float), (rows, width))
                                             for k in keys], axis=-1), (runs, width, len(keys)))

        R, B = model.n_regions, len(model.backer_ids)
        sections = {name: getattr(model, name) for name in SCALAR_SECTIONS}
        values = [np.asarray(sections[_section_of(k)][k], float) for k in PARAMS.names]
        rows = runs if any(v.ndim == 1 for v in values) else 1
        scalars = np.stack([np.broadcast_to(v, (rows,)) for v in values], axis=-1)
        reach = np.exp(-np.asarray(model.home_distance_km, float)[None, :]
                       / np.asarray(sections["combat"]["logistics_range_km"], float).reshape(-1, 1))
        groups = (stack(model.sides, SIDE, 2), stack(model.regions, REGION, R),
                  np.broadcast_to(scalars, (runs, len(PARAMS.names))))
        flat = np.concatenate([np.reshape(g, (runs, -1)) for g in groups], axis=1)  # (N, P)
        varying = np.flatnonzero((flat != flat[:1]).any(axis=0))
        backer_rows = runs if any(np.ndim(model.backers[k]) == 2 for k in BACKER.names) else 1
        backer_records = _records(stack(model.backers, BACKER, B)[:backer_rows], BACKER)
        edges = model.edges
        return cls(runs=runs, row=np.ascontiguousarray(flat[0]), varying=varying.astype(np.int64),
                   values=np.ascontiguousarray(flat[:, varying]),
                   backers=per_run(backer_records, backer_rows),
                   reach=per_run(np.ascontiguousarray(reach), reach.shape[0]),
                   map=Map(area=np.asarray(model.area, float),
                           hostile_population=np.asarray(model.hostile_population, float),
                           hostility=np.asarray(model.geography.hostility, float),
                           left_bank_share=np.asarray(model.left_bank_share, float),
                           occupiable=np.asarray(model.occupiable), contestable=np.asarray(model.contestable),
                           home=np.asarray(model.home), occupied_regions=np.flatnonzero(model.occupiable),
                           contested_regions=np.flatnonzero(model.contestable), land=edges.land,
                           across=edges.across, adjacent=edges.adjacent,
                           split_edges=np.array(edges.split_edges, float).reshape(-1, 4)))

    def params(self, interpreted: bool = False) -> Params:
        """The parameters for one call of `advance`; `interpreted`: for the code run uncompiled, with the
        backers as a `np.recarray` (whose elements read fields as attributes; compiled, plain records are
        read the same way, and a recarray costs ~3 µs a call to dispatch)."""
        backers = self.backers.view(np.recarray) if interpreted else self.backers
        return Params(row=self.row, varying=self.varying, values=self.values, backers=backers, reach=self.reach)


@functools.cache  # the mechanisms are fixed at import: looked up once per name, not once per block
def _section_of(name: str) -> str:
    for mechanism in MECHANISMS:
        for section in SCALAR_SECTIONS:
            if name in mechanism.params_of(section):
                return section
    raise KeyError(name)


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


@numba.njit(cache=True, error_model="numpy")
def advance(state, params, geo, rng, keep, drawn, out, report):  # noqa: ANN001, ANN201
    """One week for every run: reads `state` (WeekIn), writes `out` (WeekOut) and `report` (Report).

    Per run: aid arrives (backers); strikes hit energy and output is produced (strikes); Ukraine's power
    deficit cuts hours of power and costs output (power); exports leave by sea,
    ports are struck unless a Black Sea deal holds, and the revenue adds to Ukraine's output (black_sea);
    garrisons and partisans behind the line (occupation); who holds what, where the fronts are and who is
    placed where (allocation); battles and ground (attrition, territory); partisans on the new control
    (occupation); pools (forces); backers' will (backers). Division follows NumPy's rules
    (error_model="numpy"). With `keep`, each normal drawn is also written to `drawn` (N, noise_width) at its
    column: ground (R), battle (R), strikes (2), will (B), tempo (2); the Black Sea draws none. Each side's
    offensive tempo (this week's, from the state) multiplies its intent to attack; next week's is drawn last.

    The tuples' arrays are taken out once, by name, before the loop over runs: an array read from a tuple
    inside the loop, or passed on inside one, costs reference counts per run (~30% of the week)."""
    control, manpower, materiel, partisans = state.control, state.manpower, state.materiel, state.partisans
    will, active, objective, truce = state.backer_will, state.backer_active, state.objective, state.truce
    aid_factor, strike_factor, line_factor = state.aid_factor, state.strike_factor, state.line_factor
    recruitment_factor, counterattack = state.recruitment_factor, state.counterattack
    secondary, foreign = state.secondary_sanctions, state.foreign_troops
    exports, port_strikes = state.exports, state.port_strikes
    log_tempo, out_tempo = state.tempo, out.tempo
    out_exports, out_port_strikes = out.exports, out.port_strikes
    outage_hours, output_lost = state.outage_hours, state.output_lost_to_outages
    out_outage_hours, out_output_lost = out.outage_hours, out.output_lost_to_outages
    R = control.shape[1]
    # this run's sides, regions and scalars: a copy of the row made here, which the compiler then knows no
    # output aliases (the records' fields stay in registers across the writes; ~30% of the week)
    own = params.row.copy()
    side = as_records(own[:2 * SIDE_WIDTH], SIDE)
    region = as_records(own[2 * SIDE_WIDTH: 2 * SIDE_WIDTH + R * REGION_WIDTH], REGION)
    p = as_records(own[2 * SIDE_WIDTH + R * REGION_WIDTH:], PARAMS)[0]
    varying, values, backer, reach = params.varying, params.values, params.backers, params.reach
    area, hostile_population, hostility = geo.area, geo.hostile_population, geo.hostility
    left_bank = geo.left_bank_share
    occupiable, contestable, home = geo.occupiable, geo.contestable, geo.home
    occupied_regions, contested_regions = geo.occupied_regions, geo.contested_regions
    land, across, adjacent, split_edges = geo.land, geo.across, geo.adjacent, geo.split_edges
    out_control, out_partisans, out_energy, out_will = out.control, out.partisans, out.energy, out.backer_will
    week_casualties, moved, front, aid = report.casualties, report.ground_km2, report.front, report.aid
    russia, ukraine = report.russia_line, report.ukraine_line
    N, R = control.shape
    B = will.shape[1]
    held = np.zeros(R + 1, np.bool_)        # padding slot R is never held
    held_ukraine = np.zeros(R + 1, np.bool_)
    supplied = np.zeros(R + 1, np.bool_)   # held and joined to a home region (allocation.supplied_ground)
    connected = np.zeros(R, np.bool_)      # supplied or next to supplied ground: Russia can attack there
    by_land = np.zeros(R, np.bool_)
    by_river = np.zeros(R, np.bool_)
    fronts = np.empty(R, np.int64)           # this run's front regions, in map order
    known = False                            # `supplied` and `connected` hold the contiguity of `held`
    for n in range(N):
        for m in range(varying.size):
            own[nonnegative(varying[m])] = values[n, m]
        # --- backers: aid arrives
        aid_total = 0.0
        for b in range(B):
            a = backers.aid_flow(backer[n, b], will[n, b], aid_factor[n, b], active[n, b])
            aid[n, b] = a
            aid_total += a
        # --- strikes on energy, and output
        kept = strikes.russian_output_kept(p.sanctions_output_loss, p.secondary_sanctions_output_loss, secondary[n])
        produced_russia, produced_ukraine = 0.0, 0.0
        for s in range(2):
            o = 1 - s
            eps = rng.standard_normal()
            if keep:
                drawn[n, 2 * R + s] = eps
            e = strikes.energy_after(state.energy[n, s], side[o].strike_rate * strike_factor[n, o], side[s].air_defence,
                                     truce[n, ENERGY], side[s].energy_repair_per_week, p.strike_noise, eps)
            out_energy[n, s] = e
            if s == RUSSIA:
                produced_russia = strikes.output(e, side[s].production_per_week, p.energy_output_elasticity, kept)
            else:
                produced_ukraine = strikes.output(e, side[s].production_per_week, p.energy_output_elasticity, 1.0)
        # --- Ukraine's power deficit: hours without power, and the output it costs
        hours, lost = power.deficit_week(out_energy[n, UKRAINE], side[UKRAINE].energy, p.power_deficit_at_start,
                                         p.deficit_output_loss, produced_ukraine)
        out_outage_hours[n] = outage_hours[n] + hours
        out_output_lost[n] = output_lost[n] + lost
        produced_ukraine -= lost
        # --- the Black Sea: exports, strikes on ports, and what the revenue buys
        shipped, struck = black_sea.sea_week(strike_factor[n, RUSSIA], truce[n, BLACK_SEA], p.port_strikes_per_week,
                                             p.sea_exports_mt_per_week, p.sea_deal_uplift)
        out_exports[n] = exports[n] + shipped
        out_port_strikes[n] = port_strikes[n] + struck
        produced_ukraine += black_sea.revenue_output(shipped, p.sea_exports_mt_per_week, p.sea_export_eur_per_t,
                                                     p.sea_revenue_to_materiel)
        # --- occupation behind the line; who holds what
        garrison, coverage, partisan_level, partisan_losses = occupation.behind_the_line(
            control, partisans, n, occupied_regions, area, hostile_population, p, manpower[n, RUSSIA])
        known = allocation.held_ground(control, n, contestable, held, held_ukraine) and known
        line_russia = allocation.line_troops(max(manpower[n, RUSSIA] - garrison, 0.0), side[RUSSIA].front_share,
                                             line_factor[n, RUSSIA])
        line_ukraine = allocation.line_troops(manpower[n, UKRAINE], side[UKRAINE].front_share, line_factor[n, UKRAINE])
        # --- where the fronts are, and who is placed where
        F, attack_total, hold_total = 0, 0.0, 0.0
        if 1.0 - truce[n, FRONT] > 0:
            if not known:  # contiguity depends on the held regions only: runs that agree share it
                allocation.contiguity(held, home, adjacent, contested_regions, supplied, connected)
                known = True
            F, attack_total, hold_total = allocation.find_fronts(
                control, objective, n, region, contested_regions, supplied, held_ukraine, land, across, adjacent,
                split_edges, p.holding_weight, front, fronts, by_land, by_river)
        line_sum_russia, line_sum_ukraine = allocation.allocate(
            line_russia, line_ukraine, F, fronts, attack_total, hold_total, objective, foreign, n, region, p, russia,
            ukraine)
        q_russia = attrition.firepower_quality(materiel[n, RUSSIA], manpower[n, RUSSIA], side[RUSSIA].materiel,
                                               side[RUSSIA].manpower, side[RUSSIA].firepower,
                                               p.materiel_quality_exponent)
        q_ukraine = attrition.firepower_quality(materiel[n, UKRAINE], manpower[n, UKRAINE], side[UKRAINE].materiel,
                                                side[UKRAINE].manpower, side[UKRAINE].firepower,
                                                p.materiel_quality_exponent)
        # --- battles and ground on each front
        effort_russia, effort_ukraine = tempo.effort(log_tempo[n, RUSSIA]), tempo.effort(log_tempo[n, UKRAINE])
        lost_russia, lost_ukraine, russian_gain = 0.0, 0.0, 0.0
        for r in range(R):
            out_control[n, r] = control[n, r]
        for i in range(F):
            r = nonnegative(fronts[i])
            ru, uk = russia[n, r], ukraine[n, r]
            supply = attrition.supply(reach[n, r], p.partisan_logistics_damage, partisan_level)
            defence = region[r].fortification * region[r].terrain
            eps_battle, eps_ground = rng.standard_normal(), rng.standard_normal()
            if keep:
                drawn[n, R + r], drawn[n, r] = eps_battle, eps_ground
            lost_r, lost_u = attrition.casualties(ru, uk, q_russia, q_ukraine, supply, defence, p, eps_battle)
            lost_russia += lost_r
            lost_ukraine += lost_u
            barrier = attrition.river_barrier(control[n, r], by_land[r], by_river[r], left_bank[r],
                                              p.dnipro_barrier)
            intent_russia = (1.0 if objective[n, r] > 0 and connected[r] else 0.0) * effort_russia
            intent_ukraine = max(1.0 if region[r].counter_objective > 0 else 0.0, counterattack[n]) * effort_ukraine
            gain = attrition.ground_change(ru, uk, ru * q_russia * supply, uk * q_ukraine, defence, barrier,
                                           intent_russia, intent_ukraine, p, eps_ground)
            out_control[n, r], moved[n, r] = territory.apply_ground(control[n, r], gain, area[r])
            russian_gain += moved[n, r]
        for r in range(R):
            out_partisans[n, r] = occupation.partisans_after(partisans[n, r], out_control[n, r], occupiable[r],
                                                             hostility[r], p.partisan_growth,
                                                             p.partisan_suppression, coverage)
        out.garrison[n] = garrison
        # --- pools
        week_casualties[n, RUSSIA] = lost_russia + partisan_losses
        week_casualties[n, UKRAINE] = lost_ukraine
        for s in range(2):
            recruits = mobilisation.recruits(side[s].recruitment_per_week, recruitment_factor[n, s],
                                             side[s].replacement_ratio, side[s].permanent_loss_share,
                                             week_casualties[n, s])
            out.manpower[n, s] = forces.manpower_after(manpower[n, s], recruits, side[s].permanent_loss_share,
                                                       week_casualties[n, s])
            inflow = produced_russia if s == RUSSIA else produced_ukraine + aid_total
            line = line_sum_russia if s == RUSSIA else line_sum_ukraine
            out.materiel[n, s] = forces.materiel_after(materiel[n, s], inflow, side[s].materiel_use_per_week, line)
            out.casualties[n, s] = state.casualties[n, s] + week_casualties[n, s]
        # --- backers' will
        for b in range(B):
            eps = rng.standard_normal()
            if keep:
                drawn[n, 2 * R + 2 + b] = eps
            out_will[n, b], out.backer_active[n, b] = backers.update_will(backer[n, b], will[n, b], active[n, b],
                                                                          aid[n, b], russian_gain, eps)
            out.aid_delivered[n, b] = state.aid_delivered[n, b] + aid[n, b]
        # --- next week's offensive tempo (no draw without a tempo process: other scenarios' streams unchanged)
        for s in range(2):
            eps = rng.standard_normal() if p.tempo_volatility > 0 else 0.0
            if keep:
                drawn[n, 2 * R + 2 + B + s] = eps
            out_tempo[n, s] = tempo.tempo_after(log_tempo[n, s], p.tempo_persistence, p.tempo_volatility, eps)


# The kernel inlines every mechanism and bakes in the record types their declarations make: its disk cache
# must be renewed when any of them changes, not only when this file does.
cached_with(advance, catalogue, *catalogue.MODULES, mechanism, scopes, war_state)
