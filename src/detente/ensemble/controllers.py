"""The controllers a scenario switches on (the bargaining table, decisions); none in a bare war scenario."""

from __future__ import annotations

from detente.ensemble.runner import ControllerFactory
from detente.scenario.schema import Scenario


def default_controllers(scenario: Scenario) -> tuple[ControllerFactory, ...]:
    """Controllers implied by the scenario's sections."""
    controllers: tuple[ControllerFactory, ...] = ()
    if scenario.inputs:  # dated levers first: decisions and the table may still move them
        from detente.ensemble.schedule import ScheduleFactory

        controllers += (ScheduleFactory(scenario),)
    if scenario.decisions is not None:  # actors who choose (detente.decisions)
        from detente.decisions.controller import DecisionControllerFactory

        controllers += (DecisionControllerFactory(scenario.decisions),)
    if scenario.table is not None:  # the bargaining table, after decisions so it reads this week's levers
        from detente.table.controller import table_controller
        from detente.table.events import events_controller

        controllers += (table_controller(scenario), events_controller(scenario))
        if scenario.table.unilateral_truces:  # declared by one side alone, after the agreed truces are counted
            from detente.table.unilateral import unilateral_controller

            controllers += (unilateral_controller(scenario),)
    return controllers
