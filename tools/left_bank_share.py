"""Share of each Dnipro-split region lying on the left (east) bank, from the committed polygons and river line.

Cuts each `split` region of data/map/regions.csv by the line in data/map/dnipro.csv (extended north
and into the sea as tools/build_map.py does), classifies each piece by the side of the river its
interior point lies on, and writes data/map/left_bank_share.csv. Needs shapely (build time only).
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
from shapely.geometry import LineString, shape
from shapely.ops import split

ROOT = Path(__file__).resolve().parents[1] / "data" / "map"


def main() -> None:
    regions = json.loads((ROOT / "regions.geojson").read_text())
    banks = {r["id"]: r["dnipro_bank"] for r in csv.DictReader((ROOT / "regions.csv").open())}
    points = [(float(r["lon"]), float(r["lat"])) for r in csv.DictReader((ROOT / "dnipro.csv").open())]
    river = LineString([(points[0][0], 57.0), *points, (points[-1][0] - 0.5, 45.5)])
    rows = []
    for feature in regions["features"]:
        rid = feature["properties"]["id"]
        if banks.get(rid) != "split":
            continue
        total = left = 0.0
        for piece in split(shape(feature["geometry"]), river).geoms:
            inside = piece.representative_point()
            d = river.project(inside)
            a, b = river.interpolate(max(d - 0.01, 0.0)), river.interpolate(d + 0.01)
            east = (b.x - a.x) * (inside.y - a.y) - (b.y - a.y) * (inside.x - a.x) > 0  # left of the flow
            area = piece.area * np.cos(np.radians(inside.y))
            total += area
            left += area if east else 0.0
        rows.append((rid, round(left / total, 3)))
    with (ROOT / "left_bank_share.csv").open("w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["id", "left_bank_share"])
        writer.writerows(rows)
    print(rows)


if __name__ == "__main__":
    main()
