"""Tests for kg.rdf.mapping: one extraction -> the article's graph."""

from __future__ import annotations

import logging
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDF, RDFS

from kg.rdf.iris import article_iri, entity_iri, event_iri
from kg.rdf.mapping import event_concept, extraction_to_graph
from kg.rdf.namespaces import CAMEO, KG
from kg.records import Article, Entity, Event, Extraction

GOLDEN = Path(__file__).parent / "data" / "mapping_golden.ttl"
VERSION = "0.1.0"
MODEL = "en_core_web_sm 3.8.0"

ZELENSKIY = Entity(
    "Volodymyr Zelenskiy",
    "person",
    "UKR",
    ("Zelenskiy", "Volodymyr Zelenskiy"),
    "President",
    code="UKRGOV",
    merges=(("Zelenskiy", "surname of an earlier full name"),),
)
UKRAINE = Entity("Ukraine", "country", "UKR", ("Kyiv",))
NATO = Entity("NATO", "organization", None, ("the alliance",))
REBELS = Entity("Donbas separatists", "group", "UKR")
KYIV = Entity(
    "Kyiv",
    "location",
    "UKR",
    ("Kiev",),
    geonames_id=703448,
    latitude=50.45466,
    longitude=30.5238,
)
SPOKESMAN = Entity("a spokesman", "other")


def _article(**changes: object) -> Article:
    article = Article(
        id="wn-2019-01-24",
        text="Zelenskiy held talks with NATO in Kyiv on Monday.",
        title="Zelenskiy meets NATO envoy",
        date=date(2019, 1, 24),
        source="Wikinews",
        url="https://en.wikinews.org/wiki/Zelenskiy_meets_NATO_envoy",
        origin="data/articles/wn-2019-01-24.txt",
        metadata=(("licence", "CC BY 2.5"), ("author", "Wikinews contributors")),
    )
    return replace(article, **changes)


def _events() -> tuple[Event, ...]:
    talks = Event(
        "040",
        "held talks",
        ZELENSKIY,
        NATO,
        KYIV,
        "2019-01-21",
        "Zelenskiy held talks with NATO in Kyiv on Monday.",
        0,
        49,
        0.8,
        trigger_start=10,
    )
    demand = Event(
        "1041",
        "demanded",
        REBELS,
        UKRAINE,
        None,
        None,
        "Separatists demanded a new government.",
        50,
        88,
        0.66666,
        trigger_start=62,
        modality="negated",
    )
    unknown = Event(
        "0499",
        "said",
        SPOKESMAN,
        None,
        None,
        None,
        "A spokesman said so.",
        89,
        109,
        0.5,
        trigger_start=101,
    )
    return (talks, demand, unknown)


def _extraction() -> Extraction:
    """Every field used once: optional parts present on one event, absent on others.

    The third event has a code the scheme lacks (falls back to root 04) and a
    source of kind "other", which is described only because an event names it.
    """
    return Extraction(_article(), (ZELENSKIY, UKRAINE, NATO, REBELS, KYIV), _events())


def _map(extraction: Extraction) -> Graph:
    return extraction_to_graph(extraction, extractor_version=VERSION, model=MODEL)


def _diff_text(expected: Graph, actual: Graph) -> str:
    _, only_expected, only_actual = graph_diff(
        to_isomorphic(expected), to_isomorphic(actual)
    )
    return (
        "only in golden:\n"
        + only_expected.serialize(format="nt")
        + "\nonly in mapped:\n"
        + only_actual.serialize(format="nt")
    )


@pytest.mark.parametrize("golden", [GOLDEN])
def test_mapping_matches_golden_graph(golden: Path) -> None:
    expected = Graph().parse(golden, format="turtle")
    actual = _map(_extraction())
    assert isomorphic(expected, actual), _diff_text(expected, actual)


@pytest.mark.parametrize("runs", [2])
def test_mapping_is_deterministic(runs: int) -> None:
    graphs = [_map(_extraction()) for _ in range(runs)]
    assert all(set(g) == set(graphs[0]) for g in graphs)
    texts = {g.serialize(format="nt", encoding="utf-8") for g in graphs}
    assert len({b"\n".join(sorted(t.splitlines())) for t in texts}) == 1


@pytest.mark.parametrize("prefix", ["kg", "kgr", "cameo", "xsd", "rdfs"])
def test_mapping_binds_kg_prefixes(prefix: str) -> None:
    turtle = _map(_extraction()).serialize(format="turtle")
    assert "ns1:" not in turtle
    assert dict(_map(_extraction()).namespaces())[prefix]


@pytest.mark.parametrize(
    ("code", "expected"),
    [
        ("040", "040"),
        ("0311", "0311"),
        ("04", "04"),
        ("0499", "04"),
        (" 190 ", "190"),
        ("2042", "2042"),
    ],
)
def test_mapping_event_concept_falls_back_to_root(code: str, expected: str) -> None:
    assert event_concept(code) == CAMEO[expected]


@pytest.mark.parametrize("code", ["0499", "9999"])
def test_mapping_warns_on_unknown_codes(
    code: str, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.WARNING, logger="kg.rdf.mapping"):
        event_concept(code)
    assert code in caplog.text


@pytest.mark.parametrize("code", ["99", "xx", ""])
def test_mapping_drops_event_without_cameo_root(code: str) -> None:
    event = replace(_events()[0], cameo=code)
    graph = _map(Extraction(_article(), (ZELENSKIY,), (event,)))
    assert not list(graph.subjects(RDF.type, KG.Event))
    assert (entity_iri(ZELENSKIY), RDF.type, KG.Person) in graph


@pytest.mark.parametrize(
    ("confidence", "lexical"),
    [
        (0.8, "0.800"),
        (0.66666, "0.667"),
        (1.0, "1.000"),
        (0.0, "0.000"),
        (0.1 + 0.2, "0.300"),
    ],
)
def test_mapping_confidence_is_decimal_to_three_places(
    confidence: float, lexical: str
) -> None:
    from rdflib.namespace import XSD  # imported here: pytest's collector warns on it

    event = replace(_events()[0], confidence=confidence)
    graph = _map(Extraction(_article(), (), (event,)))
    value = graph.value(event_iri(_article(), event), KG.confidence)
    assert value == Literal(lexical, datatype=XSD.decimal)


@pytest.mark.parametrize("bad_date", ["2019-13-01", "Monday", "2019-01-21T10:00"])
def test_mapping_leaves_out_invalid_event_dates(bad_date: str) -> None:
    event = replace(_events()[0], date=bad_date)
    graph = _map(Extraction(_article(), (), (event,)))
    assert graph.value(event_iri(_article(), event), KG.date) is None


@pytest.mark.parametrize(
    "article",
    [_article(url=None, source=None, date=None, origin="", metadata=(), title="")],
)
def test_mapping_omits_absent_article_fields(article: Article) -> None:
    graph = _map(Extraction(article))
    node = article_iri(article)
    present = {p for p in graph.predicates(node)}
    assert present == {
        RDF.type,
        KG.title,
        KG.contentHash,
        KG.extractorVersion,
        KG.model,
    }


HOSTILE = [
    "line one\nline two\r\nline three",
    'quotes " and \' and """ triple """ and \'\'\'',
    "angle <script>alert(1)</script> & braces {x} }}",
    "back\\slash \\n \\u0041 \\\\ trailing\\",
    "\u202eRTL override \u200f مرحبا بالعالم \u05e9\u05dc\u05d5\u05dd",
    "tab\tnull-ish \x01 bell \x07 emoji \U0001f30d",
    '@en"^^<http://example.org/x> . _:b0 <a> "b" .',
]


def _hostile_extraction(text: str) -> Extraction:
    entity = Entity(text or "x", "person", "UKR", (text + " alias",), text)
    place = Entity(text, "location", None, (text,))
    event = Event("042", text, entity, None, place, None, text, 0, 5, 0.5)
    article = _article(
        title=text,
        source=text,
        origin=text,
        url="https://x.org/a?b=<c>",
        metadata=((text, text),),
    )
    return Extraction(article, (entity, place), (event,))


@pytest.mark.parametrize("fmt", ["turtle", "nt"])
@pytest.mark.parametrize("text", HOSTILE)
def test_mapping_hostile_strings_round_trip(fmt: str, text: str) -> None:
    graph = _map(_hostile_extraction(text))
    data = graph.serialize(format=fmt, encoding="utf-8")
    parsed = Graph().parse(data=data, format=fmt)
    assert isomorphic(graph, parsed), _diff_text(graph, parsed)


@pytest.mark.parametrize("text", HOSTILE)
def test_mapping_hostile_strings_are_kept_verbatim(text: str) -> None:
    extraction = _hostile_extraction(text)
    graph = _map(extraction)
    event_node = event_iri(extraction.article, extraction.events[0])
    assert graph.value(event_node, KG.sentence) == Literal(text)
    assert graph.value(article_iri(extraction.article), KG.title) == Literal(text)


@pytest.mark.parametrize("text", ["lone surrogate \udc80 here"])
def test_mapping_replaces_lone_surrogates(text: str) -> None:
    # Names, roles and sentences only: Article.content_hash and event_iri (which
    # hashes the trigger) reject lone surrogates before mapping could clean them.
    entity = Entity(text, "person", "UKR", (text + "!",), text)
    event = Event("042", "said", entity, None, None, None, text, 0, 5, 0.5)
    graph = _map(Extraction(_article(), (entity,), (event,)))
    strings = [o for o in graph.objects() if isinstance(o, Literal)]
    assert any("\ufffd" in str(o) for o in strings)
    assert not any("\udc80" in str(o) for o in strings)
    parsed = Graph().parse(
        data=graph.serialize(format="nt", encoding="utf-8"), format="nt"
    )
    assert isomorphic(graph, parsed)


@pytest.mark.parametrize("entity", [SPOKESMAN])
def test_mapping_describes_other_entities_only_when_used(entity: Entity) -> None:
    unused = _map(Extraction(_article(), (entity,), ()))
    used = _map(_extraction())
    assert (entity_iri(entity), None, None) not in unused
    assert (entity_iri(entity), RDF.type, KG.Actor) in used
    assert used.value(entity_iri(entity), RDFS.label) == Literal(entity.name)


@pytest.mark.parametrize(
    ("latitude", "longitude"),
    [
        (float("nan"), 30.5),
        (91.0, 30.5),
        (50.0, -180.5),
        (50.0, float("inf")),
        (50.0, None),
        (None, 30.5),
    ],
)
def test_mapping_leaves_out_invalid_coordinates(
    latitude: float | None, longitude: float | None, caplog: pytest.LogCaptureFixture
) -> None:
    place = replace(KYIV, latitude=latitude, longitude=longitude)
    with caplog.at_level(logging.WARNING, logger="kg.rdf.mapping"):
        graph = _map(Extraction(_article(), (place,), ()))
    node = entity_iri(place)
    assert graph.value(node, KG.latitude) is None
    assert graph.value(node, KG.longitude) is None
    assert graph.value(node, KG.geonamesId) == Literal(703448)
    assert "not valid WGS84 degrees" in caplog.text


@pytest.mark.parametrize(
    ("latitude", "lexical"),
    [
        (50.45466, "50.45466"),
        (-33.8678500001, "-33.86785"),
        (0.1 + 0.2, "0.3"),
        (-90.0, "-90.0"),
        (1e-06, "0.000001"),
    ],
)
def test_mapping_coordinates_are_short_exact_decimals(
    latitude: float, lexical: str
) -> None:
    from rdflib.namespace import XSD  # imported here: pytest's collector warns on it

    place = replace(KYIV, latitude=latitude, longitude=-180.0)
    graph = _map(Extraction(_article(), (place,), ()))
    value = graph.value(entity_iri(place), KG.latitude)
    assert value == Literal(lexical, datatype=XSD.decimal)
    assert str(value) == lexical


@pytest.mark.parametrize(("geonameid", "iri"), [(703448, "703448/"), (1, "1/")])
def test_mapping_links_geonames_feature(geonameid: int, iri: str) -> None:
    place = replace(KYIV, geonames_id=geonameid, latitude=None, longitude=None)
    graph = _map(Extraction(_article(), (place,), ()))
    link = graph.value(entity_iri(place), KG.geonames)
    assert str(link) == "https://sws.geonames.org/" + iri
    assert graph.value(entity_iri(place), KG.latitude) is None


@pytest.mark.parametrize(
    "entity", [replace(NATO, code=None, merges=()), replace(KYIV, geonames_id=None)]
)
def test_mapping_omits_unset_codes_merges_and_links(entity: Entity) -> None:
    graph = _map(Extraction(_article(), (entity,), ()))
    present = set(graph.predicates(entity_iri(entity)))
    assert not present & {KG.actorCode, KG.mergeReason, KG.geonamesId, KG.geonames}


@pytest.mark.parametrize(
    "merges",
    [(("Zelenskiy", "surname"), ("the president", "role of the only president"))],
)
def test_mapping_writes_one_merge_reason_per_merge(
    merges: tuple[tuple[str, str], ...],
) -> None:
    actor = replace(ZELENSKIY, merges=merges)
    graph = _map(Extraction(_article(), (actor,), ()))
    reasons = {str(o) for o in graph.objects(entity_iri(actor), KG.mergeReason)}
    assert reasons == {f"{alias} \u2014 {why}" for alias, why in merges}


@pytest.mark.parametrize("modality", ["asserted", "negated", "hypothetical", "future"])
def test_mapping_writes_event_modality(modality: str) -> None:
    event = replace(_events()[0], modality=modality)
    graph = _map(Extraction(_article(), (), (event,)))
    assert graph.value(event_iri(_article(), event), KG.modality) == Literal(modality)


@pytest.mark.parametrize("runs", [2])
def test_mapping_triples_are_the_graph_without_repeats(runs: int) -> None:
    from kg.rdf.mapping import extraction_triples
    from kg.rdf.terms import to_ox

    extraction = _extraction()
    triples = [
        extraction_triples(extraction, extractor_version=VERSION, model=MODEL)
        for _ in range(runs)
    ]
    graph = {(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in _map(extraction)}
    assert {(t.subject, t.predicate, t.object) for t in triples[0]} == graph
    assert len(triples[0]) == len(graph)
    assert triples[1] == triples[0]
