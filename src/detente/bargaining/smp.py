r"""KTAB's spatial model of politics (SMP) with KTAB's default settings, vectorised over actors.

Source: KAPSARC Toolkit for Behavioral Analysis (KTAB, MIT licence), examples/smp/libsrc/smp.cpp,
smpbcn.cpp and KTAB/kmodel/libsrc/kmodel.cpp; checked round by round against KTAB's reference log
20170530_ref-dummyData_3Dim.txt. Defaults: VictoryProbModel Linear, VotingRule Prop, PCEModel Conditional,
StateTransitions Deterministic, BigRRange Mid, BigRAdjust OneThird, ThirdPartyCommit SemiCommit,
InterVecBrgn S2P2, BargnModel InitOnlyInterp. Positions x, ideals y and saliences s are on 0–1.

One round (state t -> t+1):

1. Distance as seen by i:  d_ij = sqrt( sum_k (s_ik (y_ik - x_jk))^2 / sum_k s_ik^2 ).
2. Utility with risk attitude R:  u(d, R) = (1 - d)(1 + d R).
3. Risk attitudes: with R = 0 and votes c_k (u_ki - u_kj), coalitions C_ij = 1e-8 + sum_k max(0, vote),
   P[i>j] = C_ij / (C_ij + C_ji), p_i = prod_j P[i>j] / sum_m prod_j P[m>j] (P[i>i] = 1/2);
   R_i = (3 p_i - (p_max + 2 p_min)) / (2 (p_max - p_min)).  h's estimate of i: r_hi = (2 R_h + R_i) / 3.
4. Challenges, as estimated by h = i with U^h_ab = u(d_ab, r_ha), weights w_a = c_a sum_k s_ak:
   principals add w_i (U_ii - U_ij) and w_j (U_ji - U_jj) to the side they favour (plus 1e-10 each side);
   third party n joins via its little contest: p_in = share of (principals + w_n (U_ni - U_nj)),
   vote_n = w_n [p_in (U_nn - U_ni) ... SemiCommit: (p_in (2U_ni + U_nn) + (1-p_in) 3U_nj)
                                                   - (p_in 3U_ni + (1-p_in)(2U_nj + U_nn))];
   P_ij = C_ij / (C_ij + C_ji);  gain = (1 - s_j) 2U_ii + s_j (P 2U_ii + (1 - P) 2U_ij) - (U_ii + U_ij).
   i challenges the j with the largest gain, if above 1e-5.
5. Bargain (S2P2, i's estimate P only): per dimension w_i = s_ik^2 P^2, w_j = s_jk^2 (1 - P)^2,
   b_i = ((w_i + 1e-6) x_ik + w_j x_jk) / (w_i + 1e-6 + w_j), b_j = (w_i x_ik + (w_j + 1e-6) x_jk) / (...),
   both floored to 4 decimals as round4(z) = floor(0.5 + 10^4 z) / 10^4.
6. Each actor k weighs its status quo and every bargain that involves it: the value of a bargain to actor a is
   the mean over all actors' positions after it, (sum_n U_an - U_a,init - U_a,rcvr + u_a(b_init) + u_a(b_rcvr)) / N;
   a capability-weighted scalar PCE (as in 3) over those options; k takes the most probable (first on ties)
   and moves to its side of it.
7. Ideals follow positions (identity accommodation), or y' = A x' + (1 - rowsum A) y for KTAB's XML
   IdealAdjustment.
8. Stop when, from round 2 on, sum_i |x_i(t) - x_i(t-1)| / (sum_i |x_i(1) - x_i(0)| + 1e-4) < 0.02,
   or after 100 rounds.

Win probabilities are KTAB's: the PCE probability of each distinct position (positions closer than 1e-3 are
one), with each actor valuing positions by its own risk-aware utility. KTAB reports that position's
probability for every actor holding it (`position_win_probabilities`); `win_probabilities` splits it
equally among them so that the actors' probabilities sum to 1.

Cost: O(N^3) per round (each of N challengers looks at N targets through N third parties), done in
blocks of challengers so memory stays O(N^2 * block).
"""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field

import numpy as np

from detente.bargaining.ktab_input import BargainingProblem

MIN_COALITION = 1e-8  # KTAB Model::coalitions
MIN_CHALLENGE_COALITION = 1e-10  # KTAB SMPState::probEduChlg
MIN_GAIN = 1e-5  # KTAB SMPState::bestChallenge
MIN_BARGAIN_WEIGHT = 1e-6  # KTAB SMPActor::interpBrgnSnPm
POSITION_TOLERANCE = 1e-3  # KTAB SMPModel::posTol (0.1 on the 0–100 scale)
MIN_SIGNIFICANT_DELTA = 1e-4  # KTAB configExec minSigDelta
_BLOCK_ELEMENTS = 2_000_000  # elements per temporary array in the O(N^3) steps (16 MB)
_WORKERS = min(8, os.cpu_count() or 1)


def weighted_distances(ideals: np.ndarray, positions: np.ndarray, salience: np.ndarray) -> np.ndarray:
    """d[i, j]: salience-weighted distance from i's ideal to position j, as i sees it (0–1)."""
    s2 = salience**2
    norm = s2.sum(axis=1)
    out = np.empty((ideals.shape[0], positions.shape[0]))
    step = max(1, _BLOCK_ELEMENTS // max(1, positions.shape[0] * positions.shape[1]))
    for a in range(0, ideals.shape[0], step):
        diff = ideals[a:a + step, None, :] - positions[None, :, :]
        out[a:a + step] = np.sqrt(np.einsum("ijk,ik->ij", diff * diff, s2[a:a + step]) / norm[a:a + step, None])
    return out


def utility(d: np.ndarray, risk: np.ndarray | float) -> np.ndarray:
    """KTAB's u(d, R) = (1 - d)(1 + d R); beyond d = 1 (round-off) it continues linearly as (1 - d)(1 + R)."""
    d = np.asarray(d, dtype=float)
    return np.where(d <= 1.0, (1.0 - d) * (1.0 + d * risk), (1.0 - d) * (1.0 + risk))


def coalition_strengths(weights: np.ndarray, utilities: np.ndarray) -> np.ndarray:
    """C[i, j] = 1e-8 + sum_k max(0, w_k (u_ki - u_kj)): proportional votes for option i over j."""
    n_act, n_opt = utilities.shape
    wu = weights[:, None] * utilities  # (actors, options)
    out = np.empty((n_opt, n_opt))
    step = max(1, _BLOCK_ELEMENTS // max(1, n_opt * n_act))
    for a in range(0, n_opt, step):
        diff = wu[:, a:a + step, None] - wu[:, None, :]  # (actors, block, options)
        out[a:a + step] = np.maximum(diff, 0.0).sum(axis=0)
    out += MIN_COALITION
    np.fill_diagonal(out, MIN_COALITION)
    return out


def conditional_pce(coalitions: np.ndarray) -> np.ndarray:
    """p_i = prod_j P[i>j] / sum_m prod_j P[m>j], with linear P[i>j] = C_ij / (C_ij + C_ji), P[i>i] = 1/2."""
    victory = coalitions / (coalitions + coalitions.T)
    np.fill_diagonal(victory, 0.5)
    with np.errstate(divide="ignore"):
        log_p = np.log(victory).sum(axis=1)  # logs: a product of hundreds of probabilities underflows
    log_p -= log_p.max()
    p = np.exp(log_p)
    return p / p.sum()


def scalar_pce(weights: np.ndarray, utilities: np.ndarray) -> np.ndarray:
    """Probability that each option (column of utilities) wins, with capability-weighted proportional votes."""
    return conditional_pce(coalition_strengths(weights, utilities))


def risk_attitudes(distances: np.ndarray, capability: np.ndarray) -> np.ndarray:
    """KTAB's inferred risk attitudes (BigRRange Mid): actors whose positions are likely to win take more risk."""
    p = scalar_pce(capability, utility(distances, 0.0))
    p_min, p_max = p.min(), p.max()
    if p_max - p_min < 1e-12:  # every position equally likely (e.g. all identical): risk neutral
        return np.zeros_like(p)
    return (3.0 * p - (p_max + 2.0 * p_min)) / (2.0 * (p_max - p_min))


def _challenge_block(hs: np.ndarray, distances: np.ndarray, risk: np.ndarray, w: np.ndarray,
                     s_tot: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """P[i beats j] and i's expected gain, for challengers hs against every j, as each i estimates them."""
    n = distances.shape[0]
    r_est = (2.0 * risk[hs, None] + risk[None, :]) / 3.0  # (B, a): h's estimate of a's attitude
    uh = utility(distances[None, :, :], r_est[:, :, None])  # (B, a, b) = U^h_ab
    rows = np.arange(len(hs))
    uii = uh[rows, hs, hs]  # (B,)
    uij = uh[rows, hs, :]  # (B, j)
    uji = uh[rows, :, hs]  # (B, j), also U^h_ni for third parties n
    diag = np.einsum("bii->bi", uh)  # (B, n): U^h_nn
    ci = w[hs, None] * (uii[:, None] - uij)
    cj = w[None, :] * (uji - diag)
    chij0 = MIN_CHALLENGE_COALITION + np.maximum(ci, 0) + np.maximum(cj, 0)
    chji0 = MIN_CHALLENGE_COALITION - np.minimum(ci, 0) - np.minimum(cj, 0)
    uni = uji[:, None, :]  # (B, 1, n)
    unn = diag[:, None, :]  # (B, 1, n)
    unj = np.swapaxes(uh, 1, 2)  # (B, j, n): U^h_nj
    # third party n's little contest: p_in = (C0_ij + max(0, v)) / (C0_ij + C0_ji + |v|)
    v = w * (uni - unj)
    av = np.abs(v)
    pin = (chij0[:, :, None] + 0.5 * (v + av)) / ((chij0 + chji0)[:, :, None] + av)
    # SemiCommit vote: w_n [p (U_nn - U_ni) + (1 - p)(U_nj - U_nn)] = w_n [g + p (e - g)]
    g = unj - unn
    vote = g + pin * ((unn - uni) - g)
    vote *= w
    vote[:, np.arange(n), np.arange(n)] = 0.0  # third party n == j
    vote[rows, :, hs] = 0.0  # third party n == i
    total = vote.sum(axis=2)
    absolute = np.abs(vote, out=vote).sum(axis=2)
    chij = chij0 + 0.5 * (absolute + total)
    chji = chji0 + 0.5 * (absolute - total)
    p = chij / (chij + chji)
    gain = ((1.0 - s_tot[None, :]) * 2.0 * uii[:, None]
            + s_tot[None, :] * (p * 2.0 * uii[:, None] + (1.0 - p) * 2.0 * uij)
            - (uii[:, None] + uij))
    gain[rows, hs] = -np.inf
    return p, gain


def best_challenges(distances: np.ndarray, risk: np.ndarray, capability: np.ndarray,
                    salience: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each actor's most advantageous target as it estimates it: (target or -1, P[i beats target], gain)."""
    n = distances.shape[0]
    w = capability * salience.sum(axis=1)
    s_tot = salience.sum(axis=1)
    p_all = np.empty((n, n))
    gain_all = np.empty((n, n))
    step_ = max(1, _BLOCK_ELEMENTS // (n * n))
    blocks = [np.arange(h0, min(n, h0 + step_)) for h0 in range(0, n, step_)]

    def work(hs: np.ndarray) -> None:
        p_all[hs], gain_all[hs] = _challenge_block(hs, distances, risk, w, s_tot)

    workers = min(_WORKERS, len(blocks))
    if workers > 1:  # numpy releases the GIL in these array loops: blocks run in parallel
        with ThreadPoolExecutor(workers) as pool:
            list(pool.map(work, blocks))
    else:
        for hs in blocks:
            work(hs)
    best = np.argmax(gain_all, axis=1)  # first maximum, as KTAB scans targets in order
    idx = np.arange(n)
    best_gain = gain_all[idx, best]
    ok = best_gain > MIN_GAIN
    return np.where(ok, best, -1), np.where(ok, p_all[idx, best], 0.0), np.where(ok, best_gain, 0.0)


def _round4(z: np.ndarray) -> np.ndarray:
    """KTAB's round to 4 decimals, (int)(0.5 + 10^4 z) / 10^4 (truncation toward zero)."""
    return np.trunc(0.5 + z * 10000.0) / 10000.0


def interpolate_bargains(x_i: np.ndarray, s_i: np.ndarray, x_j: np.ndarray, s_j: np.ndarray,
                         p_i: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """S2P2 bargain between initiator i and receiver j, weights salience^2 x probability^2 per dimension."""
    p = p_i[:, None]
    wi = s_i**2 * p**2
    wj = s_j**2 * (1.0 - p) ** 2
    den = wi + MIN_BARGAIN_WEIGHT + wj
    b_i = _round4(((wi + MIN_BARGAIN_WEIGHT) * x_i + wj * x_j) / den)
    b_j = _round4((wi * x_i + (wj + MIN_BARGAIN_WEIGHT) * x_j) / den)
    return b_i, b_j


def unique_positions(positions: np.ndarray, tol: float = POSITION_TOLERANCE) -> tuple[np.ndarray, np.ndarray]:
    """KTAB's ueIndices: first appearances of distinct positions, and for each actor its class index."""
    uniq: list[int] = []
    cls = np.empty(len(positions), dtype=int)
    for i, x in enumerate(positions):
        if uniq:
            d = np.linalg.norm(positions[uniq] - x, axis=1)
            hit = np.flatnonzero(d < tol)
            if hit.size:
                cls[i] = hit[0]
                continue
        uniq.append(i)
        cls[i] = len(uniq) - 1
    return np.array(uniq), cls


@dataclass(frozen=True)
class SmpState:
    """What one state of the SMP knows: positions, ideals and the actors' risk attitudes there."""

    positions: np.ndarray
    ideals: np.ndarray
    risk: np.ndarray
    distances: np.ndarray


def assess(positions: np.ndarray, ideals: np.ndarray, problem: BargainingProblem) -> SmpState:
    """Distances and risk attitudes of a state (KTAB setAllAUtil)."""
    d = weighted_distances(ideals, positions, problem.salience)
    return SmpState(positions, ideals, risk_attitudes(d, problem.capability), d)


def position_probabilities(state: SmpState, capability: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """KTAB's win probability of each actor's position, and the same split among actors sharing it."""
    uniq, cls = unique_positions(state.positions)
    u_own = utility(state.distances, state.risk[:, None])
    p_unique = scalar_pce(capability, u_own[:, uniq])
    per_actor = p_unique[cls]
    counts = np.bincount(cls, minlength=len(uniq))
    return per_actor, per_actor / counts[cls]


@dataclass(frozen=True)
class RoundDetail:
    """Who challenged whom in a round, with the challenger's estimate of winning, and the moves chosen."""

    targets: np.ndarray
    probabilities: np.ndarray
    gains: np.ndarray


def step(state: SmpState, problem: BargainingProblem) -> tuple[np.ndarray, RoundDetail]:
    """One KTAB round: challenges, bargains, each actor's choice among its bargains; returns new positions."""
    n = problem.n_actors
    cap, sal = problem.capability, problem.salience
    x = state.positions
    targets, probs, gains = best_challenges(state.distances, state.risk, cap, sal)
    init = np.flatnonzero(targets >= 0)
    rcvr = targets[init]
    b_init, b_rcvr = interpolate_bargains(x[init], sal[init], x[rcvr], sal[rcvr], probs[init])

    u_obj = utility(state.distances, state.risk[:, None])  # U_an with a's own attitude
    total = u_obj.sum(axis=1)
    u_bi = utility(weighted_distances(state.ideals, b_init, sal), state.risk[:, None])  # (actors, bargains)
    u_br = utility(weighted_distances(state.ideals, b_rcvr, sal), state.risk[:, None])
    value = (total[:, None] - u_obj[:, init] - u_obj[:, rcvr] + u_bi + u_br) / n  # (actors, bargains)
    value_sq = total / n

    new = x.copy()
    for k in range(n):
        options = np.flatnonzero((init == k) | (rcvr == k))  # bargains by initiator order, as KTAB lists them
        if options.size == 0:
            continue
        u = np.column_stack([value_sq, value[:, options]])
        choice = int(np.argmax(scalar_pce(cap, u)))
        if choice == 0:
            continue
        b = options[choice - 1]
        new[k] = b_init[b] if init[b] == k else b_rcvr[b]
    return new, RoundDetail(targets, probs, gains)


def next_ideals(ideals: np.ndarray, positions: np.ndarray, accommodation: np.ndarray | None) -> np.ndarray:
    """Ideals after a move: y' = A x' + (1 - rowsum A) y; with no accommodation matrix, y' = x'."""
    if accommodation is None:
        return positions.copy()
    lag = np.clip(1.0 - accommodation.sum(axis=1), 0.0, 1.0)
    return accommodation @ positions + lag[:, None] * ideals


@dataclass(frozen=True)
class SmpResult:
    """A KTAB SMP run: positions per state (0–1), risk attitudes, win probabilities, convergence ratios."""

    problem: BargainingProblem
    positions: np.ndarray  # (rounds + 1, actors, dims), 0–1
    risk: np.ndarray  # (rounds + 1, actors)
    position_win_probabilities: np.ndarray  # (rounds + 1, actors), KTAB's
    win_probabilities: np.ndarray  # (rounds + 1, actors), sums to 1 per state
    ratios: np.ndarray  # (rounds + 1,), movement relative to the first round's (+1e-4); nan for state 0
    challenges: list[RoundDetail] = field(default_factory=list)
    converged: bool = True

    @property
    def rounds(self) -> int:
        """Number of rounds (steps between states)."""
        return self.positions.shape[0] - 1

    @property
    def final_positions(self) -> np.ndarray:
        """Positions after the last round, on the input's scale."""
        return self.problem.to_scale(self.positions[-1])


def state_distance(a: np.ndarray, b: np.ndarray) -> float:
    """KTAB stateDist: sum over actors of the Euclidean move."""
    return float(np.linalg.norm(a - b, axis=1).sum())


def run_smp(problem: BargainingProblem, max_rounds: int = 100, tolerance: float = 0.02) -> SmpResult:
    """Run KTAB's SMP to convergence (movement below `tolerance` of the first round's) or `max_rounds`."""
    if max_rounds < 1:
        raise ValueError("max_rounds must be at least 1")
    x = np.array(problem.positions, dtype=float)
    ideals = x.copy()
    state = assess(x, ideals, problem)
    states = [state]
    details: list[RoundDetail] = []
    ratios = [np.nan]
    d01 = None
    converged = False
    for t in range(1, max_rounds + 1):
        new, detail = step(state, problem)
        ideals = next_ideals(state.ideals, new, problem.accommodation)
        state = assess(new, ideals, problem)
        states.append(state)
        details.append(detail)
        move = state_distance(states[-1].positions, states[-2].positions)
        if d01 is None:
            d01 = move + MIN_SIGNIFICANT_DELTA
        ratio = move / d01
        ratios.append(ratio)
        if t >= 2 and ratio < tolerance:
            converged = True
            break
    probs = [position_probabilities(s, problem.capability) for s in states]
    return SmpResult(problem=problem, positions=np.stack([s.positions for s in states]),
                     risk=np.stack([s.risk for s in states]),
                     position_win_probabilities=np.stack([p[0] for p in probs]),
                     win_probabilities=np.stack([p[1] for p in probs]), ratios=np.array(ratios),
                     challenges=details, converged=converged)
