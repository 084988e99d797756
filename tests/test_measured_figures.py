"""The measured figures behind the top drivers' priors: dated before the holdout, derived as the scenarios say."""

from __future__ import annotations

import csv
import datetime as dt
import importlib.util
from pathlib import Path

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
