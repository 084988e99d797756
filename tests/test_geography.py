"""The map data must match the real world: these tests fail if regions, areas or borders drift."""

from __future__ import annotations

import shutil
from collections import deque
from pathlib import Path

import numpy as np
import pytest

from detente.world.geography import Geography, load_geography, polygon_area_km2

UKRAINE = (
    "cherkasy chernihiv chernivtsi dnipropetrovsk donetsk ivano_frankivsk kharkiv kherson "
    "khmelnytskyi kirovohrad kyiv lviv luhansk mykolaiv odesa poltava rivne sumy ternopil "
    "vinnytsia volyn zakarpattia zaporizhzhia zhytomyr crimea sevastopol kyiv_city"
).split()
OTHERS = (
    "kursk belgorod bryansk rostov voronezh kaliningrad belarus moldova transnistria romania "
    "poland lithuania latvia estonia"
).split()


@pytest.fixture(scope="module")
def geo() -> Geography:
    return load_geography()


def area(geo: Geography, *ids: str) -> float:
    return float(sum(geo.area_km2[geo.index(i)] for i in ids))


def test_all_required_ids_present_once(geo: Geography) -> None:
    assert sorted(geo.ids) == sorted(UKRAINE + OTHERS)
    assert len(set(geo.ids)) == len(geo.ids) == 41


@pytest.mark.parametrize(
    ("ids", "official_km2", "tol"),
    [
        (("donetsk",), 26_517, 0.03),
        (("odesa",), 33_310, 0.03),
        (("luhansk",), 26_684, 0.03),
        (("kharkiv",), 31_415, 0.03),
        (("lviv",), 21_833, 0.03),
        (("zaporizhzhia",), 27_180, 0.03),
        (("kherson",), 28_461, 0.10),  # official figure counts Kakhovka/Dnipro waters in full
        (("crimea",), 26_081, 0.03),
        # Natural Earth draws the Kyiv city and Sevastopol limits loosely; their sums are right
        (("crimea", "sevastopol"), 26_081 + 864, 0.03),
        (("kyiv", "kyiv_city"), 28_131 + 839, 0.03),
        (("poland",), 312_696, 0.02),
        (("belarus",), 207_600, 0.02),
        (("romania",), 238_397, 0.02),
        (("moldova", "transnistria"), 33_846, 0.03),
    ],
)
def test_area_matches_official(geo: Geography, ids: tuple[str, ...], official_km2: float, tol: float) -> None:
    assert area(geo, *ids) == pytest.approx(official_km2, rel=tol)


def test_published_polygons_reproduce_csv_area(geo: Geography) -> None:
    fc = geo.geojson()
    for f in fc["features"]:
        rid = f["properties"]["id"]
        a = sum(polygon_area_km2([np.asarray(r) for r in poly]) for poly in f["geometry"]["coordinates"])
        assert a == pytest.approx(geo.area_km2[geo.index(rid)], rel=0.01), rid


def test_polygon_area_of_a_known_cell() -> None:
    # one degree square at the equator on WGS84: 12,308.8 km^2
    ring = np.array([[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]], dtype=float)
    assert polygon_area_km2([ring]) == pytest.approx(12_308.8, rel=1e-3)


def test_geojson_one_feature_per_id_and_borders_meet(geo: Geography) -> None:
    fc = geo.geojson()
    ids = [f["properties"]["id"] for f in fc["features"]]
    assert sorted(ids) == sorted(geo.ids)
    assert all(f["properties"]["country"] == geo.countries[geo.index(f["properties"]["id"])] for f in fc["features"])
    verts = {
        f["properties"]["id"]: {tuple(p) for poly in f["geometry"]["coordinates"] for ring in poly for p in ring}
        for f in fc["features"]
    }
    for i, j in zip(*np.nonzero(np.triu(geo.adjacent))):
        shared = verts[geo.ids[i]] & verts[geo.ids[j]]
        assert len(shared) >= 2, (geo.ids[i], geo.ids[j])


def test_adjacency_is_a_symmetric_graph(geo: Geography) -> None:
    assert (geo.adjacent == geo.adjacent.T).all()
    assert not geo.adjacent.diagonal().any()
    assert np.array_equal(geo.border_km, geo.border_km.T)
    assert ((geo.border_km > 0) == geo.adjacent).all()
    assert not (geo.dnipro_crossing & ~geo.adjacent).any()


@pytest.mark.parametrize(
    "pair",
    [
        ("donetsk", "luhansk"), ("donetsk", "zaporizhzhia"), ("kherson", "crimea"),
        ("crimea", "sevastopol"), ("odesa", "transnistria"), ("odesa", "moldova"),
        ("transnistria", "moldova"), ("moldova", "romania"), ("chernivtsi", "romania"),
        ("kaliningrad", "lithuania"), ("kaliningrad", "poland"), ("belarus", "poland"),
        ("kursk", "sumy"), ("belgorod", "kharkiv"), ("luhansk", "rostov"), ("luhansk", "voronezh"),
        ("kyiv", "kyiv_city"), ("belarus", "chernihiv"), ("bryansk", "chernihiv"),
        ("lithuania", "latvia"), ("latvia", "estonia"), ("poland", "lithuania"),
    ],
)
def test_known_neighbours(geo: Geography, pair: tuple[str, str]) -> None:
    i, j = (geo.index(x) for x in pair)
    assert geo.adjacent[i, j]
    assert geo.border_km[i, j] > 5


@pytest.mark.parametrize(
    "pair",
    [("lviv", "donetsk"), ("kaliningrad", "belarus"), ("crimea", "zaporizhzhia"),
     ("kyiv_city", "chernihiv"), ("moldova", "transnistria_never")],
)
def test_known_non_neighbours(geo: Geography, pair: tuple[str, str]) -> None:
    if pair[1] not in geo.ids:
        with pytest.raises(KeyError):
            geo.index(pair[1])
        return
    assert not geo.adjacent[geo.index(pair[0]), geo.index(pair[1])]


def test_border_lengths_are_plausible(geo: Geography) -> None:
    # Kaliningrad: ~210 km with Poland and ~270 km with Lithuania on the ground (coarse data)
    b = geo.border_km
    assert 150 < b[geo.index("kaliningrad"), geo.index("poland")] < 260
    assert 150 < b[geo.index("kaliningrad"), geo.index("lithuania")] < 320
    # Suwalki gap: the Poland-Lithuania border is ~100 km
    assert 60 < b[geo.index("poland"), geo.index("lithuania")] < 130


def test_everything_reachable_from_kyiv(geo: Geography) -> None:
    seen = {geo.index("kyiv_city")}
    todo = deque(seen)
    while todo:
        i = todo.popleft()
        for j in np.nonzero(geo.adjacent[i])[0]:
            if j not in seen:
                seen.add(int(j))
                todo.append(int(j))
    assert len(seen) == len(geo.ids)


def test_dnipro_crossings(geo: Geography) -> None:
    def crossing(a: str, b: str) -> bool:
        return bool(geo.dnipro_crossing[geo.index(a), geo.index(b)])

    assert crossing("kirovohrad", "poltava")  # the Dnipro below the Kremenchuk dam
    for a, b in [("donetsk", "luhansk"), ("lviv", "volyn"), ("kyiv", "kyiv_city"),
                 ("cherkasy", "kyiv"), ("kherson", "crimea"), ("kherson", "mykolaiv"),
                 ("odesa", "transnistria")]:
        assert not crossing(a, b), (a, b)
    # a Ukrainian crossing separates units on different banks (or one is split)
    for i, j in zip(*np.nonzero(np.triu(geo.dnipro_crossing))):
        banks = {geo.dnipro_bank[i], geo.dnipro_bank[j]}
        assert banks != {"left"} and banks != {"right"}


def test_dnipro_banks(geo: Geography) -> None:
    bank = dict(zip(geo.ids, geo.dnipro_bank))
    for rid in ("kyiv", "kyiv_city", "cherkasy", "dnipropetrovsk", "kherson"):
        assert bank[rid] == "split", rid
    for rid in ("lviv", "odesa", "mykolaiv", "kirovohrad", "vinnytsia", "zhytomyr"):
        assert bank[rid] == "right", rid
    for rid in ("donetsk", "luhansk", "kharkiv", "poltava", "chernihiv", "crimea", "sevastopol"):
        assert bank[rid] == "left", rid
    assert all(bank[r] == "none" for r in OTHERS)


def test_black_sea_coast(geo: Geography) -> None:
    coast = dict(zip(geo.ids, geo.black_sea_coast))
    for rid in ("odesa", "mykolaiv", "kherson", "zaporizhzhia", "donetsk", "crimea", "sevastopol",
                "rostov", "romania"):
        assert coast[rid], rid
    for rid in ("kyiv", "luhansk", "moldova", "transnistria", "dnipropetrovsk", "poland"):
        assert not coast[rid], rid


def test_population_and_hostility(geo: Geography) -> None:
    assert (geo.population > 0).all()
    mainland = [geo.index(r) for r in UKRAINE if r not in ("crimea", "sevastopol")]
    # State Statistics Service of Ukraine total for 1 January 2022 (without Crimea/Sevastopol)
    assert int(geo.population[mainland].sum()) == 41_167_335
    assert ((geo.hostility >= 0) & (geo.hostility <= 1)).all()
    for r in UKRAINE:
        i = geo.index(r)
        assert geo.hostility[i] == pytest.approx(1 - geo.russian_native_share[i], abs=1e-3)
    assert np.isnan(geo.russian_native_share[geo.index("poland")])
    h = dict(zip(geo.ids, geo.hostility))
    assert h["lviv"] > h["kharkiv"] > h["donetsk"] > h["crimea"] > h["sevastopol"]


def test_distances(geo: Geography) -> None:
    d = geo.distance_km
    assert np.allclose(d, d.T) and np.allclose(d.diagonal(), 0)
    assert 400 < d[geo.index("kyiv_city"), geo.index("lviv")] < 560  # Kyiv-Lviv ~470 km
    assert 550 < d[geo.index("kyiv_city"), geo.index("donetsk")] < 800  # Kyiv-Donetsk ~ 680 km


def test_representative_points_lie_in_their_region(geo: Geography) -> None:
    fc = geo.geojson()
    for f in fc["features"]:
        i = geo.index(f["properties"]["id"])
        x, y = geo.lon[i], geo.lat[i]
        inside = 0
        for poly in f["geometry"]["coordinates"]:
            for ring in poly:
                r = np.asarray(ring)
                xi, yi, xj, yj = r[:-1, 0], r[:-1, 1], r[1:, 0], r[1:, 1]
                hit = ((yi > y) != (yj > y)) & (x < (xj - xi) * (y - yi) / (yj - yi + 1e-300) + xi)
                inside ^= int(hit.sum() % 2)
        assert inside, f["properties"]["id"]


def test_cache_and_env_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    assert load_geography() is load_geography()
    src = Path(load_geography().data_dir) / "map"
    shutil.copytree(src, tmp_path / "map")
    monkeypatch.setenv("DETENTE_DATA", str(tmp_path))
    other = load_geography()
    assert other.data_dir == tmp_path.resolve()
    assert other.ids == load_geography(src.parent).ids
    with pytest.raises(ValueError):
        other.adjacent[0, 1] = True  # shared cached arrays are read-only
