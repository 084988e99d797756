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
CACHE = 1 << 16  # slots for the model's results kept in a process, looked up by a hash of the inputs (`kept`;
                 # past three quarters full a result is computed and not kept): 6 MB with four actors
STANDING_GRID = 0.5  # step of the log-weight z_a a backer's will and a leader's support give an actor (placeholder:
                     # a step is a factor e^0.5 ≈ 1.65 of the weight, chosen for cost: 0.1 and 0.25 multiplied the
                     # distinct inputs past what the kept results absorb, docs/table.md); z is held until it moves
                     # a whole step from the held value (hysteresis), so a support that wanders about a grid line
                     # does not rerun the model week after week
FLOOR = 0.01  # will or support below which the ratio is read at the floor (a backer gone, a leader at zero)


@numba.njit(cache=True, inline="always")
def leverage_step(leverage_weight: float, lev: float) -> float:
    """λL/2 rounded to the GRID (0 where leverage is not yet read): positions move with the front by steps."""
    x = leverage_weight * lev / 2.0
    return math.floor(x / GRID + 0.5) * GRID if math.isfinite(x) else 0.0


@numba.njit(cache=True)
def standing(run, party, will, will_start, backer_of, support_start, is_led, held, scale, dirty) -> None:
    """The log-weight each actor's backing and home front give it at the table, held on a grid: updates held
    (N, A), its scale e^held and dirty (N,) (True where a run's standing moved) in place.

        z_a = η_W ln(W_b(a) / W_b(a),0) + η_S ln(S_a / S_a,0)

    W_b(a) the will (N, B) of the backer that is actor a (backer_of (A,), −1 for none: `backers.<id>.actor`,
    Europe's and the United States'), S_a the support of a's leader (`party[n, a].support`, is_led (A,) the
    actors with one) relative to his first week (support_start (N, A), his successor's own), η_W, η_S the run's
    `table.mediation.backer_weight` and `support_weight`. An actor's capability at the table is what it can
    bring to bear on a settlement (Bueno de Mesquita 1994: resources × the will to use them); a backer whose
    public tires carries less weight, and a leader whose home support falls can commit less (Putnam 1988).
    z is held on `STANDING_GRID` and moves only when it has left the held value by a whole step (then to its
    nearest grid point), so SMP reruns for a run when its backing or home front moved by a step, not at every
    week's noise. It is read in the weeks the table sits (`in_session`), where the positions are drafted from.
    With η = 0, z = 0: the weights are capability × salience × leverage, as before."""
    N, A = held.shape
    for n in range(N):
        p = run[n]
        if not p.in_session:
            continue
        for a in range(A):
            z = 0.0
            b = backer_of[a]
            if b >= 0 and p.backer_weight != 0.0:
                z += p.backer_weight * math.log(max(will[n, b], FLOOR) / max(will_start[n, b], FLOOR))
            if is_led[a] and p.support_weight != 0.0:
                z += p.support_weight * math.log(max(party[n, a].support, FLOOR) / max(support_start[n, a], FLOOR))
            if abs(z - held[n, a]) >= STANDING_GRID - 1e-12:
                held[n, a] = math.floor(z / STANDING_GRID + 0.5) * STANDING_GRID
                scale[n, a] = math.exp(held[n, a])
                dirty[n] = True


@numba.njit(cache=True)
def cache_slot(w, y, m, memo_in, used) -> int:
    """The slot of inputs (w, y)[:m] among the kept results (an open-addressed table: memo_in (CACHE, 2, A),
    used[1 + slot] 1 where a slot is taken, used[0] the entries): the slot holding them, else the free slot where
    they go, else −1 (the table past three quarters full: computed and not kept). The hash only picks where to
    look; a slot matches when every weight and ideal is equal."""
    size = memo_in.shape[0]
    h = m
    for i in range(m):
        h = h * 1000003 + int(w[i] * 1e6) * 7919 + int(y[i] * 1e6)
        h = h % 2305843009213693951
    slot = h % size
    for _ in range(size):
        if used[1 + slot] == 0:
            return slot if used[0] < (3 * size) // 4 else -1
        same = True
        for i in range(m):
            if memo_in[slot, 0, i] != w[i] or memo_in[slot, 1, i] != y[i]:
                same = False
                break
        if same:
            return slot
        slot = (slot + 1) % size
    return -1


@numba.njit(cache=True)
def between_sessions(run, ideal, salience, capability, positioned, side_sign, standing_scale, last_weight, last_ideal,
                     last_step, dirty, stand, model, memo_in, memo_out, memo_count):
    """Move each run's positions on each issue by SMP where its inputs have moved since they were last computed: a
    run is looked at where the table sits this week (`in_session`: the mediator drafts from the positions only
    there) and its leverage step moved (last_step (N,)) or it is dirty (N,) (its standing moved, a successor
    brought his ideals; cleared here), and everywhere in the first week. The inputs are the ideals and the weights w_a = c_a s_a e^{±q} e^{z_a} of the actors
    with a position on the issue (positioned (A, K)), q = λL/2 rounded to the GRID (`leverage_step`), e^{z_a} the
    scale its backing and its leader's support give it (standing_scale (N, A), `standing`, on its own grid), so a
    run's weights change only when the front moves its leverage by a step, a backer's will or a leader's support
    moves a's standing by a step, or a successor brings his ideals; with λ = 0 and z = 0 they are c_a s_a exactly
    (`detente bargain`'s). The model (SMP with KTAB's stopping rule, or BDM, `bdm`) starts from the
    ideals each time and runs to convergence; an issue with fewer than two actors, or none who cares, is not
    bargained (positions stay at the ideals). The model's result depends on its inputs only, so results are kept
    (memo_in (CACHE, 2, A): weights and ideals; memo_out (CACHE, A); memo_count (1 + CACHE): entries, then which
    slots are taken; `cache_slot`, `kept`) and every issue, run, week and block with like inputs takes the one
    computation. Writes stand (N, A, K) and the inputs
    used (last_weight, last_ideal)."""
    N, A, K = ideal.shape
    w, y, out, who, scale = np.empty(A), np.empty(A), np.empty(A), np.empty(A, np.int64), np.empty(A)
    for n in range(N):
        p = run[n]
        q = leverage_step(p.leverage_weight, p.lev)
        first = dirty[n] and math.isnan(last_step[n])
        if not first and (not p.in_session or (not dirty[n] and q == last_step[n])):
            continue  # positions are drafted from only where the table sits (`sessions.sit`)
        dirty[n], last_step[n] = False, q
        up, down = math.exp(q), math.exp(-q)  # e^{±q}, once per run: side_sign is +1, −1 or 0
        for a in range(A):
            scale[a] = (up if side_sign[a] > 0 else (down if side_sign[a] < 0 else 1.0)) * standing_scale[n, a]
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
            slot = cache_slot(w, y, m, memo_in, memo_count)
            if slot < 0 or memo_count[1 + slot] == 0:
                if model == SMP:
                    smp(y[:m].copy(), w[:m].copy(), out[:m])
                else:
                    bdm(y[:m].copy(), w[:m].copy(), out[:m])
                if slot >= 0:
                    memo_count[0] += 1
                    memo_count[1 + slot] = 1
                    for i in range(m):
                        memo_in[slot, 0, i], memo_in[slot, 1, i], memo_out[slot, i] = w[i], y[i], out[i]
            else:
                for i in range(m):
                    out[i] = memo_out[slot, i]
            for i in range(m):
                stand[n, who[i], k] = out[i]


cached_with(between_sessions, mediation)  # its cache follows the equations it compiles in


_KEPT: dict[tuple[int, int], tuple[np.ndarray, np.ndarray, np.ndarray]] = {}


def kept(model: int, actors: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The model's results kept for this process (memo_in, memo_out, memo_count of `between_sessions`), one table
    per model and number of actors, made at first use. A memo of a pure function, as `functools.lru_cache`: an
    issue's positions depend only on its weights and ideals (not on the run, the block or the scenario), so a
    result computed in one block serves every later block with the same inputs, and what is kept changes how
    often the model runs, never what it returns (tests/test_table_positions.py)."""
    key = (model, actors)
    if key not in _KEPT:
        _KEPT[key] = (np.zeros((CACHE, 2, actors)), np.zeros((CACHE, actors)), np.zeros(1 + CACHE, np.int64))
    return _KEPT[key]
