"""Turn one article's extraction into the RDF graph that becomes its named graph.

The graph holds the article, its events and a description of every actor and place
it mentions (see the RDF shape in the project notes), so removing the article's
named graph removes exactly what that article said. IRIs come only from
:mod:`kg.rdf.iris` and terms only from :mod:`kg.rdf.namespaces`, so the same
extraction always maps to the same triples.
"""

from __future__ import annotations

import logging
import math
from datetime import date
from decimal import Decimal

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.ontology import cameo_labels
from kg.rdf.iris import article_iri, entity_iri, event_iri
from kg.rdf.namespaces import CAMEO, KG, bind_prefixes, geonames_iri
from kg.records import Article, Entity, Event, Extraction

logger = logging.getLogger(__name__)

_KIND_CLASS: dict[str, URIRef] = {
    "person": KG.Person,
    "organization": KG.Organization,
    "country": KG.Country,
    "group": KG.Group,
    "location": KG.Place,
}

_CONFIDENCE_STEP = Decimal("0.001")


def extraction_to_graph(
    extraction: Extraction, *, extractor_version: str, model: str
) -> Graph:
    """Map one article's extraction to its graph.

    Args:
        extraction: the article and everything extracted from it.
        extractor_version: kg version that ran the extraction, recorded on the article.
        model: spaCy pipeline name and version, recorded on the article.

    Returns:
        A new graph with kg prefixes bound; its name in a store is
        ``article_iri(extraction.article)``.
    """
    graph = Graph()
    bind_prefixes(graph)
    article = extraction.article
    _add_article(graph, article, extractor_version=extractor_version, model=model)
    for entity in _described_entities(extraction):
        _add_entity(graph, entity, article_iri(article))
    for event in extraction.events:
        _add_event(graph, article, event)
    return graph


def _add_article(
    graph: Graph, article: Article, *, extractor_version: str, model: str
) -> None:
    """Article metadata and the provenance of its extraction."""
    node = article_iri(article)
    graph.add((node, RDF.type, KG.Article))
    graph.add((node, KG.title, _text(article.title)))
    graph.add((node, KG.contentHash, Literal(article.content_hash)))
    graph.add((node, KG.extractorVersion, _text(extractor_version)))
    graph.add((node, KG.model, _text(model)))
    if article.url:
        graph.add((node, KG.url, Literal(_clean(article.url), datatype=XSD.anyURI)))
    if article.source:
        graph.add((node, KG.publisher, _text(article.source)))
    if article.date is not None:
        graph.add((node, KG.published, _date(article.date)))
    if article.origin:
        graph.add((node, KG.origin, _text(article.origin)))
    for key, value in article.metadata:
        graph.add((node, KG.metadata, _text(f"{key}: {value}")))


def _described_entities(extraction: Extraction) -> list[Entity]:
    """Actors and places of the article, plus any other entity an event names.

    Entities of kind "other" are described only when an event uses them, so the
    graph does not fill with unclassified mentions.
    """
    wanted = [e for e in extraction.entities if e.is_actor or e.kind == "location"]
    for event in extraction.events:
        wanted.extend(e for e in (event.source, event.target, event.location) if e)
    return list(dict.fromkeys(wanted))  # drop repeats, keep first-seen order


def _add_entity(graph: Graph, entity: Entity, article: URIRef) -> None:
    """Type, label, country, aliases, role, code and GeoNames link of an entity."""
    node = entity_iri(entity)
    graph.add((node, RDF.type, _KIND_CLASS.get(entity.kind, KG.Actor)))
    graph.add((node, RDFS.label, _text(entity.name)))
    graph.add((node, KG.mentionedIn, article))
    if entity.country:
        graph.add((node, KG.countryCode, _text(entity.country)))
    for alias in entity.aliases:
        if alias != entity.name:
            graph.add((node, KG.alias, _text(alias)))
    if entity.role:
        graph.add((node, KG.role, _text(entity.role)))
    if entity.code:
        graph.add((node, KG.actorCode, _text(entity.code)))
    for alias, reason in entity.merges:
        graph.add((node, KG.mergeReason, _text(f"{alias} \u2014 {reason}")))
    _add_geonames(graph, node, entity)


def _add_geonames(graph: Graph, node: URIRef, entity: Entity) -> None:
    """GeoNames id and link, and coordinates when both are valid WGS84 degrees.

    One coordinate without the other places nothing, so both or neither are kept.
    """
    if entity.geonames_id is not None:
        gid = int(entity.geonames_id)
        graph.add((node, KG.geonamesId, Literal(gid, datatype=XSD.integer)))
        graph.add((node, KG.geonames, geonames_iri(gid)))
    if entity.latitude is None and entity.longitude is None:
        return
    lat = _degrees(entity.latitude, 90)
    lon = _degrees(entity.longitude, 180)
    if lat is None or lon is None:
        logger.warning(
            "%s: coordinates (%r, %r) are not valid WGS84 degrees; left out",
            node,
            entity.latitude,
            entity.longitude,
        )
        return
    graph.add((node, KG.latitude, lat))
    graph.add((node, KG.longitude, lon))


def _add_event(graph: Graph, article: Article, event: Event) -> None:
    """One event mention with its participants, evidence and confidence."""
    concept = event_concept(event.cameo)
    if concept is None:
        return
    node = event_iri(article, event)
    graph.add((node, RDF.type, KG.Event))
    graph.add((node, KG.eventType, concept))
    graph.add((node, KG.sourceActor, entity_iri(event.source)))
    if event.target is not None:
        graph.add((node, KG.targetActor, entity_iri(event.target)))
    if event.location is not None:
        graph.add((node, KG.place, entity_iri(event.location)))
    _add_event_date(graph, node, event.date)
    _add_evidence(graph, node, event)
    if event.modality:
        graph.add((node, KG.modality, _text(event.modality)))
    graph.add((node, KG.fromArticle, article_iri(article)))


def _add_event_date(graph: Graph, node: URIRef, value: str | None) -> None:
    """kg:date when the event's date is a valid ISO day; a bad one is dropped."""
    if not value:
        return
    try:
        day = date.fromisoformat(value)
    except ValueError:
        logger.warning("event %s: date %r is not YYYY-MM-DD; left out", node, value)
        return
    graph.add((node, KG.date, _date(day)))


def _add_evidence(graph: Graph, node: URIRef, event: Event) -> None:
    """Trigger, sentence, offsets and confidence of an event."""
    graph.add((node, KG.trigger, _text(event.trigger)))
    graph.add((node, KG.sentence, _text(event.sentence)))
    graph.add((node, KG.sentenceStart, Literal(int(event.start), datatype=XSD.integer)))
    graph.add((node, KG.sentenceEnd, Literal(int(event.end), datatype=XSD.integer)))
    confidence = _confidence(event.confidence)
    if confidence is None:
        logger.warning(
            "event %s: confidence %r is not a number; left out", node, event.confidence
        )
    else:
        graph.add((node, KG.confidence, confidence))


def event_concept(code: str) -> URIRef | None:
    """The CAMEO concept for ``code``: itself if the scheme knows it, else its root.

    Args:
        code: a CAMEO code as the extractor wrote it ("040", "0311", "04").

    Returns:
        The concept IRI, or None when not even the 2-digit root is a CAMEO code
        (both cases are logged as warnings).
    """
    known = cameo_labels()
    code = code.strip()
    if code in known:
        return CAMEO[code]
    if code[:2] in known:
        logger.warning(
            "CAMEO code %r is not in the scheme; using its root %r", code, code[:2]
        )
        return CAMEO[code[:2]]
    logger.warning("CAMEO code %r has no known root; event left out", code)
    return None


def _confidence(value: float) -> Literal | None:
    """xsd:decimal rounded to 3 places, so float noise never reaches the graph."""
    if not math.isfinite(value):
        return None
    rounded = Decimal(repr(float(value))).quantize(_CONFIDENCE_STEP)
    return Literal(rounded, datatype=XSD.decimal)


def _degrees(value: float | None, limit: int) -> Literal | None:
    """xsd:decimal of a coordinate in [-limit, limit], 6 places (about 0.1 m) at most.

    Rounding then ``repr`` gives the shortest exact form ("50.45466"), so the same
    float always writes the same literal.
    """
    if value is None or not math.isfinite(value) or abs(value) > limit:
        return None
    return Literal(Decimal(repr(round(float(value), 6))), datatype=XSD.decimal)


def _date(day: date) -> Literal:
    """xsd:date literal of a day (no time part, whatever type was given)."""
    return Literal(day.isoformat()[:10], datatype=XSD.date)


def _clean(text: str) -> str:
    """Text made encodable as UTF-8: lone surrogates become U+FFFD.

    Article text decoded with ``surrogateescape`` can carry lone surrogates, which
    every RDF serialiser would fail on far from the cause.
    """
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _text(text: str) -> Literal:
    """Plain string literal, verbatim apart from :func:`_clean`."""
    return Literal(_clean(text))
