"""Draw events on a map with a linked timeline, as one self-contained HTML page.

Analysts want to see where and when events happened without a tile server: the
page draws Natural Earth's country borders and names (world-atlas 2.0.2, 1:50m,
so small states are there) with Leaflet, clusters the event markers with
leaflet.markercluster, and inlines all of it (``static/vendor/``), so it works
with no network at all. A tile layer from the network is added only when the
user asks for one (``tiles``).

Where an event goes is decided here, so the summary and ``kg map``'s line tell
the truth (:func:`locate`): at its own place when that has coordinates; at its
country's label point when its place is only a country (kg:Country places carry
no coordinates); else at its article's dateline city; else it is counted, not
drawn. The page says which rule placed each event.

Events come from :func:`kg.analysis.graphs.load_events`, filtered like every other
view; an event is dated by its own kg:date, else by its article's (as the
filters compare), and the details say when the date is the article's.
Article text is hostile: it travels as JSON in an inert ``<script
type="application/json">`` block and reaches the page only via ``textContent``.
The page is ``templates/map.html`` with ``static/map.css`` and ``static/map.js``.
"""

from __future__ import annotations

import logging
import re
from collections import Counter
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path
from urllib.parse import urlsplit

from markupsafe import Markup

from kg.analysis.graphs import EventFilter, EventRow, PlaceInfo, load_events
from kg.errors import UsageError
from kg.store import Store
from kg.views.atlas import atlas_text, by_code, countries
from kg.views.drawing import root_colour
from kg.views.inline import check_inlinable, script_json, without_source_map
from kg.views.pages import describe_filter, render, write_page

logger = logging.getLogger(__name__)

_TILE_URL = re.compile(r"https?://[^\s\"'<>]+", re.IGNORECASE)
#: The bundles' trailing source-map comment: the maps are not shipped.
#: Leaflet's stylesheet names images for its default marker and layer switcher,
#: which the page never uses; they are dropped so nothing can ask for them.
_CSS_IMAGE = re.compile(r"url\(images/[^)]*\)")

#: Vendored files the map page inlines, under ``static/vendor/`` (see the
#: README.md beside each: npm package, version, integrity, SHA-256).
MAP_VENDOR = {
    "leaflet_css": "leaflet/leaflet.css",
    "cluster_css": "leaflet.markercluster/MarkerCluster.css",
    "cluster_default_css": "leaflet.markercluster/MarkerCluster.Default.css",
    "leaflet_js": "leaflet/leaflet.js",
    "cluster_js": "leaflet.markercluster/leaflet.markercluster.js",
    "topojson_js": "topojson-client/topojson-client.min.js",
}

#: The rules that put an event on the map, in the order they are tried.
PLACE, COUNTRY, DATELINE = "place", "country", "dateline"
RULES = (PLACE, COUNTRY, DATELINE)


@dataclass(frozen=True)
class MapSummary:
    """What :func:`render_map` drew: events selected, how many went on the map
    and by which rule (own place, country centre, dateline city)."""

    path: Path
    events: int
    located: int
    roots: int
    at_place: int = 0
    at_country: int = 0
    at_dateline: int = 0


@dataclass(frozen=True)
class Spot:
    """Where an event is drawn, which rule chose it, and what the page says."""

    lat: float
    lon: float
    rule: str  # one of RULES
    where: str


def render_map(
    store: Store,
    out: Path,
    *,
    filters: EventFilter | None = None,
    title: str = "kg event map",
    tiles: str | None = None,
) -> MapSummary:
    """Write an offline, single-file map and timeline of the store's events.

    Args:
        store: The open store (read with :func:`kg.analysis.graphs.load_events`).
        out: The HTML file to write (UTF-8); its directory must exist.
        filters: Which events to show (default: every asserted event).
        title: Page title and heading (escaped).
        tiles: Optional tile URL template with ``{z}``, ``{x}`` and ``{y}``
            (e.g. an OpenStreetMap server); the only thing the page fetches.

    Returns:
        Counts of events selected and drawn, by placement rule.

    Raises:
        UsageError: the tile URL is malformed, or ``out`` cannot be written.
    """
    filters = filters or EventFilter()
    config = {"tiles": _check_tiles(tiles), "filter": describe_filter(filters)}
    rows = load_events(store, filters)
    spots = ((row, locate(row)) for row in rows)
    points = [_point(row, spot) for row, spot in spots if spot is not None]
    rules = Counter(p["rule"] for p in points)
    payload = {
        "events": points,
        "labels": _labels(),
        "config": config,
        "unlocated": len(rows) - len(points),
        "rules": {rule: rules[rule] for rule in RULES},
    }
    page = render(
        "map.html",
        title=title,
        data=script_json(payload),
        world=_world(),
        **_assets(),
    )
    write_page(out, page, "map")
    roots = len({p["root"] for p in points})
    logger.info("map: %d of %d events located -> %s", len(points), len(rows), out)
    return MapSummary(
        path=out,
        events=len(rows),
        located=len(points),
        roots=roots,
        at_place=rules[PLACE],
        at_country=rules[COUNTRY],
        at_dateline=rules[DATELINE],
    )


def locate(row: EventRow) -> Spot | None:
    """Where the event goes on the map, by the first rule that applies.

    1. its place, when that has coordinates;
    2. its place's country's label point, when the place has a country code but
       no coordinates (a kg:Country place, or a town the gazetteer could not pin);
    3. its article's dateline city (where the report was filed: a hint, not a
       fact, and the page says so, naming the event's place if it has one the
       map cannot put anywhere, such as a sea);
    4. nowhere: the event is counted as not on the map.
    """
    place = row.place
    spot = _coordinates(place)
    if place is not None and spot is not None:
        return Spot(*spot, PLACE, place.label)
    country = by_code().get(place.country or "") if place is not None else None
    if place is not None and country is not None:
        return Spot(country.lat, country.lon, COUNTRY, _in_country(place, country.name))
    dateline = row.article.dateline
    spot = _coordinates(dateline)
    if dateline is not None and spot is not None:
        known = "place unknown" if place is None else f"{place.label}, not located"
        where = f"{known}; shown at the dateline city, {dateline.label}"
        return Spot(*spot, DATELINE, where)
    return None


def _coordinates(place: PlaceInfo | None) -> tuple[float, float] | None:
    """The place's (lat, lon), if it has both inside the map's bounds."""
    if place is None or place.latitude is None or place.longitude is None:
        return None
    lat, lon = place.latitude, place.longitude
    return (lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def _in_country(place: PlaceInfo, atlas_name: str) -> str:
    """ "in Sudan (country centre)"; a town without coordinates keeps its name."""
    names = _country_names(place.country or "") | {atlas_name.casefold()}
    if place.label.casefold() in names:
        return f"in {place.label} (country centre)"
    return f"{place.label}, in {atlas_name} (country centre)"


@cache
def _country_names(code: str) -> frozenset[str]:
    """ISO names of a country (name, common and official), case-folded."""
    import pycountry

    record = pycountry.countries.get(alpha_3=code)
    if record is None:
        return frozenset()
    names = (getattr(record, k, None) for k in ("name", "common_name", "official_name"))
    return frozenset(str(name).casefold() for name in names if name)


def _point(row: EventRow, spot: Spot) -> dict:
    """One map record of a located event, with its hover text (plain strings)."""
    cameo = row.cameo
    parts = urlsplit(row.article.url)
    safe_url = parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    return {
        "id": row.iri,
        "lat": round(spot.lat, 4),
        "lon": round(spot.lon, 4),
        "rule": spot.rule,
        "root": cameo.root,
        "rootName": f"{cameo.root} {cameo.root_label}",
        "colour": root_colour(cameo.root),
        "type": f"{cameo.code} {cameo.label}",
        "date": row.when.isoformat() if row.when else "",
        "articleDate": row.date is None and row.when is not None,
        "source": row.source.label,
        "target": row.target.label if row.target else "",
        "place": spot.where,
        "sentence": row.sentence,
        "title": row.article.title or row.article.iri,
        "url": row.article.url if safe_url else "",
    }


@cache
def _labels() -> list[list]:
    """Country names to write on the map: [name, lat, lon, first zoom], biggest
    first, so the page keeps the big countries' names when labels collide."""
    ranked = sorted(countries(), key=lambda c: (-c.area, c.name))
    return [[c.name, c.lat, c.lon, c.min_zoom] for c in ranked]


@cache
def _world() -> Markup:
    """The atlas TopoJSON for an inert JSON block, as it ships but for <, > and &.

    Re-serializing 756 kB would cost time for nothing: JSON allows ``\\u003c``
    for ``<`` inside strings (and has none outside), so escaping them textually
    is the same guarantee :func:`script_json` gives.
    """
    text = atlas_text().strip()
    for char, escaped in (("<", "\\u003c"), (">", "\\u003e"), ("&", "\\u0026")):
        text = text.replace(char, escaped)
    return Markup(text)  # no <, > or & is left


_REMEDY = "reinstall kg (the vendored map files are damaged)"


@cache
def _assets() -> dict[str, Markup]:
    """Leaflet, markercluster and topojson-client, ready to inline."""
    found = {}
    root = files("kg.views").joinpath("static").joinpath("vendor")
    for key, name in MAP_VENDOR.items():
        path = root
        for part in name.split("/"):
            path = path.joinpath(part)
        text = without_source_map(path.read_text("utf-8"))
        if name.endswith(".css"):
            text = _CSS_IMAGE.sub("none", text)
        # trusted: vendored with kg, checked not to end its element
        found[key] = Markup(check_inlinable(name, text, _REMEDY))
    return found


def _check_tiles(tiles: str | None) -> str:
    """The tile URL template, checked here so a typo fails before the page is made."""
    if tiles is None:
        return ""
    placeholders = all(p in tiles for p in ("{z}", "{x}", "{y}"))
    if not _TILE_URL.fullmatch(tiles) or not placeholders:
        raise UsageError(
            f"--tiles {tiles!r} is not a tile URL template; give an http(s) URL "
            "with {z}, {x} and {y}, e.g. https://tile.openstreetmap.org/{z}/{x}/{y}.png"
        )
    return tiles
