"""Write the store out: RDF (Turtle, N-Triples, JSON-LD, TriG, N-Quads), a
GDELT-like CSV of events, or GraphML / GEXF graphs for Gephi and Cytoscape.

Oxigraph's own serialisers write Turtle, N-Triples, TriG and N-Quads (30x faster
than rdflib's over an Oxigraph-backed graph). Triple formats carry the union of
all graphs as a set, so an actor described by ten articles is written once; quad
formats keep one named graph per article and leave out the derived union (kg.store
keeps it in the default graph). JSON-LD is compacted here with kg's published
context (``ontology/context.jsonld``), so keys read ``sourceActor``, not full IRIs.
CSV, GraphML and GEXF are views of the events (:mod:`kg.analysis.graphs`): by
default only
the events the text says happened. The RDF formats hold the whole store, every
modality included; of the event filters they take only a minimum confidence,
which drops each event below it with all its triples (then streamed through
Python rather than dumped natively, so slower).
"""

from __future__ import annotations

import csv
import io
import json
import logging
import os
import re
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO, Literal, TextIO

import networkx as nx
import pyoxigraph as ox
from rdflib.namespace import RDF, XSD

from kg.analysis.eventrows import events_below
from kg.analysis.graphs import (
    EventFilter,
    EventRow,
    actor_network,
    event_graph,
    load_events,
)
from kg.errors import OntologyError, StoreError, UsageError
from kg.rdf.namespaces import ONTOLOGY_GRAPH, prefix_map
from kg.store import Store

logger = logging.getLogger(__name__)

ExportFormat = Literal[
    "turtle", "nt", "jsonld", "trig", "nquads", "csv", "graphml", "gexf"
]
GraphKind = Literal["events", "actors"]
TRIPLE_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
}
QUAD_FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
#: The RDF formats: each parses back to the store's triples or quads.
FORMATS: tuple[str, ...] = ("turtle", "nt", "jsonld", *QUAD_FORMATS)
#: RDF formats written by streaming straight into the output file.
STREAMED_FORMATS: tuple[str, ...] = (*TRIPLE_FORMATS, *QUAD_FORMATS)
#: Formats that describe events rather than triples, and take an EventFilter.
EVENT_FORMATS: tuple[str, ...] = ("csv", "graphml", "gexf")
ALL_FORMATS: tuple[str, ...] = (*FORMATS, *EVENT_FORMATS)
#: What :func:`export` counts, per format (statements for the RDF ones).
UNITS: dict[str, str] = {"csv": "events", "graphml": "nodes", "gexf": "nodes"}

#: Where the JSON-LD context is published; exports embed the same document.
CONTEXT_URL = "https://w3id.org/kg-events/context.jsonld"
CONTEXT_FILE = "context.jsonld"

#: One CSV row per event, GDELT's event table in spirit (SQLDATE, Actor1Name, ...).
CSV_COLUMNS: tuple[str, ...] = (
    "event_id", "date", "source_name", "source_code", "source_country",
    "cameo_code", "cameo_root", "quad_class", "goldstein",
    "target_name", "target_code", "target_country",
    "place_name", "place_lat", "place_lon", "place_geonames_id",
    "modality", "article_url", "published", "sentence",
)  # fmt: skip

# Characters XML 1.0 does not allow, even escaped (controls other than tab, LF, CR).
_NOT_XML = re.compile("[^\t\n\r\x20-\ud7ff\ue000-\ufffd\U00010000-\U0010ffff]")
_XSD_STRING = str(XSD.string)


def export(
    store: Store,
    fmt: ExportFormat = "turtle",
    out: str | Path | None = None,
    *,
    stream: TextIO | None = None,
    include_ontology: bool = True,
    graph: GraphKind = "events",
    filters: EventFilter | None = None,
) -> int:
    """Serialise the store to a file (UTF-8) or a text stream.

    Args:
        store: the open store.
        fmt: turtle, nt, jsonld (the union); trig, nquads (named graphs kept);
            csv (one row per event); graphml, gexf (the graph named by ``graph``).
        out: file to write; replaced only once the whole export is written.
        stream: text stream to write to instead (the CLI passes stdout).
        include_ontology: False leaves out the ontology and CAMEO scheme graph
            (RDF formats only).
        graph: for graphml and gexf: "events" (actors, events, places) or
            "actors" (the weighted actor network).
        filters: which events csv, graphml and gexf hold; default every
            asserted event. RDF formats hold every event of any modality, and
            take a filter only for its ``min_confidence`` (events below it are
            left out with their triples).

    Returns:
        How many statements (RDF), events (csv) or nodes (graphml, gexf).

    Raises:
        UsageError: unknown format or graph, filters other than a minimum
            confidence given for an RDF format, or neither or both of ``out``
            and ``stream``.
        StoreError: the file cannot be written.
    """
    if (out is None) == (stream is None):
        raise UsageError("export() needs exactly one of out= (a path) or stream=.")
    if fmt in STREAMED_FORMATS:
        minimum = rdf_min_confidence(fmt, filters)
        count = _stream_rdf(store, fmt, out, stream, include_ontology, minimum)
    else:
        data, count = serialize(
            store, fmt, include_ontology=include_ontology, graph=graph, filters=filters
        )
        if stream is not None:
            stream.write(data.decode("utf-8"))
        else:
            _write_atomically(Path(out), data)
    logger.info("exported %d %s as %s", count, UNITS.get(fmt, "statements"), fmt)
    return count


def export_text(
    store: Store,
    fmt: ExportFormat = "turtle",
    *,
    include_ontology: bool = True,
    graph: GraphKind = "events",
    filters: EventFilter | None = None,
) -> str:
    """The export as a string, for callers that want it in memory."""
    data, _ = serialize(
        store, fmt, include_ontology=include_ontology, graph=graph, filters=filters
    )
    return data.decode("utf-8")


def serialize(
    store: Store,
    fmt: ExportFormat,
    *,
    include_ontology: bool = True,
    graph: GraphKind = "events",
    filters: EventFilter | None = None,
) -> tuple[bytes, int]:
    """UTF-8 bytes of the export and how many statements, events or nodes it holds.

    Raises:
        UsageError: as for :func:`export`.
    """
    if fmt in EVENT_FORMATS:
        rows = load_events(store, filters)
        if fmt == "csv":
            return events_csv(rows).encode("utf-8"), len(rows)
        built = build_graph(rows, graph)
        return graph_bytes(built, fmt), built.number_of_nodes()
    if fmt not in FORMATS:
        raise UsageError(
            f"Unknown export format {fmt!r}: use one of {', '.join(ALL_FORMATS)}."
        )
    minimum = rdf_min_confidence(fmt, filters)
    return _rdf(store, fmt, include_ontology, minimum)


def rdf_min_confidence(fmt: str, filters: EventFilter | None) -> float | None:
    """The minimum confidence an RDF export applies; None for the whole store.

    An RDF export is the store itself, every modality included, so a filter
    may only drop low-confidence events: one that also picks events by date,
    type, actor, country, place or modality is refused rather than half-applied.

    Raises:
        UsageError: the filter selects by anything but ``min_confidence``, or
            sets no minimum (so it would not change the export).
    """
    if filters is None:
        return None
    minimum = filters.min_confidence
    if minimum is None or filters != replace(EventFilter(), min_confidence=minimum):
        raise UsageError(
            f"Filters select events for {', '.join(EVENT_FORMATS)}; an RDF export "
            f"({fmt}) holds the whole store and takes only --min-confidence. "
            "Drop the other filters (and --all) or pick csv."
        )
    return minimum


def _rdf(
    store: Store, fmt: str, include_ontology: bool, minimum: float | None = None
) -> tuple[bytes, int]:
    scope = {"include_ontology": include_ontology, "min_confidence": minimum}
    if fmt != "jsonld":
        buffer = io.BytesIO()
        count = write_rdf(store, fmt, buffer, **scope)
        return buffer.getvalue(), count
    items = list(union_triples(store, **scope))
    items.sort(key=_sort_key)  # stable key order, so equal stores diff cleanly
    return _json_bytes(jsonld_document(items, load_context())), len(items)


def write_rdf(
    store: Store,
    fmt: str,
    output: BinaryIO | Path,
    *,
    include_ontology: bool = True,
    min_confidence: float | None = None,
) -> int:
    """Stream Turtle, N-Triples, TriG or N-Quads to a file; return the count.

    ``output`` is a binary stream or a path; a path lets Oxigraph write the file
    itself, without a Python call per chunk. ``min_confidence`` leaves out each
    event below it (or without a confidence) and every triple naming it.

    Oxigraph serialises as it reads, in the store's index order: each subject is
    one block and equal stores give the same bytes, without sorting a million
    triples in Python (that sort cost half of a 1M-triple export).
    """
    rdf_format = {**TRIPLE_FORMATS, **QUAD_FORMATS}[fmt]
    prefixes = prefix_map()
    scope = {"include_ontology": include_ontology, "min_confidence": min_confidence}
    if fmt in QUAD_FORMATS:
        quads = _counted(named_quads(store, **scope))
        ox.serialize(quads, output, rdf_format, prefixes=prefixes)
        return quads.count
    if include_ontology and min_confidence is None:
        # Count in a second thread while Oxigraph writes (both run outside the
        # GIL): the count is a second full scan, a tenth of the export's time.
        with ThreadPoolExecutor(1) as pool:
            counting = pool.submit(store.triple_count)
            store.dump_union(output, rdf_format, prefixes)
            return counting.result()
    triples = _counted(union_triples(store, **scope))
    ox.serialize(triples, output, rdf_format, prefixes=prefixes)
    return triples.count


class _counted:  # noqa: N801 - used like a function
    """An iterator that counts what it yields (the serialiser consumes it)."""

    def __init__(self, items: Iterator) -> None:
        self._items = items
        self.count = 0

    def __iter__(self) -> _counted:
        return self

    def __next__(self) -> object:
        item = next(self._items)
        self.count += 1
        return item


def _stream_rdf(
    store: Store,
    fmt: str,
    out: str | Path | None,
    stream: TextIO | None,
    include_ontology: bool,
    minimum: float | None = None,
) -> int:
    """Write an RDF export straight to its file (atomically) or to a stream."""
    scope = {"include_ontology": include_ontology, "min_confidence": minimum}
    if stream is not None:
        target = getattr(stream, "buffer", None)
        if target is None:  # a text-only stream (e.g. StringIO): go via bytes
            data, count = _rdf(store, fmt, include_ontology, minimum)
            stream.write(data.decode("utf-8"))
            return count
        stream.flush()
        count = write_rdf(store, fmt, target, **scope)
        target.flush()
        return count
    path = Path(out)
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        count = write_rdf(store, fmt, tmp, **scope)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise StoreError(_unwritable(path, err)) from err
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def union_triples(
    store: Store,
    *,
    include_ontology: bool = True,
    min_confidence: float | None = None,
) -> Iterator[ox.Triple]:
    """Each triple of the union once, optionally without ontology-only triples
    or the triples of events below ``min_confidence``."""
    skip = set() if include_ontology else _ontology_only(store)
    dropped = _dropped_events(store, min_confidence)
    for quad in store.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        if quad.triple not in skip and not _names_any(quad, dropped):
            yield quad.triple


def named_quads(
    store: Store,
    *,
    include_ontology: bool = True,
    min_confidence: float | None = None,
) -> Iterator[ox.Quad]:
    """Every quad of the named graphs, graph by graph, optionally without the
    ontology graph or the quads of events below ``min_confidence``."""
    dropped = _dropped_events(store, min_confidence)
    for quad in store.named_quads():
        if include_ontology or quad.graph_name.value != str(ONTOLOGY_GRAPH):
            if not _names_any(quad, dropped):
                yield quad


def _dropped_events(store: Store, minimum: float | None) -> frozenset[str]:
    """IRIs of the events an RDF export leaves out; none without a minimum."""
    return frozenset() if minimum is None else events_below(store, minimum)


def _names_any(quad: ox.Quad, events: frozenset[str]) -> bool:
    """Whether a statement is about one of ``events`` or links to one.

    Dropping an event means dropping its node (it as subject) and every link to
    it (it as object), so nothing in the export points at a missing event.
    """
    if not events:
        return False
    linked = isinstance(quad.object, ox.NamedNode) and quad.object.value in events
    return linked or quad.subject.value in events


# --- JSON-LD --------------------------------------------------------------------


@lru_cache(maxsize=1)
def load_context() -> dict:
    """The inner ``@context`` object of the bundled ``ontology/context.jsonld``.

    Raises:
        OntologyError: the file is missing or is not a JSON-LD context document.
    """
    from kg.rdf.ontology import ontology_dir

    path = ontology_dir() / CONTEXT_FILE
    try:
        context = json.loads(path.read_text(encoding="utf-8"))["@context"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise OntologyError(
            f"{path} is not a readable JSON-LD context ({err}). Restore it from git "
            "or reinstall kg-events."
        ) from err
    return context


def jsonld_document(triples: list[ox.Triple], context: dict) -> dict:
    """Compacted JSON-LD of sorted triples: one node object per subject.

    The full context is embedded, so the file parses offline. A value whose
    datatype differs from its key's coercion is written as an explicit value
    object, which JSON-LD never coerces, so the triples come back unchanged.
    """
    compactor = _Compactor(context)
    nodes: list[dict] = []
    for triple in triples:
        subject = compactor.ref(triple.subject)
        if not nodes or nodes[-1]["@id"] != subject:
            nodes.append({"@id": subject})
        key, value = compactor.entry(triple.predicate, triple.object)
        node = nodes[-1]
        if key not in node:
            node[key] = value
        elif isinstance(node[key], list):
            node[key].append(value)
        else:
            node[key] = [node[key], value]
    return {"@context": context, "@graph": nodes}


class _Compactor:
    """Turns IRIs and literals into the short forms a JSON-LD context allows."""

    def __init__(self, context: dict) -> None:
        self.prefixes = sorted(
            ((k, v) for k, v in context.items() if _is_prefix(v)),
            key=lambda kv: -len(kv[1]),
        )
        self.keys: dict[str, tuple[str, str | None]] = {}
        self.types: dict[str, str] = {}
        for term, definition in context.items():
            if term.startswith("@") or _is_prefix(definition):
                continue
            iri, coercion = _definition(definition)
            self.keys.setdefault(self.expand(iri), (term, self._coercion(coercion)))
            if isinstance(definition, str):
                self.types.setdefault(self.expand(iri), term)

    def expand(self, value: str) -> str:
        prefix, _, rest = value.partition(":")
        for name, iri in self.prefixes:
            if name == prefix:
                return iri + rest
        return value

    def compact(self, iri: str) -> str:
        for name, ns in self.prefixes:
            rest = iri[len(ns) :]
            if iri.startswith(ns) and rest and not rest.startswith("//"):
                return f"{name}:{rest}"
        return iri

    def ref(self, term: ox.NamedNode | ox.BlankNode) -> str:
        if isinstance(term, ox.BlankNode):
            return f"_:{term.value}"
        return self.compact(term.value)

    def entry(self, predicate: ox.NamedNode, obj: ox.Term) -> tuple[str, object]:
        if predicate.value == str(RDF.type) and not isinstance(obj, ox.Literal):
            return "@type", self.types.get(obj.value) or self.ref(obj)
        key, coercion = self.keys.get(
            predicate.value, (self.compact(predicate.value), None)
        )
        return key, self.value(obj, coercion)

    def value(self, obj: ox.Term, coercion: str | None) -> object:
        if not isinstance(obj, ox.Literal):
            return self.ref(obj) if coercion == "@id" else {"@id": self.ref(obj)}
        if obj.language:
            return {"@value": obj.value, "@language": obj.language}
        datatype = obj.datatype.value
        if datatype == (coercion or _XSD_STRING):
            return obj.value
        if datatype == _XSD_STRING:
            return {"@value": obj.value}
        return {"@value": obj.value, "@type": self.compact(datatype)}

    def _coercion(self, coercion: str | None) -> str | None:
        return coercion if coercion in (None, "@id") else self.expand(coercion)


def _is_prefix(definition: object) -> bool:
    return isinstance(definition, str) and definition.endswith(("#", "/"))


def _definition(definition: str | dict) -> tuple[str, str | None]:
    if isinstance(definition, str):
        return definition, None
    return definition["@id"], definition.get("@type")


def _json_bytes(document: dict) -> bytes:
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


# --- events as CSV and graphs ---------------------------------------------------


def events_csv(rows: list[EventRow]) -> str:
    """One CSV row per event after a header; RFC 4180 quoting, UTF-8 without BOM."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in rows:
        writer.writerow(_csv_values(row))
    return out.getvalue()


def _csv_values(row: EventRow) -> list[object]:
    source, target, place, cameo = row.source, row.target, row.place, row.cameo
    values = [
        row.iri, row.date, source.label, source.code, source.country,
        cameo.code, cameo.root, cameo.quad_class, cameo.goldstein,
        target and target.label, target and target.code, target and target.country,
        place and place.label, place and place.latitude, place and place.longitude,
        place and place.geonames_id,
        row.modality, row.article.url, row.article.published, row.sentence,
    ]  # fmt: skip
    return ["" if v is None else _defused(v) for v in values]


#: A spreadsheet runs a cell that starts with one of these as a formula.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _defused(value: object) -> object:
    """Article text never becomes a spreadsheet formula (CSV injection).

    Text cells starting with a formula character get a leading apostrophe, as
    OWASP advises; numbers (e.g. a negative Goldstein score) stay numbers.
    """
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def build_graph(rows: list[EventRow], kind: GraphKind) -> nx.Graph:
    """The event graph or the actor network of the rows.

    Raises:
        UsageError: ``kind`` is neither "events" nor "actors".
    """
    if kind == "events":
        return event_graph(rows)
    if kind == "actors":
        return actor_network(rows)
    raise UsageError(f"Unknown graph {kind!r}: use 'events' or 'actors'.")


def graph_bytes(graph: nx.Graph, fmt: str) -> bytes:
    """GraphML or GEXF of a graph, with strings made safe for XML 1.0."""
    buffer = io.BytesIO()
    ready = _xml_ready(graph, viz=fmt == "gexf")
    if fmt == "graphml":
        nx.write_graphml(ready, buffer, encoding="utf-8")
    else:
        nx.write_gexf(ready, buffer, encoding="utf-8")
    return buffer.getvalue()


def _xml_ready(graph: nx.Graph, *, viz: bool) -> nx.Graph:
    """A copy with XML-forbidden characters removed; GEXF colours as viz:color."""
    ready = graph.__class__(**{k: _clean(v) for k, v in graph.graph.items()})
    for node, data in graph.nodes(data=True):
        ready.add_node(_clean(node), **_clean_attributes(data, viz))
    edges = (
        graph.edges(keys=True, data=True)
        if graph.is_multigraph()
        else ((u, v, None, d) for u, v, d in graph.edges(data=True))
    )
    for u, v, key, data in edges:
        extra = {} if key is None else {"key": key}
        ready.add_edge(_clean(u), _clean(v), **extra, **_clean_attributes(data, viz))
    return ready


def _clean_attributes(data: dict, viz: bool) -> dict:
    clean = {key: _clean(value) for key, value in data.items()}
    if viz and "color" in clean:
        hex_colour = clean["color"].lstrip("#")
        r, g, b = (int(hex_colour[i : i + 2], 16) for i in (0, 2, 4))
        clean["viz"] = {"color": {"r": r, "g": g, "b": b, "a": 1.0}}
    return clean


def _clean(value: object) -> object:
    return _NOT_XML.sub("", value) if isinstance(value, str) else value


# --- helpers --------------------------------------------------------------------

_RDF_TYPE = ox.NamedNode(str(RDF.type))


def _sort_key(item: ox.Triple | ox.Quad) -> tuple[str, str, bool, str, str]:
    graph = str(item.graph_name) if isinstance(item, ox.Quad) else ""
    return (
        graph,
        str(item.subject),
        item.predicate != _RDF_TYPE,
        str(item.predicate),
        str(item.object),
    )


# Triples of the ontology graph that no other named graph states. One query, so
# a store on a SPARQL server answers it in one round trip.
_ONTOLOGY_ONLY = f"""
SELECT ?s ?p ?o WHERE {{
  GRAPH <{ONTOLOGY_GRAPH}> {{ ?s ?p ?o }}
  FILTER NOT EXISTS {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(?g != <{ONTOLOGY_GRAPH}>) }}
}}
"""


def _ontology_only(store: Store) -> set[ox.Triple]:
    return {ox.Triple(r["s"], r["p"], r["o"]) for r in store.query(_ONTOLOGY_ONLY)}


def _write_atomically(path: Path, data: bytes) -> None:
    # A half-written export that looks complete is worse than none at all.
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise StoreError(_unwritable(path, err)) from err


def _unwritable(path: Path, err: OSError) -> str:
    return (
        f"Cannot write export to {path}: {err}. Check the folder exists and is "
        "writable."
    )
