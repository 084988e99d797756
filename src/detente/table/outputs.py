"""What the table leaves behind: per-run metrics (ceasefires agreed by quarter and held, weeks in force,
leaders fallen, terms settled, exchanges as events), rows of agreements and of leaders fallen, and terms
conditional on a deal. Read from a `TableController`'s books at the horizon.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from detente.table import agenda as ag
from detente.table import agreements as agr

QUARTER_WEEKS = 13
HELD_WEEKS = {"30d": agr.duration_weeks(30), "90d": agr.duration_weeks(90)}


def metrics(table: Any) -> dict[str, np.ndarray]:
    """Per-run outcomes: ceasefires agreed by quarter and held, weeks in force, leaders fallen, terms settled."""
    lay, W = table.lay, table.model.horizon_weeks
    out: dict[str, np.ndarray] = {}
    quarters = -(-W // QUARTER_WEEKS)
    for g, scope in enumerate(lay.scopes):
        first = table.books["first_agreed"][:, g]
        for q in range(1, quarters + 1):
            out[f"ceasefire_agreed_by_q{q}/{scope}"] = ((first > 0) & (first <= q * QUARTER_WEEKS)).astype(float)
        out[f"ceasefire_agreed/{scope}"] = (first > 0).astype(float)
        for label, weeks in HELD_WEEKS.items():
            out[f"ceasefire_held_{label}/{scope}"] = (table.books["max_streak"][:, g] >= weeks).astype(float)
        out[f"deal_weeks_in_force/{scope}"] = table.books["weeks_in_force"][:, g].astype(float)
    out["deal_weeks_in_force"] = table.run["any_in_force"].astype(float)
    for a in table.led:
        out[f"leader_fell/{lay.actors[a]}"] = (table.fell_week[:, a] > 0).astype(float)
    settled = np.zeros((table.books["in_force"].shape[0], len(lay.issues)), bool)
    for g in range(len(lay.scopes)):
        settled |= (table.books["first_agreed"][:, g] > 0)[:, None] & (lay.package_mask[g] > 0)
    for k, issue in enumerate(lay.issues):
        if lay.package_mask[:, k].any():
            out[f"settled/{issue}"] = settled[:, k].astype(float)
    ag_ = table.agenda
    for k, issue in enumerate(lay.issues):
        if not lay.package_mask[:, k].any() or ag_.no_deal[k] != ag.STATUS_QUO:
            continue
        # what holds on the issue at the horizon: the latest signed terms, else the status quo (issue units)
        value = ag_.low[k] + ag_.status_quo[:, k] * (ag_.high[k] - ag_.low[k])
        latest = np.full(value.shape, -1)
        for g in range(len(lay.scopes)):
            signed = (lay.package_mask[g, k] > 0) & (table.books["first_agreed"][:, g] > 0) & \
                ~np.isnan(table.terms[:, g, k])
            newer = signed & (table.books["week_agreed"][:, g] >= latest)
            value = np.where(newer, table.terms[:, g, k], value)
            latest = np.where(newer, table.books["week_agreed"][:, g], latest)
        out[f"terms/{issue}"] = value
    for g, persons in table.persons.items():  # one-off agreements (prisoner exchanges) as events
        out[f"events/{lay.scopes[g]}"] = table.books["signings"][:, g].astype(float)
        out[f"persons/{lay.scopes[g]}"] = table.books["signings"][:, g] * persons
    for g, scope in enumerate(lay.scopes):  # texts agreed in principle, never implemented (decision.decide)
        out[f"in_principle/{scope}"] = table.books["in_principle"][:, g].astype(float)
    out["violations_observed"] = table.run["violations_seen"].copy()
    out["agreements_broke_down"] = table.run["broke_down"].astype(float)
    out[table.trust_name.replace("trust/", "trust_final/")] = table.run["trust"].copy()
    return out


def tables(table: Any) -> dict[str, dict[str, np.ndarray]]:
    """Rows: `agreements` (one per agreement: scope, weeks, how it ended, terms) and `leaders_fallen`."""
    lay = table.lay
    open_runs, open_g = np.nonzero(table.books["in_force"] & table.keep_rows)
    parts = table.ended + [{"run": open_runs, "g": open_g, "week_agreed": table.books["week_agreed"][open_runs, open_g],
                           "week_ended": np.full(open_runs.size, -1),
                           "how": np.full(open_runs.size, agr.IN_FORCE),
                           "renewals": table.books["renewals"][open_runs, open_g],
                           "divergence": table.books["divergence"][open_runs, open_g],
                           "terms": table.terms[open_runs, open_g]}]
    cat = {key: np.concatenate([p[key] for p in parts]) for key in parts[0]}
    scopes = np.array(lay.scopes, dtype=object)
    how = np.array(agr.HOW_ENDED, dtype=object)
    rows: dict[str, np.ndarray] = {
        "run": cat["run"].astype(np.int64), "scope": scopes[cat["g"]] if cat["g"].size else scopes[:0],
        "week_agreed": cat["week_agreed"].astype(np.int32), "week_ended": cat["week_ended"].astype(np.int32),
        "how_ended": how[cat["how"]] if cat["how"].size else how[:0],
        "renewals": cat["renewals"].astype(np.int32), "divergence": cat["divergence"].astype(float)}
    terms = cat["terms"].reshape(-1, len(lay.issues))
    for k, issue in enumerate(lay.issues):
        rows[f"terms_{issue}"] = terms[:, k].astype(float)
    runs, actors = np.nonzero(table.fell_week > 0)
    leaders = {"run": runs.astype(np.int64), "actor": np.array(lay.actors, dtype=object)[actors],
               "week_fell": table.fell_week[runs, actors].astype(np.int32)}
    return {"agreements": rows, "leaders_fallen": leaders}


def conditional_terms(tables: dict[str, dict[str, np.ndarray]], scope: str) -> dict[str, dict[str, float]]:
    """Median and 10–90% interval of each issue's agreed terms, over the agreements of a scope that settled it."""
    rows = tables.get("agreements", {})
    if not rows or len(rows.get("run", [])) == 0:
        return {}
    pick = rows["scope"] == scope
    out = {}
    for key, values in rows.items():
        if key.startswith("terms_"):
            v = np.asarray(values, float)[pick]
            v = v[~np.isnan(v)]
            if v.size:
                out[key.removeprefix("terms_")] = {"n": float(v.size), "p10": float(np.quantile(v, 0.1)),
                                                   "p50": float(np.median(v)), "p90": float(np.quantile(v, 0.9))}
    return out
