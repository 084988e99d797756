"""The escalation scale: a fixed action log's score equals the hand sum; nuclear use has a threshold."""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from detente.decisions import escalation


def test_scale_points() -> None:
    assert escalation.points("Wait") == 0
    assert escalation.points("Start formal peace negotiations") == -2
    assert escalation.points("Supply weapons to others") == 4
    assert escalation.points("Impose trade restrictions") == 12
    assert escalation.points("Execute full on invasion") == 28
    assert escalation.points("Execute tactical nuclear strike") == 60
    assert escalation.points("violent_escalation") == 28


def test_fixed_action_log_equals_hand_sum() -> None:
    # two actors over three weeks
    russia = [["Execute targeted attack"], ["Execute targeted attack", "Occupy border city of attacked nation"],
              ["Execute tactical nuclear strike"]]
    us = [["Start formal peace negotiations"], ["Impose trade restrictions", "Supply weapons to others"], ["Wait"]]
    weekly = np.array([escalation.option_points(r) + escalation.option_points(u) for r, u in zip(russia, us)])
    hand = np.array([28 - 2, 28 + 28 + 12 + 4, 60 + 0])
    np.testing.assert_array_equal(weekly, hand)
    summary = escalation.summary(np.concatenate([[0.0], weekly])[None, :])
    assert summary["escalation_peak"][0] == 72 and summary["escalation_mean"][0] == hand.mean()


def test_copies_are_read_from_the_project() -> None:
    assert "shared" not in str(escalation._data_dir())
    assert len(escalation.action_categories()) == 27


# --- the measured weekly score --------------------------------------------------------------------------
from detente.decisions.escalation import MeasuredScale, WeekView, energy_destroyed, measured_week  # noqa: E402
from detente.dynamics import strikes  # noqa: E402

REPAIR = np.array([0.05, 0.12])  # (russia, ukraine) as in the baseline
HOME = np.array([True, False, False])  # regions: a Russian home region, two Ukrainian ones


def _view(energy=(0.9, 0.9), control=(1.0, 0.5, 0.0), truce=(0.0, 0.0, 0.0, 0.0), foreign=(0.0, 0.0, 0.0)):
    a = lambda x: np.array([x], float)  # noqa: E731  one run
    return WeekView(a(energy), a(control), a(truce), a(foreign))


def _quiet_after(before: WeekView) -> WeekView:
    """The week after with no strikes: energy only repaired."""
    return WeekView(before.energy + REPAIR * (1 - before.energy), before.control.copy(), before.truce.copy(),
                    before.foreign_troops.copy())


def _score(before, after, announced=0, nuclear=0, unit=0.02):
    return measured_week(before, after, np.array([announced]), np.array([nuclear]),
                         MeasuredScale(repair=REPAIR, home=HOME, strike_unit=unit))


def test_a_quiet_week_scores_status_quo_or_posturing_only() -> None:
    before = _view()
    after = _quiet_after(before)
    after.control[0, 1] = 0.55  # ground moves inside a region already fought over: the war as it was
    assert _score(before, after)["total"][0] == 0.0
    signalled = _score(before, after, announced=2)
    assert signalled["total"][0] == 2 * escalation.CATEGORY_POINTS["posturing"] == 8.0
    assert signalled["energy_strikes"][0] == signalled["new_regions"][0] == signalled["truce_violations"][0] == 0


def test_an_energy_strike_week_scores_violent_escalation() -> None:
    before = _view()
    after = _quiet_after(before)
    after.energy[0, 1] -= 0.05  # Ukraine loses 5% of pre-war capacity beyond what repair restored
    scored = _score(before, after)
    assert scored["energy_strikes"][0] == 2 * 28.0  # two attacks of 2% each (⌊0.05/0.02⌋)
    assert scored["total"][0] == 56.0
    after.energy[0, 0] -= 0.021  # and Russia loses 2.1%: one more attack, by the other side
    assert _score(before, after)["energy_strikes"][0] == 3 * 28.0
    assert _score(before, after, unit=0.1)["energy_strikes"][0] == 0.0  # below one attack's size: none


def test_destroyed_energy_is_read_back_from_the_strike_mechanism() -> None:
    energy = np.array([[0.8, 0.6], [0.9, 0.95]])
    rate, air, factor, noise = np.array([0.045, 0.1]), np.array([0.3, 0.5]), np.ones((2, 2)), np.zeros((2, 2))
    for truce, expected_zero in ((np.zeros(2), False), (np.ones(2), True)):
        after = np.array([[strikes.energy_after(energy[n, s], rate[1 - s] * factor[n, 1 - s], air[s], truce[n],
                                                REPAIR[s], 0.0, noise[n, s]) for s in range(2)] for n in range(2)])
        destroyed = energy_destroyed(energy, after, REPAIR)
        hit = np.stack([rate[1] * (1 - air[0]), rate[0] * (1 - air[1])]) * energy * (1 - truce[:, None])
        np.testing.assert_allclose(destroyed, hit, atol=1e-12)
        assert (destroyed == 0).all() == expected_zero


def test_an_advance_into_a_new_region_scores_it_and_a_deeper_one_does_not() -> None:
    before = _view()
    after = _quiet_after(before)
    after.control[0, 2] = 0.01  # Russia enters the third region (from 0)
    assert _score(before, after)["new_regions"][0] == 28.0
    deeper = _view(control=(1.0, 0.5, 0.01))
    after = _quiet_after(deeper)
    after.control[0, 2] = 0.2
    assert _score(deeper, after)["new_regions"][0] == 0.0
    after = _quiet_after(before)
    after.control[0, 0] = 0.99  # Ukraine crosses into Russia's home region (an incursion)
    assert _score(before, after)["new_regions"][0] == 28.0


def _broken(view: WeekView, *scopes: int) -> WeekView:
    """The view with the table's mark of an agreement broken this week on the given scopes."""
    violated = np.zeros_like(view.truce)
    violated[0, list(scopes)] = 1.0
    return replace(view, truce_violated=violated)


def test_violations_signings_foreign_troops_and_nuclear_use() -> None:
    before = _view(truce=(1.0, 0.0, 0.0, 0.0))
    after = _quiet_after(before)
    after.truce[0] = [0.5, 0.0, 0.0, 1.0]  # the energy truce broken this week; a prisoner exchange signed
    scored = _score(before, _broken(after, 0))
    assert scored["truce_violations"][0] == 28.0 and scored["agreements_signed"][0] == -2.0
    assert scored["total"][0] == 26.0
    after.truce[0, 0] = 1.0  # kept: no violation
    assert _score(before, after)["total"][0] == -2.0
    after.foreign_troops[0, 1] = 5000.0
    assert _score(before, after)["signals"][0] == 4.0
    assert _score(before, after, nuclear=1)["nuclear"][0] == 60.0
    sanctioned = WeekView(after.energy, after.control, after.truce, after.foreign_troops, np.array([1.0]))
    assert _score(before, sanctioned)["sanctions"][0] == 12.0
    assert _score(before, sanctioned)["total"][0] == -2.0 + 4.0 + 12.0


def test_a_truce_held_for_part_of_a_week_is_not_a_violation() -> None:
    """A level between 0 and 1 is the share of the week a scope was stopped (a 36-hour holiday truce writes
    36/168): only the table's mark of an agreement broken makes it a violation, one per breached scope."""
    before = _view(truce=(0.0, 0.0, 1.0, 0.0))
    after = _quiet_after(before)
    after.truce[0] = [36 / 168, 0.0, 1.0, 0.0]  # a holiday truce on energy strikes, the front truce kept
    scored = _score(before, after)
    assert scored["truce_violations"][0] == 0.0
    assert scored["agreements_signed"][0] == -2.0  # an observed truce begun: de-escalation
    after.truce[0, 2] = 0.5  # the front truce broken: half of what it stops resumes
    assert _score(before, _broken(after, 2))["truce_violations"][0] == 28.0
    assert _score(before, after)["truce_violations"][0] == 0.0  # the same levels, no agreement broken: none
    after.truce[0] = [0.3, 0.4, 0.5, 0.0]  # three scopes broken in one week: three attacks, whatever the share
    assert _score(before, _broken(after, 0, 1, 2))["truce_violations"][0] == 3 * 28.0
    after.truce[0, 2] = 1.0  # marked broken but stopped the whole week (nothing resumed): not a breach
    assert _score(before, _broken(after, 2))["truce_violations"][0] == 0.0


def test_the_baseline_score_moves_with_the_war() -> None:
    """On the baseline (real engine, table and decisions) no single value holds most weeks any more."""
    from detente.ensemble.runner import simulate

    result = simulate("scenarios/baseline.yaml", runs=40, seed=3, keep_paths=40)
    weekly = result.paths["escalation_score"][:, 1:]
    _, counts = np.unique(weekly, return_counts=True)
    assert counts.max() / weekly.size < 0.6
    assert (np.diff(weekly, axis=1) != 0).mean() > 0.3
    assert weekly.max() >= 28.0 and weekly.min() <= 0.0
