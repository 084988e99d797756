"""Russia's front share from dated statements: the Russian troops on Ukraine's territory (Ukrainian intelligence)
over the grouping in the zone of the 'special military operation' (Putin), which is what the model's Russian
manpower counts (`forces.russia.manpower`, 700,000 in the baseline: Putin, 14 June 2024).

The model puts front_share × (manpower − garrison) in the line. The nearest measured quantity is the share of the
zone's grouping that is deployed in Ukraine: the rest (aviation, the navy, border cover in Russia, the rear) does not
fight on the ground. It is an upper reading of "in the line" (the deployed force includes a second echelon and
the Crimea garrison) and a lower one where Ukrainian counts exclude the National Guard and 'other units'. Each
statement on Ukraine's territory is paired with the zone figure nearest in time (published on or before the later of
the two); `--until DATE` keeps only statements published by DATE, which is how the prior of scenarios/war-2023.yaml
is built from what was known before the first forecast's start (2024-01-01).

Ukraine's one measured figure (Podolyak, 9 Feb 2024: 200,000–300,000 of about a million at the front) is listed but
not used: it was published after forecast-2024's start, and its "directly on the front line" is a narrower reading
than the Russian "on Ukraine's territory" (docs/calibration.md, "Top drivers: provenance").

    python tools/front_share.py [--until 2023-12-31] [--json]
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import json
import math
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "data" / "calibration" / "front_share_statements.csv"


def statements(path: Path = DATA, until: dt.date | None = None) -> list[dict]:
    """The statements (as dicts with dates parsed) published on or before `until`."""
    with open(path, newline="", encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    out = []
    for row in rows:
        row = {**row, "as_of": dt.date.fromisoformat(row["as_of"]), "troops": float(row["troops"]),
               "published": dt.date.fromisoformat(row["published"])}
        if until is None or row["published"] <= until:
            out.append(row)
    return out


def russian_pairs(rows: list[dict]) -> list[dict]:
    """Each Russian 'in Ukraine' count over the 'in the zone' count nearest in time."""
    zone = [r for r in rows if r["side"] == "russia" and r["measure"] == "in_zone"]
    pairs = []
    for r in rows:
        if r["side"] != "russia" or r["measure"] != "in_ukraine" or not zone:
            continue
        z = min(zone, key=lambda z: abs((z["as_of"] - r["as_of"]).days))
        pairs.append({"in_ukraine": r["troops"], "in_ukraine_as_of": r["as_of"].isoformat(),
                      "in_zone": z["troops"], "in_zone_as_of": z["as_of"].isoformat(),
                      "days_apart": abs((z["as_of"] - r["as_of"]).days),
                      "share": round(r["troops"] / z["troops"], 3)})
    return pairs


def summary(until: dt.date | None = None) -> dict:
    rows = statements(until=until)
    pairs = russian_pairs(rows)
    shares = [p["share"] for p in pairs]
    geo = math.exp(sum(map(math.log, shares)) / len(shares)) if shares else None
    ukraine = {r["measure"]: r["troops"] for r in rows if r["side"] == "ukraine"}
    return {"until": until.isoformat() if until else None, "russia_pairs": pairs,
            "russia_share_geometric_mean": round(geo, 3) if geo else None,
            "ukraine_at_front_share": (round(ukraine["at_front"] / ukraine["army"], 3)
                                       if {"at_front", "army"} <= ukraine.keys() else None)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--until", type=dt.date.fromisoformat, default=None)
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    result = summary(args.until)
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for p in result["russia_pairs"]:
        print(f"Russia: {p['in_ukraine']:,.0f} in Ukraine ({p['in_ukraine_as_of']}) / {p['in_zone']:,.0f} in the zone "
              f"({p['in_zone_as_of']}, {p['days_apart']} days apart) = {p['share']}")
    print(f"Russia, geometric mean: {result['russia_share_geometric_mean']}; "
          f"Ukraine at the front: {result['ukraine_at_front_share']}")


if __name__ == "__main__":
    main()
