"""kg map's basemap in real Chromium at 1024x768, on the sample articles' map.

Borders and names are Natural Earth's, drawn by Leaflet from the inlined atlas;
the checks read the live page: country paths and visible, non-overlapping names,
the wheel zooming about the pointer (the point under it stays within 5 px),
clusters that account for every event, tooltips saying how an event was placed,
and, for every test, no request but the file itself and no console error.
"""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from helpers.browser import chromium

from kg.analysis.graphs import EventFilter
from kg.views.mapview import render_map

pytestmark = [pytest.mark.system, pytest.mark.browser]

VIEWPORT = {"width": 1024, "height": 768}
#: What an offline page may load: itself (file:) and inline data.
LOCAL = ("file:", "data:", "about:")


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by playwright; missing chromium fails loudly."""
    with chromium("map") as browser:
        yield browser


@pytest.fixture(scope="module")
def sample_map(built_store, tmp_path_factory) -> Path:
    """The map of every sample article (conftest's store, built once)."""
    out = tmp_path_factory.mktemp("sample-map") / "map.html"
    summary = render_map(built_store, out, title="Sample events")
    assert summary.located >= 40
    return out


class Opened:
    """A page of the map with every request and console error recorded."""

    def __init__(self, browser, path: Path) -> None:  # noqa: ANN001
        self.page = browser.new_page(viewport=VIEWPORT)
        self.requests: list[str] = []
        self.refused: list[str] = []
        self.errors: list[str] = []
        self.page.on("console", self._console)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.route("**/*", self._route)
        self.page.goto(path.as_uri())
        self.page.wait_for_function("window.kgDrawn === true")

    def _console(self, message) -> None:  # noqa: ANN001
        if message.type == "error":
            self.errors.append(message.text)

    def _route(self, route) -> None:  # noqa: ANN001
        url = route.request.url
        self.requests.append(url)
        if url.startswith(LOCAL):
            route.continue_()
        else:
            self.refused.append(url)
            route.abort()

    def zoomed(self, action) -> None:  # noqa: ANN001
        """Run ``action`` and wait until the map has moved (a zoom's animation
        included: Leaflet fires moveend after zoomend); 20 s at most, as a
        busy machine can take seconds."""
        self.page.evaluate(
            "void (window.__kgMoved = Promise.race([new Promise(r => "
            "kgMap.leaflet.once('moveend', () => r(true))), "
            "new Promise(r => setTimeout(() => r(false), 20000))]))"
        )
        action()
        assert self.page.evaluate("window.__kgMoved"), "the map did not move"
        self.page.wait_for_timeout(300)  # markercluster re-clusters after moveend

    def close(self) -> None:
        """Close the page, then check it stayed offline and logged no error."""
        self.page.close()
        assert self.refused == []
        assert all(url.startswith("file:") for url in self.requests)
        assert self.errors == []


@pytest.fixture
def opened(browser, sample_map):
    page = Opened(browser, sample_map)
    yield page
    page.close()


#: The index of the element matching a selector nearest the map's centre, if
#: within a radius (px); else -1.
NEAREST = """([selector, radius]) => {
  const m = document.getElementById('kg-map').getBoundingClientRect();
  const cx = m.left + m.width / 2, cy = m.top + m.height / 2;
  const d = e => { const r = e.getBoundingClientRect();
    return Math.hypot(r.left + r.width / 2 - cx, r.top + r.height / 2 - cy); };
  const all = [...document.querySelectorAll(selector)];
  if (!all.length) { return -1; }
  const best = all.reduce((a, e) => d(e) < d(a) ? e : a);
  return d(best) < radius ? all.indexOf(best) : -1; }"""


def _view(opened: Opened, lat: float, lon: float, zoom: int) -> None:
    """Centre the map on a point at a zoom, and wait until it is drawn."""
    opened.zoomed(
        # void: setView returns the map, which Playwright would serialise (13 s)
        lambda: opened.page.evaluate(
            f"void kgMap.leaflet.setView([{lat}, {lon}], {zoom})"
        )
    )


def _drawn(page) -> int:  # noqa: ANN001
    """Events on screen: single markers plus the counts of the cluster icons."""
    counts = page.eval_on_selector_all(
        ".kg-cluster", "cs => cs.map(c => +c.getAttribute('data-count'))"
    )
    return sum(counts) + page.locator(".kg-point").count()


def _visible_labels(page) -> list[dict]:  # noqa: ANN001
    """The country names on screen, with their boxes."""
    return page.evaluate(
        """() => [...document.querySelectorAll('.kg-country-label')]
          .filter(e => getComputedStyle(e).display !== 'none')
          .map(e => { const r = e.getBoundingClientRect();
                      return {text: e.textContent, x0: r.left, y0: r.top,
                              x1: r.right, y1: r.bottom}; })"""
    )


def test_map_browser_draws_country_borders(opened):
    page = opened.page
    assert page.locator("#kg-map svg path.kg-country").count() == 241
    drawn = page.eval_on_selector_all(
        "path.kg-country",
        "ps => ps.filter(p => p.getAttribute('d').length > 50).length",
    )
    assert drawn > 100  # at the sample's view, most countries are on screen
    assert "Natural Earth" in page.inner_text(".leaflet-control-attribution")


@pytest.mark.parametrize("name", ["Russia", "Brazil", "Australia"])
def test_map_browser_big_countries_are_named(opened, name):
    label = opened.page.locator(".kg-country-label", has_text=name)
    assert label.is_visible()
    assert name in {label["text"] for label in _visible_labels(opened.page)}


@pytest.mark.parametrize(
    "lat, lon, zoom, names",
    [(39.0, 23.0, 6, ["Greece", "Albania", "Macedonia"]),
     (1.4, 103.8, 9, ["Singapore"])],
)  # fmt: skip
def test_map_browser_small_countries_named_when_zoomed_in(
    opened, lat, lon, zoom, names
):
    page = opened.page
    before = {label["text"] for label in _visible_labels(page)}
    assert not set(names) <= before  # too small to name at the start
    _view(opened, lat, lon, zoom)
    shown = {label["text"] for label in _visible_labels(page)}
    assert set(names) <= shown


@pytest.mark.parametrize("zoom", [1, 3, 5])
def test_map_browser_country_names_do_not_overlap(opened, zoom):
    page = opened.page
    _view(opened, 45, 20, zoom)
    labels = _visible_labels(page)
    assert len(labels) >= 5
    for i, a in enumerate(labels):
        for b in labels[i + 1 :]:
            apart = (a["x1"] <= b["x0"] or b["x1"] <= a["x0"]
                     or a["y1"] <= b["y0"] or b["y1"] <= a["y0"])  # fmt: skip
            assert apart, (a, b)


@pytest.mark.parametrize(
    "fx, fy, dy",
    [(0.5, 0.5, -120), (0.62, 0.38, -120), (0.3, 0.7, -240), (0.55, 0.45, 120)],
)
def test_map_browser_wheel_zoom_keeps_the_point_under_the_cursor(opened, fx, fy, dy):
    """Leaflet zooms about the pointer: the place under it stays under it."""
    page = opened.page
    if dy > 0:  # zoom out from a zoomed-in view
        _view(opened, 30, 20, 5)
    # Leaflet's container points start inside the map's border.
    box = page.evaluate(
        "() => { const m = document.getElementById('kg-map');"
        " const r = m.getBoundingClientRect();"
        " return {x: r.left + m.clientLeft, y: r.top + m.clientTop,"
        " width: m.clientWidth, height: m.clientHeight}; }"
    )
    # Whole client pixels: Chromium's wheel events carry integer coordinates.
    x = round(box["x"] + box["width"] * fx) - box["x"]
    y = round(box["y"] + box["height"] * fy) - box["y"]
    zoom = page.evaluate("kgMap.leaflet.getZoom()")
    latlng = page.evaluate(
        "([x, y]) => { const l = kgMap.leaflet.containerPointToLatLng([x, y]);"
        " return [l.lat, l.lng]; }",
        [x, y],
    )
    page.mouse.move(box["x"] + x, box["y"] + y)
    opened.zoomed(lambda: page.mouse.wheel(0, dy))
    after = page.evaluate(
        "([lat, lng]) => { const p = kgMap.leaflet.latLngToContainerPoint([lat, lng]);"
        " return [p.x, p.y]; }",
        latlng,
    )
    new_zoom = page.evaluate("kgMap.leaflet.getZoom()")
    assert (new_zoom > zoom) if dy < 0 else (new_zoom < zoom)
    assert math.hypot(after[0] - x, after[1] - y) <= 5, (latlng, after, (x, y))


def test_map_browser_zoom_buttons_and_drag_pan(opened):
    page = opened.page
    zoom = page.evaluate("kgMap.leaflet.getZoom()")
    opened.zoomed(lambda: page.click(".leaflet-control-zoom-in"))
    assert page.evaluate("kgMap.leaflet.getZoom()") == zoom + 1
    centre = page.evaluate("kgMap.leaflet.getCenter().lng")
    box = page.locator("#kg-map").bounding_box()
    x, y = box["x"] + box["width"] / 2, box["y"] + box["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x - 150, y, steps=6)
    page.mouse.up()
    assert page.evaluate("kgMap.leaflet.getCenter().lng") > centre + 5


def test_map_browser_clusters_account_for_every_event(opened):
    page = opened.page
    shown = int(page.get_attribute("#kg-map", "data-shown"))
    assert shown >= 40
    assert _drawn(page) == shown
    counts = page.eval_on_selector_all(
        ".kg-cluster", "cs => cs.map(c => +c.getAttribute('data-count'))"
    )
    assert counts and max(counts) >= 10  # the sample's events cluster at the start


@pytest.mark.parametrize("lat, lon, at_least", [(41.69, 44.83, 11)])
def test_map_browser_cluster_of_one_city_spiderfies(opened, lat, lon, at_least):
    """Events at one point never split by zooming: a click fans them out."""
    page = opened.page
    _view(opened, lat, lon, 9)
    cluster = page.locator(".kg-cluster").first
    count = int(cluster.get_attribute("data-count"))
    assert count >= at_least
    cluster.click()
    page.wait_for_function(f"document.querySelectorAll('.kg-point').length >= {count}")
    assert "Tbilisi" in page.inner_text("#kg-details-body")


@pytest.mark.parametrize(
    "lat, lon, needle",
    [
        (15.99, 29.94, "in Sudan (country centre)"),
        (18.93, -72.68, "in Haiti (country centre)"),
        (35.69, 139.69, "place unknown; shown at the dateline city, Tokyo"),
    ],
)
def test_map_browser_tooltip_says_how_an_event_was_placed(opened, lat, lon, needle):
    page = opened.page
    _view(opened, lat, lon, 9)
    cluster = page.evaluate(NEAREST, [".kg-cluster-icon", 40])
    if cluster >= 0:  # events at one point: a click fans them out
        page.locator(".kg-cluster-icon").nth(cluster).click()
        page.wait_for_function("document.querySelectorAll('.kg-point').length >= 2")
    index = page.evaluate(NEAREST, [".kg-point", 80])
    assert index >= 0
    marker = page.locator(".kg-point").nth(index)
    assert marker.locator(".kg-approx").count() == 1  # drawn as a ring, not a dot
    marker.hover()
    tip = page.locator(".leaflet-tooltip").last  # the one just opened
    tip.wait_for()
    assert needle in tip.inner_text()
    tags = page.eval_on_selector_all(
        ".leaflet-tooltip *", "es => [...new Set(es.map(e => e.tagName))].sort()"
    )
    assert set(tags) <= {"B", "DIV", "I", "SPAN"}


def test_map_browser_timeline_filters_clustered_markers(opened):
    page = opened.page
    page.evaluate("kgMap.setRange('2025-02-26', '2025-02-26')")  # EU sanctions day
    shown = int(page.get_attribute("#kg-map", "data-shown"))
    assert 1 <= shown < 20
    assert _drawn(page) == shown
    page.click("#kg-clear")
    assert _drawn(page) == int(page.get_attribute("#kg-map", "data-shown")) >= 40


@pytest.mark.parametrize("legend", ["at their own place", "at their country's centre",
                                    "at the article's dateline city"])  # fmt: skip
def test_map_browser_legend_counts_each_rule(opened, legend):
    lines = opened.page.inner_text("#kg-rules").splitlines()
    assert any(legend in line and int(line.split()[0]) >= 1 for line in lines)


@pytest.mark.parametrize("since", ["2030"])
def test_map_browser_empty_selection_still_draws_the_world(
    browser, built_store, tmp_path, since
):
    out = tmp_path / "empty.html"
    summary = render_map(built_store, out, filters=EventFilter(since=since))
    assert (summary.events, summary.located) == (0, 0)
    opened = Opened(browser, out)
    try:
        page = opened.page
        assert page.locator("path.kg-country").count() == 241
        assert page.inner_text("#kg-legend-list") == "No events on the map."
        assert _drawn(page) == 0
        assert f"since {since}" in page.inner_text("#kg-note")
    finally:
        opened.close()
