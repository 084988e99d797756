"""Levers keep what an option set until another option of the actor sets them; a side that did not consent
to an agreement has no stake restraining its violations."""

from __future__ import annotations

import numpy as np

from conftest import write_variant
from detente.table.agreements import violates
from detente.ensemble.runner import simulate


def test_a_us_that_cuts_aid_and_then_threatens_sends_no_aid(tmp_path):
    """cut_off (aid 0) then threaten (sets no aid lever): no US aid arrives, though aid_per_week is 0.41."""
    scripted = write_variant(tmp_path, """extends: {baseline}
name: us-script
horizon_weeks: 12
set:
  backers.united_states.aid_per_week: 0.41
decisions:
  actors:
    united_states: {policy: script, initial: cut_off, script: {0: cut_off, 4: threaten}}
""")
    armed = write_variant(tmp_path, """extends: {baseline}
name: us-armed
horizon_weeks: 12
set:
  backers.united_states.aid_per_week: 0.41
decisions:
  actors:
    united_states: {policy: script, initial: cut_off, script: {0: cut_off, 4: arm_ukraine, 8: threaten}}
""", "armed.yaml")
    cut_only = write_variant(tmp_path, """extends: {baseline}
name: us-cut
horizon_weeks: 12
set:
  backers.united_states.aid_per_week: 0.41
decisions:
  actors:
    united_states: {policy: script, initial: cut_off, script: {0: cut_off}}
""", "cut.yaml")
    silent = simulate(scripted, runs=32, seed=1)
    # threatening after cutting aid off sends exactly what cutting off alone sends (before: the unset aid
    # lever went back to its start, and a bluffing US armed Ukraine at 0.41 a week)
    # (Europe's aid moves a little with the war a threat changes; 8 weeks of US aid would add about 1.6)
    gap = silent.metrics["aid_delivered_eur_bn"] - simulate(cut_only, runs=32, seed=1).metrics["aid_delivered_eur_bn"]
    assert np.abs(gap).max() < 0.1
    # arming from week 4, then threatening from week 8, keeps arming through week 11: 8 weeks of US aid
    extra = simulate(armed, runs=32, seed=1).metrics["aid_delivered_eur_bn"] - silent.metrics["aid_delivered_eur_bn"]
    assert np.all(extra > 6 * 0.41 * 0.4)


def test_without_consent_the_deals_value_does_not_restrain():
    # temptation 0.1, no shock, the deal worth 0.5 to both sides, shadow of the future 1
    def breaks(consented):
        return violates(0.1, 0.0, 0.0, 0.0, 1.0, consented, 0.5)

    assert not breaks(1.0)       # a side that signed is held by what the deal is worth to it
    assert breaks(0.0)           # a side the deal was struck over has nothing restraining it
