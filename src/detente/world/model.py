"""Compile a validated scenario and the map into the constant arrays the engine reads (`WarModel`).

Scalars stay NumPy scalars unless the scenario gives them a per-run spread; then `realise` draws one value
per run, so a scalar becomes shape (N,), a per-side constant (N, 2), a per-region one (N, R), a per-backer
one (N, B). Mechanisms index the last axis (`model.recruitment[..., RUSSIA]`) and so work with both.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np

from detente.scenario.schema import Param, Scenario
from detente.world.geography import Geography, load_geography
from detente.world.state import RUSSIA, UKRAINE, WarState
from detente.dynamics.catalogue import MECHANISMS
from detente.dynamics.mechanism import defined_in, initial_values
from detente.dynamics.scopes import SCOPES

# The per-side and per-backer numbers of a scenario: the schema's own, then those the mechanisms define there.
SIDE_FIELDS = ("manpower", "materiel", "recruitment_per_week", "production_per_week", "materiel_use_per_week",
               "front_share", "permanent_loss_share", "strike_rate", "air_defence", "energy",
               "energy_repair_per_week", "firepower", "production_budget_elasticity",
               *(p.key.split(".", 1)[1] for p in defined_in(MECHANISMS, "forces")))
BACKER_FIELDS = ("aid_per_week", "will", "will_erosion_per_week", "will_response_to_front", "will_threshold",
                 "will_noise", *(p.key.split(".", 1)[1] for p in defined_in(MECHANISMS, "backers")))
REGION_FIELDS = ("control", "objective", "defence_priority", "counter_objective", "fortification", "terrain")


@dataclass(frozen=True)
class WarModel:
    """Everything constant in a run: map arrays, side and backer constants, mechanism parameters."""

    geography: Geography
    region_ids: tuple[str, ...]
    backer_ids: tuple[str, ...]
    horizon_weeks: int
    area: np.ndarray                 # (R,) km²
    hostile_population: np.ndarray   # (R,) inhabitants expected to resist occupation
    contestable: np.ndarray          # (R,) bool: ground can change hands here
    home: np.ndarray                 # (R,) bool: Russia's supply bases (its own territory, Crimea)
    occupiable: np.ndarray           # (R,) bool: Russian control here is an occupation (not home ground)
    left_bank_share: np.ndarray      # (R,) share east of the Dnipro for split regions, NaN elsewhere
    edges: "EdgeList"                # directed land borders, grouped by region, with their Dnipro kind
    home_distance_km: np.ndarray     # (R,) distance to the nearest home base
    sides: dict[str, Any]            # field -> (2,) or (N, 2)
    regions: dict[str, Any]          # field -> (R,) or (N, R)
    backers: dict[str, Any]          # field -> (B,) or (N, B)
    combat: dict[str, Any]           # field -> scalar or (N,)
    economy: dict[str, Any]
    occupation: dict[str, Any]
    uncertain: dict[tuple, Param] = field(default_factory=dict)  # where a per-run draw replaces the value
    posterior: dict[tuple, np.ndarray] = field(default_factory=dict)  # model key -> (S,) joint samples

    @property
    def n_regions(self) -> int:
        """Number of map regions R."""
        return len(self.region_ids)


def compile_model(scenario: Scenario, geography: Geography | None = None) -> WarModel:
    """Turn a scenario into arrays; regions the scenario does not mention keep their owner and do not change."""
    geo = geography or load_geography()
    R = len(geo.ids)
    uncertain: dict[tuple, Param] = {}
    regions: dict[str, np.ndarray] = {}
    russian_country = np.array([c == "RU" for c in geo.countries])
    defaults = {"control": russian_country.astype(float), "objective": np.zeros(R), "defence_priority": np.ones(R), "counter_objective": np.zeros(R),
                "fortification": np.ones(R), "terrain": np.ones(R)}
    for name in REGION_FIELDS:
        column = defaults[name].copy()
        for rid, setup in scenario.regions.items():
            p: Param = getattr(setup, name)
            column[geo.index(rid)] = p.value
            if p.spread or p.between:
                uncertain[("regions", name, geo.index(rid))] = p
        regions[name] = column
    contestable = np.zeros(R, bool)
    left_bank = np.full(R, np.nan)
    for rid, setup in scenario.regions.items():
        contestable[geo.index(rid)] = setup.contestable
        if setup.left_bank_share is not None:
            left_bank[geo.index(rid)] = setup.left_bank_share.value
    home = np.zeros(R, bool)
    for rid in scenario.combat.home_regions:
        home[geo.index(rid)] = True

    sides: dict[str, np.ndarray] = {}
    for name in SIDE_FIELDS:
        values = np.zeros(2)
        for s, side in ((RUSSIA, "russia"), (UKRAINE, "ukraine")):
            p = getattr(scenario.forces[side], name)
            values[s] = p.value
            if p.spread or p.between:
                uncertain[("sides", name, s)] = p
        sides[name] = values

    backer_ids = tuple(scenario.backers)
    backers: dict[str, np.ndarray] = {}
    for name in BACKER_FIELDS:
        values = np.zeros(len(backer_ids))
        for b, bid in enumerate(backer_ids):
            p = getattr(scenario.backers[bid], name)
            values[b] = p.value
            if p.spread or p.between:
                uncertain[("backers", name, b)] = p
        backers[name] = values

    def section(model: Any, key: str) -> dict[str, Any]:
        out = {}
        for name in type(model).model_fields:
            p = getattr(model, name)
            if isinstance(p, Param):
                out[name] = np.float64(p.value)
                if p.spread or p.between:
                    uncertain[(key, name)] = p
        return out

    edges = _edge_list(geo, left_bank)
    home_points = np.flatnonzero(home)
    home_distance = geo.distance_km[:, home_points].min(axis=1) if home_points.size else np.zeros(R)
    model = WarModel(
        geography=geo, region_ids=geo.ids, backer_ids=backer_ids, horizon_weeks=scenario.horizon_weeks,
        area=geo.area_km2.astype(float), hostile_population=(geo.population * geo.hostility).astype(float),
        contestable=contestable, home=home, occupiable=contestable & ~home & ~russian_country,
        left_bank_share=left_bank, edges=edges,
        home_distance_km=home_distance, sides=sides, regions=regions, backers=backers,
        combat=section(scenario.combat, "combat"), economy=section(scenario.economy, "economy"),
        occupation=section(scenario.occupation, "occupation"), uncertain=uncertain,
    )
    if scenario.posterior:
        model = replace(model, posterior=posterior_draws(model, scenario.posterior))
    return model


def posterior_draws(model: WarModel, name: str) -> dict[tuple, np.ndarray]:
    """The joint samples of data/posteriors/NAME by model key (a sample row is one joint draw)."""
    from detente.calibration.posterior import read_posterior

    posterior = read_posterior(name)
    return {model_key(model, path_of(column)): posterior.samples[:, i] for i, column in enumerate(posterior.names)}


def path_of(dotted: str) -> tuple:
    """'forces.russia.firepower' -> ('forces', 'russia', 'firepower')."""
    return tuple(dotted.split("."))


@dataclass(frozen=True)
class EdgeList:
    """Land borders as padded neighbour tables, so "is there Russian-held ground next door?" is a few
    row gathers and ORs over a run-minor (R, N) array.

    `land[r]` lists the n bordering r that reach it without crossing the Dnipro, `across[r]` those whose
    border runs along the river, `adjacent[r]` every neighbour. Neighbours the Dnipro splits
    are listed in `split_edges` as (r, n, land threshold, river threshold): Russia holding a share c of
    such a neighbour n with left-bank share l reaches a right-bank r by land only when it holds more than
    the left bank, c > l + (1 − l)/2, and across the river when c > l/2 (mirrored for a left-bank r)."""

    land: np.ndarray        # (R, K) neighbour slots reached by land, padded with R (a region never held)
    across: np.ndarray      # (R, K') neighbour slots across the Dnipro, padded with R
    adjacent: np.ndarray    # (R, K'') every neighbour, padded with R
    split_edges: tuple[tuple[int, int, float, float], ...]


def _edge_list(geo: Geography, left_bank: np.ndarray) -> EdgeList:
    R = len(geo.ids)
    land, across = np.zeros((R, R)), np.zeros((R, R))
    split_edges = []
    for r in range(R):
        for n in np.flatnonzero(geo.adjacent[r]):
            if geo.dnipro_crossing[r, n]:
                across[r, n] = 1.0
            elif not np.isnan(left_bank[n]) and geo.dnipro_bank[r] in ("left", "right"):
                share = min(max(float(left_bank[n]), 1e-3), 1 - 1e-3)
                far_side, near_side = share + (1.0 - share) / 2.0, share / 2.0
                if geo.dnipro_bank[r] == "right":
                    split_edges.append((r, int(n), far_side, near_side))
                else:
                    split_edges.append((r, int(n), near_side, far_side))
            else:
                land[r, n] = 1.0
    def table(matrix: np.ndarray) -> np.ndarray:
        lists = [np.flatnonzero(row) for row in matrix]
        out = np.full((R, max(1, max(len(x) for x in lists))), R, dtype=np.intp)
        for r, items in enumerate(lists):
            out[r, : len(items)] = items
        return out

    return EdgeList(land=table(land), across=table(across), adjacent=table(geo.adjacent),
                    split_edges=tuple(split_edges))


def model_key(model: WarModel, path: tuple) -> tuple:
    """Where a scenario parameter path lives in the compiled model, e.g. ("forces", "russia", "manpower")
    -> ("sides", "manpower", 0); raise KeyError for paths the engine does not read per run."""
    head = path[0]
    if head == "forces" and len(path) == 3 and path[2] in SIDE_FIELDS:
        return ("sides", path[2], 0 if path[1] == "russia" else 1)
    if head == "regions" and len(path) == 3 and path[2] in REGION_FIELDS and path[1] in model.region_ids:
        return ("regions", path[2], model.region_ids.index(path[1]))
    if head == "backers" and len(path) == 3 and path[2] in BACKER_FIELDS and path[1] in model.backer_ids:
        return ("backers", path[2], model.backer_ids.index(path[1]))
    if head in ("combat", "economy", "occupation") and len(path) == 2 and path[1] in getattr(model, head):
        return (head, path[1])
    raise KeyError(".".join(map(str, path)))


def _set_per_run(groups: dict[str, dict[str, Any]], key: tuple, values: np.ndarray, runs: int) -> None:
    group, name = groups[key[0]], key[1]
    if len(key) == 3:
        base = np.asarray(group[name], dtype=float)
        if base.ndim == 1:
            base = np.broadcast_to(base, (runs, base.size)).copy()
        base[:, key[2]] = values
        group[name] = base
    else:
        group[name] = np.asarray(values, dtype=float)


def realise(model: WarModel, runs: int, rng: np.random.Generator,
            overrides: dict[tuple, np.ndarray] | None = None) -> WarModel:
    """Draw the per-run values of uncertain parameters (one value per run, from this block's stream), then
    a joint draw from the scenario's posterior (one sample row per run: the fitted parameters keep their
    correlations), then apply per-run overrides {model key: values (runs,)} such as a sensitivity design's
    samples or a calibration's particles."""
    if not model.uncertain and not overrides and not model.posterior:
        return model
    groups: dict[str, dict[str, Any]] = {k: dict(getattr(model, k)) for k in
                                         ("sides", "regions", "backers", "combat", "economy", "occupation")}
    for key in sorted(model.uncertain, key=repr):
        p = model.uncertain[key]
        if p.between:
            draw = rng.uniform(p.between[0], p.between[1], size=runs)
        else:
            sigma = float(p.spread)
            draw = p.value * np.exp(sigma * rng.standard_normal(runs) - 0.5 * sigma**2)
        _set_per_run(groups, key, draw, runs)
    if model.posterior:
        rows = rng.integers(0, len(next(iter(model.posterior.values()))), size=runs)
        for key, samples in model.posterior.items():
            _set_per_run(groups, key, samples[rows], runs)
    for key, values in (overrides or {}).items():
        _set_per_run(groups, key, values, runs)
    return replace(model, **groups)


def initial_state(model: WarModel, runs: int) -> WarState:
    """The state at week 0 for N runs, from the scenario's starting figures; the fields a mechanism owns start
    at the values its declaration gives (`Mechanism.initial`)."""
    def per_run(values: Any, width: int) -> np.ndarray:
        return np.broadcast_to(np.asarray(values, dtype=float), (runs, width)).copy()

    R, B = model.n_regions, len(model.backer_ids)
    will = per_run(model.backers["will"], B)
    return WarState(
        week=0,
        control=per_run(model.regions["control"], R),
        manpower=per_run(model.sides["manpower"], 2),
        materiel=per_run(model.sides["materiel"], 2),
        energy=per_run(model.sides["energy"], 2),
        backer_will=will,
        backer_active=will >= per_run(model.backers["will_threshold"], B),
        objective=per_run(model.regions["objective"], R),
        truce=np.zeros((runs, len(SCOPES))),
        truce_violated=np.zeros((runs, len(SCOPES))),
        aid_factor=np.ones((runs, B)),
        strike_factor=np.ones((runs, 2)),
        recruitment_factor=np.ones((runs, 2)),
        line_factor=np.ones((runs, 2)),
        counterattack=np.broadcast_to(np.asarray(model.combat["counterattack_posture"], float), (runs,)).copy(),
        secondary_sanctions=np.broadcast_to(np.asarray(model.economy["secondary_sanctions"], float), (runs,)).copy(),
        foreign_troops=np.zeros((runs, R)),
        mediating=np.ones(runs),
        pressure_on_ukraine=np.zeros(runs),
        **initial_values(MECHANISMS, {"N": runs, "R": R, "B": B, "S": len(SCOPES)}, model.sides),
    )
