"""Leaders' support and its drivers, from dated polls (to 18 March 2025) and the record's casualties.

The table's leaders' support moves each week (detente.table.ratification.support_after):

    S' = clip(S + β G/1000 − δ X/10⁴ − κ ln(1 + X/C) + ν ε, 0, 1)

This tool writes `data/calibration/leader_support.json`: the polls each leader's support is read from (source,
date, figure, and a licence note: figures reported in the pollsters' releases and the press, cited, not copied),
and the drivers' sizes the polls and the record give:

- κ (`casualty_log_response`): support lost per e-fold growth of the side's casualties to date. The form is
  Mueller's (1973, War, Presidents and Public Opinion: support for the Korean and Vietnam wars fell with the
  logarithm of cumulative casualties, steeply at first, then more slowly); its size is fitted here by least
  squares of the poll against ln C from September 2022 to December 2024 (after the first half-year's rally round
  the flag — Zelensky's trust 90% in May 2022, Putin's approval 83% through August 2022 — and within the fitting
  window that ends on 31 December 2024). C is the
  record's cumulative Russian casualties (data/record/russian_casualties_monthly.csv, UK MoD's monthly
  estimates, the General Staff's claim where UK MoD gives none); Ukraine's are taken in proportion to them (the
  model's own ratio, `combat.ukrainian_loss_rate`), so the ratio drops out of ln C's slope. The territory term
  (β, placeholder) is taken out of the poll's change first. A fitted κ below 0 (support that rose while
  casualties mounted: Putin's approval) is reported and set to 0.
- C₀ (`casualties_before`): each side's casualties before 18 March 2025, the base of the log term.
- ν (`noise`): the residual s.d. of the fit per poll interval, scaled to a week as a random walk's.

Usage: python tools/leader_support.py   (writes the JSON and prints a summary)
"""

from __future__ import annotations

import csv
import json
import math
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CASUALTIES = ROOT / "data" / "record" / "russian_casualties_monthly.csv"
AREA = ROOT / "data" / "record" / "isw_area_daily.csv"
OUT = ROOT / "data" / "calibration" / "leader_support.json"
CUTOFF, START = date(2024, 12, 31), date(2025, 3, 18)
FIT_FROM = date(2022, 9, 1)  # after the first half-year's rally round the flag (see the docstring)
UKRAINE_TO_RUSSIA = 0.45   # the baseline's Ukrainian losses as a share of Russian (combat.ukrainian_loss_rate's note)
WAR_RESPONSE_UKRAINE = 0.003  # the baseline's β for Ukraine (placeholder), taken out before the fit
LICENCE = ("poll figures as published by the pollster and reported in the press (facts, cited with their "
           "address; no text reproduced)")

POLLS = {
    "ukraine": {
        "leader": "Volodymyr Zelensky", "measure": "trust in the president (KIIS, % of adults in government-held "
                                                   "Ukraine, telephone, about 2,000 respondents)",
        "points": [
            ("2022-05-31", 90, "KIIS via Interfax-Ukraine, 20 Dec 2023", "https://en.interfax.com.ua/news/general/955339.html"),
            ("2022-12-31", 84, "KIIS via Ukrainska Pravda, 18 Dec 2023", "https://newsflash.city/2401/b13e93354217ba62.html"),
            ("2023-12-10", 77, "KIIS, 4–10 Dec 2023, via Interfax-Ukraine, 20 Dec 2023", "https://en.interfax.com.ua/news/general/955339.html"),
            ("2024-02-29", 64, "KIIS press release of 7 Jan 2025 via Ukrainska Pravda", "https://www.pravda.com.ua/eng/news/2025/01/7/7492379/"),
            ("2024-05-31", 59, "KIIS press release of 7 Jan 2025 via Ukrainska Pravda", "https://www.pravda.com.ua/eng/news/2025/01/7/7492379/"),
            ("2024-12-17", 52, "KIIS, 2–17 Dec 2024, press release of 7 Jan 2025 via Ukrainska Pravda", "https://www.pravda.com.ua/eng/news/2025/01/7/7492379/"),
        ],
        "start": ("2025-02-28", 57, "kiis_2025_02 (scenarios/baseline.yaml)"),
    },
    "russia": {
        "leader": "Vladimir Putin", "measure": "approval of his performance as president (Levada Center, % of "
                                               "adults, face to face, about 1,600 respondents)",
        "points": [
            ("2022-08-31", 83, "Levada via The Moscow Times, 29 Sep 2022", "https://www.themoscowtimes.com/2022/09/29/putins-ratings-drop-on-ukraine-draft-a78925"),
            ("2022-09-28", 77, "Levada, 22–28 Sep 2022, via The Moscow Times, 29 Sep 2022", "https://www.themoscowtimes.com/2022/09/29/putins-ratings-drop-on-ukraine-draft-a78925"),
            ("2022-10-31", 79, "Levada via Re:Russia review 110", "https://re-russia.net/en/review/110/"),
            ("2023-11-30", 85, "Levada via bne IntelliNews Russia report, Feb 2024", "https://online.flipbuilder.com/myab/hcew/files/basic-html/page15.html"),
            ("2023-12-20", 83, "Levada, 14–20 Dec 2023, via Newsweek (headlinenavi), 29 Dec 2023", "https://headlinenavi.com/war/2615.html"),
        ],
        "start": ("2025-02-28", 86, "levada_2025_02 (scenarios/baseline.yaml)"),
    },
    "united_states": {
        "leader": "Donald Trump", "measure": "presidential job approval (Gallup)",
        "points": [],
        "start": ("2025-02-28", 45, "gallup_2025_02 (scenarios/baseline.yaml)"),
        "note": ("no war drivers measured for the US public before 18 March 2025 (the US has no casualties in this "
                 "war); his support moves by noise (Gallup's first-term range 34–49%, 2017–2021) and by a deal "
                 "signed (`deal_response`, a placeholder: he campaigned on ending the war; no measured size)"),
    },
}


def _cumulative_casualties() -> dict[str, float]:
    """Month (YYYY-MM) -> Russian casualties to the end of that month (UK MoD, else the General Staff's claim)."""
    total, out = 0.0, {}
    with CASUALTIES.open() as f:
        for row in csv.DictReader(f):
            total += float(row["ukmod_estimate"] or row["genstaff_claimed"] or 0.0)
            out[row["month"]] = total
    return out


def _area() -> dict[str, float]:
    with AREA.open() as f:
        return {row["date"]: float(row["russian_controlled_km2"]) for row in csv.DictReader(f)}


def _at(day: str, by_month: dict[str, float]) -> float:
    """Cumulative casualties at a date, interpolated within its month."""
    d = date.fromisoformat(day)
    prev = f"{d.year - (d.month == 1)}-{(d.month - 2) % 12 + 1:02d}"
    here = by_month[day[:7]]
    before = by_month.get(prev, 0.0)
    return before + (here - before) * d.day / 31.0


def _fit(points, casualties, area, side_sign):
    """Least squares of (poll − territory term) on ln C over Sep 2022 – Dec 2024; residual s.d. per week."""
    use = [p for p in points if FIT_FROM <= date.fromisoformat(p[0]) <= CUTOFF]
    xs = [math.log(_at(p[0], casualties)) for p in use]
    first = use[0][0]
    ys = []
    for p in use:
        lost = side_sign * (area[p[0]] - area[first]) if side_sign < 0 else 0.0  # km² Ukraine lost since the first
        ys.append(p[1] / 100.0 - (WAR_RESPONSE_UKRAINE * lost / 1000.0 if side_sign < 0 else 0.0))
    n = len(xs)
    mx, my = sum(xs) / n, sum(ys) / n
    slope = sum((x - mx) * (y - my) for x, y in zip(xs, ys)) / sum((x - mx) ** 2 for x in xs)
    resid = [y - (my + slope * (x - mx)) for x, y in zip(xs, ys)]
    weeks = (date.fromisoformat(use[-1][0]) - date.fromisoformat(first)).days / 7.0 / (n - 1)
    sd = math.sqrt(sum(r * r for r in resid) / max(n - 2, 1))
    return slope, sd / math.sqrt(weeks), [{"date": p[0], "poll": p[1], "ln_casualties": round(x, 4)}
                                          for p, x in zip(use, xs)]


def derive() -> dict:
    casualties, area = _cumulative_casualties(), _area()
    russia_before = _at(START.isoformat(), casualties)
    out: dict = {"about": __doc__.split("\n\n")[0], "licence": LICENCE, "cutoff": CUTOFF.isoformat(),
                 "leaders": {}}
    for actor, poll in POLLS.items():
        entry = {"leader": poll["leader"], "measure": poll["measure"],
                 "polls": [{"date": d, "value": v, "source": s, "url": u} for d, v, s, u in poll["points"]],
                 "start": {"date": poll["start"][0], "value": poll["start"][1], "source": poll["start"][2]}}
        assert all(date.fromisoformat(d) <= START for d, *_ in poll["points"])
        if poll["points"]:
            sign = -1 if actor == "ukraine" else 1
            slope, noise, used = _fit(poll["points"], casualties, area, sign)
            before = russia_before * (UKRAINE_TO_RUSSIA if actor == "ukraine" else 1.0)
            entry["casualty_log_response"] = {
                "value": round(max(-slope, 0.0), 4), "fitted_slope": round(slope, 4), "fit": used,
                "method": "least squares of the poll (less the territory term) on ln(cumulative casualties), "
                          "Sep 2022 – Dec 2024; a slope above 0 (support rising with casualties) gives 0"}
            entry["casualties_before"] = {
                "value": round(before, -3), "method": "the record's Russian casualties to 18 Mar 2025"
                + (" × 0.45 (the model's Ukrainian share)" if actor == "ukraine" else "")}
            entry["noise"] = {"value": round(noise, 4), "method": "residual s.d. of the fit over the mean poll "
                                                                   "interval, scaled to one week (a random walk)"}
        if "note" in poll:
            entry["note"] = poll["note"]
        out["leaders"][actor] = entry
    return out


if __name__ == "__main__":
    data = derive()
    OUT.write_text(json.dumps(data, indent=1, ensure_ascii=False) + "\n")
    for actor, e in data["leaders"].items():
        print(actor, {k: e[k]["value"] for k in ("casualty_log_response", "casualties_before", "noise") if k in e})
