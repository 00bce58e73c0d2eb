"""Tests for kg.rdf.validate: SHACL shapes over mapped graphs, and readable reports."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from datetime import date
from decimal import Decimal

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS

from kg.rdf.iris import article_iri, entity_iri, event_iri
from kg.rdf.mapping import extraction_to_graph
from kg.rdf.namespaces import CAMEO, KG
from kg.rdf.validate import ValidationResult, format_report, validate_graph
from kg.records import Article, Entity, Event, Extraction

ARTICLE = Article(
    id="wn-test",
    text="Ukraine condemned Russia in Kyiv.",
    title="Ukraine condemns Russia",
    date=date(2022, 2, 1),
    source="Wikinews",
    url="https://en.wikinews.org/wiki/T",
    origin="data/articles/wn-test.txt",
)
UKRAINE = Entity("Ukraine", "country", "UKR")
RUSSIA = Entity("Russia", "country", "RUS")
KYIV = Entity("Kyiv", "location", "UKR")
EVENT = Event(
    "111",
    "condemned",
    UKRAINE,
    RUSSIA,
    KYIV,
    "2022-02-01",
    "Ukraine condemned Russia in Kyiv.",
    0,
    33,
    0.9,
)
EVENT_IRI = event_iri(ARTICLE, EVENT)
Breakage = Callable[[Graph], None]


def _graph() -> Graph:
    extraction = Extraction(ARTICLE, (UKRAINE, RUSSIA, KYIV), (EVENT,))
    return extraction_to_graph(extraction, extractor_version="0.1.0", model="m 1")


def _no_source(g: Graph) -> None:
    g.remove((EVENT_IRI, KG.sourceActor, None))


def _confidence_too_high(g: Graph) -> None:
    g.set((EVENT_IRI, KG.confidence, Literal(Decimal("1.5"))))


def _unknown_event_type(g: Graph) -> None:
    g.set((EVENT_IRI, KG.eventType, CAMEO["999"]))


def _place_as_source(g: Graph) -> None:
    g.set((EVENT_IRI, KG.sourceActor, entity_iri(KYIV)))


def _bad_country_code(g: Graph) -> None:
    g.set((entity_iri(UKRAINE), KG.countryCode, Literal("ua")))


def _two_targets(g: Graph) -> None:
    g.add((EVENT_IRI, KG.targetActor, entity_iri(UKRAINE)))


def _end_before_start(g: Graph) -> None:
    g.set((EVENT_IRI, KG.sentenceEnd, Literal(-1)))


def _no_label(g: Graph) -> None:
    g.remove((entity_iri(KYIV), RDFS.label, None))


def _no_content_hash(g: Graph) -> None:
    g.remove((article_iri(ARTICLE), KG.contentHash, None))


def _graph_with_links() -> Graph:
    """Actor code, merge reason, GeoNames record and a negated event, all valid."""
    ukraine = replace(UKRAINE, code="UKRGOV", merges=(("Kyiv", "seat"),))
    kyiv = replace(KYIV, geonames_id=703448, latitude=50.45466, longitude=30.5238)
    event = replace(EVENT, source=ukraine, location=kyiv, modality="negated")
    extraction = Extraction(ARTICLE, (ukraine, RUSSIA, kyiv), (event,))
    return extraction_to_graph(extraction, extractor_version="0.1.0", model="m 1")


def _graph_placed_in_country() -> Graph:
    """An event whose place is a whole country ("a visit to Russia")."""
    event = replace(EVENT, location=RUSSIA)
    extraction = Extraction(ARTICLE, (UKRAINE, RUSSIA), (event,))
    return extraction_to_graph(extraction, extractor_version="0.1.0", model="m 1")


def _unknown_modality(g: Graph) -> None:
    g.set((EVENT_IRI, KG.modality, Literal("maybe")))


def _latitude_out_of_range(g: Graph) -> None:
    g.set((entity_iri(KYIV), KG.latitude, Literal(Decimal("90.5"))))


def _longitude_out_of_range(g: Graph) -> None:
    g.set((entity_iri(KYIV), KG.longitude, Literal(Decimal("-181"))))


def _bad_actor_code(g: Graph) -> None:
    g.set((entity_iri(UKRAINE), KG.actorCode, Literal("UKRGO")))


def _geonames_web_page(g: Graph) -> None:
    g.set((entity_iri(KYIV), KG.geonames, URIRef("https://www.geonames.org/703448")))


@pytest.mark.parametrize(
    "graph_factory", [_graph, _graph_with_links, _graph_placed_in_country]
)
def test_validate_mapped_graph_conforms(graph_factory: Callable[[], Graph]) -> None:
    graph = graph_factory()
    before = set(graph)
    result = validate_graph(graph)
    assert result.conforms, format_report(result, graph)
    assert result.violations == ()
    assert set(graph) == before  # the ontology is merged into a copy only
    assert format_report(result, graph).startswith("Conforms")


@pytest.mark.parametrize(
    ("breakage", "path"),
    [
        (_no_source, KG.sourceActor),
        (_confidence_too_high, KG.confidence),
        (_unknown_event_type, KG.eventType),
        (_place_as_source, KG.sourceActor),
        (_two_targets, KG.targetActor),
        (_end_before_start, KG.sentenceEnd),
        (_unknown_modality, KG.modality),
    ],
)
def test_validate_broken_event_fails_naming_article(
    breakage: Breakage, path: URIRef
) -> None:
    graph = _graph()
    breakage(graph)
    result = validate_graph(graph)
    assert not result.conforms
    assert any(v.focus == EVENT_IRI and v.path == path for v in result.violations)
    report = format_report(result, graph)
    assert "kgr:article/wn-test" in report
    assert "'Ukraine condemns Russia'" in report
    assert "data/articles/wn-test.txt" in report
    assert "kgr:event/wn-test/" in report


@pytest.mark.parametrize(
    ("breakage", "focus", "path"),
    [
        (_bad_country_code, entity_iri(UKRAINE), KG.countryCode),
        (_no_label, entity_iri(KYIV), RDFS.label),
        (_no_content_hash, article_iri(ARTICLE), KG.contentHash),
        (_latitude_out_of_range, entity_iri(KYIV), KG.latitude),
        (_longitude_out_of_range, entity_iri(KYIV), KG.longitude),
        (_bad_actor_code, entity_iri(UKRAINE), KG.actorCode),
        (_geonames_web_page, entity_iri(KYIV), KG.geonames),
    ],
)
def test_validate_broken_actor_or_article_fails(
    breakage: Breakage, focus: URIRef, path: URIRef
) -> None:
    graph = _graph()
    breakage(graph)
    result = validate_graph(graph)
    assert not result.conforms
    assert [(v.focus, v.path) for v in result.violations] == [(focus, path)]
    assert "article kgr:article/wn-test" in format_report(result, graph)


@pytest.mark.parametrize("extra", [(URIRef("urn:x:thing"), RDF.type, KG.Event)])
def test_validate_report_lists_each_violation(extra: tuple[URIRef, ...]) -> None:
    graph = _graph()
    graph.add(extra)
    result = validate_graph(graph)
    assert isinstance(result, ValidationResult)
    report = format_report(result, graph)
    lines = report.splitlines()
    assert lines[0] == f"Does not conform: {len(result.violations)} problem(s)."
    assert len(lines) == len(result.violations) + 1
    assert "article unknown, record <urn:x:thing>" in report
    assert result.text
