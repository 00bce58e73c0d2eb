"""The store's events as frozen records, and the filters every view shares.

:func:`load_events` reads every event with its type, actors, place and article
by one index scan per property over the union (plus a SPARQL read of the CAMEO
scheme), joined in Python. Exports,
``kg network`` and the graph builders of :mod:`kg.analysis.graphs` all start here, so a
filter means the same thing everywhere. The records are defined in
:mod:`kg.analysis.rows` and the filters in :mod:`kg.analysis.filters`; both are
re-exported here, the one module callers import.

Only events the text says happened (kg:modality "asserted", or no modality) are
kept by default: a denied attack is not a tie between two actors.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Callable
from typing import Any, TypeVar

import pyoxigraph as ox
from rdflib import URIRef
from rdflib.namespace import RDF, RDFS

from kg.analysis.filters import (
    ASSERTED,
    EventFilter,
    check_probability,
    meets_confidence,
    words_match,
)
from kg.analysis.rows import (
    ActorInfo,
    ArticleInfo,
    CameoType,
    EventRow,
    GdeltFacts,
    PlaceInfo,
    Stance,
)
from kg.errors import StoreError
from kg.rdf.namespaces import CAMEO, KG, prefix_map
from kg.store import Store, open_store

logger = logging.getLogger(__name__)

_N = TypeVar("_N", int, float)
_R = TypeVar("_R")

_ACTOR_KINDS = ("Person", "Organization", "Group", "Country")  # order breaks ties


def load_events(store: Store, filters: EventFilter | None = None) -> list[EventRow]:
    """Read the store's events as records, oldest first.

    Args:
        store: the open store (its ontology graph names the CAMEO types; without
            one, the bundled CAMEO scheme is used).
        filters: which events to keep; default: every asserted event.

    Returns:
        Matching events sorted by date (undated last), then IRI. Events without
        a type or a source actor are skipped.
    """
    filters = filters or EventFilter()
    reader = _Reader(store)
    rows = []
    for iri in reader.subjects(KG.Event):
        row = reader.event(iri)
        if row is not None and filters.matches(row):
            rows.append(row)
    rows.sort(key=lambda r: (r.when is None, r.when or dt.date.min, r.iri))
    logger.debug("read %d events", len(rows))
    return rows


def events_below(store: Store, minimum: float) -> frozenset[str]:
    """IRIs of the store's events that fail ``minimum`` (see :func:`meets_confidence`).

    For exports of triples rather than event rows: every kg:Event is judged,
    including the ones :func:`load_events` skips for lacking a type or source,
    by one index scan for the events and one for their confidences.
    """
    confidences = _column(store, KG.confidence)
    events = store.quads_for_pattern(
        None, _RDF_TYPE, ox.NamedNode(str(KG.Event)), ox.DefaultGraph()
    )
    return frozenset(
        _value(quad.subject)
        for quad in events
        if not meets_confidence(
            _number(confidences.get(_value(quad.subject)), float), minimum
        )
    )


# --- reading --------------------------------------------------------------------

Term = ox.NamedNode | ox.BlankNode | ox.Literal

_EVENT_COLUMNS: dict[str, URIRef] = {
    "type": KG.eventType,
    "source": KG.sourceActor,
    "target": KG.targetActor,
    "place": KG.place,
    "date": KG.date,
    "trigger": KG.trigger,
    "sentence": KG.sentence,
    "modality": KG.modality,
    "confidence": KG.confidence,
    "article": KG.fromArticle,
    "gdelt_id": KG.gdeltEventId,
    "root": KG.isRootEvent,
    "mentions": KG.numMentions,
    "tone": KG.avgTone,
}
_ENTITY_COLUMNS: dict[str, URIRef] = {
    "label": RDFS.label,
    "country": KG.countryCode,
    "code": KG.actorCode,
    "geonames": KG.geonamesId,
    "lat": KG.latitude,
    "lon": KG.longitude,
    "title": KG.title,
    "url": KG.url,
    "published": KG.published,
    "dateline": KG.datelinePlace,
}
_CAMEO_QUERY = """
SELECT ?code ?label ?root ?rootLabel ?quad ?goldstein WHERE {
  ?concept skos:inScheme cameo:scheme ; skos:notation ?code ;
           skos:broader* ?top .
  ?top skos:topConceptOf cameo:scheme ; skos:notation ?root .
  OPTIONAL { ?concept skos:prefLabel ?label FILTER(LANGMATCHES(LANG(?label), "en")) }
  OPTIONAL { ?top skos:prefLabel ?rootLabel
             FILTER(LANGMATCHES(LANG(?rootLabel), "en")) }
  OPTIONAL { ?top kg:quadClass ?quad }
  OPTIONAL { ?concept kg:goldstein ?goldstein }
}
"""


class _Reader:
    """The facts events need, read by index scans; each record built once.

    One scan per property over the store's default graph (the deduplicated
    union) is 5-10x faster than a SPARQL join, and needs no DISTINCT.
    """

    def __init__(self, store: Store) -> None:
        self.store = store
        self.columns = {k: _column(store, p) for k, p in _EVENT_COLUMNS.items()}
        self.facts = {k: _column(store, p) for k, p in _ENTITY_COLUMNS.items()}
        # Earlier kinds win when an actor has several classes.
        self.kinds = {
            iri: kind
            for kind in reversed(_ACTOR_KINDS)
            for iri in self.subjects(KG[kind])
        }
        self.types = _cameo_types(store)
        # (kind, IRI) -> record; each kind holds what its make() returns
        self.cache: dict[tuple[str, str], Any] = {}

    def subjects(self, cls: URIRef) -> list[str]:
        """IRIs of every instance of a class, sorted."""
        quads = self.store.quads_for_pattern(
            None, _RDF_TYPE, ox.NamedNode(str(cls)), ox.DefaultGraph()
        )
        return sorted(_value(q.subject) for q in quads)

    def event(self, iri: str) -> EventRow | None:
        """The record of one event, or None when it lacks a type or a source."""
        get = {k: column.get(iri) for k, column in self.columns.items()}
        if get["type"] is None or get["source"] is None:
            logger.debug("skipping %s: no event type or no source actor", iri)
            return None
        return EventRow(
            iri=iri,
            cameo=self._once("type", get["type"].value, self._cameo),
            source=self._once("actor", get["source"].value, self._actor),
            target=self._maybe("actor", get["target"], self._actor),
            place=self._maybe("place", get["place"], self._place),
            date=_date(get["date"]),
            modality=_text(get["modality"]) or "asserted",
            trigger=_text(get["trigger"]) or "",
            sentence=_text(get["sentence"]) or "",
            confidence=_number(get["confidence"], float),
            article=self._once("article", _text(get["article"]) or "", self._article),
            gdelt=_gdelt_facts(get),
        )

    def _once(self, kind: str, iri: str, make: Callable[[str], _R]) -> _R:
        """``make(iri)``, built once: an actor in 500 events is one record."""
        key = (kind, iri)
        if key not in self.cache:
            self.cache[key] = make(iri)
        return self.cache[key]

    def _maybe(
        self, kind: str, term: Term | None, make: Callable[[str], _R]
    ) -> _R | None:
        return None if term is None else self._once(kind, term.value, make)

    def _fact(self, key: str, iri: str) -> Term | None:
        return self.facts[key].get(iri)

    def _cameo(self, iri: str) -> CameoType:
        code = iri.removeprefix(str(CAMEO))
        if code in self.types:
            return self.types[code]
        # Outside the scheme: by CAMEO's definition the first two digits are the root.
        root = self.types.get(code[:2])
        if root is None:
            return CameoType(code, code, code[:2], code[:2])
        return CameoType(code, code, root.code, root.label, root.quad_class)

    def _actor(self, iri: str) -> ActorInfo:
        return ActorInfo(
            iri=iri,
            label=_text(self._fact("label", iri)) or iri,
            kind=self.kinds.get(iri, "Actor"),
            country=_text(self._fact("country", iri)),
            code=_text(self._fact("code", iri)),
        )

    def _place(self, iri: str) -> PlaceInfo:
        return PlaceInfo(
            iri=iri,
            label=_text(self._fact("label", iri)) or iri,
            country=_text(self._fact("country", iri)),
            latitude=_number(self._fact("lat", iri), float),
            longitude=_number(self._fact("lon", iri), float),
            geonames_id=_number(self._fact("geonames", iri), int),
        )

    def _article(self, iri: str) -> ArticleInfo:
        return ArticleInfo(
            iri=iri,
            title=_text(self._fact("title", iri)) or "",
            url=_text(self._fact("url", iri)) or "",
            published=_date(self._fact("published", iri)),
            dateline=self._maybe("place", self._fact("dateline", iri), self._place),
        )


_RDF_TYPE = ox.NamedNode(str(RDF.type))


def _gdelt_facts(get: dict[str, Term | None]) -> GdeltFacts | None:
    """GDELT's own fields of an event kg import-gdelt loaded; None for others."""
    event_id = _number(get["gdelt_id"], int)
    if event_id is None:
        return None
    root = _text(get["root"])
    return GdeltFacts(
        event_id=event_id,
        is_root=None if root is None else root in ("true", "1"),
        num_mentions=_number(get["mentions"], int),
        avg_tone=_number(get["tone"], float),
    )


def _column(store: Store, predicate: URIRef) -> dict[str, Term]:
    """subject -> object of one property over the union; the smallest if several.

    Taking the smallest (not the first) keeps output independent of store order.
    """
    column: dict[str, Term] = {}
    quads = store.quads_for_pattern(
        None, ox.NamedNode(str(predicate)), None, ox.DefaultGraph()
    )
    for quad in quads:
        if isinstance(quad.object, ox.Triple):
            continue  # an RDF-star quoted triple: no value kg reads
        subject = _value(quad.subject)
        old = column.get(subject)
        if old is None or str(quad.object) < str(old):
            column[subject] = quad.object
    return column


def _value(subject: ox.NamedNode | ox.BlankNode | ox.Triple) -> str:
    """The IRI or blank-node id of a subject; kg writes no RDF-star subjects."""
    if isinstance(subject, ox.Triple):
        raise StoreError(
            f"The store holds an RDF-star triple as a subject ({subject}); kg's "
            "graph does not use RDF-star. Remove it, or export with --format nq."
        )
    return subject.value


def _select(store: Store, text: str) -> ox.QuerySolutions:
    prefixes = prefix_map()
    return _solutions(store.query(text, prefixes=prefixes))


def _solutions(answer: object) -> ox.QuerySolutions:
    """A SELECT's rows; ``Store.query`` is typed for ASK and CONSTRUCT answers too."""
    if not isinstance(answer, ox.QuerySolutions):
        raise TypeError(f"expected SELECT rows, got {type(answer).__name__}")
    return answer


def _cameo_types(store: Store) -> dict[str, CameoType]:
    """Every CAMEO code of the store's scheme (or the bundled one) by code."""
    rows = list(_select(store, _CAMEO_QUERY))
    if not rows:
        logger.debug("no CAMEO scheme in the store; reading the bundled one")
        rows = _bundled_cameo_rows()
    types = {}
    for row in rows:
        code = row["code"].value
        types[code] = CameoType(
            code=code,
            label=_text(row["label"]) or code,
            root=row["root"].value,
            root_label=_text(row["rootLabel"]) or row["root"].value,
            quad_class=_quad_class(row["quad"]),
            goldstein=_number(row["goldstein"], float),
        )
    return types


def _quad_class(term: Term | None) -> int | None:
    """GDELT's quad class, 1 to 4; anything else (a store edited by hand, say
    ``kg:quadClass 9``) is read as unknown rather than crashing every view."""
    value = _number(term, int)
    return value if value in (1, 2, 3, 4) else None


def _bundled_cameo_rows() -> list[ox.QuerySolution]:
    from kg.rdf.ontology import load_ontology

    with open_store() as scratch:
        scratch.ensure_ontology(load_ontology())
        return list(_select(scratch, _CAMEO_QUERY))


def _text(term: Term | None) -> str | None:
    return None if term is None else term.value


def _number(term: Term | None, kind: type[_N]) -> _N | None:
    """The term's value as an int or a float; None when absent or not a number."""
    if term is None:
        return None
    try:
        return kind(term.value)
    except ValueError:
        logger.debug("ignoring %r: not a number", term.value)
        return None


def _date(term: Term | None) -> dt.date | None:
    if term is None:
        return None
    try:
        return dt.date.fromisoformat(term.value[:10])
    except ValueError:
        logger.debug("ignoring %r: not an ISO date", term.value)
        return None


__all__ = [
    "ASSERTED",
    "ActorInfo",
    "ArticleInfo",
    "CameoType",
    "EventFilter",
    "EventRow",
    "GdeltFacts",
    "PlaceInfo",
    "Stance",
    "check_probability",
    "events_below",
    "load_events",
    "meets_confidence",
    "words_match",
]
