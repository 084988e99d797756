r"""Where the parties stand between sessions: KTAB's spatial model of politics (SMP) on one issue, compiled.

Between negotiating sessions the actors' positions on each issue move as KTAB's SMP moves them, with KTAB's
defaults (the settings and equations of `detente.bargaining.smp`, whose module docstring derives them from
KTAB's source): risk attitudes from each position's chance, challenges estimated by each challenger with
third parties' semi-committed votes, S2P2 bargains rounded to four decimals, each actor's choice among the
bargains that involve it by a capability-weighted probability of collective choice, ideals that follow
positions, and KTAB's stopping rule (movement below 2% of the first round's, from the second round on; at
most 100 rounds). The table bargains one issue at a time (an actor without a position on an issue sits that
issue out), and on one dimension KTAB's salience drops out of every comparison, so an actor's weight on an
issue is capability × salience, as `detente bargain SCENARIO.yaml` weighs it (`bargaining.scenario_table`);
at the table it is also scaled by battlefield leverage (`mediation.leverage_scale`), so the front moves it.

This is the one-dimensional SMP written for numba over one issue's actors; `detente bargain` runs the
N-dimensional NumPy form (`bargaining.smp`) on files of any size. tests/test_table_positions.py holds the two
to the same final positions on every issue of the baseline's table.
"""

from __future__ import annotations

import math

import numba
import numpy as np

from detente.dynamics.mechanism import cached_with
from detente.table import mediation

MIN_COALITION = 1e-8            # KTAB Model::coalitions
MIN_CHALLENGE_COALITION = 1e-10  # KTAB SMPState::probEduChlg
MIN_GAIN = 1e-5                 # KTAB SMPState::bestChallenge
MIN_BARGAIN_WEIGHT = 1e-6       # KTAB SMPActor::interpBrgnSnPm
MIN_SIGNIFICANT_DELTA = 1e-4    # KTAB configExec minSigDelta
MAX_ROUNDS, TOLERANCE = 100, 0.02


@numba.njit(cache=True, inline="always")
def utility(d: float, risk: float) -> float:
    """KTAB's u(d, R) = (1 − d)(1 + d R); beyond d = 1 (round-off) it continues linearly as (1 − d)(1 + R)."""
    return (1.0 - d) * (1.0 + d * risk) if d <= 1.0 else (1.0 - d) * (1.0 + risk)


@numba.njit(cache=True, inline="always")
def distance(ideal: float, position: float) -> float:
    """d = |y − x| on one issue (KTAB's salience-weighted distance with one dimension)."""
    diff = ideal - position
    return math.sqrt(diff * diff * 1.0 / 1.0)


@numba.njit(cache=True)
def scalar_pce(weights, util, out) -> None:
    """Probability that each option (column of util (actors, options)) wins, capability-weighted proportional
    votes (KTAB's Conditional PCE): C_ij = 1e-8 + Σ_k max(0, w_k (u_ki − u_kj)), P[i>j] = C_ij / (C_ij + C_ji),
    p_i ∝ Π_j P[i>j] (P[i>i] = ½), computed in logs. Writes out (options,)."""
    n_act, n_opt = util.shape
    for i in range(n_opt):
        total = 0.0
        for j in range(n_opt):
            if i == j:
                total += math.log(0.5)
                continue
            c_ij, c_ji = 0.0, 0.0
            for k in range(n_act):
                diff = weights[k] * util[k, i] - weights[k] * util[k, j]
                c_ij += max(diff, 0.0)
                c_ji += max(-diff, 0.0)
            c_ij += MIN_COALITION
            c_ji += MIN_COALITION
            total += math.log(c_ij / (c_ij + c_ji))
        out[i] = total
    top = out.max()
    norm = 0.0
    for i in range(n_opt):
        out[i] = math.exp(out[i] - top)
        norm += out[i]
    for i in range(n_opt):
        out[i] /= norm


@numba.njit(cache=True)
def assess(x, y, weights, d, risk, scratch_u, scratch_p) -> None:
    """Distances d[i, j] = |y_i − x_j| and KTAB's inferred risk attitudes (BigRRange Mid) of a state."""
    n = x.size
    for i in range(n):
        for j in range(n):
            d[i, j] = distance(y[i], x[j])
            scratch_u[i, j] = utility(d[i, j], 0.0)
    scalar_pce(weights, scratch_u, scratch_p)
    p_min, p_max = scratch_p.min(), scratch_p.max()
    for i in range(n):
        risk[i] = 0.0 if p_max - p_min < 1e-12 else (3.0 * scratch_p[i] - (p_max + 2.0 * p_min)) / (
            2.0 * (p_max - p_min))


@numba.njit(cache=True)
def best_challenge(h, d, risk, w, uh):
    """Challenger h's most advantageous target as it estimates it: (target or −1, P[h beats target]). uh (n, n)
    scratch: U^h_ab = u(d_ab, (2 R_h + R_a) / 3)."""
    n = d.shape[0]
    for a in range(n):
        r_est = (2.0 * risk[h] + risk[a]) / 3.0
        for b in range(n):
            uh[a, b] = utility(d[a, b], r_est)
    uii = uh[h, h]
    best, best_gain, best_p = -1, -np.inf, 0.0
    for j in range(n):
        if j == h:
            continue
        uij = uh[h, j]
        ci = w[h] * (uii - uh[h, j])
        cj = w[j] * (uh[j, h] - uh[j, j])
        chij0 = MIN_CHALLENGE_COALITION + max(ci, 0.0) + max(cj, 0.0)
        chji0 = MIN_CHALLENGE_COALITION - min(ci, 0.0) - min(cj, 0.0)
        total, absolute = 0.0, 0.0
        for m in range(n):  # third party m's semi-committed vote
            if m == j or m == h:
                vote = 0.0
            else:
                v = w[m] * (uh[m, h] - uh[m, j])
                av = abs(v)
                pin = (chij0 + 0.5 * (v + av)) / ((chij0 + chji0) + av)
                g = uh[m, j] - uh[m, m]
                vote = (g + pin * ((uh[m, m] - uh[m, h]) - g)) * w[m]
            total += vote
            absolute += abs(vote)
        chij = chij0 + 0.5 * (absolute + total)
        chji = chji0 + 0.5 * (absolute - total)
        p = chij / (chij + chji)
        gain = ((1.0 - 1.0) * 2.0 * uii + 1.0 * (p * 2.0 * uii + (1.0 - p) * 2.0 * uij)) - (uii + uij)
        if gain > best_gain:
            best, best_gain, best_p = j, gain, p
    if best_gain > MIN_GAIN:
        return best, best_p
    return -1, 0.0


@numba.njit(cache=True, inline="always")
def round4(z: float) -> float:
    """KTAB's round to four decimals, (int)(0.5 + 10⁴ z) / 10⁴."""
    return math.trunc(0.5 + z * 10000.0) / 10000.0


@numba.njit(cache=True)
def smp_round(x, y, weights, d, risk, new, work):
    """One KTAB round on one issue (positions x, ideals y, weights (n,)): challenges, S2P2 bargains, each actor's
    choice among the bargains that involve it; writes the new positions. work: (n, n) × 3 and (n,) scratch."""
    n = x.size
    uh, u_obj, options_u = work[0], work[1], work[2]
    target, prob = np.empty(n, np.int64), np.empty(n)
    for h in range(n):
        target[h], prob[h] = best_challenge(h, d, risk, weights, uh)
    b_init, b_rcvr = np.empty(n), np.empty(n)
    for i in range(n):
        if target[i] >= 0:
            j, p = target[i], prob[i]
            wi, wj = 1.0 * p ** 2, 1.0 * (1.0 - p) ** 2
            den = wi + MIN_BARGAIN_WEIGHT + wj
            b_init[i] = round4(((wi + MIN_BARGAIN_WEIGHT) * x[i] + wj * x[j]) / den)
            b_rcvr[i] = round4((wi * x[i] + (wj + MIN_BARGAIN_WEIGHT) * x[j]) / den)
    total = np.zeros(n)
    for a in range(n):
        for m in range(n):
            u_obj[a, m] = utility(d[a, m], risk[a])
            total[a] += u_obj[a, m]
    chance = np.empty(n + 1)
    for k in range(n):
        new[k] = x[k]
        m = 0  # actor k's options: the status quo, then each bargain it is part of, by initiator
        for a in range(n):
            options_u[a, 0] = total[a] / n
        for i in range(n):
            j = target[i]
            if j < 0 or (i != k and j != k):
                continue
            m += 1
            for a in range(n):
                u_bi = utility(distance(y[a], b_init[i]), risk[a])
                u_br = utility(distance(y[a], b_rcvr[i]), risk[a])
                options_u[a, m] = (total[a] - u_obj[a, i] - u_obj[a, j] + u_bi + u_br) / n
        if m == 0:
            continue
        scalar_pce(weights, options_u[:, :m + 1], chance[:m + 1])
        choice = np.argmax(chance[:m + 1])
        if choice == 0:
            continue
        seen = 0
        for i in range(n):
            j = target[i]
            if j < 0 or (i != k and j != k):
                continue
            seen += 1
            if seen == choice:
                new[k] = b_init[i] if i == k else b_rcvr[i]
                break


@numba.njit(cache=True)
def smp(ideals, weights, out) -> int:
    """KTAB's SMP on one issue from positions at the ideals (0–1) to convergence: writes the final positions
    into out (n,) and returns the rounds run."""
    n = ideals.size
    x, y, new = ideals.copy(), ideals.copy(), np.empty(n)
    d, risk = np.empty((n, n)), np.empty(n)
    work = np.empty((3, n, n + 1))
    scratch_u, scratch_p = np.empty((n, n)), np.empty(n)
    assess(x, y, weights, d, risk, scratch_u, scratch_p)
    first, rounds = 0.0, 0
    for t in range(1, MAX_ROUNDS + 1):
        smp_round(x, y, weights, d, risk, new, work)
        move = 0.0
        for i in range(n):
            step = new[i] - x[i]
            move += math.sqrt(step * step)
            x[i] = new[i]
            y[i] = new[i]  # ideals follow positions (KTAB's identity accommodation)
        assess(x, y, weights, d, risk, scratch_u, scratch_p)
        rounds = t
        if t == 1:
            first = move + MIN_SIGNIFICANT_DELTA
        if t >= 2 and move / first < TOLERANCE:
            break
    out[:] = x
    return rounds


# ------------------------------------------------------------------ Bueno de Mesquita's model (BDM), one issue
# The equations of `detente.bargaining.bdm` (Scholz, Calbert & Smith 2011, Q = T = 1) for one issue whose
# actors all have salience 1 (the scenario's table: weight = capability × salience, `bargaining.scenario_table`).

@numba.njit(cache=True, inline="always")
def bdm_utility(base: float, r: float) -> float:
    """2 − 4 base^r, BDM's risk-shaped utility (base clipped to [0, 1] against round-off)."""
    return 2.0 - 4.0 * min(max(base, 0.0), 1.0) ** r


@numba.njit(cache=True, inline="always")
def challenge_eu(d: float, d_mu: float, s_j: float, p_ij: float, r: float) -> float:
    """Expected gain of a challenge at distance d, judged with risk exponent r (Q = T = 1)."""
    q, t = 1.0, 1.0
    u_s, u_f = bdm_utility(0.5 - 0.5 * d, r), bdm_utility(0.5 + 0.5 * d, r)
    u_sq = bdm_utility(0.5, r)
    u_b, u_w = bdm_utility(0.5 - 0.25 * (d_mu + d), r), bdm_utility(0.5 + 0.25 * (d_mu + d), r)
    challenge = s_j * (p_ij * u_s + (1.0 - p_ij) * u_f) + (1.0 - s_j) * u_s
    return challenge - (q * u_sq + (1.0 - q) * (t * u_b + (1.0 - t) * u_w))


@numba.njit(cache=True)
def weighted_median(x, w) -> float:
    """The smallest position with at least half the total weight at or below it."""
    order = np.argsort(x, kind="mergesort")
    cum = np.cumsum(w[order])
    return x[order][np.searchsorted(cum, 0.5 * cum[-1] - 1e-12 * cum[-1])]


@numba.njit(cache=True)
def bdm_round(x, w, new) -> None:
    """One BDM round on one issue (positions scaled to the issue's initial range, weights w, saliences 1):
    proposals, then every actor takes the proposal asking it to move least; all move at once."""
    n = x.size
    mu = weighted_median(x, w)
    p = np.empty((n, n))
    for i in range(n):
        for j in range(n):
            pro, tot = 0.0, 0.0
            for k in range(n):
                v = w[k] * (abs(x[k] - x[j]) - abs(x[k] - x[i]))
                pro += max(v, 0.0)
                tot += abs(v)
            p[i, j] = pro / tot if tot > 0 else 0.5
    vuln = np.zeros(n)
    for b in range(n):
        for a in range(n):
            vuln[b] += 0.0 if a == b else challenge_eu(abs(x[a] - x[b]), abs(x[a] - mu), 1.0, p[a, b], 1.0)
    lo, hi = vuln.min(), vuln.max()
    r = np.ones(n)
    if hi - lo >= 1e-12:
        for i in range(n):
            big_r = (2.0 * vuln[i] - hi - lo) / (hi - lo)
            r[i] = (1.0 - big_r / 3.0) / (1.0 + big_r / 3.0)
    for j in range(n):
        best, best_move, best_offer = -1, np.inf, 0.0
        for i in range(n):
            d = abs(x[i] - x[j])
            e1 = challenge_eu(d, abs(x[i] - mu), 1.0, p[i, j], r[i])
            e2 = challenge_eu(d, abs(x[j] - mu), 1.0, p[j, i], r[i])
            if not (e1 > 0 and not d < 1e-12):
                continue
            conflict = e2 > 0 and e1 > e2
            capitulate = e2 <= 0 and abs(e2) >= e1
            compromise = e2 <= 0 and abs(e2) < e1
            if not (conflict or capitulate or compromise):
                continue
            ratio = abs(e2) / e1 if compromise else 1.0
            offer = x[j] + (x[i] - x[j]) * ratio
            move = abs(offer - x[j])
            if move < best_move:
                best, best_move, best_offer = i, move, offer
        new[j] = best_offer if best >= 0 else x[j]


@numba.njit(cache=True)
def bdm(ideals, weights, out) -> int:
    """BDM on one issue from the ideals until nobody moves, or the forecast (weighted median) has held for five
    rounds, or 100 rounds (`bargaining.bdm.run_bdm`); writes the final positions, returns the rounds."""
    n = ideals.size
    x, new, scaled, moved_to = ideals.copy(), np.empty(n), np.empty(n), np.empty(n)
    lo = ideals.min()
    span = ideals.max() - lo if ideals.max() - lo > 0 else 1.0
    median, steady, rounds = weighted_median(x, weights), 0, 0
    for t in range(1, MAX_ROUNDS + 1):
        for i in range(n):
            scaled[i] = (x[i] - lo) / span
        bdm_round(scaled, weights, moved_to)
        moved = 0.0
        for i in range(n):
            new[i] = lo + span * moved_to[i]
            moved = max(moved, abs(new[i] - x[i]))
        x[:] = new
        rounds = t
        if moved <= 1e-6:
            break
        new_median = weighted_median(x, weights)
        steady = steady + 1 if abs(new_median - median) <= 1e-6 else 0
        median = new_median
        if steady >= 5:
            break
    out[:] = x
    return rounds


SMP, BDM = 1, 2  # table.mediation.draft_from: smp, bdm
MODELS = {"smp": SMP, "bdm": BDM}
GRID = 0.05   # step of the leverage exponent λL/2 the positions are computed on: each belligerent's weight lies within
              # e^{±0.025} (±2.5%) of its exact value (placeholder; the old rule recomputed at a 10% change)
CACHE = 256   # results kept per issue in a block (placeholder; past it a result is computed and not kept)


@numba.njit(cache=True, inline="always")
def leverage_step(leverage_weight: float, lev: float) -> float:
    """λL/2 rounded to the GRID (0 where leverage is not yet read): positions move with the front by steps."""
    x = leverage_weight * lev / 2.0
    return math.floor(x / GRID + 0.5) * GRID if math.isfinite(x) else 0.0


@numba.njit(cache=True)
def between_sessions(run, ideal, salience, capability, positioned, side_sign, last_weight, last_ideal, last_q, stand,
                     first, model, memo_in, memo_out, memo_count):
    """Move each run's positions on each issue by SMP where its inputs have moved since they were last computed
    (first: compute everywhere). The inputs are the ideals and the weights w_a = c_a s_a e^{±q} of the actors with
    a position on the issue (positioned (A, K)), q = λL/2 rounded to the GRID (`leverage_step`), so a run's weights
    change only when the front moves its leverage by a step or a successor brings his ideals; with λ = 0 they are
    c_a s_a exactly (`detente bargain`'s). The model (SMP with KTAB's stopping rule, or BDM, `bdm`) starts from the
    ideals each time and runs to convergence; an issue with fewer than two actors, or none who cares, is not
    bargained (positions stay at the ideals). The model's result depends on its inputs only, so results are kept per
    issue (memo_in (K, CACHE, 2, A): weights and ideals; memo_out (K, CACHE, A); memo_count (K, 2): entries, last
    hit) and every run and week with like inputs takes the one computation. Writes stand (N, A, K) and the inputs
    used (last_weight, last_ideal, and last_q (N,) the q they were computed at): a run whose q is the one it was
    last computed at has the same weights, so, unless its ideals changed since (the caller then sets its last_q to
    NaN), nothing of it moves and it is passed over without reading its A × K inputs (most runs, most weeks)."""
    N, A, K = ideal.shape
    w, y, out, who, scale = np.empty(A), np.empty(A), np.empty(A), np.empty(A, np.int64), np.empty(A)
    for n in range(N):
        p = run[n]
        q = leverage_step(p.leverage_weight, p.lev)
        if q == last_q[n] and not first:
            continue
        last_q[n] = q
        up, down = math.exp(q), math.exp(-q)  # e^{±q}, once per run: side_sign is +1, −1 or 0
        for a in range(A):
            scale[a] = up if side_sign[a] > 0 else (down if side_sign[a] < 0 else 1.0)
        for k in range(K):
            m, moved, cares = 0, first, False
            for a in range(A):
                if not positioned[a, k]:
                    continue
                weight = capability[n, a, k] * salience[n, a, k] * scale[a]
                moved = moved or weight != last_weight[n, a, k] or ideal[n, a, k] != last_ideal[n, a, k]
                who[m], w[m], y[m] = a, weight, ideal[n, a, k]
                cares = cares or weight > 0
                m += 1
            if not moved:
                continue
            for i in range(m):
                last_weight[n, who[i], k], last_ideal[n, who[i], k] = w[i], y[i]
            if m < 2 or not cares:
                for i in range(m):
                    stand[n, who[i], k] = y[i]
                continue
            found = -1
            count, last = memo_count[k, 0], memo_count[k, 1]
            for c0 in range(count):
                c = (last + c0) % count  # the last hit first: neighbouring runs share their inputs
                same = True
                for i in range(m):
                    if memo_in[k, c, 0, i] != w[i] or memo_in[k, c, 1, i] != y[i]:
                        same = False
                        break
                if same:
                    found = c
                    break
            if found < 0:
                if model == SMP:
                    smp(y[:m].copy(), w[:m].copy(), out[:m])
                else:
                    bdm(y[:m].copy(), w[:m].copy(), out[:m])
                if count < memo_in.shape[1]:
                    found = count
                    memo_count[k, 0] = count + 1
                    for i in range(m):
                        memo_in[k, found, 0, i], memo_in[k, found, 1, i], memo_out[k, found, i] = w[i], y[i], out[i]
            if found >= 0:
                memo_count[k, 1] = found
                for i in range(m):
                    out[i] = memo_out[k, found, i]
            for i in range(m):
                stand[n, who[i], k] = out[i]


cached_with(between_sessions, mediation)  # its cache follows the equations it compiles in
