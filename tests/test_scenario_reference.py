"""docs/scenario-reference.md is what tools/scenario_reference.py writes from the models (rerun it after a schema
change), and names every field of every model a scenario can contain."""

from __future__ import annotations

import importlib.util

from tests.conftest import ROOT


def load_tool():
    spec = importlib.util.spec_from_file_location("scenario_reference", ROOT / "tools" / "scenario_reference.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_committed_reference_is_up_to_date():
    tool = load_tool()
    assert tool.PAGE.read_text(encoding="utf-8") == tool.build(), \
        "docs/scenario-reference.md is out of date: run python tools/scenario_reference.py"


def test_every_field_is_documented_with_its_kind():
    from detente.scenario.schema import Combat, Forces, Scenario

    text = (ROOT / "docs" / "scenario-reference.md").read_text(encoding="utf-8")
    for model in (Scenario, Forces, Combat):
        assert f"## {model.__name__}" in text
        for name in model.model_fields:
            assert f"| `{name}` |" in text, name
    assert "| `helmbold_w` | number, probability or share 0–1 | required |" in text
    assert "| `horizon_weeks` | whole number | required | ≥ 1; ≤ 1040 |" in text
    assert "## Param" in text and "## TableSetup" in text and "## DecisionSetup" in text
