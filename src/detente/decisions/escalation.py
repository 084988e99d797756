"""The escalation scale of Rivera et al. (2024): every option is scored in escalation points.

Each option names one or more actions of the wargame of Rivera, Mukobi, Reuel, Lamparth, Smith and
Schneider (2024), "Escalation Risks from Language Models in Military and Diplomatic Decision-Making"
(FAccT 2024), or one of its severity categories directly. An option's points are the sum over its
actions; the escalation score of a run in week t is the sum over actors of the points of the option
each actor has in force,

    E_t = Σ_a Σ_{x ∈ actions(o_a,t)} points(category(x)),

with the categories' points status quo 0, de-escalation −2, posturing 4, non-violent escalation 12,
violent escalation 28, nuclear 60. A run reports its weekly series E_t, its peak max_t E_t and its
mean. The tables are read from `data/escalation/` (copies of the paper's CSVs, see SOURCES.md).

That sum scores what the actors *chose*, which is nearly constant (a baseline run sits at one value in about
nine weeks of ten). `measured_week` scores what *happened* in the week instead, on the same scale, from the
war's state before and after the week, and the decisions in force (a pure function; `MEASURED_READS` says
what it reads):

    E_t = 28 · (Σ_s ⌊D_s / u⌋ + #new regions + #breached scopes) − 2 · #truces begun
          + 4 · (#announced options in force + 1{foreign troops deployed}) + 12 · 1{secondary sanctions}
          + 60 · #nuclear options in force,

- strikes on energy — "Execute targeted attack" (violent escalation, 28) once per `strike_unit` u of a side's
  pre-war energy capacity destroyed in the week. The destroyed share D_s is read back from the energy
  balance of `dynamics.strikes.energy_after` (E' = E − hit·E + ρ(1 − E)): D_s = E_s + ρ_s(1 − E_s) − E'_s;
- advances into new regions — "Occupy border city of attacked nation" (violent escalation, 28) for each
  region whose Russian control rises from under `new_region` to at least it, or, in Russia's home regions,
  falls from above 1 − `new_region` to below it (an incursion);
- violations of a truce — "Execute targeted attack" (28) for each scope whose agreement in force a side broke
  in the week (`WarState.truce_violated` = 1, written by the table's compliance, `table.agreements`) and that
  was not stopped the whole week (truce < 1: a share of what it covers resumed; the table writes 1 −
  `violation_share` there). Read, never written. A truce level strictly between 0 and 1 is not by itself a
  violation: it is the share of the week a scope was stopped, which a holiday truce of hours also writes
  (`table.unilateral`: 36 hours are 36/168 of a week), and a decision's `truce` lever may set. One attack per
  breached scope, not scaled by how much resumed: Rivera's scale scores actions, not their size, and what the
  breach does (energy destroyed, ground entered) is scored by the components above in the war's own units;
  the table's agreements are in force for whole weeks, so a breach is a breach of a truce that covered the
  week. A unilateral truce declared and not observed is no violation either: the other side never accepted it;
- truces begun — de-escalation (−2, as "Start formal peace negotiations") for each scope whose truce goes
  from 0 to above 0: an agreement signed, or a declared truce the other side observes;
- threats and signals — posturing (4, Rivera's manual evaluation of "Do military posturing") for each actor
  whose option in force is announced in advance; foreign troops deployed (the `foreign_troops` lever above 0
  in any region) — posturing (4, "Establish agreements on defense and security cooperation");
- secondary sanctions on buyers of Russian energy enforced (`WarState.secondary_sanctions` above 0 after the
  week) — "Impose trade restrictions" (non-violent escalation, 12);
- nuclear use — "Execute tactical nuclear strike" (60) for each actor whose option in force is nuclear.

A week of ground fighting with no strike, no advance into a new region, no violation and no signal scores 0:
the war going on as it was is the status quo of Rivera's scale.
"""

from __future__ import annotations

import csv
import os
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import numba
import numpy as np

CATEGORY_POINTS: dict[str, float] = {
    "status_quo": 0.0,
    "de_escalation": -2.0,
    "posturing": 4.0,
    "non_violent_escalation": 12.0,
    "violent_escalation": 28.0,
    "nuclear": 60.0,
}
_CATEGORY_NAMES = {"status quo": "status_quo", "de-escalation": "de_escalation", "posturing": "posturing",
                   "non-violent escalation": "non_violent_escalation", "violent escalation": "violent_escalation",
                   "nuclear": "nuclear"}


def _data_dir() -> Path:
    env = os.environ.get("DETENTE_DATA")
    return (Path(env) if env else Path(__file__).resolve().parents[3] / "data") / "escalation"


def _category(text: str) -> str:
    """'Posturing(manual_evaluation.py)/De-escalation(chart_utils.py)' -> 'posturing' (the first listed)."""
    first = text.split("/")[0].split("(")[0].strip().lower()
    return _CATEGORY_NAMES[first]


@lru_cache(maxsize=4)
def action_categories(data_dir: Path | None = None) -> dict[str, str]:
    """Rivera et al.'s actions -> severity category (where their two scripts differ, the first listed)."""
    path = (data_dir or _data_dir()) / "rivera2024_escalation_scoring.csv"
    with path.open(newline="", encoding="utf-8") as handle:
        return {row["action"].strip(): _category(row["severity_category"]) for row in csv.DictReader(handle)}


def points(name: str) -> float:
    """Escalation points of an action name (as in the paper's table) or of a category name."""
    key = name.strip()
    if key in CATEGORY_POINTS:
        return CATEGORY_POINTS[key]
    categories = action_categories()
    if key not in categories:
        raise KeyError(name)
    return CATEGORY_POINTS[categories[key]]


def category(name: str) -> str:
    """The severity category of an action name or category name."""
    key = name.strip()
    return key if key in CATEGORY_POINTS else action_categories()[key]


def known_names() -> list[str]:
    """Every action and category a scenario may name."""
    return sorted(CATEGORY_POINTS) + sorted(action_categories())


def option_points(actions: list[str]) -> float:
    """Points of an option: the sum over the actions it stands for."""
    return float(sum(points(a) for a in actions))


def weekly_score(choices: np.ndarray, option_points_table: np.ndarray) -> np.ndarray:
    """E_t for one actor: (N, W) option indices -> points; sum over actors gives the run's score."""
    return option_points_table[choices]


def summary(series: np.ndarray) -> dict[str, np.ndarray]:
    """Peak and mean of a weekly score (N, W) over the weeks that were fought (week 1 on)."""
    fought = series[:, 1:] if series.shape[1] > 1 else series
    return {"escalation_peak": fought.max(axis=1), "escalation_mean": fought.mean(axis=1)}


# --- the measured score -----------------------------------------------------------------------------------
MEASURED_READS = {
    "state before and after": ("energy", "control", "truce"),
    "state after": ("foreign_troops", "secondary_sanctions", "truce_violated"),
    "decisions": ("announced option in force", "nuclear option in force"),
}
ATTACK = points("Execute targeted attack")                      # violent escalation, 28
OCCUPY = points("Occupy border city of attacked nation")        # violent escalation, 28
SIGNED = CATEGORY_POINTS["de_escalation"]                        # -2, as "Start formal peace negotiations"
SIGNAL = CATEGORY_POINTS["posturing"]                            # 4
NUCLEAR = points("Execute tactical nuclear strike")             # 60
SANCTION = points("Impose trade restrictions")                  # non-violent escalation, 12


@dataclass(frozen=True)
class MeasuredScale:
    """What one escalation action is in the war's own units."""

    repair: np.ndarray            # (2,) or (N, 2): each side's energy repair per week (model.sides)
    home: np.ndarray              # (R,) bool: Russia's home regions (an advance there is Ukraine's)
    strike_unit: float = 0.02     # placeholder: share of pre-war capacity one "targeted attack" destroys
    new_region: float = 0.005     # control share under which a region counts as not yet entered


@dataclass(frozen=True)
class WeekView:
    """The parts of `WarState` the measured score reads, at one moment."""

    energy: np.ndarray            # (N, 2)
    control: np.ndarray           # (N, R)
    truce: np.ndarray             # (N, S)
    foreign_troops: np.ndarray    # (N, R)
    secondary_sanctions: np.ndarray | None = None  # (N,); None reads as none enforced
    truce_violated: np.ndarray | None = None       # (N, S); None reads as no agreement broken

    @classmethod
    def of(cls, state: object, kept: bool = True) -> "WeekView":
        """The arrays read, as floats. `kept` (the view before the week, held while the week runs): the arrays
        read before the week are copied (a state's arrays may be reused by the next week); the others, read only
        after it (`MEASURED_READS`), and every array of a view read at once (kept=False) are not."""
        before = MEASURED_READS["state before and after"]
        return cls(*((np.array if kept and f in before else np.asarray)(getattr(state, f), dtype=float)
                     for f in ("energy", "control", "truce", "foreign_troops", "secondary_sanctions",
                               "truce_violated")))


@numba.njit(cache=True)
def energy_destroyed(before, after, repair):  # noqa: ANN001, ANN201  (scalars in `_measured_runs`, or arrays)
    """(N, 2) share of pre-war capacity each side lost to strikes in the week, from the energy balance."""
    return np.maximum(before + repair * (1.0 - before) - after, 0.0)


COMPONENTS = ("energy_strikes", "new_regions", "truce_violations", "agreements_signed", "signals", "sanctions",
              "nuclear")


def measured_week(before: WeekView, after: WeekView, announced: np.ndarray, nuclear: np.ndarray,
                  scale: MeasuredScale) -> dict[str, np.ndarray]:
    """Each component's points (N,) in one week, and their sum under "total" (see the module's docstring).

    `announced` and `nuclear` (N,) count the actors whose option in force is announced / nuclear. The
    equations are `_measured_runs`, compiled (one pass per run instead of a dozen array passes a week)."""
    n = before.control.shape[0]
    sanctions = (after.secondary_sanctions if after.secondary_sanctions is not None else np.zeros(n))
    broken = after.truce_violated if after.truce_violated is not None else np.zeros(after.truce.shape)
    points = np.empty((len(COMPONENTS) + 1, n))
    _measured_runs(before.energy, after.energy, np.broadcast_to(np.asarray(scale.repair, float), before.energy.shape),
                   before.control, after.control, scale.home, before.truce, after.truce,
                   np.asarray(broken, float), after.foreign_troops,
                   np.asarray(sanctions, float), np.asarray(announced, float), np.asarray(nuclear, float),
                   float(scale.strike_unit), float(scale.new_region), points)
    out = dict(zip(COMPONENTS, points))
    out["total"] = points[-1]
    return out


@numba.njit(cache=True)
def _measured_runs(energy0, energy1, repair, control0, control1, home, truce0, truce1, broken,  # noqa: ANN001
                   foreign, sanctions, announced, nuclear, strike_unit, eps, out):  # noqa: ANN001
    """The measured score's equations, run by run: writes `out` (len(COMPONENTS) + 1, N), the components in
    COMPONENTS' order and their sum last (summed in that order)."""
    for n in range(control0.shape[0]):
        attacks = 0.0
        for s in range(energy0.shape[1]):  # energy_destroyed: the energy balance read back
            attacks += np.floor(energy_destroyed(energy0[n, s], energy1[n, s], repair[n, s]) / strike_unit + 1e-9)
        moved = 0
        for r in range(control0.shape[1]):
            if home[r]:  # an incursion into Russia's home region
                moved += control0[n, r] > 1.0 - eps and control1[n, r] <= 1.0 - eps
            else:        # an advance into a region not yet entered
                moved += control0[n, r] < eps and control1[n, r] >= eps
        violated, signed = 0, 0
        for k in range(truce0.shape[1]):
            violated += broken[n, k] > 0.0 and truce1[n, k] < 1.0  # an agreement broken, its scope breached
            signed += truce0[n, k] <= 0.0 and truce1[n, k] > 0.0
        deployed = 0.0
        for r in range(foreign.shape[1]):
            if foreign[n, r] > 0.0:
                deployed = 1.0
        out[0, n] = ATTACK * attacks
        out[1, n] = OCCUPY * moved
        out[2, n] = ATTACK * violated
        out[3, n] = SIGNED * signed
        out[4, n] = SIGNAL * (announced[n] + deployed)
        out[5, n] = SANCTION * (1.0 if sanctions[n] > 0.0 else 0.0)
        out[6, n] = NUCLEAR * nuclear[n]
        total = 0.0
        for k in range(len(COMPONENTS)):
            total += out[k, n]
        out[len(COMPONENTS), n] = total
