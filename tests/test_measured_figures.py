"""The measured figures behind the top drivers' priors: dated before the holdout, derived as the scenarios say."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[1]
HOLDOUT = dt.date(2025, 3, 18)


def tool(name: str):  # noqa: ANN201
    spec = importlib.util.spec_from_file_location(name, ROOT / "tools" / f"{name}.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.mark.parametrize("name", ["front_share_statements.csv", "force_ratio_outcomes.csv",
                                  "russia_defence_budget.csv", "artillery_fire_ratio.csv"])
def test_every_figure_was_published_before_the_holdout(name):
    with open(ROOT / "data" / "calibration" / name, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    assert rows
    for row in rows:
        for column in ("published", "cpi_realised_published"):
            if row.get(column):
                assert dt.date.fromisoformat(row[column]) <= HOLDOUT, (name, row)


def test_russias_front_share_prior_uses_only_what_was_known_before_the_first_forecast():
    front = tool("front_share")
    early = front.summary(dt.date(2023, 12, 31))
    assert [p["share"] for p in early["russia_pairs"]] == [0.681]     # DIU 9 Sep 2023 / Putin 14 Dec 2023
    assert early["ukraine_at_front_share"] is None                    # Podolyak's figure is from February 2024
    later = front.summary(HOLDOUT)
    assert len(later["russia_pairs"]) == 5 and all(0.6 < p["share"] < 0.9 for p in later["russia_pairs"])
    assert later["ukraine_at_front_share"] == 0.25


def test_the_priors_are_centred_on_the_measured_figures():
    from detente.calibration.priors import fitted_priors
    from detente.scenario.loader import load_scenario

    priors = {p.name: p for p in fitted_priors(load_scenario(ROOT / "scenarios" / "war-2023.yaml").scenario)}
    assert priors["forces.russia.front_share"].centre == pytest.approx(0.68)
    assert priors["forces.russia.front_share"].dist == "lognormal"
    assert priors["combat.ratio_threshold"].centre == pytest.approx(tool("force_ratio_fit").fit()["transition_midpoint"])


def test_the_force_ratio_cross_check_agrees_with_the_transition():
    result = tool("force_ratio_fit").fit()
    assert result["transition_midpoint"] == pytest.approx(1.08)
    low, high = result["kappa_68pct_profile"]
    assert low <= result["mle_kappa"] <= high and low <= 1.08 <= high   # the prior centre inside the 68% profile


@pytest.mark.parametrize("name", ["forecast-2024", "forecast-2025q1", "baseline"])
def test_the_effort_at_the_start_is_the_nowcast_the_tool_prints(name):
    """Each forecast's forces.russia.effort_at_start is tools/effort_at_start.py's estimate on the current model
    and posterior (a refit or a change of mechanism must recompute it), read from the record before the start."""
    import yaml

    from detente.scenario.loader import load_scenario

    nowcast = tool("effort_at_start")
    path = ROOT / "scenarios" / f"{name}.yaml"
    start = load_scenario(path).scenario.start
    seen = nowcast.observed_pace(start, 13)
    estimate = seen / nowcast.model_pace(path, 4, 2000, 0)
    stated = yaml.safe_load(path.read_text(encoding="utf-8"))["forces"]["russia"]["effort_at_start"]["value"]
    assert stated == pytest.approx(estimate, abs=6e-4)
    with open(ROOT / "data" / "record" / "isw_area_daily.csv", newline="", encoding="utf-8") as handle:
        level = {dt.date.fromisoformat(r["date"]): float(r["russian_controlled_km2"]) for r in csv.DictReader(handle)}
    before = lambda day: level[max(d for d in level if d <= day)]  # noqa: E731
    end = start - dt.timedelta(days=1)
    assert seen == pytest.approx((before(end) - before(end - dt.timedelta(weeks=13))) / 13)


@pytest.mark.parametrize("name", ["forecast-2024", "forecast-2024h2", "forecast-2025q1", "baseline"])
def test_the_sectors_weights_reproduce_the_records_weeks_before_the_start(name):
    """Each forecast's secondary objectives are tools/objectives_at_start.py's nowcast on the current model: with
    the stated weights the model's first 13 weeks share the gains among the sectors as the record's 13 weeks
    before the start did (each sector against the main effort within 10%); a sector at the holding weight h gains
    at least what the record did there (h is the least an attack can use), and a sector held only (weight 0: no
    attack) had no net gain in the record or gains no more than it."""
    from detente.scenario.loader import load_scenario
    from detente.world.model import compile_model

    nowcast = tool("objectives_at_start")
    path = ROOT / "scenarios" / f"{name}.yaml"
    main, regions, start = nowcast.sectors(path)
    model = compile_model(load_scenario(path).scenario)
    stated = {rid: float(np.mean(model.regions["objective"][..., model.region_ids.index(rid)]))
              for rid in [main, *regions]}
    holding = float(np.mean(model.combat["holding_weight"]))
    seen = nowcast.record_gains([main, *regions], start, 13)
    made = nowcast.model_gains(path, stated, 13, 2000, 0)
    assert main == "donetsk" and stated[main] == 1.0 and seen[main] > 0 and made[main] > 0
    assert set(regions) == {"kharkiv", "kherson", "luhansk", "zaporizhzhia"}
    for rid in regions:
        target, ratio = max(seen[rid], 0.0) / seen[main], made[rid] / made[main]
        if stated[rid] == 0:
            assert target == 0 or ratio <= 1.1 * target, (rid, ratio, target)
        elif stated[rid] <= holding + 1e-9:
            assert ratio >= 0.9 * target, (rid, stated[rid], ratio, target)
        else:
            assert abs(np.log(ratio / target)) <= 0.1, (rid, stated[rid], ratio, target)
