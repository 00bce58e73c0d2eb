"""kg.analysis.eventrows and kg.analysis.graphs on a hand-written store.

The store is tests/data/graphs/ (helpers.trigstore; the trig_store fixtures).
"""

from __future__ import annotations

from datetime import date

import networkx as nx
import pytest
from helpers.trigstore import (
    ASSERTED_ORDER,
    ID,
    KYIV,
    POL,
    RUS,
    UKR,
    UN,
    USA,
    WAGNER,
    WARSAW,
    ZEL,
    fill_store,
)

from kg.analysis.graphs import (
    ActorInfo,
    ArticleInfo,
    CameoType,
    EventFilter,
    EventRow,
    PlaceInfo,
    actor_network,
    ego,
    event_graph,
    find_actor,
    load_events,
)
from kg.errors import UsageError
from kg.store import open_store


@pytest.fixture(scope="module")
def rows(trig_store_path) -> list[EventRow]:
    with open_store(trig_store_path) as store:
        return load_events(store)


def short(rows: list[EventRow]) -> list[str]:
    return [row.iri.rsplit("/", 1)[1] for row in rows]


def test_graphs_load_events_reads_asserted_events_by_date(rows):
    assert short(rows) == ASSERTED_ORDER


def test_graphs_load_events_builds_full_records(rows):
    kyiv = PlaceInfo(KYIV, "Kyiv", "UKR", 50.45466, 30.5238, 703448)
    assert rows[0] == EventRow(
        iri=f"{ID}event/a1/e1",
        cameo=CameoType("040", "Consult, not specified below", "04", "Consult", 1, 1.0),
        source=ActorInfo(ZEL, "Volodymyr Zelenskiy", "Person", "UKR", "UKRGOV"),
        target=ActorInfo(RUS, "Russia", "Country", "RUS", "RUS"),
        place=kyiv,
        date=date(2019, 1, 21),
        modality="asserted",
        trigger="held talks",
        sentence="Zelenskiy held talks with Russia in Kyiv.",
        confidence=0.9,
        article=ArticleInfo(
            f"{ID}article/a1",
            "Talks in Kyiv, shelling in the east",
            "https://example.org/news/a1",
            date(2019, 1, 24),
        ),
    )
    undated = rows[3]
    assert (undated.date, undated.when) == (None, date(2019, 2, 10))
    assert rows[-1].target is None and rows[-1].modality == "asserted"
    assert rows[-1].cameo.stance == "cooperation" and rows[1].cameo.stance == "conflict"


@pytest.mark.parametrize(
    "modalities, expected",
    [
        (None, ["e1", "e2", "e3", "e4", "e5", "e6", "e8", "e7", "e9", "e10"]),
        (frozenset({"negated", "hypothetical"}), ["e3", "e10"]),
    ],
)
def test_graphs_load_events_modalities(trig_store, modalities, expected):
    assert (
        short(load_events(trig_store, EventFilter(modalities=modalities))) == expected
    )


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({"since": "2019-02"}, ["e4", "e5", "e6", "e8", "e7", "e9"]),
        ({"until": "2019-02"}, ["e1", "e2", "e4", "e5", "e6"]),
        ({"since": "2019-02-10", "until": "2019-02-10"}, ["e5"]),
        ({"since": date(2019, 3, 4)}, ["e7", "e9"]),
        ({"since": "2020"}, []),
        ({"types": ("19",)}, ["e2", "e8"]),
        ({"types": ("cameo:04",)}, ["e1", "e7"]),
        ({"types": ("043", "070")}, ["e4", "e7"]),
        ({"actors": ("zelenskiy",)}, ["e1", "e9"]),
        ({"actors": ("UKRGOV",)}, ["e1", "e9"]),
        ({"actors": (UN,)}, ["e6"]),
        ({"actors": ("russia",)}, ["e1", "e2", "e5", "e6"]),
        ({"actors": ("us",)}, []),  # whole words only: not "Russia"
        ({"countries": ("POL",)}, ["e7"]),
        ({"countries": ("pl", "usa")}, ["e4", "e7"]),
        ({"places": ("kyiv",)}, ["e1", "e2", "e8"]),
        ({"places": ("756135",)}, ["e7"]),
        ({"since": "2019-02", "countries": ("RUS",)}, ["e5", "e6", "e8"]),
    ],
)
def test_graphs_filters_select_events(trig_store, filters, expected):
    assert short(load_events(trig_store, EventFilter(**filters))) == expected


@pytest.mark.parametrize(
    "filters, message",
    [
        ({"types": ("4x",)}, "'4x' is not a CAMEO code"),
        ({"countries": ("Ukraine",)}, "'Ukraine' is not an ISO 3166-1 country code"),
        ({"countries": ("XQ",)}, "'XQ' is not an ISO 3166-1 country code"),
        ({"since": "Jan 2019"}, "'Jan 2019' is not a date: use YYYY"),
        ({"since": "2019-03", "until": "2019-02"}, "since \\(2019-03\\) is after"),
    ],
)
def test_graphs_filter_rejects_bad_values(filters, message):
    with pytest.raises(UsageError, match=message):
        EventFilter(**filters)


def test_graphs_load_events_without_ontology_uses_bundled_cameo(tmp_path):
    with open_store(tmp_path / "bare") as bare:
        rows = load_events(fill_store(bare, ontology=False))
    assert short(rows) == ASSERTED_ORDER
    assert rows[1].cameo == CameoType(
        "190",
        "Use conventional military force, not specified below",
        "19",
        "Fight",
        4,
        -10.0,
    )


def test_graphs_event_graph_nodes_and_edges(rows):
    graph = event_graph(rows)
    kinds = nx.get_node_attributes(graph, "kind")
    assert sorted(kinds.values()).count("Event") == 8
    assert {n for n, k in kinds.items() if k == "Place"} == {KYIV, WARSAW}
    assert {n for n, k in kinds.items() if k not in ("Event", "Place")} == {
        UKR, RUS, USA, POL, ZEL, UN, WAGNER
    }  # fmt: skip
    e7 = f"{ID}event/a3/e7"
    assert sorted(graph.edges(keys=True)) == sorted(
        [(r.source.iri, r.iri, "source") for r in rows]
        + [(r.iri, r.target.iri, "target") for r in rows if r.target]
        + [(r.iri, r.place.iri, "place") for r in rows if r.place]
    )
    assert graph.number_of_edges() == 8 + 7 + 4
    assert graph.edges[e7, WARSAW, "place"] == {"role": "place"}


def test_graphs_event_graph_attributes(rows):
    graph = event_graph(rows)
    assert graph.nodes[f"{ID}event/a3/e7"] == {
        "label": "043 Host a visit",
        "kind": "Event",
        "cameo_code": "043",
        "cameo_root": "04",
        "cameo_name": "Consult",
        "quad_class": 1,
        "goldstein": 2.8,
        "date": "2019-03-04",
        "modality": "asserted",
        "trigger": "hosted",
        "sentence": 'Poland hosted Ukraine\'s "delegation", in Warsaw;\nthe <b>talks'
        "</b> went on\x0b late.",
        "article": f"{ID}article/a3",
        "url": "https://example.org/news/a3?id=3&lang=en",
        "color": "#4292c6",
    }
    assert graph.nodes[UN] == {
        "events": 1,
        "label": "United Nations",
        "kind": "Organization",
        "actor_code": "IGOUNO",
        "color": "#f28e2b",
    }
    assert graph.nodes[KYIV] == {
        "events": 3,
        "label": "Kyiv",
        "kind": "Place",
        "country": "UKR",
        "latitude": 50.45466,
        "longitude": 30.5238,
        "geonames_id": 703448,
        "color": "#9c755f",
    }
    assert "confidence" not in graph.nodes[f"{ID}event/a1/e2"]
    assert graph.nodes[f"{ID}event/a1/e1"]["confidence"] == 0.9


GREEN, RED = "#2ca02c", "#d62728"
# (source, target): (events, cooperation, conflict, goldstein_mean, colour, first, last)
EXPECTED_EDGES = {
    (ZEL, RUS): (1, 1, 0, 1.0, GREEN, "2019-01-21", "2019-01-21"),
    (RUS, UKR): (2, 0, 2, -6.0, RED, "2019-01-22", "2019-02-10"),
    (USA, UKR): (1, 1, 0, 7.0, GREEN, "2019-02-09", "2019-02-09"),
    (UN, RUS): (1, 0, 1, -2.0, RED, "2019-02-11", "2019-02-11"),
    (WAGNER, UKR): (1, 0, 1, -10.0, RED, "2019-03-03", "2019-03-03"),
    (POL, UKR): (1, 1, 0, 2.8, GREEN, "2019-03-04", "2019-03-04"),
}


def test_graphs_actor_network_weighted_edges(rows):
    network = actor_network(rows)
    got = {
        (u, v): (
            d["weight"],
            d["cooperation"],
            d["conflict"],
            d["goldstein_mean"],
            d["color"],
            d["first"],
            d["last"],
        )
        for u, v, d in network.edges(data=True)
    }
    assert got == EXPECTED_EDGES
    assert network.edges[RUS, UKR]["balance"] == -1.0
    assert network.edges[RUS, UKR]["stance"] == "conflict"
    assert network.edges[RUS, UKR]["events"] == 2


def test_graphs_actor_network_nodes_count_all_events(rows):
    network = actor_network(rows)
    assert dict(network.nodes(data="events")) == {
        ZEL: 2, RUS: 4, UKR: 5, USA: 1, UN: 1, WAGNER: 1, POL: 1
    }  # fmt: skip
    assert network.nodes[WAGNER] == {
        "events": 1,
        "label": "Wagner Group",
        "kind": "Group",
        "country": "RUS",
        "actor_code": "RUSMIL",
        "color": "#b07aa1",
    }


def test_graphs_actor_network_counts_mixed_dyads(trig_store):
    rows = load_events(trig_store, EventFilter(modalities=None, actors=("russia",)))
    edge = actor_network(rows).edges[RUS, UKR]
    assert (edge["events"], edge["conflict"], edge["stance"]) == (3, 3, "conflict")


@pytest.mark.parametrize(
    "kind, actor, hops, expected",
    [
        ("actors", "Poland", 0, {POL}),
        ("actors", "Poland", 1, {POL, UKR}),
        ("actors", "Poland", 2, {POL, UKR, RUS, USA, WAGNER}),
        ("actors", ZEL, 1, {ZEL, RUS}),
        ("events", "zelenskiy", 1, {ZEL, RUS, KYIV, f"{ID}event/a1/e1",
                                    f"{ID}event/a3/e9"}),
        ("events", "Wagner", 1, {WAGNER, UKR, KYIV, f"{ID}event/a3/e8"}),
    ],
)  # fmt: skip
def test_graphs_ego_keeps_actors_within_hops(rows, kind, actor, hops, expected):
    graph = event_graph(rows) if kind == "events" else actor_network(rows)
    found = ego(graph, actor, hops)
    assert set(found) == expected
    assert type(found) is type(graph)
    if kind == "actors" and hops == 2:
        assert found.edges[RUS, UKR]["weight"] == 2


@pytest.mark.parametrize(
    "name, expected",
    [("Ukraine", UKR), ("ukraine", UKR), ("UKRGOV", ZEL), ("wagner", WAGNER)],
)
def test_graphs_find_actor_resolves_names(rows, name, expected):
    assert find_actor(actor_network(rows), name) == expected


@pytest.mark.parametrize(
    "name, message",
    [
        ("united", "'united' matches 2 actors \\(United Nations, United States\\)"),
        ("Atlantis", "No actor matches 'Atlantis'"),
        ("Kyiv", "No actor matches 'Kyiv'"),  # a place, not an actor
    ],
)
def test_graphs_find_actor_reports_ambiguity(rows, name, message):
    with pytest.raises(UsageError, match=message):
        find_actor(event_graph(rows), name)


def test_graphs_ego_rejects_negative_hops(rows):
    with pytest.raises(UsageError, match="hops must be 0 or more"):
        ego(actor_network(rows), "Poland", -1)


def test_graphs_an_out_of_range_quad_class_is_unknown_not_a_crash(tmp_path):
    """A store edited outside kg (``cameo:19 kg:quadClass 9``, which kg serve now
    refuses) still draws and exports: the class reads as unknown."""
    import pyoxigraph as ox
    from helpers.clirunner import run_kg

    from kg.rdf.namespaces import CAMEO, KG

    article = tmp_path / "clash.txt"
    article.write_text("Portugal attacked Spain on Monday.\n", encoding="utf-8")
    store_path = tmp_path / "store"
    assert run_kg("ingest", str(article), "--store", str(store_path)).returncode == 0
    raw = ox.Store(str(store_path))
    bad = ox.Literal(
        "9", datatype=ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")
    )
    graph = ox.NamedNode("https://w3id.org/kg-events/id/article/clash")
    for name in (graph, ox.DefaultGraph()):
        raw.add(
            ox.Quad(
                ox.NamedNode(f"{CAMEO}19"), ox.NamedNode(f"{KG}quadClass"), bad, name
            )
        )
    raw.flush()
    del raw
    for args in (
        ("viz", "-o", str(tmp_path / "v.html")),
        ("export", "--format", "graphml", "-o", str(tmp_path / "g.graphml")),
    ):
        ran = run_kg(*args, "--store", str(store_path))
        assert ran.returncode == 0, ran.stderr.decode()
        assert b"Traceback" not in ran.stderr
    with open_store(store_path, read_only=True) as store:
        rows = load_events(store)
    assert rows and {
        row.cameo.quad_class for row in rows if row.cameo.root == "19"
    } <= {4, None}
