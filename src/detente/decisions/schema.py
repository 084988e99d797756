"""Scenario section `decisions:` (actors' options, policies, beliefs). Being built in the decisions issue."""

from __future__ import annotations

from detente.scenario.params import Strict


class DecisionSetup(Strict):
    """Actors' options and how they choose among them."""
