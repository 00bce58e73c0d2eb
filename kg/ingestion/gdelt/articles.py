"""One source URL's rows as a kg article and its named graph.

The events are built as :mod:`kg.records` objects and mapped by
:func:`kg.rdf.mapping.extraction_to_graph`, so the RDF has the shape of kg's own
extractions; only the GDELT-specific fields are added here.
"""

from __future__ import annotations

import hashlib
from decimal import Decimal
from urllib.parse import urlsplit

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, XSD

from kg import __version__
from kg.ingestion.gdelt.actors import actor_entity
from kg.ingestion.gdelt.columns import GdeltRow
from kg.ingestion.gdelt.places import place_entity
from kg.rdf.iris import event_iri
from kg.rdf.mapping import extraction_to_graph
from kg.rdf.namespaces import KG
from kg.rdf.ontology import cameo_labels
from kg.records import Article, Entity, Event, Extraction

#: kg:model and kg:metadata "dataset: ..." of every imported article.
DATASET = "GDELT 2.0 event export"


def article_id(url: str) -> str:
    """The kg article id of a GDELT source URL: stable across imports."""
    return "gdelt-" + hashlib.sha1(url.encode("utf-8")).hexdigest()[:16]


def url_article(
    url: str, rows: list[tuple[str, str]], parsed: list[GdeltRow]
) -> Article:
    """The article record of one source URL.

    Args:
        url: SOURCEURL shared by the rows.
        rows: (origin "file:line", raw line) of each row, in GLOBALEVENTID order.
        parsed: the same rows, parsed.
    """
    host = urlsplit(url).hostname or ""
    return Article(
        id=article_id(url),
        text="\n".join(line for _origin, line in rows),  # hashed, never shown
        title=f"GDELT events from {url}",
        date=min(row.added for row in parsed).date(),
        source=host.removeprefix("www.") or None,
        url=url if url.startswith(("http://", "https://")) else None,
        origin=rows[0][0],
        metadata=(("dataset", DATASET),),
    )


def article_graph(article: Article, parsed: list[GdeltRow]) -> Graph:
    """The named graph of one source URL: kg's mapping plus the GDELT fields."""
    events = [_event(row, article.url or row.url) for row in parsed]
    entities: list[Entity] = []
    for event in events:
        entities.extend(e for e in (event.source, event.target, event.location) if e)
    extraction = Extraction(article, tuple(dict.fromkeys(entities)), tuple(events))
    graph = extraction_to_graph(
        extraction, extractor_version=__version__, model=DATASET
    )
    for row, event in zip(parsed, events, strict=True):
        _add_gdelt_fields(graph, event_iri(article, event), row)
    return graph


def _add_gdelt_fields(graph: Graph, node: URIRef, row: GdeltRow) -> None:
    """kg:gdeltEventId, kg:isRootEvent, kg:numMentions, kg:avgTone of one event."""
    if (node, RDF.type, KG.Event) not in graph:
        return  # the mapping left it out (no CAMEO root); add nothing
    graph.add((node, KG.gdeltEventId, Literal(row.event_id, datatype=XSD.integer)))
    graph.add((node, KG.isRootEvent, Literal(row.is_root, datatype=XSD.boolean)))
    graph.add((node, KG.numMentions, Literal(row.num_mentions, datatype=XSD.integer)))
    tone = Decimal(repr(round(row.avg_tone, 6)))
    graph.add((node, KG.avgTone, Literal(tone, datatype=XSD.decimal)))


def _event(row: GdeltRow, url: str) -> Event:
    """The kg event of one row (Actor1 is present: rows without it are skipped)."""
    assert row.actor1 is not None
    return Event(
        cameo=row.code,
        trigger=_trigger(row.code),
        source=actor_entity(row.actor1),
        target=actor_entity(row.actor2) if row.actor2 else None,
        location=place_entity(row.place) if row.place else None,
        date=row.day.isoformat(),
        sentence=f"GDELT event {row.event_id} ({url})",
        start=0,
        end=0,
        confidence=confidence(row.num_sources),
        # GDELT has no text offsets: the GLOBALEVENTID keeps two events with the
        # same code and actors from the same URL apart in their IRIs.
        trigger_start=row.event_id,
        modality="asserted",
    )


def _trigger(code: str) -> str:
    """The CAMEO label standing in for trigger words GDELT does not give."""
    label = cameo_labels().get(code) or cameo_labels().get(code[:2]) or f"CAMEO {code}"
    return label.removesuffix(", not specified below")


def confidence(num_sources: int) -> float:
    """``1 - 0.5 ** NumSources``: each independent source halves the doubt."""
    return 1.0 - 0.5 ** max(num_sources, 0)
