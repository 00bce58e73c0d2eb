"""Tests of kg.exports: every format parses back isomorphic to the store."""

from __future__ import annotations

import io
from datetime import date
from decimal import Decimal

import pytest
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF, RDFS, SKOS, XSD

from kg.errors import UsageError
from kg.exports import FORMATS, QUAD_FORMATS, export, export_text
from kg.rdf.iris import article_iri, entity_iri, event_iri
from kg.rdf.namespaces import CAMEO, KG, ONTOLOGY_GRAPH, bind_prefixes
from kg.records import Article, Entity, Event
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


RDFLIB_FORMAT = {
    "turtle": "turtle",
    "nt": "nt",
    "jsonld": "json-ld",
    "trig": "trig",
    "nquads": "nquads",
}
SUFFIX = {
    "turtle": "ttl",
    "nt": "nt",
    "jsonld": "jsonld",
    "trig": "trig",
    "nquads": "nq",
}
NASTY = [
    'quote " and \'single\' and """triple"""',
    "line\nbreak\r\nand\ttab",
    "<script>alert(1)</script> & ; } {",
    "back\\slash \\n not-a-newline \\u0041",
    "\u202eRTL override \u0627\u0644\u0633\u0644\u0627\u0645 \u05e9\u05dc\u05d5\u05dd",
    "emoji 🇺🇦🚀 \U0001f600 and a NUL \u0000 character",
    "",
    " leading and trailing ",
]


HOSTILE_IRI = article_iri("hostile/id with space")


@pytest.fixture
def graphs() -> dict[URIRef, Graph]:
    """Every named graph the store should hold, by name."""
    built = {article_iri(aid): article_graph(aid, events)[0] for aid, events in SPEC}
    hostile, _ = article_graph("hostile/id with space", SPEC[2][1])
    for i, text in enumerate(NASTY):
        hostile.add((HOSTILE_IRI, KG.metadata, Literal(text)))
        lang = ["en", "ar"][i % 2]
        hostile.add((HOSTILE_IRI, RDFS.comment, Literal(text, lang=lang)))
    built[HOSTILE_IRI] = hostile
    built[ONTOLOGY_GRAPH] = ontology_graph()
    return built


@pytest.fixture
def store(tmp_path, graphs):
    with open_store(tmp_path / "store") as s:
        for name, graph in graphs.items():
            if name == ONTOLOGY_GRAPH:
                s.ensure_ontology(graph)
            else:
                digest = str(next(graph.objects(name, KG.contentHash)))
                s.put_article(name, graph, digest)
        yield s


def selected(graphs: dict, include_ontology: bool) -> dict[URIRef, Graph]:
    return {n: g for n, g in graphs.items() if include_ontology or n != ONTOLOGY_GRAPH}


def union_of(graphs: dict[URIRef, Graph]) -> Graph:
    union = Graph()
    for graph in graphs.values():
        union += graph
    return union


def assert_same(got: Graph, want: Graph) -> None:
    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        pytest.fail(
            f"only in export:\n{only_got.serialize(format='nt')}\n"
            f"only in store:\n{only_want.serialize(format='nt')}"
        )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("include_ontology", [True, False])
def test_export_round_trips_isomorphic(store, graphs, tmp_path, fmt, include_ontology):
    out = tmp_path / f"export.{SUFFIX[fmt]}"
    count = export(store, fmt, out, include_ontology=include_ontology)
    data = out.read_bytes().decode("utf-8")
    want = selected(graphs, include_ontology)
    if fmt in QUAD_FORMATS:
        ds = Dataset()
        ds.parse(data=data, format=RDFLIB_FORMAT[fmt])
        assert {g.identifier for g in ds.graphs() if len(g)} == set(want)
        for name, graph in want.items():
            assert_same(ds.graph(name), graph)
        assert count == sum(len(g) for g in want.values())
    else:
        got = Graph().parse(data=data, format=RDFLIB_FORMAT[fmt])
        assert_same(got, union_of(want))
        assert count == len(union_of(want)) == len(got)


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_export_turtle_binds_kg_prefixes(store, fmt):
    text = export_text(store, fmt)
    assert "@prefix kg: <https://w3id.org/kg-events/ontology#> ." in text
    assert "@prefix kgr: <https://w3id.org/kg-events/id/> ." in text
    assert "ns1:" not in text
    assert "a kg:Event" in text


@pytest.mark.parametrize("fmt", ["nt", "turtle"])
def test_export_triple_formats_have_no_duplicate_triples(store, fmt):
    text = export_text(store, "nt")
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == len(set(lines)) == store.triple_count()
    russia_type = (
        "<https://w3id.org/kg-events/id/country/RUS> "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/kg-events/ontology#Country> ."
    )
    assert lines.count(russia_type) == 1
    assert len(export_text(store, fmt).strip()) > 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_stream_matches_file_utf8(store, tmp_path, fmt):
    stream = io.StringIO()
    export(store, fmt, stream=stream)
    out = tmp_path / "x.out"
    export(store, fmt, out)
    assert out.read_bytes() == stream.getvalue().encode("utf-8")
    if fmt != "jsonld":
        assert "🚀" in stream.getvalue()


@pytest.mark.parametrize("kwargs", [{}, {"out": "x", "stream": io.StringIO()}])
def test_export_needs_exactly_one_destination(store, kwargs):
    with pytest.raises(UsageError, match="exactly one of out="):
        export(store, "nt", **kwargs)


@pytest.mark.parametrize("fmt", ["rdfxml", "ttl"])
def test_export_unknown_format_is_a_usage_error(store, fmt):
    with pytest.raises(UsageError, match="use one of turtle, nt, jsonld, trig, nquads"):
        export_text(store, fmt)


@pytest.mark.parametrize("fmt", ["trig"])
def test_export_excluding_ontology_keeps_shared_terms(store, fmt):
    text = export_text(store, "nt", include_ontology=False)
    assert "skos/core#prefLabel" not in text
    assert "Consult" not in text
    assert "cameo/040>" in text  # still the event type of an event
    assert "<https://w3id.org/kg-events/ontology> {" not in export_text(
        store, fmt, include_ontology=False
    )


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_export_is_stable_and_groups_subjects(store, graphs, tmp_path, fmt):
    # The same content in a fresh on-disk store gives byte-identical output.
    with open_store(tmp_path / "other") as other:
        for name, graph in reversed(list(graphs.items())):
            if name == ONTOLOGY_GRAPH:
                other.ensure_ontology(graph)
            else:
                other.put_article(
                    name, graph, str(next(graph.objects(name, KG.contentHash)))
                )
        assert export_text(other, fmt) == export_text(store, fmt)
    text = export_text(store, fmt)
    subject = "kgr:country\\/RUS a kg:Country"
    assert text.count(subject) == (1 if fmt == "turtle" else 2)
