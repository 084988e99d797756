"""Summits and direct talks are coupled to the table's sessions: a summit week brings a session (so a deal can
come that week), and direct talks hold one without the mediator at work."""

from __future__ import annotations

import numpy as np

from conftest import table_after_block, write_variant
from detente.scenario.loader import load_scenario

QUIET = """extends: {baseline}
name: quiet-table
horizon_weeks: 30
set:
  table.mediation.sessions_per_week: 0.0        # the mediator never sits down on his own
  table.one_offs.summit.rate_per_year: 12.0
  table.one_offs.summit.session: %s
"""


class MediatorGone:
    """The mediator has walked away (as the US option `walk_away` sets it): `WarState.mediating` is 0."""

    name = "mediator_gone"

    def start(self, model, state, context):  # noqa: ANN001, ANN201
        return state.replace(mediating=np.zeros(state.runs))

    def act(self, state, context):  # noqa: ANN001, ANN201
        return state.replace(mediating=np.zeros(state.runs))

    def observe(self, state, report):  # noqa: ANN001, ANN201
        return None

    def metrics(self):  # noqa: ANN201
        return {}

    def weekly(self):  # noqa: ANN201
        return {}

    def tables(self):  # noqa: ANN201
        return {}


def _table(tmp_path, text, name, before=()):
    scenario = load_scenario(write_variant(tmp_path, text, name)).scenario
    return table_after_block(scenario, seed=5, runs=60, before=before)


def test_deals_come_only_in_summit_weeks_when_summits_bring_sessions(tmp_path):
    with_summits = _table(tmp_path, QUIET % "1.0", "summits.yaml")
    first = with_summits.books["first_agreed"]                       # (N, G): the week each was first signed
    runs, gs = np.nonzero(first > 0)
    assert runs.size > 10                                            # summits bring deals
    summit_weeks = with_summits.boost > 0                            # (N, W+1)
    assert summit_weeks[runs, first[runs, gs]].all()                 # every first signing in a summit week
    without = _table(tmp_path, QUIET % "0.0", "no-summits.yaml")
    assert (without.books["first_agreed"] < 0).all()                 # no session, no deal


def test_direct_talks_hold_a_session_without_the_mediator(tmp_path):
    direct = """extends: {baseline}
name: direct
horizon_weeks: 30
set:
  table.one_offs.summit.session: 0.0
  table.one_offs.talks_direct.rate_per_year: 12.0
"""
    gone = [lambda m: MediatorGone()]
    talks = _table(tmp_path, direct, "direct.yaml", gone)
    assert (talks.run["mediating"] == 0).all()
    first = talks.books["first_agreed"]
    runs, gs = np.nonzero(first > 0)
    assert runs.size > 10 and (talks.boost[runs, first[runs, gs]] > 0).all()
    none = _table(tmp_path, direct.replace("rate_per_year: 12.0", "rate_per_year: 0.0"), "none.yaml", gone)
    assert (none.books["first_agreed"] < 0).all()
