"""Fit the Helmbold exponent w of the attrition law on historical battles (Rubio-Campillo 2016 data).

Under C_R = a_R U^w R^(1-w) and C_B = a_B R^w B^(1-w) the ratio of losses obeys
    log(C_R / C_B) = log(a_R / a_B) + (1 - 2w) · log(R / B),
so an ordinary least-squares slope of the log loss ratio on the log force ratio gives w = (1 - slope) / 2.
Usage: python tools/fit_helmbold.py  (writes data/calibration/helmbold_fit.json)
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT / "data" / "reference"


def load_battles() -> np.ndarray:
    rows = []
    for path in sorted(DATA.glob("rubio_campillo_battles_period0*.csv")):
        with path.open() as handle:
            for row in csv.DictReader(handle, delimiter=";"):
                try:
                    values = [float(row[k]) for k in ("R0", "Rc", "B0", "Bc")]
                except (TypeError, ValueError):
                    continue
                if min(values) > 0:
                    rows.append(values)
    return np.array(rows)


def fit(battles: np.ndarray, resamples: int = 2000, seed: int = 2016) -> dict:
    r0, rc, b0, bc = battles.T
    x, y = np.log(r0 / b0), np.log(rc / bc)
    slope, intercept = np.polyfit(x, y, 1)
    rng = np.random.default_rng(seed)
    boot = []
    for _ in range(resamples):
        i = rng.integers(0, len(x), len(x))
        boot.append(np.polyfit(x[i], y[i], 1)[0])
    lo, hi = np.quantile(boot, [0.05, 0.95])
    return {"battles": int(len(x)), "slope": float(slope), "intercept": float(intercept),
            "w": float((1 - slope) / 2), "w_90ci": [float((1 - hi) / 2), float((1 - lo) / 2)],
            "source": "Rubio-Campillo X. (2016) PLoS ONE; battles 1618-1905, shared/reference/lanchester",
            "method": "OLS of log(Rc/Bc) on log(R0/B0); w = (1 - slope)/2; 90% CI by bootstrap"}


if __name__ == "__main__":
    result = fit(load_battles())
    out = ROOT / "data" / "calibration" / "helmbold_fit.json"
    out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps(result, indent=2))
