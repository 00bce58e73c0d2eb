"""kg.views.mapview: the offline map and timeline page, checked in real Chromium.

The page is loaded from file:// with every request recorded, so "no tile server
needed" and "article text never runs" are observed, not assumed.
"""

from __future__ import annotations

import warnings
from hashlib import sha256
from pathlib import Path

import pytest
from helpers.browser import chromium
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.analysis.graphs import EventFilter
from kg.errors import UsageError
from kg.rdf.namespaces import KG
from kg.rdf.ontology import load_ontology
from kg.store import Store, open_store
from kg.views.mapview import MapSummary, render_map

pytestmark = [pytest.mark.system, pytest.mark.browser]

DATA = Path(__file__).parent / "data" / "view"
ANKARA_SENTENCE = 'Turkey <img src=x onerror="window.__pwned=1"> met Greece in Ankara.'


_ROLES = (KG.sourceActor, KG.targetActor, KG.place)


def _article_graph(merged: Graph, article: URIRef) -> Graph:
    """The article, its events, and every actor and place they name or mention."""
    events = set(merged.subjects(KG.fromArticle, article))
    linked = {o for e in events for p in _ROLES for o in merged.objects(e, p)}
    mentioned = set(merged.subjects(KG.mentionedIn, article))
    graph = Graph()
    for subject in {article} | events | linked | mentioned:
        for p, o in merged.predicate_objects(subject):
            graph.add((subject, p, o))
    return graph


def _fill(store: Store) -> Store:
    """small.ttl and places.ttl as kg stores them: a graph per article, ontology."""
    merged = Graph().parse(DATA / "small.ttl").parse(DATA / "places.ttl")
    for article in sorted(set(merged.subjects(RDF.type, KG.Article))):
        digest = sha256(str(article).encode()).hexdigest()
        store.put_article(article, _article_graph(merged, article), digest)
    store.ensure_ontology(load_ontology())
    return store


@pytest.fixture
def map_store(store):
    """conftest's empty store, holding the mapped articles."""
    return _fill(store)


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by playwright; missing chromium fails loudly."""
    with chromium("map") as browser:
        yield browser


@pytest.fixture(scope="module")
def small_map(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("map")
    with open_store(folder / "store") as store:
        render_map(_fill(store), folder / "map.html", title="Map <b>of</b> events")
    return folder / "map.html"


def _open(browser, path: Path):  # noqa: ANN202 - playwright page
    page = browser.new_page(viewport={"width": 1400, "height": 900})
    requests: list[str] = []

    def record(route) -> None:
        requests.append(route.request.url)
        if route.request.url.startswith("file://"):
            route.continue_()
        else:
            route.abort()

    page.route("**/*", record)
    page.goto(path.as_uri())
    page.wait_for_function("window.kgDrawn === true")
    return page, requests


def _shown(page) -> int:  # noqa: ANN001
    return int(page.get_attribute("#kg-map", "data-shown"))


@pytest.mark.parametrize(
    "spec, events, located, roots",
    [(None, 5, 4, 3), (EventFilter(types=("04",)), 2, 2, 1)],
)
def test_mapview_summary_counts(tmp_path, map_store, spec, events, located, roots):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        summary = render_map(map_store, tmp_path / "m.html", filters=spec)
    assert summary == MapSummary(tmp_path / "m.html", events, located, roots)


@pytest.mark.parametrize("points, roots", [(4, ["04 Consult", "11 Disapprove",
                                                "19 Fight"])])  # fmt: skip
def test_mapview_draws_points_and_legend_offline(browser, small_map, points, roots):
    page, requests = _open(browser, small_map)
    try:
        assert _shown(page) == points
        counts = page.eval_on_selector_all(
            "circle.kg-point", "cs => cs.map(c => +c.getAttribute('data-count'))"
        )
        assert sum(counts) == points and len(counts) >= 1
        legend = page.inner_text("#kg-legend-list")
        assert [line.split(" (")[0] for line in legend.splitlines()] == roots
        assert page.title() == "Map <b>of</b> events"
        assert "no place with coordinates" in page.inner_text("#kg-note")
        assert requests and all(url.startswith("file://") for url in requests)
    finally:
        page.close()


@pytest.mark.parametrize(
    "start, end, shown",
    [
        (0.0, 0.05, 1),  # 2019-01-21 only
        (0.0, 0.25, 2),  # and e2, dated by its article (2019-01-24)
        (0.3, 0.7, 1),  # 2019-02-10 only
        (0.0, 1.0, 4),  # every event
    ],
)
def test_mapview_timeline_range_filters_points(browser, small_map, start, end, shown):
    page, _requests = _open(browser, small_map)
    try:
        box = page.locator("#kg-timeline").bounding_box()
        left, width = box["x"] + 150, box["width"] - 160
        y = box["y"] + box["height"] / 2
        page.mouse.move(left + start * width - (2 if start == 0 else 0), y)
        page.mouse.down()
        page.mouse.move(left + end * width + (2 if end == 1 else 0), y, steps=4)
        page.mouse.up()
        assert _shown(page) == shown
        assert page.input_value("#kg-from") != ""
        page.click("#kg-clear")
        assert _shown(page) == 4
    finally:
        page.close()


@pytest.mark.parametrize("first, last, shown", [("2019-02-01", "2019-03-31", 2)])
def test_mapview_date_inputs_filter_points(browser, small_map, first, last, shown):
    page, _requests = _open(browser, small_map)
    try:
        page.fill("#kg-from", first)
        page.fill("#kg-to", last)
        page.dispatch_event("#kg-to", "change")
        assert _shown(page) == shown
    finally:
        page.close()


@pytest.mark.parametrize("sentence", [ANKARA_SENTENCE])
def test_mapview_hostile_text_is_shown_as_text(browser, small_map, sentence):
    page, requests = _open(browser, small_map)
    try:
        page.evaluate("kgMap.setRange('2019-02-10', '2019-02-10')")
        assert _shown(page) == 1
        page.hover("circle.kg-point")
        details = page.inner_text("#kg-details-body")
        assert sentence in details
        assert page.locator("#kg-details img, #kg-details script").count() == 0
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert all(url.startswith("file://") for url in requests)
    finally:
        page.close()


@pytest.mark.parametrize(
    "needle", ["<img src=x", "<script>window", "</script> headline"]
)
def test_mapview_file_never_holds_hostile_text_raw(small_map, needle):
    assert needle not in small_map.read_text(encoding="utf-8")


def test_mapview_output_is_deterministic(tmp_path, map_store):
    first, second = tmp_path / "a.html", tmp_path / "b.html"
    render_map(map_store, first)
    render_map(map_store, second)
    assert first.read_bytes() == second.read_bytes()


@pytest.mark.parametrize("needle", ["2019-01-24 (article)"])
def test_mapview_says_when_a_date_is_the_articles(browser, small_map, needle):
    page, _requests = _open(browser, small_map)
    try:
        page.evaluate("kgMap.setRange('2019-01-24', '2019-01-24')")
        assert _shown(page) == 1
        page.hover("circle.kg-point")
        assert needle in page.inner_text("#kg-details-body")
    finally:
        page.close()


@pytest.mark.parametrize(
    "tiles",
    ["tile.example.org/{z}/{x}/{y}.png", "https://t.example.org/{z}.png",
     "javascript:alert(1)//{z}{x}{y}"],
)  # fmt: skip
def test_mapview_bad_tile_url_raises_usage_error(tmp_path, map_store, tiles):
    with pytest.raises(UsageError, match="--tiles"):
        render_map(map_store, tmp_path / "m.html", tiles=tiles)


@pytest.mark.parametrize("tiles", ["https://tiles.example.org/{z}/{x}/{y}.png"])
def test_mapview_tiles_only_when_asked(browser, tmp_path, map_store, tiles):
    out = tmp_path / "m.html"
    render_map(map_store, out, tiles=tiles)
    page, requests = _open(browser, out)
    try:
        assert any(url.startswith("https://tiles.example.org/") for url in requests)
        assert _shown(page) == 4  # aborted tiles do not hide the events
    finally:
        page.close()


@pytest.mark.parametrize("name", ["missing-dir/m.html"])
def test_mapview_unwritable_output_raises_usage_error(tmp_path, map_store, name):
    with pytest.raises(UsageError, match="cannot write the map"):
        render_map(map_store, tmp_path / name)
