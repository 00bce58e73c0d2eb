"""Tests of kg.stats: exact counts on a fixed three-article store."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from kg.rdf.iris import article_iri, entity_iri, event_iri
from kg.rdf.namespaces import CAMEO, KG, bind_prefixes
from kg.records import Article, Entity, Event
from kg.stats import ActorCount, RootCount, collect_stats, format_stats, format_summary
from kg.store import Store, open_store

# --- fixture builder (same data as tests/test_store.py) -------------------------
ZELENSKIY = Entity("Volodymyr Zelenskiy", "person", "UKR", ("Zelenskiy",), "President")
RUSSIA = Entity("Russia", "country", "RUS")
UKRAINE = Entity("Ukraine", "country", "UKR")
UN = Entity("United Nations", "organization")
WAGNER = Entity("Wagner Group", "group", "RUS")
KYIV = Entity("Kyiv", "location", "UKR", ("Kiev",))
HOSTILE = "He said \"no\" \\ <b>\nthen\tleft — שלום 🚀 'end'"

# (article id, [(cameo, source, target, place, trigger), ...])
SPEC = [
    (
        "a1",
        [
            ("040", ZELENSKIY, RUSSIA, KYIV, "talks"),
            ("190", RUSSIA, UKRAINE, None, "attacked"),
        ],
    ),
    (
        "a2",
        [
            ("111", UN, RUSSIA, None, "criticised"),
            ("190", WAGNER, UKRAINE, None, "shelled"),
        ],
    ),
    ("a3", [("043", ZELENSKIY, UN, None, "met")]),
]


def article_graph(aid: str, events: list, text: str = "Body.") -> tuple[Graph, str]:
    """The graph of one article in the shared RDF shape, and its content hash."""
    article = Article(
        aid,
        text,
        title=f"Title {aid} {HOSTILE}",
        date=date(2019, 1, 24),
        source="Wikinews",
        url=f"https://example.org/{aid}",
    )
    g, a = Graph(), article_iri(article)
    bind_prefixes(g)
    for p, o in [
        (RDF.type, KG.Article),
        (KG.title, Literal(article.title)),
        (KG.url, Literal(article.url, datatype=XSD.anyURI)),
        (KG.publisher, Literal("Wikinews")),
        (KG.published, Literal(article.date)),
        (KG.contentHash, Literal(article.content_hash)),
    ]:
        g.add((a, p, o))
    for i, (code, src, tgt, place, trigger) in enumerate(events):
        ev = Event(
            code,
            trigger,
            src,
            tgt,
            place,
            "2019-01-21",
            HOSTILE,
            i * 10,
            i * 10 + 9,
            0.8,
            i * 10 + 3,
        )
        add_event(g, a, event_iri(article, ev), ev)
    return g, article.content_hash


def add_event(g: Graph, a: URIRef, e: URIRef, ev: Event) -> None:
    g.add((e, RDF.type, KG.Event))
    g.add((e, KG.eventType, CAMEO[ev.cameo]))
    g.add((e, KG.trigger, Literal(ev.trigger)))
    g.add((e, KG.sentence, Literal(ev.sentence)))
    g.add((e, KG.confidence, Literal(Decimal("0.8"))))
    g.add((e, KG.fromArticle, a))
    for prop, ent in [
        (KG.sourceActor, ev.source),
        (KG.targetActor, ev.target),
        (KG.place, ev.location),
    ]:
        if ent is not None:
            g.add((e, prop, entity_iri(ent)))
            add_entity(g, a, ent)


def add_entity(g: Graph, a: URIRef, ent: Entity) -> None:
    node = entity_iri(ent)
    cls = KG.Place if ent.kind == "location" else KG[ent.kind.capitalize()]
    g.add((node, RDF.type, cls))
    g.add((node, RDFS.label, Literal(ent.name)))
    g.add((node, KG.mentionedIn, a))
    if ent.country:
        g.add((node, KG.countryCode, Literal(ent.country)))


def ontology_graph() -> Graph:
    g = Graph()
    for root, label, child in [
        ("04", "Consult", "040"),
        ("11", "Disapprove", "111"),
        ("19", "Fight", "190"),
    ]:
        g.add((CAMEO[root], SKOS.topConceptOf, CAMEO.scheme))
        g.add((CAMEO[root], SKOS.notation, Literal(root)))
        g.add((CAMEO[root], SKOS.prefLabel, Literal(label, lang="en")))
        g.add((CAMEO[child], SKOS.broader, CAMEO[root]))
    g.add((CAMEO["043"], SKOS.broader, CAMEO["04"]))
    g.add((KG.Event, RDFS.label, Literal("event", lang="en")))
    return g


def fill(store: Store, with_ontology: bool = True) -> dict[str, Graph]:
    graphs = {}
    for aid, events in SPEC:
        graphs[aid], digest = article_graph(aid, events)
        store.put_article(article_iri(aid), graphs[aid], digest)
    if with_ontology:
        store.ensure_ontology(ontology_graph())
    return graphs


def union_size(graphs: list[Graph]) -> int:
    return len({t for g in graphs for t in g})


@pytest.fixture
def store(tmp_path):
    with open_store(tmp_path / "store") as s:
        yield s


@pytest.mark.parametrize("with_ontology, triples", [(True, 86), (False, 86)])
def test_stats_counts_are_exact(store, with_ontology, triples):
    fill(store, with_ontology=with_ontology)
    stats = collect_stats(store)
    assert (stats.articles, stats.events, stats.actors, stats.places) == (3, 5, 5, 1)
    assert stats.actors_by_class == (
        ("Person", 1),
        ("Organization", 1),
        ("Country", 2),
        ("Group", 1),
    )
    # the ontology and CAMEO scheme every store carries are not the articles' own
    assert stats.triples == triples
    assert store.triple_count() == triples + (14 if with_ontology else 0)


@pytest.mark.parametrize("with_ontology", [True, False])
def test_stats_events_by_cameo_root_named_from_ontology(store, with_ontology):
    fill(store, with_ontology=with_ontology)
    names = ("Consult", "Disapprove", "Fight") if with_ontology else (None,) * 3
    assert collect_stats(store).events_by_root == (
        RootCount("04", names[0], 2),
        RootCount("11", names[1], 1),
        RootCount("19", names[2], 2),
    )


@pytest.mark.parametrize("top", [3])
def test_stats_top_actors_most_active_first(store, top):
    fill(store)
    kgr = "https://w3id.org/kg-events/id/"
    assert collect_stats(store, top=top).top_actors == (
        ActorCount(kgr + "country/RUS", "Russia", "kg:Country", 3),
        ActorCount(kgr + "country/UKR", "Ukraine", "kg:Country", 2),
        ActorCount(
            kgr + "organization/united-nations", "United Nations", "kg:Organization", 2
        ),
    )


@pytest.mark.parametrize("aid", ["a2"])
def test_stats_follow_removal_of_an_article(store, aid):
    fill(store)
    store.remove_article(article_iri(aid))
    stats = collect_stats(store)
    assert (stats.articles, stats.events, stats.actors) == (2, 3, 4)
    assert dict(stats.actors_by_class)["Group"] == 0


@pytest.mark.parametrize("location", ["memory"])
def test_stats_of_empty_store_are_zero(location):
    with open_store(location) as s:
        stats = collect_stats(s)
    assert (stats.articles, stats.events, stats.actors, stats.triples) == (0, 0, 0, 0)
    assert stats.events_by_root == () and stats.top_actors == ()
    assert format_summary(stats) == (
        "0 articles, 0 actors, 0 events, 0 places, 0 triples"
    )


@pytest.mark.parametrize("width", [100])
def test_stats_format_is_readable_text(store, width):
    fill(store)
    stats = collect_stats(store)
    text = format_stats(stats, width=width)
    rows = {tuple(line.replace("│", " ").split()) for line in text.splitlines()}
    assert ("articles", "3") in rows and ("countrys", "2") not in rows
    assert ("countries", "2") in rows and ("places", "1") in rows
    assert ("19", "Fight", "2") in rows
    assert ("Russia", "kg:Country", "kgr:country/RUS", "3") in rows
    assert format_summary(stats) == (
        "3 articles, 5 actors, 5 events, 1 place, 86 triples"
    )
    assert max(len(line) for line in text.splitlines()) <= width
