"""The weekly step: the mechanisms of `detente.dynamics` composed in a fixed order over all runs at once.

Order within a week (each line one mechanism): aid arrives → strikes hit energy → output is produced →
garrisons are set aside → fronts are found and manned → battles cost lives and move ground → pools are
updated → partisans grow or are suppressed → backers' will responds. Agreements in force (`state.truce`)
switch off what they cover. The step changes nothing it is given but the generator it draws from: the same
state, model and generator state give the same result.

`reference_step` is that composition in NumPy, one array function per mechanism: the specification.
`step`, what the ensemble runs, is the same week compiled into one loop over runs (`detente.kernel`);
tests/test_kernel.py holds the two equal to rounding.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente import kernel
from detente.dynamics import allocation, attrition, backers, forces, occupation, strikes, territory
from detente.dynamics.scopes import ENERGY, FRONT
from detente.world.model import WarModel
from detente.world.state import RUSSIA, UKRAINE, WarState


@dataclass(frozen=True)
class WeekReport:
    """What happened in one week, per run: the engine's event, read by recorders and the table."""

    week: int
    casualties: np.ndarray      # (N, 2) this week's casualties
    ground_km2: np.ndarray      # (N, R) km² moved to Russia this week (negative: to Ukraine)
    front: np.ndarray           # (N, R) bool: regions in contact
    russia_line: np.ndarray     # (N, R) Russian troops engaged
    ukraine_line: np.ndarray    # (N, R) Ukrainian troops engaged
    aid: np.ndarray             # (N, B) € bn delivered


def noise_width(model: WarModel) -> int:
    """Columns of the week's normals per run as `reference_step` reads them: ground (R), battle (R),
    strikes (2), will (B)."""
    return 2 * model.n_regions + 2 + len(model.backer_ids)


def step(state: WarState, model: WarModel, rng: np.random.Generator, drawn: np.ndarray | None = None,
         report: bool = True) -> tuple[WarState, WeekReport | None]:
    """Advance every run one week (compiled; see `reference_step` for the equations in array form), drawing
    the week's normals from rng; with `drawn` (N, noise_width), also write them there for a replay. Without
    `report` (nobody observes the week) the report is None, and its arrays, which the kernel writes only at
    the fronts, need not be zeroed first (about a megabyte a week for a thousand runs)."""
    n, R, B = state.runs, model.n_regions, len(model.backer_ids)
    km = kernel.kernel_model(model, n)
    out = {name: np.empty((n, 2)) for name in ("manpower", "materiel", "casualties", "energy", "week_casualties")}
    blank = np.zeros if report else np.empty
    control, partisans, moved = np.empty((n, R)), np.empty((n, R)), blank((n, R))
    front, russia, ukraine = blank((n, R), bool), blank((n, R)), blank((n, R))
    will, active, aid_delivered, aid = np.empty((n, B)), np.empty((n, B), bool), np.empty((n, B)), np.empty((n, B))
    garrison = np.empty(n)
    kernel.advance(state.control, state.manpower, state.materiel, state.casualties, state.energy, state.backer_will,
                   state.backer_active, state.aid_delivered, state.partisans, state.objective, state.truce,
                   state.aid_factor, state.strike_factor, state.recruitment_factor, state.line_factor,
                   state.counterattack, state.secondary_sanctions, state.foreign_troops, rng, drawn is not None,
                   drawn if drawn is not None else np.empty((1, 1)), km.sides, km.regions, km.scalars, km.varying,
                   km.values, km.backers, km.reach, km.area, km.hostile_population,
                   km.hostility, km.occupiable, km.contestable, km.home, km.occupied_regions, km.contested_regions,
                   km.left_bank_share, km.land, km.across, km.adjacent, km.split_edges,
                   control, out["manpower"], out["materiel"], out["casualties"], out["energy"], will, active,
                   aid_delivered, partisans, garrison, out["week_casualties"], moved, front, russia, ukraine, aid)
    new_state = state.replace(
        week=state.week + 1, control=control, manpower=out["manpower"], materiel=out["materiel"],
        casualties=out["casualties"], energy=out["energy"], backer_will=will, backer_active=active,
        aid_delivered=aid_delivered, partisans=partisans, garrison=garrison)
    if not report:
        return new_state, None
    return new_state, WeekReport(week=state.week + 1, casualties=out["week_casualties"], ground_km2=moved,
                                 front=front, russia_line=russia, ukraine_line=ukraine, aid=aid)


def reference_step(state: WarState, model: WarModel, noise: np.ndarray) -> tuple[WarState, WeekReport]:
    """Advance every run one week: the mechanisms composed as array functions (the specification)."""
    R, B = model.n_regions, len(model.backer_ids)
    ground_noise, battle_noise = noise[:, :R], noise[:, R: 2 * R]
    strike_noise, will_noise = noise[:, 2 * R: 2 * R + 2], noise[:, 2 * R + 2: 2 * R + 2 + B]
    s, b, c, e, o = model.sides, model.backers, model.combat, model.economy, model.occupation

    aid = backers.aid_flow(state.backer_will, state.backer_active, state.aid_factor, b["aid_per_week"])
    energy = strikes.energy_damage(state.energy, s["strike_rate"], s["air_defence"], state.strike_factor,
                                   state.truce[:, ENERGY], s["energy_repair_per_week"], e["strike_noise"],
                                   strike_noise)
    produced = strikes.output(energy, s["production_per_week"], e["energy_output_elasticity"],
                              e["sanctions_output_loss"], e["secondary_sanctions_output_loss"],
                              state.secondary_sanctions)

    hostile = occupation.hostile_under_occupation(state.control, model.hostile_population, model.occupiable)
    held, coverage = occupation.garrison(hostile, state.manpower[:, RUSSIA], o["garrison_per_1000_hostile"],
                                         o["max_garrison_share"])
    line_share = np.minimum(s["front_share"] * state.line_factor, 1.0)
    line_russia = np.maximum(state.manpower[:, RUSSIA] - held, 0.0) * line_share[:, RUSSIA]
    line_ukraine = state.manpower[:, UKRAINE] * line_share[:, UKRAINE]
    fighting = 1.0 - state.truce[:, FRONT]
    by_land, by_river, connected = allocation.russian_reach(state.control, model.edges, model.home)
    front = allocation.front_mask(state.control, state.objective, model.regions["counter_objective"],
                                  model.contestable, model.edges, by_land | by_river)
    front &= fighting[:, None] > 0
    priority = model.regions["defence_priority"] + model.regions["counter_objective"]
    russia, ukraine = allocation.allocate(line_russia, line_ukraine, front, state.objective, priority,
                                          c["threat_matching"], c["holding_weight"])
    ukraine = ukraine + np.where(front, state.foreign_troops, 0.0)

    quality = attrition.firepower_quality(state.materiel, state.manpower, s["materiel"], s["manpower"],
                                          c["materiel_quality_exponent"], s["firepower"])
    occupied_area = (state.control * model.area * model.occupiable).sum(axis=1)
    partisan_level = (state.partisans * state.control * model.area * model.occupiable).sum(axis=1) / np.maximum(
        occupied_area, 1.0)

    # Battles are computed only in regions where some run has a front this week (a handful of the map).
    cols = np.flatnonzero(front.any(axis=0))
    sub = lambda x: np.asarray(x)[..., cols]  # noqa: E731  (regions -> battle columns)
    supply = attrition.logistics(sub(model.home_distance_km), c["logistics_range_km"], partisan_level,
                                 o["partisan_logistics_damage"])
    defence = sub(model.regions["fortification"] * model.regions["terrain"])
    r_line, u_line = russia[:, cols], ukraine[:, cols]
    lost_russia, lost_ukraine = attrition.casualties(r_line, u_line, quality, supply, defence,
                                                     c["russian_loss_rate"], c["ukrainian_loss_rate"],
                                                     c["helmbold_w"], c["casualty_noise"], battle_noise[:, cols])
    barrier = attrition.river_barrier(state.control[:, cols], by_land[:, cols], by_river[:, cols],
                                      sub(model.left_bank_share), c["dnipro_barrier"])
    russian_intent = ((state.objective[:, cols] > 0) & connected[:, cols]).astype(float)
    ukrainian_intent = np.maximum((sub(model.regions["counter_objective"]) > 0).astype(float),
                                  state.counterattack[:, None])
    push = attrition.ground_change(r_line, u_line, quality, supply, defence, barrier, russian_intent,
                                   ukrainian_intent, c["ground_rate_km2"], c["ratio_threshold"],
                                   c["ratio_elasticity"], c["ground_noise"], ground_noise[:, cols])
    gain = np.zeros_like(state.control)
    gain[:, cols] = np.where(front[:, cols], push, 0.0)
    control, moved = territory.apply_ground(state.control, gain, model.area)

    partisan_losses = occupation.partisan_casualties(state.partisans, hostile, o["partisan_casualties_per_week"])
    week_casualties = np.stack([lost_russia.sum(axis=1) + partisan_losses, lost_ukraine.sum(axis=1)], axis=1)
    manpower = forces.manpower_after(state.manpower, s["recruitment_per_week"] * state.recruitment_factor,
                                     week_casualties,
                                     s["permanent_loss_share"])
    line = np.stack([russia.sum(axis=1), ukraine.sum(axis=1)], axis=1)
    materiel = forces.materiel_after(state.materiel, produced, aid.sum(axis=1), line, s["materiel_use_per_week"])
    partisans = occupation.partisans_after(state.partisans, control, model.geography.hostility, model.occupiable,
                                           coverage, o["partisan_growth"], o["partisan_suppression"])
    will, active = backers.update_will(state.backer_will, state.backer_active, aid, b["aid_per_week"],
                                       b["will_erosion_per_week"], b["will_response_to_front"],
                                       b["will_threshold"], b["will_noise"], -moved.sum(axis=1), will_noise)
    new_state = state.replace(
        week=state.week + 1, control=control, manpower=manpower, materiel=materiel,
        casualties=state.casualties + week_casualties, energy=energy, backer_will=will, backer_active=active,
        aid_delivered=state.aid_delivered + aid, partisans=partisans, garrison=held,
    )
    report = WeekReport(week=state.week + 1, casualties=week_casualties, ground_km2=moved, front=front,
                        russia_line=russia, ukraine_line=ukraine, aid=aid)
    return new_state, report
