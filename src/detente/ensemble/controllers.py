"""The controllers a scenario switches on (the bargaining table, decisions); none in a bare war scenario."""

from __future__ import annotations

from detente.ensemble.runner import ControllerFactory
from detente.scenario.schema import Scenario


def default_controllers(scenario: Scenario) -> tuple[ControllerFactory, ...]:
    """Controllers implied by the scenario's sections."""
    return ()
