"""kg.views.mapview: where events go on the map, and the page, in real Chromium.

Placement is checked on stores the real pipeline filled: the sample articles
(at least 40 of their asserted events must be on the map) and three short
articles written here, one per fallback (a country-level place, a dateline
city, neither). The page is loaded from file:// with every request recorded, so
"no tile server needed" and "article text never runs" are observed, not assumed.
tests/test_map_browser.py drives the basemap itself (borders, labels, wheel
zoom, clusters) on the sample.
"""

from __future__ import annotations

import re
import warnings
from hashlib import sha256
from pathlib import Path

import pytest
from helpers.browser import chromium
from helpers.cli import kg
from rdflib import Graph, URIRef
from rdflib.namespace import RDF

from kg.analysis.graphs import (
    ActorInfo,
    ArticleInfo,
    CameoType,
    EventFilter,
    EventRow,
    PlaceInfo,
    load_events,
)
from kg.errors import UsageError
from kg.ingestion import ingest
from kg.rdf.namespaces import KG
from kg.rdf.ontology import load_ontology
from kg.store import Store, open_store
from kg.views.atlas import by_code, countries
from kg.views.mapview import MAP_VENDOR, MapSummary, Spot, locate, render_map

pytestmark = [pytest.mark.system, pytest.mark.browser]

DATA = Path(__file__).parent / "data" / "view"
ANKARA_SENTENCE = 'Turkey <img src=x onerror="window.__pwned=1"> met Greece in Ankara.'

#: Written for these tests: one article whose only place is a country, one filed
#: from a dateline city with events at a town, in a country and nowhere named,
#: and one with neither place nor dateline.
OWN_ARTICLES = {
    "country.txt": (
        '---\nid: map-country-test\ntitle: "Norway sends observers to Mali"\n'
        "date: 2024-05-06\n---\n"
        "Norway sent 40 military observers to Mali on Monday to monitor the "
        "ceasefire. Norway's foreign minister praised the Malian authorities for "
        "their cooperation.\n"
    ),
    "dateline.txt": (
        "---\nid: map-dateline-test\n"
        'title: "Chile criticises Peru over fishing dispute"\ndate: 2024-08-19\n---\n'
        "SANTIAGO, Aug 19 - Chile's foreign ministry criticised Peru on Monday over "
        "the seizure of two fishing boats. Peru rejected the accusation. Chile sent "
        "two navy patrol boats to Peru on Tuesday to escort the fishing fleet. "
        "Chilean and Peruvian officials met in Lima on Wednesday to discuss the "
        "dispute.\n"
    ),
    "nowhere.txt": (
        '---\nid: map-nowhere-test\ntitle: "Canada praises Mexico"\n'
        "date: 2024-02-02\n---\n"
        "Canada praised Mexico for its handling of the migration talks. Mexico "
        "thanked Canada for the support.\n"
    ),
}


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


@pytest.fixture(scope="module")
def own_store(nlp, tmp_path_factory):
    """OWN_ARTICLES through the real pipeline into a real store, once."""
    folder = tmp_path_factory.mktemp("own")
    for name, text in OWN_ARTICLES.items():
        (folder / "articles").mkdir(exist_ok=True)
        (folder / "articles" / name).write_text(text, encoding="utf-8")
    with open_store(folder / "store") as store:
        ingest([folder / "articles"], store, nlp=nlp)
        yield store


def _spots(store: Store, article: str) -> dict[str, Spot | None]:
    """Where each event of one article goes, by its CAMEO code."""
    rows = load_events(store, EventFilter())
    return {r.cameo.code: locate(r) for r in rows if r.article.iri.endswith(article)}


def _open(browser, path: Path):  # noqa: ANN202 - playwright page
    page = browser.new_page(viewport={"width": 1024, "height": 768})
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


def _drawn(page) -> int:  # noqa: ANN001
    """Events on screen: single markers plus the counts of the cluster icons."""
    counts = page.eval_on_selector_all(
        ".kg-cluster", "cs => cs.map(c => +c.getAttribute('data-count'))"
    )
    return sum(counts) + page.locator(".kg-point").count()


@pytest.mark.parametrize(
    "spec, events, located, roots",
    [(None, 5, 4, 3), (EventFilter(types=("04",)), 2, 2, 1)],
)
def test_mapview_summary_counts(tmp_path, map_store, spec, events, located, roots):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        summary = render_map(map_store, tmp_path / "m.html", filters=spec)
    expected = MapSummary(tmp_path / "m.html", events, located, roots, located)
    assert summary == expected


@pytest.mark.parametrize("minimum", [40])
def test_mapview_sample_events_are_on_the_map(built_store, tmp_path, minimum):
    """The sample's asserted events: most have no place of their own, so the
    country and dateline rules must carry them (64 in all when written)."""
    summary = render_map(built_store, tmp_path / "sample.html")
    assert summary.located >= minimum, summary
    assert summary.located == (
        summary.at_place + summary.at_country + summary.at_dateline
    )
    assert min(summary.at_place, summary.at_country, summary.at_dateline) >= 1
    rows = load_events(built_store, EventFilter())
    spots = [locate(row) for row in rows]
    assert sum(spot is not None for spot in spots) == summary.located
    for row, spot in zip(rows, spots, strict=True):
        if spot is not None and spot.rule == "place":
            assert row.place is not None and spot.where == row.place.label


@pytest.mark.parametrize(
    "code, rule, where, near",
    [
        ("07", "country", "in Mali (country centre)", "MLI"),
        ("051", None, "", ""),  # no place, no dateline: not on the map
    ],
)
def test_mapview_country_place_goes_to_the_country_centre(
    own_store, code, rule, where, near
):
    spot = _spots(own_store, "map-country-test")[code]
    if rule is None:
        assert spot is None
        return
    assert spot is not None and (spot.rule, spot.where) == (rule, where)
    centre = by_code()[near]
    assert (spot.lat, spot.lon) == (centre.lat, centre.lon)
    assert 10 < centre.lat < 25 and -12 < centre.lon < 4  # inside Mali


@pytest.mark.parametrize(
    "code, rule, where, lat, lon",
    [
        ("040", "place", "Lima", -12.04, -77.03),  # its own place wins
        ("07", "country", "in Peru (country centre)", None, None),  # then country
        ("111", "dateline", "place unknown; shown at the dateline city, Santiago",
         -33.46, -70.65),  # then the dateline
        ("120", "dateline", "place unknown; shown at the dateline city, Santiago",
         -33.46, -70.65),
    ],
)  # fmt: skip
def test_mapview_dateline_city_holds_events_without_a_place(
    own_store, code, rule, where, lat, lon
):
    spot = _spots(own_store, "map-dateline-test")[code]
    assert spot is not None and (spot.rule, spot.where) == (rule, where)
    if lat is None:
        lat, lon = by_code()["PER"].lat, by_code()["PER"].lon
    assert spot.lat == pytest.approx(lat, abs=0.01)
    assert spot.lon == pytest.approx(lon, abs=0.01)


def test_mapview_cli_line_counts_each_rule(own_store, tmp_path):
    """`kg map` says how many events each rule placed, and how many it could not."""
    out = tmp_path / "own.html"
    summary = render_map(own_store, out)
    assert (summary.at_place, summary.at_country, summary.at_dateline) == (1, 2, 2)
    assert summary.events - summary.located == 2  # the two praises: no place, no city
    page = out.read_text(encoding="utf-8")
    assert "in Mali (country centre)" in page
    assert "shown at the dateline city, Santiago" in page


def test_mapview_cli_prints_counts_by_rule(tmp_path):
    store = tmp_path / "store"
    with open_store(store) as opened:
        _fill(opened)
    result = kg("map", "--store", str(store), "-o", str(tmp_path / "m.html"))
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        "4 of 5 events on the map (4 at their place, 0 at their country's centre, "
        f"0 at their article's dateline city); 3 CAMEO roots -> {tmp_path / 'm.html'}\n"
    )


@pytest.mark.parametrize(
    "code, name, lon_range",
    [
        ("RUS", "Russia", (40, 140)),  # ring crosses the antimeridian
        ("FJI", "Fiji", (176, 180)),  # so does Fiji's
        ("SDN", "Sudan", (22, 38)),
        ("XKX", "Kosovo", (20, 21.8)),  # no ISO numeric id in the atlas
        ("SGP", "Singapore", (103.5, 104.1)),  # a small state: 1:50m has it
        ("USA", "United States of America", (-125, -67)),  # not in Alaska
        ("AUS", "Australia", (120, 150)),  # not its Ashmore and Cartier Islands
    ],
)
def test_mapview_atlas_label_points_lie_in_their_country(code, name, lon_range):
    country = by_code()[code]
    assert country.name == name
    assert lon_range[0] <= country.lon <= lon_range[1]
    assert len(countries()) == 241 and len(by_code()) >= 236


@pytest.mark.parametrize("points, roots", [(4, ["04 Consult", "11 Disapprove",
                                                "19 Fight"])])  # fmt: skip
def test_mapview_draws_points_and_legend_offline(browser, small_map, points, roots):
    page, requests = _open(browser, small_map)
    try:
        assert _shown(page) == points
        assert _drawn(page) == points
        legend = page.inner_text("#kg-legend-list")
        assert [line.split(" (")[0] for line in legend.splitlines()] == roots
        assert page.title() == "Map <b>of</b> events"
        assert "are not on the map" in page.inner_text("#kg-note")
        assert page.inner_text("#kg-rules").splitlines() == [
            f"{points} at their own place",
            "1 not on the map",
        ]
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


@pytest.mark.parametrize(
    "day, texts",
    [
        ("2019-02-10", [ANKARA_SENTENCE]),
        ("2019-01-24", ["Russia attacked <script>window.__pwned=1</script> in Kyiv.",
                        'Russia \u2192 <img src=x onerror="window.__pwned=1">']),
    ],
)  # fmt: skip
def test_mapview_hostile_text_is_shown_as_text(browser, small_map, day, texts):
    page, requests = _open(browser, small_map)
    try:
        page.evaluate(f"kgMap.setRange('{day}', '{day}')")
        assert _shown(page) == 1
        page.hover(".kg-point")
        details = page.inner_text("#kg-details-body")
        tip = page.locator(".leaflet-tooltip")
        tip.wait_for()
        for text in texts:
            assert text in details
            assert text in tip.inner_text()
        hostile = "#kg-details img, #kg-details script, .leaflet-tooltip img"
        hostile += ", .leaflet-tooltip script"
        assert page.locator(hostile).count() == 0
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
        page.hover(".kg-point")
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


def _row(place: PlaceInfo | None, dateline: PlaceInfo | None) -> EventRow:
    """One event as load_events returns it, with the place and dateline given."""
    return EventRow(
        iri="https://example.org/event/1",
        cameo=CameoType("040", "Consult", "04", "Consult"),
        source=ActorInfo("https://example.org/a", "Chile", "Country", "CHL"),
        target=None,
        place=place,
        date=None,
        modality="asserted",
        trigger="met",
        sentence="Chile met Peru.",
        confidence=None,
        article=ArticleInfo("https://example.org/article", dateline=dateline),
    )


SANTIAGO = PlaceInfo("https://example.org/santiago", "Santiago", "CHL", -33.46, -70.65)


@pytest.mark.parametrize(
    "place, rule, where",
    [
        # a town the gazetteer could not pin keeps its name, at its country's centre
        (PlaceInfo("https://example.org/p", "Cusco", "PER"), "country",
         "Cusco, in Peru (country centre)"),
        # a country under another of its names is still just the country
        (PlaceInfo("https://example.org/c", "Republic of Peru", "PER"), "country",
         "in Republic of Peru (country centre)"),
        # coordinates off the globe are no coordinates; no country: the dateline
        (PlaceInfo("https://example.org/x", "Nowhere", None, 95.0, 10.0), "dateline",
         "Nowhere, not located; shown at the dateline city, Santiago"),
        # a code the atlas does not know: the dateline
        (PlaceInfo("https://example.org/y", "Atlantis", "ATL"), "dateline",
         "Atlantis, not located; shown at the dateline city, Santiago"),
        # no place at all
        (None, "dateline", "place unknown; shown at the dateline city, Santiago"),
    ],
)  # fmt: skip
def test_mapview_locate_rules_on_edge_cases(place, rule, where):
    spot = locate(_row(place, SANTIAGO))
    assert spot is not None and (spot.rule, spot.where) == (rule, where)


@pytest.mark.parametrize(
    "dateline",
    [None, PlaceInfo("https://example.org/d", "Somewhere", "CHL")],  # no coordinates
)
def test_mapview_locate_gives_up_without_place_or_dateline_city(dateline):
    assert locate(_row(None, dateline)) is None


VENDOR = Path(__file__).resolve().parents[1] / "kg" / "views" / "static" / "vendor"


@pytest.mark.parametrize(
    "package", ["leaflet", "leaflet.markercluster", "topojson-client", "world-atlas"]
)
def test_mapview_vendored_files_match_their_readme(package):
    """Each vendored file is the one its README names (bytes and SHA-256), with
    the package's licence beside it; the page inlines every file it lists."""
    folder = VENDOR / package
    rows = re.findall(
        r"^\| `([^`]+)` \| ([\d,]+) \| `([0-9a-f]{64})` \|$",
        (folder / "README.md").read_text(encoding="utf-8"),
        re.MULTILINE,
    )
    assert rows
    for name, size, digest in rows:
        data = (folder / name).read_bytes()
        assert len(data) == int(size.replace(",", ""))
        assert sha256(data).hexdigest() == digest
    licences = [p for p in folder.iterdir() if p.name.startswith(("LICENSE", "MIT"))]
    assert licences and all(p.stat().st_size > 500 for p in licences)
    inlined = {path.split("/")[1] for path in MAP_VENDOR.values()}
    inlined.add("countries-50m.json")
    assert {name for name, _, _ in rows} <= inlined
