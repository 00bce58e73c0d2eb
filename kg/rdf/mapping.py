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
from collections.abc import Iterable
from datetime import date
from decimal import Decimal

import pyoxigraph as ox
from rdflib import Graph, URIRef
from rdflib.namespace import RDF, RDFS, XSD

from kg.rdf.iris import article_iri, entity_iri, event_iri
from kg.rdf.namespaces import CAMEO, KG, geonames_iri
from kg.rdf.ontology import cameo_labels
from kg.rdf.terms import to_graph
from kg.records import Article, Entity, Event, Extraction

logger = logging.getLogger(__name__)


def _node(term: URIRef) -> ox.NamedNode:
    return ox.NamedNode(str(term))


_KIND_CLASS: dict[str, ox.NamedNode] = {
    "person": _node(KG.Person),
    "organization": _node(KG.Organization),
    "country": _node(KG.Country),
    "group": _node(KG.Group),
    "location": _node(KG.Place),
}
_ACTOR = _node(KG.Actor)
_TYPE, _LABEL = _node(RDF.type), _node(RDFS.label)
#: kg: properties by local name, as pyoxigraph terms (built once, used per triple).
_P: dict[str, ox.NamedNode] = {
    name: _node(KG[name])
    for name in (
        "Article Event title contentHash extractorVersion model coderVersion url "
        "publisher published origin metadata mentionedIn countryCode alias role "
        "actorCode mergeReason geonamesId geonames latitude longitude eventType "
        "sourceActor targetActor place date trigger sentence sentenceStart "
        "sentenceEnd confidence modality fromArticle datelinePlace"
    ).split()
}
_ANY_URI, _DATE = _node(XSD.anyURI), _node(XSD.date)
_INTEGER, _DECIMAL = _node(XSD.integer), _node(XSD.decimal)

_CONFIDENCE_STEP = Decimal("0.001")


def extraction_to_graph(
    extraction: Extraction,
    *,
    extractor_version: str,
    model: str,
    coder_version: str | None = None,
) -> Graph:
    """Map one article's extraction to its graph, as rdflib.

    Args:
        extraction: the article and everything extracted from it.
        extractor_version: kg version that ran the extraction, recorded on the article.
        model: spaCy pipeline name and version, recorded on the article.
        coder_version: version of the trained event coder that chose the events,
            recorded on the article (None: not recorded, e.g. rules alone).

    Returns:
        A new graph with kg prefixes bound; its name in a store is
        ``article_iri(extraction.article)``. It holds exactly the triples of
        :func:`extraction_triples`.
    """
    return triples_to_graph(
        extraction_triples(
            extraction,
            extractor_version=extractor_version,
            model=model,
            coder_version=coder_version,
        )
    )


def triples_to_graph(triples: Iterable[ox.Triple]) -> Graph:
    """An rdflib graph of pyoxigraph triples, with kg prefixes bound."""
    return to_graph(triples)


def extraction_triples(
    extraction: Extraction,
    *,
    extractor_version: str,
    model: str,
    coder_version: str | None = None,
) -> list[ox.Triple]:
    """Map one article's extraction to the triples of its graph, without repeats.

    Built as pyoxigraph terms, which is what the store writes: going through
    rdflib cost more per article than storing the result.

    Args:
        extraction: the article and everything extracted from it.
        extractor_version: kg version that ran the extraction, recorded on the article.
        model: spaCy pipeline name and version, recorded on the article.
        coder_version: trained event coder's version, recorded on the article
            (None: not recorded).
    """
    article = extraction.article
    node = _node(article_iri(article))
    out: list[ox.Triple] = []
    versions = (extractor_version, model, coder_version)
    _add_article(out, node, article, versions)
    nodes: dict[Entity, ox.NamedNode] = {}
    for entity in _described_entities(extraction):
        nodes[entity] = _node(entity_iri(entity))
        _add_entity(out, nodes[entity], entity, node)
    for event in extraction.events:
        _add_event(out, node, article, event, nodes)
    if extraction.dateline is not None:
        out.append(ox.Triple(node, _P["datelinePlace"], nodes[extraction.dateline]))
    return list(dict.fromkeys(out))


def _add_article(
    out: list[ox.Triple],
    node: ox.NamedNode,
    article: Article,
    versions: tuple[str, str, str | None],
) -> None:
    """Article metadata and the provenance of its extraction.

    ``versions`` are the extractor's, the spaCy model's and the trained coder's
    (None: no coder, not recorded); ingest compares the first and last with the
    running ones to find articles to re-extract.
    """
    extractor_version, model, coder_version = versions
    out.append(ox.Triple(node, _TYPE, _P["Article"]))
    out.append(ox.Triple(node, _P["title"], _text(article.title)))
    out.append(ox.Triple(node, _P["contentHash"], ox.Literal(article.content_hash)))
    out.append(ox.Triple(node, _P["extractorVersion"], _text(extractor_version)))
    out.append(ox.Triple(node, _P["model"], _text(model)))
    if coder_version is not None:
        out.append(ox.Triple(node, _P["coderVersion"], _text(coder_version)))
    if article.url:
        url = ox.Literal(_clean(article.url), datatype=_ANY_URI)
        out.append(ox.Triple(node, _P["url"], url))
    if article.source:
        out.append(ox.Triple(node, _P["publisher"], _text(article.source)))
    if article.date is not None:
        out.append(ox.Triple(node, _P["published"], _date(article.date)))
    if article.origin:
        out.append(ox.Triple(node, _P["origin"], _text(article.origin)))
    for key, value in article.metadata:
        out.append(ox.Triple(node, _P["metadata"], _text(f"{key}: {value}")))


def _described_entities(extraction: Extraction) -> list[Entity]:
    """Actors and places of the article, plus any other entity an event or the
    dateline names.

    Entities of kind "other" are described only when an event uses them, so the
    graph does not fill with unclassified mentions.
    """
    wanted = [e for e in extraction.entities if e.is_actor or e.kind == "location"]
    for event in extraction.events:
        wanted.extend(e for e in (event.source, event.target, event.location) if e)
    if extraction.dateline is not None:
        wanted.append(extraction.dateline)
    return list(dict.fromkeys(wanted))  # drop repeats, keep first-seen order


def _add_entity(
    out: list[ox.Triple], node: ox.NamedNode, entity: Entity, article: ox.NamedNode
) -> None:
    """Type, label, country, aliases, role, code and GeoNames link of an entity."""
    out.append(ox.Triple(node, _TYPE, _KIND_CLASS.get(entity.kind, _ACTOR)))
    out.append(ox.Triple(node, _LABEL, _text(entity.name)))
    out.append(ox.Triple(node, _P["mentionedIn"], article))
    if entity.country:
        out.append(ox.Triple(node, _P["countryCode"], _text(entity.country)))
    for alias in entity.aliases:
        if alias != entity.name:
            out.append(ox.Triple(node, _P["alias"], _text(alias)))
    if entity.role:
        out.append(ox.Triple(node, _P["role"], _text(entity.role)))
    if entity.code:
        out.append(ox.Triple(node, _P["actorCode"], _text(entity.code)))
    for alias, reason in entity.merges:
        reason_text = _text(f"{alias} \u2014 {reason}")
        out.append(ox.Triple(node, _P["mergeReason"], reason_text))
    _add_geonames(out, node, entity)


def _add_geonames(out: list[ox.Triple], node: ox.NamedNode, entity: Entity) -> None:
    """GeoNames id and link, and coordinates when both are valid WGS84 degrees.

    One coordinate without the other places nothing, so both or neither are kept.
    """
    if entity.geonames_id is not None:
        gid = int(entity.geonames_id)
        out.append(ox.Triple(node, _P["geonamesId"], _integer(gid)))
        out.append(ox.Triple(node, _P["geonames"], _node(geonames_iri(gid))))
    if entity.latitude is None and entity.longitude is None:
        return
    lat = _degrees(entity.latitude, 90)
    lon = _degrees(entity.longitude, 180)
    if lat is None or lon is None:
        logger.warning(
            "%s: coordinates (%r, %r) are not valid WGS84 degrees; left out",
            node.value,
            entity.latitude,
            entity.longitude,
        )
        return
    out.append(ox.Triple(node, _P["latitude"], lat))
    out.append(ox.Triple(node, _P["longitude"], lon))


def _add_event(
    out: list[ox.Triple],
    article_node: ox.NamedNode,
    article: Article,
    event: Event,
    nodes: dict[Entity, ox.NamedNode],
) -> None:
    """One event mention with its participants, evidence and confidence."""
    concept = event_concept(event.cameo)
    if concept is None:
        return
    node = _node(event_iri(article, event))
    out.append(ox.Triple(node, _TYPE, _P["Event"]))
    out.append(ox.Triple(node, _P["eventType"], _node(concept)))
    out.append(ox.Triple(node, _P["sourceActor"], nodes[event.source]))
    if event.target is not None:
        out.append(ox.Triple(node, _P["targetActor"], nodes[event.target]))
    if event.location is not None:
        out.append(ox.Triple(node, _P["place"], nodes[event.location]))
    _add_event_date(out, node, event.date)
    _add_evidence(out, node, event)
    if event.modality:
        out.append(ox.Triple(node, _P["modality"], _text(event.modality)))
    out.append(ox.Triple(node, _P["fromArticle"], article_node))


def _add_event_date(
    out: list[ox.Triple], node: ox.NamedNode, value: str | None
) -> None:
    """kg:date when the event's date is a valid ISO day; a bad one is dropped."""
    if not value:
        return
    try:
        day = date.fromisoformat(value)
    except ValueError:
        logger.warning(
            "event %s: date %r is not YYYY-MM-DD; left out", node.value, value
        )
        return
    out.append(ox.Triple(node, _P["date"], _date(day)))


def _add_evidence(out: list[ox.Triple], node: ox.NamedNode, event: Event) -> None:
    """Trigger, sentence, offsets and confidence of an event."""
    out.append(ox.Triple(node, _P["trigger"], _text(event.trigger)))
    out.append(ox.Triple(node, _P["sentence"], _text(event.sentence)))
    out.append(ox.Triple(node, _P["sentenceStart"], _integer(int(event.start))))
    out.append(ox.Triple(node, _P["sentenceEnd"], _integer(int(event.end))))
    confidence = _confidence(event.confidence)
    if confidence is None:
        logger.warning(
            "event %s: confidence %r is not a number; left out",
            node.value,
            event.confidence,
        )
    else:
        out.append(ox.Triple(node, _P["confidence"], confidence))


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


def _confidence(value: float) -> ox.Literal | None:
    """xsd:decimal rounded to 3 places, so float noise never reaches the graph."""
    if not math.isfinite(value):
        return None
    rounded = Decimal(repr(float(value))).quantize(_CONFIDENCE_STEP)
    return _decimal(rounded)


def _degrees(value: float | None, limit: int) -> ox.Literal | None:
    """xsd:decimal of a coordinate in [-limit, limit], 6 places (about 0.1 m) at most.

    Rounding then ``repr`` gives the shortest exact form ("50.45466"), so the same
    float always writes the same literal.
    """
    if value is None or not math.isfinite(value) or abs(value) > limit:
        return None
    return _decimal(Decimal(repr(round(float(value), 6))))


def _decimal(value: Decimal) -> ox.Literal:
    """xsd:decimal in positional notation ("0.00001", never "1E-5"), as rdflib
    writes a Decimal."""
    return ox.Literal(f"{value:f}", datatype=_DECIMAL)


def _integer(value: int) -> ox.Literal:
    return ox.Literal(str(value), datatype=_INTEGER)


def _date(day: date) -> ox.Literal:
    """xsd:date literal of a day (no time part, whatever type was given)."""
    return ox.Literal(day.isoformat()[:10], datatype=_DATE)


def _clean(text: str) -> str:
    """Text made encodable as UTF-8: lone surrogates become U+FFFD.

    Article text decoded with ``surrogateescape`` can carry lone surrogates, which
    every RDF serialiser would fail on far from the cause.
    """
    return text.encode("utf-8", "surrogatepass").decode("utf-8", "replace")


def _text(text: str) -> ox.Literal:
    """Plain string literal, verbatim apart from :func:`_clean`."""
    return ox.Literal(_clean(text))
