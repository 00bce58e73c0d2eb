"""The fixed three-article store that the store, query, stats and export tests share.

Built by hand with rdflib and kg's IRIs (not by the extractor), so expected counts
and rows are exact; includes a hostile literal that every format must round-trip.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from kg.rdf.iris import article_iri, entity_iri, event_iri
from kg.rdf.namespaces import CAMEO, KG, bind_prefixes
from kg.records import Article, Entity, Event
from kg.store import Store

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
