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

import numba
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


@numba.njit(cache=True, inline="always")
def text_utility(text, ideal, salience, a, n_issues) -> float:
    """U_a(x): salience-weighted 1 − |x − y| over the first n_issues columns of row a (text, ideal, salience
    (P, K): each party's reading, ideal and salience on the issues a text settles); 1 where a cares about none."""
    total, fit = 0.0, 0.0
    for k in range(n_issues):
        total += salience[a, k]
        fit += salience[a, k] * (1.0 - abs(text[a, k] - ideal[a, k]))
    return fit / total if total > 0 else 1.0


@numba.njit(cache=True, inline="always")
def no_deal_point(code, y, y_russia, y_ukraine, status_quo, rho, line, issue, swing) -> float:
    """u_ak: what actor a (ideal y) expects on issue k without a deal, as in the module docstring (issue: the
    issue's `records.ISSUE`; line in its units; status_quo and swing on 0–1)."""
    if code == STATUS_QUO:
        return 1.0 - abs(status_quo - y)
    if code == WAR:
        return rho * (1.0 - abs(y_russia - y)) + (1.0 - rho) * (1.0 - abs(y_ukraine - y))
    unit = (line - issue.low) / (issue.high - issue.low)
    expected = min(max(unit + (rho - 0.5) * swing, 0.0), 1.0)
    return 1.0 - abs(expected - y)


@numba.njit(cache=True)
def no_deal_points(ideal, status_quo, war_swing, line, issue, party, russia, ukraine, columns, no_deal) -> None:
    """u_ak (`no_deal_point`) of every run and actor on the issues `columns`, written into no_deal (N, A, K)
    (party (N, A) records: the forecasts ρ; line (N, K) the front; issue (K,) records)."""
    N, A = party.shape
    for n in range(N):
        for i in range(columns.size):
            k = columns[i]
            for a in range(A):
                no_deal[n, a, k] = no_deal_point(issue[k].no_deal, ideal[n, a, k], ideal[n, russia, k],
                                                 ideal[n, ukraine, k], status_quo[n, k], party[n, a].rho, line[n, k],
                                                 issue[k], war_swing[n, k])


@numba.njit(cache=True)
def stakes(ideal, salience, issue, russia, ukraine, party) -> None:
    """stake_a = W_a(y_R) − W_a(y_U), written into each party's record (party (N, A)): a's utility
    (`text_utility`) of Russia's ideal as a text less that of Ukraine's, over the issues the war decides (no
    deal: war or front)."""
    N, A, K = ideal.shape
    decided = np.array([k for k in range(K) if issue[k].no_deal != STATUS_QUO], np.int64)
    D = decided.size
    text, own, weight = np.empty((2, D)), np.empty((2, D)), np.empty((2, D))  # rows: Russia's text, Ukraine's
    for n in range(N):
        for a in range(A):
            for i in range(D):
                k = decided[i]
                text[0, i], text[1, i] = ideal[n, russia, k], ideal[n, ukraine, k]
                own[0, i], own[1, i] = ideal[n, a, k], ideal[n, a, k]
                weight[0, i], weight[1, i] = salience[n, a, k], salience[n, a, k]
            party[n, a].stake = text_utility(text, own, weight, 0, D) - text_utility(text, own, weight, 1, D)


def front_line(control: np.ndarray, area: np.ndarray, front_area: np.ndarray, front_unit: np.ndarray) -> np.ndarray:
    """ℓ_k: Russian-held area of the counted regions over the unit area (N, K); 0 for issues not on the front."""
    line = np.zeros((control.shape[0], front_area.shape[0]))
    for k in np.flatnonzero(front_unit > 0):  # one or two issues: a sum over their regions beats a matrix product
        regions = np.flatnonzero(front_area[k])
        line[:, k] = control[:, regions] @ front_area[k, regions] / front_unit[k]
    return line


