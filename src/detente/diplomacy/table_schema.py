"""Scenario section `table:` (issues, positions, mediation, agreements). Being built in the bargaining issue."""

from __future__ import annotations

from detente.scenario.params import Strict


class TableSetup(Strict):
    """The bargaining table coupled to the war."""
