"""The priors for partial deals are derived from the record by tools/partial_deals.py, and the baseline uses them."""

from __future__ import annotations

import importlib.util
import json
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "calibration" / "partial_deals.json"


def _tool():
    spec = importlib.util.spec_from_file_location("partial_deals", ROOT / "tools" / "partial_deals.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_committed_file_is_what_the_tool_derives_from_the_record():
    """Rerunning the derivation on the committed record gives the committed file (nothing edited by hand)."""
    assert json.loads(DATA.read_text()) == json.loads(json.dumps(_tool().derive(), ensure_ascii=False))


def test_figures_from_the_record():
    d = json.loads(DATA.read_text())
    ex = d["prisoner_exchanges"]
    assert ex["rate_per_year"]["by_year"] == {"2022": {"exchanges": 29, "with_count": 20, "persons": 2065,
                                                       "persons_mean": 103.2},
                                              "2023": {"exchanges": 11, "with_count": 8, "persons": 1236,
                                                       "persons_mean": 154.5},
                                              "2024": {"exchanges": 12, "with_count": 10, "persons": 2565,
                                                       "persons_mean": 256.5}}
    assert ex["rate_per_year"]["value"] == 11.5 and len(ex["rate_per_year"]["events"]) == 23
    assert ex["persons_per_exchange"]["value"] == round((1236 + 2565) / 18)
    grain = d["black_sea_grain_initiative"]
    assert grain["term_days"]["value"] == 120 and grain["life_days"]["value"] == 360
    assert (grain["renewal_share"]["renewed"], grain["renewal_share"]["expiries"]) == (3, 4)
    assert grain["days_suspended"]["value"] == 4
    # nothing dated after the cut-off enters a figure
    cited = [e["date"] for e in ex["rate_per_year"]["events"]]
    for section in d["talks"].values():
        if isinstance(section, dict) and "events" in section:
            cited += [e["date"] for e in section["events"]]
    for a in d["partial_arrangements"]["arrangements"]:
        cited += [e["date"] for e in a["events"]]
    assert max(cited) <= d["cutoff"] == "2024-12-31"


def test_baseline_cites_the_derivation_where_it_uses_it():
    baseline = yaml.safe_load((ROOT / "scenarios" / "baseline.yaml").read_text())
    d = json.loads(DATA.read_text())
    assert "tools/partial_deals.py" in baseline["references"]["partial_deals_record"]["cite"]
    for path, key in d["used_by"].items():
        param = baseline
        for part in path.split("."):
            param = param[part]
        assert param["source"] == "partial_deals_record", path
        figure = d
        for part in key.split("."):
            figure = figure[part]
        assert param["value"] == figure["value"], path
        if "between" in param:  # a prior drawn per run: its spread is the record's too
            assert param["between"] == figure["between"], path
