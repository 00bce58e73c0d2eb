"""kg.views.graph: the offline, single-file pyvis page, checked in real Chromium.

The browser tests load the page from file:// in Debian's chromium with every
request recorded, so "works offline" and "article text never runs" are observed,
not assumed.
"""

from __future__ import annotations

import re
import warnings
from hashlib import sha256
from importlib.resources import files
from pathlib import Path

import pytest
from helpers.browser import chromium
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.analysis.graphs import STANCE_COLOURS, EventFilter
from kg.errors import UsageError
from kg.rdf.namespaces import CAMEO, KG, KGR
from kg.rdf.ontology import load_ontology
from kg.store import Store, open_store
from kg.views.graph import ViewSummary, describe_filter, render_html
from kg.views.pages import VENDOR_FILES, _inline

pytestmark = [pytest.mark.system, pytest.mark.browser]

DATA = Path(__file__).parent / "data" / "view"
HOSTILE_NAME = '<img src=x onerror="window.__pwned=1">'
HOSTILE_SENTENCE = "Russia attacked <script>window.__pwned=1</script> in Kyiv."
HOSTILE_TITLE = '"><script>window.__pwned=1</script> headline'
EXTERNAL_REF = re.compile(
    r"<(?:script|link)\b[^>]*\b(?:src|href)\s*=\s*[\"']?\s*(?:https?:)?//", re.I
)
ORG = "https://w3id.org/kg-events/id/organization/img-src-x-onerror"
EVENT_E1 = "https://w3id.org/kg-events/id/event/kyiv-talks/e1"
EVENT_E2 = "https://w3id.org/kg-events/id/event/kyiv-talks/e2"
EVENT_E3 = "https://w3id.org/kg-events/id/event/hostile/e3"
_ROLES = (KG.sourceActor, KG.targetActor, KG.place)


def _article_graphs(merged: Graph) -> dict[URIRef, Graph]:
    """Split a fixture into kg's shape: one graph per article.

    Each holds the article, its events and a description of every actor and
    place those events name or that says it is mentioned in the article.
    """
    graphs = {}
    for article in sorted(set(merged.subjects(RDF.type, KG.Article))):
        events = set(merged.subjects(KG.fromArticle, article))
        linked = {o for e in events for p in _ROLES for o in merged.objects(e, p)}
        mentioned = set(merged.subjects(KG.mentionedIn, article))
        graph = Graph()
        for subject in {article} | events | linked | mentioned:
            for p, o in merged.predicate_objects(subject):
                graph.add((subject, p, o))
        graphs[article] = graph
    return graphs


def fill_store(store: Store, merged: Graph, *, ontology: bool = True) -> Store:
    """Write each article graph of ``merged`` (and kg's ontology) into ``store``."""
    for article, graph in _article_graphs(merged).items():
        store.put_article(article, graph, sha256(str(article).encode()).hexdigest())
    if ontology:
        store.ensure_ontology(load_ontology())
    return store


def _small_graph() -> Graph:
    return Graph().parse(DATA / "small.ttl")


def _big_graph(events: int) -> Graph:
    """A synthetic article of ``events`` events over events // 2 actors."""
    graph = Graph()
    article = KGR["article/big"]
    graph.add((article, RDF.type, KG.Article))
    actors = [KGR[f"person/p{i}"] for i in range(events // 2)]
    for i, actor in enumerate(actors):
        graph.add((actor, RDF.type, KG.Person))
        graph.add((actor, RDFS.label, Literal(f"Person {i}")))
    for i in range(events):
        event = KGR[f"event/big/{i}"]
        graph.add((event, RDF.type, KG.Event))
        graph.add((event, KG.eventType, CAMEO["04"]))
        graph.add((event, KG.sourceActor, actors[i % len(actors)]))
        graph.add((event, KG.targetActor, actors[(i * 7 + 1) % len(actors)]))
        graph.add((event, KG.fromArticle, article))
    return graph


@pytest.fixture
def small_store(tmp_path):
    """small.ttl in a real on-disk store, two article graphs and the ontology."""
    with open_store(tmp_path / "store") as store:
        yield fill_store(store, _small_graph())


@pytest.fixture(params=["ontology", "bare"])
def any_small_store(request, tmp_path):
    """small.ttl with kg's ontology in the store, and without (bundled CAMEO)."""
    with open_store(tmp_path / "store") as store:
        yield fill_store(store, _small_graph(), ontology=request.param == "ontology")


def _big_store(folder: Path, events: int) -> Store:
    return fill_store(open_store(folder / "store"), _big_graph(events))


@pytest.fixture(scope="module")
def browser():
    """Debian's chromium driven by playwright; missing chromium fails loudly."""
    with chromium("view") as browser:
        yield browser


@pytest.fixture(scope="module")
def small_view(tmp_path_factory) -> tuple[Path, ViewSummary]:
    folder = tmp_path_factory.mktemp("view")
    with open_store(folder / "store") as store:
        fill_store(store, _small_graph())
        out = folder / "small.html"
        return out, render_html(store, out, title="Small <b>view</b>")


def _open(browser, path: Path) -> tuple[object, list[str]]:
    """Load ``path`` in a fresh page, recording every request the page makes."""
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
    page.wait_for_function("window.kgReady === true")
    page.evaluate("network.stopSimulation()")
    return page, requests


def _hover(page, node_id: str) -> str:
    """Move the mouse onto a node and return the tooltip's text."""
    x, y = page.evaluate(
        """(id) => {
            const p = network.canvasToDOM(network.getPosition(id));
            const box = document.getElementById('mynetwork').getBoundingClientRect();
            return [box.left + p.x, box.top + p.y];
        }""",
        node_id,
    )
    page.mouse.move(5, 5)
    page.mouse.move(x, y, steps=3)
    page.wait_for_function(
        """() => { const t = document.querySelector('.vis-tooltip');
                   return t && t.style.visibility === 'visible'; }"""
    )
    return page.evaluate("document.querySelector('.vis-tooltip').textContent")


@pytest.mark.parametrize(
    "graph, expected",
    [
        ("events", (7, 7, 3, 3, 1)),
        ("actors", (3, 2, 3, 3, 0)),
    ],
)
def test_view_summary_counts(tmp_path, any_small_store, graph, expected):
    out = tmp_path / "v.html"
    summary = render_html(any_small_store, out, graph=graph)
    assert summary == ViewSummary(out, *expected, physics=True, graph=graph)


@pytest.mark.parametrize("graph", ["events", "actors"])
def test_view_file_is_self_contained(tmp_path, monkeypatch, small_store, graph):
    monkeypatch.chdir(tmp_path)  # pyvis must not drop a lib/ folder here
    out = tmp_path / "v.html"
    render_html(small_store, out, graph=graph)
    page = out.read_text(encoding="utf-8")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["store", "v.html"]
    assert EXTERNAL_REF.search(page) is None
    assert "cdn.jsdelivr.net" not in page and "cdnjs.cloudflare.com" not in page
    assert "vis-network" in page and page.count("<script") >= 3
    assert "popup.innerHTML" not in page  # pyvis's unsafe tooltip template is unused


@pytest.mark.parametrize("graph", ["events", "actors"])
def test_view_reads_the_store_without_rdflib_warnings(small_store, tmp_path, graph):
    with warnings.catch_warnings():
        warnings.simplefilter("error", DeprecationWarning)
        summary = render_html(small_store, tmp_path / "v.html", graph=graph)
    assert summary.events == 3


@pytest.mark.parametrize("name", sorted(VENDOR_FILES))
def test_view_inlines_pyvis_assets_and_drops_others(small_view, name):
    path, _summary = small_view
    page = path.read_text(encoding="utf-8")
    shipped = files("pyvis")
    for part in VENDOR_FILES[name].split("/"):
        shipped = shipped.joinpath(part)
    assert shipped.read_text(encoding="utf-8") in page
    assert EXTERNAL_REF.search(page) is None
    assert "TomSelect" in page and "vis.Network" in page
    assert "bootstrap" not in page.split("<body>")[0].lower()


@pytest.mark.parametrize(
    "name, text",
    [("a.js", "x = '</SCRIPT>'"), ("a.js", "x = '<!--'"), ("a.css", "</style")],
)
def test_view_refuses_an_asset_that_would_close_its_element(name, text):
    with pytest.raises(UsageError, match="cannot be inlined"):
        _inline(name, text)


@pytest.mark.parametrize("hostile", [HOSTILE_NAME, HOSTILE_SENTENCE, HOSTILE_TITLE])
def test_view_file_never_holds_hostile_text_raw(small_view, hostile):
    path, _summary = small_view
    assert hostile not in path.read_text(encoding="utf-8")
    assert "<img src=x" not in path.read_text(encoding="utf-8")


@pytest.mark.parametrize("expected_nodes, expected_edges", [(7, 7)])
def test_view_loads_offline_in_chromium(
    browser, small_view, expected_nodes, expected_edges
):
    path, _summary = small_view
    page, requests = _open(browser, path)
    try:
        assert page.evaluate("network.body.data.nodes.length") == expected_nodes
        assert page.evaluate("network.body.data.edges.length") == expected_edges
        assert page.evaluate("nodes.length") == expected_nodes
        assert requests and all(url.startswith("file://") for url in requests)
        assert page.title() == "Small <b>view</b>"
        assert page.inner_text("#kg-header h1") == "Small <b>view</b>"
    finally:
        page.close()


@pytest.mark.parametrize(
    "node_id, shown",
    [
        (ORG, HOSTILE_NAME),
        (EVENT_E2, HOSTILE_SENTENCE),
        (EVENT_E3, HOSTILE_TITLE),
    ],
)
def test_view_hostile_text_is_shown_as_text(browser, small_view, node_id, shown):
    path, _summary = small_view
    page, requests = _open(browser, path)
    try:
        assert shown in _hover(page, node_id)
        page.mouse.click(*page.evaluate("[window.innerWidth/2, 5]"))
        dom = page.content()
        assert "<img src=" not in dom and "<script>window" not in dom
        assert page.locator(".kg-tip img, .kg-tip script").count() == 0
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert all(url.startswith("file://") for url in requests)
    finally:
        page.close()


@pytest.mark.parametrize(
    "node_id, href",
    [
        (EVENT_E2, "https://en.wikinews.org/wiki/Kyiv_talks?a=1&b=2"),
        (EVENT_E3, None),  # javascript: URL must not become a link
    ],
)
def test_view_click_shows_article_link(browser, small_view, node_id, href):
    path, _summary = small_view
    page, _requests = _open(browser, path)
    try:
        page.evaluate(
            """(id) => network.body.emitter.emit('click',
                   {nodes: [id], edges: [], pointer: {DOM: {x: 0, y: 0}}})""",
            node_id,
        )
        links = page.eval_on_selector_all(
            "#kg-details-body a", "els => els.map(a => a.getAttribute('href'))"
        )
        assert links == ([href] if href else [])
        assert page.evaluate("typeof window.__pwned") == "undefined"
    finally:
        page.close()


@pytest.mark.parametrize("labels", [["Consult", "Disapprove", "Fight"]])
def test_view_events_named_by_cameo_root(browser, tmp_path, any_small_store, labels):
    out = tmp_path / "v.html"
    render_html(any_small_store, out)
    page, _requests = _open(browser, out)
    try:
        got = page.evaluate(
            "nodes.get({filter: n => n.kgKind === 'Event'})"
            ".map(n => n.label.split('\\n')[1]).sort()"
        )
        assert got == labels
        legend = page.inner_text("#kg-legend")
        for name in ["Person", "Organization", "Country", "Place", *labels]:
            assert name in legend
        assert "Asserted events only" in legend
    finally:
        page.close()


@pytest.mark.parametrize(
    "fact",
    [
        "Date: 2019-01-24 (article)",  # e2 has no date of its own
        "Date: 2019-01-21",
        "Trigger: talks",
        "Root: 19 Fight",
        "Goldstein: -10.0",
        "Confidence: 0.80",
        "Country: UKR",
    ],
)
def test_view_tooltips_carry_event_facts(small_view, fact):
    path, _summary = small_view
    assert fact in path.read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "node_id, title, roles",
    [
        (
            EVENT_E1,
            "Volodymyr Zelenskiy → Russia",
            [
                "Source (actor): Volodymyr Zelenskiy (Person)",
                "Target (acted on): Russia (Country)",
                "Place: Kyiv",
            ],
        ),
        (
            EVENT_E2,
            f"Russia → {HOSTILE_NAME}",
            ["Source (actor): Russia (Country)",
             f"Target (acted on): {HOSTILE_NAME} (Organization)"],
        ),
        (
            EVENT_E3,
            f"{HOSTILE_NAME} → (no target)",
            [f"Source (actor): {HOSTILE_NAME} (Organization)"],
        ),
    ],
)  # fmt: skip
def test_view_events_name_source_and_target(browser, small_view, node_id, title, roles):
    path, _summary = small_view
    page, _requests = _open(browser, path)
    try:
        label = page.evaluate("(id) => nodes.get(id).label", node_id)
        assert label.split("\n")[0] == title
        tooltip = _hover(page, node_id)
        assert tooltip.startswith(title)
        for role in roles:
            assert role in tooltip
        page.evaluate(
            """(id) => network.body.emitter.emit('click',
                   {nodes: [id], edges: [], pointer: {DOM: {x: 0, y: 0}}})""",
            node_id,
        )
        details = page.inner_text("#kg-details-body")
        assert details.startswith(title)
        for role in roles:
            assert role in details
        assert page.evaluate("typeof window.__pwned") == "undefined"
    finally:
        page.close()


@pytest.mark.parametrize("graph", ["events", "actors"])
def test_view_output_is_deterministic(tmp_path, graph):
    pages = []
    for name in ("a", "b"):
        with open_store(tmp_path / f"store-{name}") as store:
            fill_store(store, _small_graph())
            render_html(store, tmp_path / f"{name}.html", graph=graph)
            render_html(store, tmp_path / f"{name}-again.html", graph=graph)
        pages += [tmp_path / f"{name}.html", tmp_path / f"{name}-again.html"]
    assert len({page.read_bytes() for page in pages}) == 1


@pytest.mark.parametrize("physics_limit", [3])
def test_view_big_graph_is_laid_out_in_python(
    browser, tmp_path, small_store, physics_limit
):
    out = tmp_path / "v.html"
    summary = render_html(small_store, out, physics_limit=physics_limit)
    assert summary.physics is False
    page, requests = _open(browser, out)
    try:
        fixed = page.evaluate(
            "nodes.get().every(n => typeof n.x === 'number' && typeof n.y === 'number')"
        )
        assert fixed is True
        assert page.evaluate("network.physics.physicsEnabled") is False
        assert page.evaluate("network.body.data.nodes.length") == summary.nodes
        assert all(url.startswith("file://") for url in requests)
    finally:
        page.close()


@pytest.mark.parametrize("events, bar", [(80, True), (60, False)])
def test_view_shows_progress_while_physics_settles_a_big_graph(
    browser, tmp_path, events, bar
):
    out = tmp_path / "v.html"
    with _big_store(tmp_path, events) as store:
        summary = render_html(store, out)
    assert summary.physics is True and (summary.nodes > 100) == bar
    assert ('id="loadingBar"' in out.read_text(encoding="utf-8")) == bar
    page, _requests = _open(browser, out)
    try:
        if bar:
            page.wait_for_function(
                "getComputedStyle(document.getElementById('loadingBar')).display"
                " === 'none'"
            )
            assert page.inner_text("#loadingBar #text") == "100%"
        assert page.evaluate("network.body.data.nodes.length") == summary.nodes
    finally:
        page.close()


@pytest.mark.parametrize("events", [1400])
def test_view_turns_physics_off_past_the_limit(tmp_path, events):
    with _big_store(tmp_path, events) as store:
        out, again = tmp_path / "v.html", tmp_path / "again.html"
        summary = render_html(store, out)
        render_html(store, again)
    assert (summary.nodes, summary.edges, summary.physics) == (
        events + events // 2,
        2 * events,
        False,
    )
    assert out.read_bytes() == again.read_bytes()


@pytest.mark.parametrize("name", ["missing-dir/v.html"])
def test_view_unwritable_output_raises_usage_error(tmp_path, small_store, name):
    with pytest.raises(UsageError, match="cannot write the view"):
        render_html(small_store, tmp_path / name)


@pytest.mark.parametrize("graph", ["sideways"])
def test_view_unknown_graph_raises_usage_error(tmp_path, small_store, graph):
    with pytest.raises(UsageError, match="'events' or 'actors'"):
        render_html(small_store, tmp_path / "v.html", graph=graph)


@pytest.mark.parametrize("ontology", [True, False])
def test_view_empty_store_still_renders(tmp_path, ontology):
    with open_store(tmp_path / "store") as store:
        fill_store(store, Graph(), ontology=ontology)
        summary = render_html(store, tmp_path / "v.html")
    assert (summary.nodes, summary.edges) == (0, 0)
    assert "No events in this graph." in (tmp_path / "v.html").read_text("utf-8")


ZELENSKIY = "https://w3id.org/kg-events/id/person/ukr/volodymyr-zelenskiy"
RUSSIA = "https://w3id.org/kg-events/id/country/RUS"


@pytest.mark.parametrize(
    "spec, events",
    [
        (EventFilter(), 3),
        (EventFilter(types=("19",)), 1),
        (EventFilter(types=("040", "11")), 2),
        (EventFilter(since="2019-01-22"), 2),  # e2 is dated by its article
        (EventFilter(until="2019-01-24"), 2),
        (EventFilter(actors=("russia",)), 2),
        (EventFilter(countries=("UA",)), 2),  # Zelenskiy's, and the place Kyiv
        (EventFilter(places=("Kyiv",)), 2),
        (EventFilter(actors=("Zelenskiy",), types=("19",)), 0),
    ],
)
def test_view_filters_reduce_events(tmp_path, small_store, spec, events):
    summary = render_html(small_store, tmp_path / "v.html", filters=spec)
    assert summary.events == events
    assert summary.nodes < 7 or events == 3
    assert summary.note.startswith("Filtered (") or spec == EventFilter()


@pytest.mark.parametrize(
    "spec, text",
    [
        (EventFilter(), ""),
        (
            EventFilter(since="2019-01", types=("19", "04")),
            "since 2019-01, type 19 or 04",
        ),
        (
            EventFilter(countries=("ua",), modalities=None),
            "country UKR, every modality",
        ),
        (EventFilter(modalities=frozenset({"negated"})), "modality negated"),
    ],
)
def test_view_describe_filter(spec, text):
    assert describe_filter(spec) == text


@pytest.mark.parametrize("modalities, events", [(None, 4), (frozenset({"negated"}), 1)])
def test_view_shows_flagged_events_only_when_asked(tmp_path, modalities, events):
    graph = _small_graph()
    denied = KGR["event/kyiv-talks/e9"]
    for p, o in [(RDF.type, KG.Event), (KG.eventType, CAMEO["190"]),
                 (KG.sourceActor, URIRef(RUSSIA)), (KG.modality, Literal("negated")),
                 (KG.fromArticle, KGR["article/kyiv-talks"])]:  # fmt: skip
        graph.add((denied, p, o))
    with open_store(tmp_path / "store") as store:
        fill_store(store, graph)
        assert render_html(store, tmp_path / "a.html").events == 3
        spec = EventFilter(modalities=modalities)
        summary = render_html(store, tmp_path / "v.html", filters=spec)
    assert summary.events == events
    assert "Modality: negated" in (tmp_path / "v.html").read_text("utf-8")


@pytest.mark.parametrize("graph", ["events", "actors"])
@pytest.mark.parametrize("hops, actors", [(1, 2), (2, 3)])
def test_view_ego_network_grows_with_hops(tmp_path, small_store, graph, hops, actors):
    summary = render_html(
        small_store, tmp_path / "v.html", graph=graph, actor="zelenskiy", hops=hops
    )
    assert summary.actors == actors
    assert "Neighbourhood of Volodymyr Zelenskiy" in summary.note


@pytest.mark.parametrize(
    "events, name, message",
    [(0, "Nobody", "No actor matches"), (10, "Person", "matches 5 actors")],
)
def test_view_ego_needs_one_actor(tmp_path, small_store, events, name, message):
    store = _big_store(tmp_path / "big", events) if events else small_store
    with store, pytest.raises(UsageError, match=message):
        render_html(store, tmp_path / "v.html", actor=name, hops=1)


@pytest.mark.parametrize(
    "source, target, weight, relation",
    [
        (ZELENSKIY, RUSSIA, 1, "cooperation"),
        (RUSSIA, ORG, 1, "conflict"),
    ],
)
def test_view_actor_network_edges(
    browser, tmp_path, small_store, source, target, weight, relation
):
    out = tmp_path / "a.html"
    summary = render_html(small_store, out, graph="actors")
    assert (summary.nodes, summary.edges) == (3, 2)
    page, requests = _open(browser, out)
    try:
        edge = page.evaluate(
            "([s, t]) => edges.get({filter: e => e.from === s && e.to === t})[0]",
            [source, target],
        )
        assert (edge["kgWeight"], edge["kgRelation"]) == (weight, relation)
        assert edge["color"] == STANCE_COLOURS[relation]
        assert f"mostly {relation}" in page.inner_text("#kg-legend")
        assert all(url.startswith("file://") for url in requests)
    finally:
        page.close()


@pytest.mark.parametrize("typed, node_id", [("Zelen", ZELENSKIY), ("img", ORG)])
def test_view_search_box_focuses_node(browser, small_view, typed, node_id):
    path, _summary = small_view
    page, requests = _open(browser, path)
    try:
        page.click("#kg-search-ts-control")
        page.keyboard.type(typed)
        page.wait_for_selector(".ts-dropdown .option")
        assert page.locator(".ts-dropdown img, .ts-dropdown script").count() == 0
        page.keyboard.press("Enter")
        assert page.evaluate("network.getSelectedNodes()") == [node_id]
        assert page.evaluate("typeof window.__pwned") == "undefined"
        assert all(url.startswith("file://") for url in requests)
    finally:
        page.close()


@pytest.mark.parametrize(
    "menu, values, visible",
    [
        ("group", ["19 Fight"], 4),  # the event of root 19, its 2 actors and place
        ("group", ["11 Disapprove"], 2),  # e3 and its source; no target, no place
        ("group", ["04 Consult", "19 Fight"], 6),
        ("kind", ["Event"], 3),
        ("kind", [], 7),
    ],
)
def test_view_filter_menus_hide_nodes(browser, small_view, menu, values, visible):
    path, _summary = small_view
    page, _requests = _open(browser, path)
    try:
        page.evaluate(f"(v) => kgFilters.{menu}.setValue(v)", values)
        assert page.evaluate("nodes.get({filter: n => !n.hidden}).length") == visible
        assert page.inner_text("#kg-shown") == f"{visible} of 7 nodes shown"
    finally:
        page.close()


_CONNECTED = """() => {
    const shown = new Set(nodes.getIds({filter: n => !n.hidden}));
    const linked = new Set();
    edges.get({filter: e => !e.hidden}).forEach(e => {
        if (shown.has(e.from) && shown.has(e.to)) {
            linked.add(e.from);
            linked.add(e.to);
        }
    });
    return nodes.get({filter: n => !n.hidden && n.kgKind !== 'Event'})
        .filter(n => !linked.has(n.id)).map(n => n.id);
}"""


@pytest.mark.parametrize(
    "graph, menu, values, visible",
    [
        ("events", "group", ["19 Fight"], 4),
        ("events", "group", ["04 Consult"], 4),
        ("actors", "group", ["conflict"], 2),  # Russia -> the organisation
        ("actors", "group", ["cooperation"], 2),  # Zelenskiy -> Russia
    ],
)
def test_view_root_filter_leaves_only_connected_nodes(
    browser, tmp_path, small_store, graph, menu, values, visible
):
    out = tmp_path / "v.html"
    render_html(small_store, out, graph=graph)
    page, _requests = _open(browser, out)
    try:
        before = page.evaluate("nodes.get({filter: n => !n.hidden}).length")
        page.evaluate(f"(v) => kgFilters.{menu}.setValue(v)", values)
        assert page.evaluate("nodes.get({filter: n => !n.hidden}).length") == visible
        assert visible < before
        assert page.evaluate(_CONNECTED) == []
        page.evaluate(f"() => kgFilters.{menu}.setValue([])")
        assert page.evaluate("nodes.get({filter: n => !n.hidden}).length") == before
    finally:
        page.close()


@pytest.mark.parametrize("events, max_nodes", [(1400, 600)])
def test_view_big_graph_keeps_top_actors_and_says_so(
    browser, tmp_path, events, max_nodes
):
    out = tmp_path / "v.html"
    with _big_store(tmp_path, events) as store:
        summary = render_html(store, out, max_nodes=max_nodes)
    assert 0 < summary.nodes <= max_nodes and summary.events < events
    assert summary.note.startswith("Too big to draw whole")
    page, _requests = _open(browser, out)
    try:
        assert page.evaluate("window.kgDrawn") is True
        assert "most active actors" in page.inner_text("#kg-note")
        assert page.evaluate("network.body.data.nodes.length") == summary.nodes
    finally:
        page.close()


def _open_at(browser, path: Path, width: int = 1024, height: int = 768) -> object:
    """Load ``path`` at a laptop's size and device scale factor 1, settled."""
    page = browser.new_page(
        viewport={"width": width, "height": height}, device_scale_factor=1
    )
    page.route(
        "**/*",
        lambda r: r.continue_() if r.request.url.startswith("file://") else r.abort(),
    )
    page.goto(path.as_uri())
    page.wait_for_function("window.kgReady === true", timeout=60_000)
    page.evaluate("network.stopSimulation(); kgFit()")
    return page


#: On-screen label size (network scale x label font, px) of the busiest actors.
_TOP_LABELS = """() => {
    const scale = network.getScale();
    return nodes.get({filter: n => n.kgKind !== 'Event' && n.kgKind !== 'Place'})
        .sort((a, b) => b.kgEvents - a.kgEvents).slice(0, 20)
        .map(n => network.body.nodes[n.id].options.font.size * scale);
}"""

#: Nodes (with their size) drawn outside the canvas: none when the frame fits.
_OUTSIDE = """() => {
    const box = document.getElementById('mynetwork').getBoundingClientRect();
    const scale = network.getScale();
    return Object.entries(network.getPositions()).filter(([id, xy]) => {
        const p = network.canvasToDOM(xy);
        const r = network.body.nodes[id].options.size * scale;
        return p.x - r < 0 || p.y - r < 0 || p.x + r > box.width
            || p.y + r > box.height;
    }).map(([id]) => id);
}"""


@pytest.mark.parametrize("graph", ["events", "actors"])
def test_view_sample_labels_readable_at_default_zoom(
    browser, tmp_path, built_store, graph
):
    out = tmp_path / "v.html"
    render_html(built_store, out, graph=graph)
    page = _open_at(browser, out)
    try:
        sizes = page.evaluate(_TOP_LABELS)
        assert len(sizes) == min(20, page.evaluate(
            "nodes.get({filter: n => n.kgKind !== 'Event' && n.kgKind !== 'Place'})"
            ".length"))  # fmt: skip
        assert len(sizes) >= 10 and min(sizes) >= 11
        assert page.evaluate(_OUTSIDE) == []
    finally:
        page.close()


@pytest.mark.parametrize("graph", ["events", "actors"])
def test_view_big_graph_labels_and_frame(browser, tmp_path, graph):
    out = tmp_path / "v.html"
    with _big_store(tmp_path, 1400) as store:
        summary = render_html(store, out, graph=graph, max_nodes=600)
    assert not summary.physics or graph == "actors"
    page = _open_at(browser, out)
    try:
        assert min(page.evaluate(_TOP_LABELS)) >= 11
        assert page.evaluate(_OUTSIDE) == []
        # Minor labels are too small to draw at this zoom (vis-network's
        # drawThreshold), and come back when zoomed in.
        threshold = page.evaluate("network.body.nodes[nodes.getIds()[0]]"
                                  ".options.scaling.label.drawThreshold")  # fmt: skip
        minor = """(threshold) => {
            const top = new Set(nodes.get({filter: n => n.kgKind !== 'Event'})
                .sort((a, b) => b.kgEvents - a.kgEvents).slice(0, 20)
                .map(n => n.id));
            return nodes.get({filter: n => !top.has(n.id)}).filter(n =>
                network.body.nodes[n.id].options.font.size * network.getScale()
                >= threshold - 1).length;
        }"""
        assert page.evaluate(minor, threshold) == 0
        page.evaluate("network.moveTo({scale: 1})")
        assert page.evaluate(minor, threshold) == summary.nodes - 20
        # The canvas fills the window below the header.
        bottom = page.evaluate(
            "document.getElementById('mynetwork').getBoundingClientRect().bottom"
        )
        assert 768 - 24 <= bottom <= 768
    finally:
        page.close()


@pytest.mark.parametrize(
    "step, until, visible, roots",
    [
        (0, "2019-01-21", 4, []),  # e1, Zelenskiy, Russia, Kyiv
        (1, "2019-01-24", 6, []),  # + e2 (its article's date) and the organisation
        (2, "2019-01-25", 7, []),
        (3, "all dates", 7, []),
        (0, "2019-01-21", 0, ["19 Fight"]),  # the fight comes later
        (1, "2019-01-24", 4, ["19 Fight"]),
    ],
)
def test_view_time_slider_shows_events_in_date_order(
    browser, small_view, step, until, visible, roots
):
    path, _summary = small_view
    page, _requests = _open(browser, path)
    try:
        assert page.evaluate("kgTime.dates") == ["2019-01-21", "2019-01-24",
                                                 "2019-01-25"]  # fmt: skip
        assert page.input_value("#kg-time-range") == "3"  # all, at first
        page.evaluate("(v) => kgFilters.group.setValue(v)", roots)
        page.evaluate("(i) => kgTime.set(i)", step)
        assert page.inner_text("#kg-time-date") == until
        assert page.evaluate("nodes.get({filter: n => !n.hidden}).length") == visible
        assert page.evaluate(_CONNECTED) == []
    finally:
        page.close()


def test_view_time_slider_plays_to_the_end(browser, small_view):
    path, _summary = small_view
    page, _requests = _open(browser, path)
    try:
        page.click("#kg-time-play")
        assert page.input_value("#kg-time-range") in ("0", "1")
        page.wait_for_function(
            "document.getElementById('kg-time-date').textContent === 'all dates'"
        )
        assert page.evaluate("nodes.get({filter: n => !n.hidden}).length") == 7
    finally:
        page.close()


@pytest.mark.parametrize("graph, slider", [("events", 1), ("actors", 0)])
def test_view_time_slider_only_when_events_carry_dates(
    browser, tmp_path, small_store, graph, slider
):
    out = tmp_path / "v.html"
    render_html(small_store, out, graph=graph)
    page, _requests = _open(browser, out)
    try:
        assert page.locator("#kg-time-range").count() == slider
        assert page.evaluate("kgTime.until()") is None
    finally:
        page.close()
