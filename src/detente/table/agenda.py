r"""The agenda: issues as dimensions, each actor's ideal point, salience and capability, and what a text is worth.

Issue k has a range [lo_k, hi_k]; internally every position is on 0–1, x = (v − lo) / (hi − lo). Actor a
holds an ideal y_ak, a salience s_ak ∈ [0, 1] and a capability c_ak on each issue it cares about (s = 0
elsewhere). The value of a text x to actor a, over the issues m_k = 1 that a package settles, is the
salience-weighted linear-loss utility of the spatial model (Bueno de Mesquita 1994; KTAB's SMP uses the
same distance with u = 1 − d at risk neutrality):

    U_a(x) = Σ_k m_k s_ak (1 − |x_k − y_ak|) / Σ_k m_k s_ak          (U_a = 1 where a cares about none)

What holds without a deal (`no_deal`) fixes the issue's outside point:
  * status_quo:  o_k fixed;                               u_ak = 1 − |o_k − y_ak|
  * war:         the lottery between the belligerents' ideals, with a's forecast ρ_a = P(Russia prevails):
                 u_ak = ρ_a (1 − |y_Rk − y_ak|) + (1 − ρ_a)(1 − |y_Uk − y_ak|)       (BDM's EU of conflict)
  * front:       the line now, ℓ_k = Russian-held area of `regions` + `beyond` over the area of `regions`
                 (0 = none of the claimed oblasts, 1 = all of them, > 1 beyond), moved by a's forecast:
                 o_ak = clip(ℓ_k + (ρ_a − ½) w_k),   u_ak = 1 − |o_ak − y_ak|     (w_k: `war_swing`)

Sources: B. Bueno de Mesquita (1994), "Political forecasting: an expected utility method", in European
Community Decision Making, Yale UP; KTAB, KAPSARC (2017), examples/smp; B. Bueno de Mesquita (2002),
Predicting Politics, ch. 3.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from detente.scenario.params import Param

STATUS_QUO, WAR, FRONT = 0, 1, 2
NO_DEAL_CODES = {"status_quo": STATUS_QUO, "war": WAR, "front": FRONT}


def draw(param: Param | None, runs: int, rng: np.random.Generator, default: float = 0.0) -> np.ndarray:
    """One value per run: the value, a uniform draw on `between`, or a mean-preserving lognormal `spread`."""
    if param is None:
        return np.full(runs, default)
    if param.between:
        return rng.uniform(param.between[0], param.between[1], size=runs)
    if param.spread:
        sigma = float(param.spread)
        return param.value * np.exp(sigma * rng.standard_normal(runs) - 0.5 * sigma**2)
    return np.full(runs, float(param.value))


@dataclass(frozen=True)
class Agenda:
    """Issues and actors as arrays (A actors, K issues); positions on 0–1, per run (leading axis N)."""

    issues: tuple[str, ...]
    actors: tuple[str, ...]
    low: np.ndarray           # (K,) range in the issue's units
    high: np.ndarray          # (K,)
    no_deal: np.ndarray       # (K,) STATUS_QUO, WAR or FRONT
    status_quo: np.ndarray    # (N, K) on 0–1 (used where no_deal is STATUS_QUO)
    war_swing: np.ndarray     # (N, K) on 0–1 (used where no_deal is FRONT)
    front_area: np.ndarray    # (K, R) km² counted in the line's numerator (regions + beyond)
    front_unit: np.ndarray    # (K,) km² of `regions`: the line's unit
    ideal: np.ndarray         # (N, A, K) on 0–1
    salience: np.ndarray      # (N, A, K)
    capability: np.ndarray    # (N, A, K)

    def to_units(self, unit: np.ndarray) -> np.ndarray:
        """Positions on 0–1 (last axis: issues) in the issues' own units."""
        return self.low + np.asarray(unit) * (self.high - self.low)

    def to_unit(self, value: np.ndarray) -> np.ndarray:
        """Positions in the issues' units to 0–1."""
        return (np.asarray(value) - self.low) / (self.high - self.low)


def text_utility(text: np.ndarray, ideal: np.ndarray, salience: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """U_a(x): salience-weighted 1 − |x − y| over the masked issues; text (N, K) or (N, A, K) -> (N, A)."""
    if text.ndim == 2:
        text = text[:, None, :]
    weight = salience * mask
    total = weight.sum(axis=-1)
    value = (weight * (1.0 - np.abs(text - ideal))).sum(axis=-1)
    return np.where(total > 0, value / np.where(total > 0, total, 1.0), 1.0)


def concession(text: np.ndarray, ideal: np.ndarray, salience: np.ndarray, mask: np.ndarray) -> np.ndarray:
    """C_a = Σ m s |x − y| / Σ m s: how far the text lies from a's ideal (0 = none, 1 = the far end)."""
    return 1.0 - text_utility(text, ideal, salience, mask)


def front_line(control: np.ndarray, area: np.ndarray, front_area: np.ndarray, front_unit: np.ndarray) -> np.ndarray:
    """ℓ_k: Russian-held area of the counted regions over the unit area (N, K); 0 for issues not on the front."""
    line = np.zeros((control.shape[0], front_area.shape[0]))
    for k in np.flatnonzero(front_unit > 0):  # one or two issues: a sum over their regions beats a matrix product
        regions = np.flatnonzero(front_area[k])
        line[:, k] = control[:, regions] @ front_area[k, regions] / front_unit[k]
    return line


def no_deal_points(agenda: Agenda, rho: np.ndarray, line: np.ndarray, russia: int, ukraine: int,
                   issues: np.ndarray | None = None) -> np.ndarray:
    """Each actor's expected utility of no deal on each issue, u_ak (N, A, K), as in the module docstring;
    with `issues`, only those columns (N, A, len(issues)) — the status-quo ones never change in a run."""
    k = np.arange(len(agenda.issues)) if issues is None else np.asarray(issues)
    y = agenda.ideal[:, :, k]
    sq = 1.0 - np.abs(agenda.status_quo[:, None, k] - y)
    rho3 = rho[:, :, None]
    war = rho3 * (1.0 - np.abs(y[:, russia: russia + 1, :] - y)) + \
        (1.0 - rho3) * (1.0 - np.abs(y[:, ukraine: ukraine + 1, :] - y))
    line_unit = (line[:, k] - agenda.low[k]) / (agenda.high[k] - agenda.low[k])
    expected_line = np.clip(line_unit[:, None, :] + (rho3 - 0.5) * agenda.war_swing[:, None, k], 0.0, 1.0)
    front = 1.0 - np.abs(expected_line - y)
    code = agenda.no_deal[k]
    return np.where(code == STATUS_QUO, sq, np.where(code == WAR, war, front))


def stake(agenda: Agenda, russia: int, ukraine: int) -> np.ndarray:
    """W_a(y_R) − W_a(y_U) over the issues the war decides (war and front): what a's side wins or loses (N, A)."""
    decided = (agenda.no_deal != STATUS_QUO).astype(float)
    y = agenda.ideal
    return text_utility(y[:, russia, :], y, agenda.salience, decided) - \
        text_utility(y[:, ukraine, :], y, agenda.salience, decided)
