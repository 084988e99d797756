"""Leaders' support and its drivers come from dated polls and the record (tools/leader_support.py), the baseline
uses them, and the casualty driver works as Mueller's log form says."""

from __future__ import annotations

import importlib.util
import json
import math
from datetime import date
from pathlib import Path

import yaml

from detente.table.ratification import support_after

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "calibration" / "leader_support.json"


def _tool():
    spec = importlib.util.spec_from_file_location("leader_support", ROOT / "tools" / "leader_support.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_file_is_what_the_tool_derives():
    assert json.loads(DATA.read_text()) == json.loads(json.dumps(_tool().derive(), ensure_ascii=False))


def test_every_poll_is_dated_before_the_holdout_and_cited():
    d = json.loads(DATA.read_text())
    assert "licence" in d
    for actor, entry in d["leaders"].items():
        for poll in entry["polls"]:
            assert date.fromisoformat(poll["date"]) <= date(2024, 12, 31), (actor, poll)
            assert poll["source"] and poll["url"].startswith("http")
        assert date.fromisoformat(entry["start"]["date"]) <= date(2025, 3, 18)


def test_the_baseline_uses_the_fitted_drivers():
    d = json.loads(DATA.read_text())["leaders"]
    base = yaml.safe_load((ROOT / "scenarios" / "baseline.yaml").read_text())["table"]["party_setup"]
    for actor in ("ukraine", "russia"):
        support = base[actor]["support"]
        for key in ("casualty_log_response", "casualties_before", "noise"):
            assert support[key]["value"] == d[actor][key]["value"], (actor, key)
            assert support[key]["source"] == "leader_support_polls"
    assert d["ukraine"]["casualty_log_response"]["value"] > 0.1           # trust fell as casualties mounted
    assert d["russia"]["casualty_log_response"]["fitted_slope"] > 0       # approval rose: the term is 0
    assert base["united_states"]["support"]["noise"]["value"] > 0            # Trump's support can fall


def test_each_weeks_losses_weigh_less_as_they_mount():
    """Mueller's form: the same week's losses cost less support the more casualties came before; a doubling of
    the cumulative casualties costs κ ln 2."""
    early = support_after(0.6, 0.0, 5000.0, 0.0, 0.0, 0.0, 0.0, 0.157, 100_000.0)
    late = support_after(0.6, 0.0, 5000.0, 0.0, 0.0, 0.0, 0.0, 0.157, 400_000.0)
    assert early < late < 0.6
    doubled = support_after(0.6, 0.0, 100_000.0, 0.0, 0.0, 0.0, 0.0, 0.157, 100_000.0)
    assert math.isclose(0.6 - doubled, 0.157 * math.log(2.0))
    assert support_after(0.6, 0.0, 5000.0, 0.0, 0.0, 0.0, 0.0, 0.157, 0.0) == 0.6  # no base: no log term
