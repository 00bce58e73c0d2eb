"""Countries of the vendored Natural Earth atlas: names, label points, label zooms.

The map page draws borders from ``static/vendor/world-atlas/countries-50m.json``
(TopoJSON). Python reads the same file for two things that must agree with the
drawing: where a country's name is written, and where an event known only to
have happened "in Sudan" is put (the same point, so the marker sits under the
name). Both are computed here once per process (``functools.cache``): decoding
the 756 kB file and searching 241 countries takes about 0.2 s, less than
loading the events, and keeps no second copy of the geometry in the package.

A label point is the area centroid of the country's largest polygon when that
centroid lies inside it, else the inside point farthest from the polygon's edge
on a grid (a crescent's or an archipelago's centroid may lie in the sea). The
label's first zoom is the one at which that polygon is as wide on screen as
its name, so small states are named only once the user zooms in.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from functools import cache
from importlib.resources import files

import numpy as np
import pycountry

#: The vendored TopoJSON, relative to ``kg/views/static``.
ATLAS_FILE = "vendor/world-atlas/countries-50m.json"
#: Natural Earth shapes without an ISO 3166-1 numeric code that kg still names.
_UNCODED = {"Kosovo": "XKX"}
#: Pixels one character of an 11 px label takes, roughly (for the label zoom).
_CHAR_PX = 6.5
#: Labels of the smallest states start here, not at zoom 20.
_MAX_LABEL_ZOOM = 9

Ring = np.ndarray  # (n, 2) longitude, latitude


@dataclass(frozen=True)
class Country:
    """One country of the atlas: where its name goes and from which zoom."""

    code: str | None  # ISO 3166-1 alpha-3 (kg:countryCode), None if it has none
    name: str  # Natural Earth's short name, as the label shows it
    lat: float
    lon: float
    min_zoom: int
    area: float  # of its largest polygon, square degrees scaled by cos(latitude)


def atlas_text() -> str:
    """The vendored TopoJSON as it ships, for the page to inline."""
    return _static(ATLAS_FILE)


@cache
def countries() -> tuple[Country, ...]:
    """Every country of the atlas with a name, in the file's order."""
    topology = json.loads(atlas_text())
    arcs = _decode_arcs(topology)
    found = []
    for geometry in topology["objects"]["countries"]["geometries"]:
        name = geometry.get("properties", {}).get("name")
        if not name or geometry.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        polygons = geometry["arcs"]
        if geometry["type"] == "Polygon":
            polygons = [polygons]
        rings = [
            [r for r in (_ring(arcs, ring) for ring in polygon) if not _polar(r)]
            for polygon in polygons
        ]
        rings = [polygon for polygon in rings if polygon]
        largest = max(rings, key=lambda polygon: _area(polygon[0]))
        lon, lat = _label_point(largest)
        lon = (lon + 180) % 360 - 180  # an unwrapped ring's point, back on the map
        found.append(
            Country(
                code=_alpha3(geometry.get("id"), name),
                name=name,
                lat=round(lat, 4),
                lon=round(lon, 4),
                min_zoom=_label_zoom(largest[0], name),
                area=round(_area(largest[0]), 3),
            )
        )
    return tuple(found)


@cache
def by_code() -> dict[str, Country]:
    """Countries by ISO 3166-1 alpha-3 code, for events placed only in a country.

    A code may name several shapes (Australia's also names the Ashmore and
    Cartier Islands): the largest is the country.
    """
    ranked = sorted(countries(), key=lambda c: c.area)
    return {c.code: c for c in ranked if c.code}


def _static(name: str) -> str:
    path = files("kg.views").joinpath("static")
    for part in name.split("/"):
        path = path.joinpath(part)
    return path.read_text("utf-8")


def _alpha3(numeric: str | None, name: str) -> str | None:
    """The alpha-3 code of an ISO numeric id (world-atlas ids are numeric)."""
    if numeric is None:
        return _UNCODED.get(name)
    record = pycountry.countries.get(numeric=numeric)
    return None if record is None else str(record.alpha_3)


def _decode_arcs(topology: dict) -> list[np.ndarray]:
    """Every arc in degrees: TopoJSON stores quantized, delta-encoded positions."""
    scale = np.array(topology["transform"]["scale"], dtype=float)
    shift = np.array(topology["transform"]["translate"], dtype=float)
    return [
        np.cumsum(np.array(arc, dtype=float).reshape(-1, 2), axis=0) * scale + shift
        for arc in topology["arcs"]
    ]


def _ring(arcs: list[np.ndarray], indexes: list[int]) -> Ring:
    """A closed ring from its arcs; ``~i`` is arc i reversed; shared ends once.

    Natural Earth's rings may cross the antimeridian (Russia, Fiji) or circle
    the South Pole (Antarctica); on a flat map both must be unwrapped, as
    ``map.js`` does for the drawing (see :func:`planar`).
    """
    parts = []
    for k, index in enumerate(indexes):
        arc = arcs[index] if index >= 0 else arcs[~index][::-1]
        parts.append(arc if k == 0 else arc[1:])
    return planar(np.concatenate(parts))


def planar(ring: Ring) -> Ring:
    """The ring drawn on a flat lon/lat plane without jumps across the map.

    A jump of more than 180 degrees between two points is the antimeridian:
    longitudes after it are shifted by 360 so the ring stays continuous (a
    Russia reaching 190 degrees east). A ring with an odd number of jumps goes
    round a pole: it is closed along that pole's edge of the map.
    """
    step = np.diff(ring[:, 0])
    jumps = np.abs(step) > 180
    if not jumps.any():
        return ring
    shift = np.concatenate([[0.0], np.cumsum(np.where(jumps, -360 * np.sign(step), 0))])
    ring = ring + np.column_stack([shift, np.zeros(len(ring))])
    if jumps.sum() % 2:
        pole = -90.0 if ring[:, 1].mean() < 0 else 90.0
        corners = [[ring[-1, 0], pole], [ring[0, 0], pole]]
        ring = np.vstack([ring, corners, ring[:1]])
    return ring


def _polar(ring: Ring) -> bool:
    """A ring that only runs along a pole (Antarctica's has one): no area on a map."""
    return bool((np.abs(ring[:, 1]) > 89.9).all())


def _area(ring: Ring) -> float:
    """Shoelace area, longitudes shrunk by cos(latitude) so Greenland is not huge."""
    x = ring[:, 0] * math.cos(math.radians(float(ring[:, 1].mean())))
    y = ring[:, 1]
    return abs(float(np.dot(x, np.roll(y, -1)) - np.dot(y, np.roll(x, -1)))) / 2


def _centroid(ring: Ring) -> tuple[float, float]:
    """Area centroid (lon, lat) of a ring; its vertex mean if it has no area."""
    x, y = ring[:, 0], ring[:, 1]
    x1, y1 = np.roll(x, -1), np.roll(y, -1)
    cross = x * y1 - x1 * y
    doubled = float(cross.sum())
    if abs(doubled) < 1e-12:
        return float(x.mean()), float(y.mean())
    cx = float(((x + x1) * cross).sum()) / (3 * doubled)
    cy = float(((y + y1) * cross).sum()) / (3 * doubled)
    return cx, cy


def _inside(points: np.ndarray, polygon: list[Ring]) -> np.ndarray:
    """Even-odd test of many points against a polygon with holes."""
    result = np.zeros(len(points), dtype=bool)
    px, py = points[:, 0, None], points[:, 1, None]
    for ring in polygon:
        x0, y0 = ring[:, 0], ring[:, 1]
        x1, y1 = np.roll(x0, -1), np.roll(y0, -1)
        crosses = (y0 > py) != (y1 > py)
        with np.errstate(divide="ignore", invalid="ignore"):
            at = x0 + (py - y0) * (x1 - x0) / (y1 - y0)
        result ^= (crosses & (px < at)).sum(axis=1) % 2 == 1
    return result


def _edge_distance(points: np.ndarray, polygon: list[Ring]) -> np.ndarray:
    """Distance (degrees) from each point to the nearest edge of the polygon."""
    best = np.full(len(points), np.inf)
    for ring in polygon:
        a, b = ring[:-1], ring[1:]
        ab = b - a
        length = np.maximum((ab * ab).sum(axis=1), 1e-18)
        ap = points[:, None, :] - a[None, :, :]
        t = np.clip((ap * ab[None]).sum(axis=2) / length, 0, 1)
        gap = ap - t[..., None] * ab[None]
        best = np.minimum(best, np.sqrt((gap * gap).sum(axis=2)).min(axis=1))
    return best


def _label_point(polygon: list[Ring]) -> tuple[float, float]:
    """The outer ring's centroid if inside the polygon, else the deepest grid point."""
    centroid = _centroid(polygon[0])
    if _inside(np.array([centroid]), polygon)[0]:
        return centroid
    low, high = polygon[0].min(axis=0), polygon[0].max(axis=0)
    steps = np.linspace(0.02, 0.98, 25)
    grid = np.array([low + (high - low) * (u, v) for u in steps for v in steps])
    grid = grid[_inside(grid, polygon)]
    if not len(grid):
        return centroid
    deepest = grid[int(np.argmax(_edge_distance(grid, polygon)))]
    return float(deepest[0]), float(deepest[1])


def _label_zoom(ring: Ring, name: str) -> int:
    """First zoom at which the polygon is about as wide on screen as its name."""
    west, east = float(ring[:, 0].min()), float(ring[:, 0].max())
    wide = max((east - west) / 360 * 256, 1e-6)  # pixels at zoom 0
    need = len(name) * _CHAR_PX * 0.8
    return max(0, min(_MAX_LABEL_ZOOM, math.ceil(math.log2(need / wide))))


__all__ = ["ATLAS_FILE", "Country", "atlas_text", "by_code", "countries"]
