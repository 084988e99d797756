"""KTAB's SMP inside the table: the compiled one-issue SMP is `detente bargain`'s, and with no front to move
the weights (a frozen war) the positions the table drafts from are `detente bargain`'s final positions."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from conftest import table_after_block, write_variant
from detente.bargaining.scenario_table import bargain_scenario, issue_problems
from detente.bargaining.bdm import run_bdm
from detente.bargaining.smp import run_smp
from detente.scenario.loader import load_scenario
from detente.dynamics.mechanism import uncompiled
from detente.table.positions import bdm, smp

ROOT = Path(__file__).resolve().parents[1]


def test_the_compiled_smp_is_ktabs_on_every_issue_of_the_baseline():
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml").scenario
    for issue, problem in issue_problems(scenario).items():
        reference = run_smp(problem)
        out = np.empty(problem.n_actors)
        rounds = smp(np.ascontiguousarray(problem.positions[:, 0]), np.asarray(problem.capability, float), out)
        assert rounds == reference.rounds, issue
        np.testing.assert_array_equal(out, reference.positions[-1, :, 0], err_msg=issue)


FROZEN = """extends: {baseline}
name: frozen-smp
horizon_weeks: 6
set:
  table.mediation.draft_from: smp
  table.mediation.leverage_weight: 0.0   # no front: battlefield leverage does not move the weights
  table.mediation.backer_weight: 0.0     # nor the backers' will
  table.mediation.support_weight: 0.0    # nor the leaders' support
"""


@pytest.mark.parametrize("model", ["smp", "bdm"])
def test_smp_inside_the_table_reproduces_detente_bargain_for_a_frozen_war(tmp_path, model):
    path = write_variant(tmp_path, FROZEN.replace("draft_from: smp", f"draft_from: {model}"), f"{model}.yaml")
    scenario = load_scenario(path).scenario
    table = table_after_block(scenario, seed=2, runs=8)
    bargain = bargain_scenario(path, model=model).to_json()
    assert bargain["model"] == model
    final = bargain["final_positions"]
    units = table.agenda.to_units(table.stand)  # (N, A, K) in the issues' units
    checked = 0
    for actor, by_issue in final.items():
        a = table.lay.actors.index(actor)
        for issue, value in by_issue.items():
            k = table.lay.issues.index(issue)
            np.testing.assert_allclose(units[:, a, k], value, atol=5e-5, err_msg=f"{actor} {issue}")
            checked += 1
    assert checked >= 30
    # the mediator drafts from those positions: the same texts are offered in every run (no front, no noise)
    assert np.isfinite(table.stand).all()


def test_the_front_moves_the_positions_only_when_the_weights_move(tmp_path):
    path = write_variant(tmp_path, FROZEN.replace("leverage_weight: 0.0", "leverage_weight: 2.0"), "moving.yaml")
    scenario = load_scenario(path).scenario
    table = table_after_block(scenario, seed=2, runs=8)
    bargain = bargain_scenario(path).to_json()["final_positions"]
    a, k = table.lay.actors.index("russia"), table.lay.issues.index("line_of_control")
    moved = table.agenda.to_units(table.stand)[:, a, k]
    assert not np.allclose(moved, bargain["russia"]["line_of_control"], atol=1e-4)  # leverage moved the weights
    assert np.isfinite(table.last_weight[:, a, k]).all()                             # recomputed from them


def test_the_compiled_bdm_is_the_bargaining_bdm_on_every_issue_of_the_baseline():
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml").scenario
    for issue, problem in issue_problems(scenario).items():
        reference = run_bdm(problem)
        out = np.empty(problem.n_actors)
        rounds = bdm(np.ascontiguousarray(problem.positions[:, 0]), np.asarray(problem.capability, float), out)
        assert rounds == reference.rounds, issue
        np.testing.assert_allclose(out, reference.positions[-1, :, 0], rtol=0, atol=1e-12, err_msg=issue)


def test_the_compiled_smp_is_its_own_python():
    scenario = load_scenario(ROOT / "scenarios" / "baseline.yaml").scenario
    reference = uncompiled(smp)
    for issue, problem in issue_problems(scenario).items():
        ideals, weights = np.ascontiguousarray(problem.positions[:, 0]), np.asarray(problem.capability, float)
        compiled_out, python_out = np.empty(problem.n_actors), np.empty(problem.n_actors)
        assert smp(ideals, weights, compiled_out) == reference(ideals, weights, python_out)
        np.testing.assert_array_equal(compiled_out, python_out, err_msg=issue)


def test_every_runs_positions_are_the_models_on_its_own_gridded_inputs(tmp_path):
    """The results kept by input (`between_sessions`'s memo, kept across blocks) are what SMP gives each run's own
    inputs: the weights c s e^{±q} e^{z}, q = λL/2 on the GRID, z the standing the backers' will and the leaders'
    support give (on its own grid), and the ideals."""
    from detente.table.positions import STANDING_GRID
    from detente.table.positions import GRID, leverage_step
    moving = FROZEN.replace("leverage_weight: 0.0", "leverage_weight: 2.0").replace(
        "backer_weight: 0.0", "backer_weight: 3.0").replace("support_weight: 0.0", "support_weight: 3.0")
    path = write_variant(tmp_path, moving.replace("horizon_weeks: 6", "horizon_weeks: 20"), "moving.yaml")
    scenario = load_scenario(path).scenario
    t = table_after_block(scenario, seed=3, runs=12)
    assert t.memo_count[0] > len(t.lay.issues)  # the front and the home fronts moved some weights across a step
    assert (t.held_standing != 0).any() and np.allclose(t.held_standing / STANDING_GRID,
                                                        np.round(t.held_standing / STANDING_GRID))
    checked, current = 0, 0
    for n in range(12):
        q = leverage_step(t.run[n]["leverage_weight"], t.run[n]["lev"])
        assert abs(q / GRID - round(q / GRID)) < 1e-9
        sat = bool(t.run[n]["in_session"])  # positions move only where the table sits: there they are current
        current += sat
        for k in range(len(t.lay.issues)):
            who = np.flatnonzero(t.positioned[:, k])
            if sat:
                w = (t.agenda.capability[n, who, k] * t.agenda.salience[n, who, k]
                     * np.exp(t.lay.side_sign[who] * q) * np.exp(t.held_standing[n, who]))
                np.testing.assert_allclose(t.last_weight[n, who, k], w, rtol=1e-14)
            out = np.empty(who.size)
            smp(np.array(t.agenda.ideal[n, who, k], float), t.last_weight[n, who, k].copy(), out)
            np.testing.assert_array_equal(t.stand[n, who, k], out)
            checked += 1
    assert checked == 12 * len(t.lay.issues) and current >= 3


STANDING = """extends: {baseline}
name: standing
horizon_weeks: 12
set:
  table.mediation.draft_from: smp
  table.mediation.leverage_weight: 0.0   # the front held still: only Europe's will moves the weights
  table.mediation.backer_weight: 1.0
  table.mediation.support_weight: 0.0
"""


def _stand_after(tmp_path, text, name):
    path = write_variant(tmp_path, text, name)
    scenario = load_scenario(path).scenario
    return table_after_block(scenario, seed=4, runs=16)


def test_a_backers_will_collapse_moves_ukraines_position_towards_russias(tmp_path):
    """Europe's will falling from 0.9 towards nothing takes its weight out of the bargaining between sessions, so
    Ukraine, whose ally at the table it is, is bargained towards Russia's ideals: over the issues Europe sits, the
    distance from Ukraine's position to Russia's ideal shrinks. (Issue by issue SMP is not monotone in one actor's
    weight — its bargains are discrete — so the direction is asserted over Europe's issues together.)"""
    steady = _stand_after(tmp_path, STANDING, "steady.yaml")
    collapse = _stand_after(tmp_path, STANDING + "  backers.europe.will_erosion_per_week: 1.0\n", "collapse.yaml")
    e, u, r = (steady.lay.actors.index(a) for a in ("europe", "ukraine", "russia"))
    assert (collapse.held_standing[:, e] <= -1.5).all() and (np.abs(steady.held_standing[:, e]) <= 0.25).all()
    assert (collapse.standing_scale[:, e] < 0.25).all()
    issues = np.flatnonzero(steady.positioned[e])
    assert issues.size >= 6

    def distance(t):  # (N,) mean over Europe's issues of |Ukraine's position − Russia's ideal|
        return np.abs(t.stand[:, u, issues] - t.agenda.ideal[:, r, issues]).mean(axis=1)

    closer = distance(steady) - distance(collapse)
    assert (closer > 0).all() and closer.mean() > 0.05, closer
