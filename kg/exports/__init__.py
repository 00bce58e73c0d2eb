"""Write the store out: RDF (Turtle, N-Triples, JSON-LD, TriG, N-Quads), a
GDELT-like CSV of events, a GDELT 2.0 event export (:mod:`kg.exports.gdelt`), or
GraphML / GEXF graphs for Gephi and Cytoscape.

Oxigraph's own serialisers write Turtle, N-Triples, TriG and N-Quads (30x faster
than rdflib's over an Oxigraph-backed graph). Triple formats carry the union of
all graphs as a set, so an actor described by ten articles is written once; quad
formats keep one named graph per article and leave out the derived union (kg.store
keeps it in the default graph). JSON-LD is compacted here with kg's published
context (``ontology/context.jsonld``), so keys read ``sourceActor``, not full IRIs.
CSV, GDELT, GraphML and GEXF are views of the events (:mod:`kg.analysis.graphs`): by
default only
the events the text says happened. The RDF formats hold the whole store, every
modality included; of the event filters they take only a minimum confidence,
which drops each event below it with all its triples (then streamed through
Python rather than dumped natively, so slower).
"""

from __future__ import annotations

import io
import logging
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from pathlib import Path
from typing import BinaryIO, Generic, Literal, TextIO, TypeVar

import pyoxigraph as ox
from rdflib.namespace import RDF

from kg.analysis.eventrows import events_below
from kg.analysis.graphs import EventFilter, load_events
from kg.errors import StoreError, UsageError
from kg.exports.events import (
    CSV_COLUMNS,
    GraphKind,
    build_graph,
    events_csv,
    graph_bytes,
)
from kg.exports.gdelt import events_gdelt
from kg.files import is_stream, replacing, replacing_path, write_bytes
from kg.rdf.jsonld import (
    CONTEXT_FILE,
    CONTEXT_URL,
    json_bytes,
    jsonld_document,
    load_context,
)
from kg.rdf.namespaces import ONTOLOGY_GRAPH, prefix_map
from kg.store import Store
from kg.store.sparql import solutions

logger = logging.getLogger(__name__)

ExportFormat = Literal[
    "turtle", "nt", "jsonld", "trig", "nquads", "csv", "gdelt", "graphml", "gexf"
]
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
EVENT_FORMATS: tuple[str, ...] = ("csv", "gdelt", "graphml", "gexf")
ALL_FORMATS: tuple[str, ...] = (*FORMATS, *EVENT_FORMATS)
#: What :func:`export` counts, per format (statements for the RDF ones).
UNITS: dict[str, str] = {
    "csv": "events",
    "gdelt": "events",
    "graphml": "nodes",
    "gexf": "nodes",
}


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
            csv (one row per event); gdelt (a GDELT 2.0 event export, one
            tab-separated row per dated event); graphml, gexf (the graph named
            by ``graph``).
        out: file to write; replaced only once the whole export is written.
        stream: text stream to write to instead (the CLI passes stdout).
        include_ontology: False leaves out the ontology and CAMEO scheme graph
            (RDF formats only).
        graph: for graphml and gexf: "events" (actors, events, places) or
            "actors" (the weighted actor network).
        filters: which events csv, gdelt, graphml and gexf hold; default every
            asserted event. RDF formats hold every event of any modality, and
            take a filter only for its ``min_confidence`` (events below it are
            left out with their triples).

    Returns:
        How many statements (RDF), events (csv, gdelt) or nodes (graphml, gexf).

    Raises:
        UsageError: unknown format or graph, filters other than a minimum
            confidence given for an RDF format, or neither or both of ``out``
            and ``stream``.
        StoreError: the file cannot be written.
    """
    target = _target(out, stream)
    if fmt in STREAMED_FORMATS:
        minimum = rdf_min_confidence(fmt, filters)
        count = _stream_rdf(store, fmt, target, include_ontology, minimum)
    else:
        data, count = serialize(
            store, fmt, include_ontology=include_ontology, graph=graph, filters=filters
        )
        if isinstance(target, Path):
            write_bytes(target, data, what="export", error=StoreError)
        else:
            target.write(data.decode("utf-8"))
    logger.info("exported %d %s as %s", count, UNITS.get(fmt, "statements"), fmt)
    return count


def _target(out: str | Path | None, stream: TextIO | None) -> Path | TextIO:
    """Where an export goes: the one path or stream the caller gave.

    Raises:
        UsageError: neither or both were given.
    """
    if out is not None and stream is None:
        return Path(out)
    if stream is not None and out is None:
        return stream
    raise UsageError("export() needs exactly one of out= (a path) or stream=.")


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
        if fmt == "gdelt":
            text, written = events_gdelt(rows)
            return text.encode("utf-8"), written
        built = build_graph(rows, graph, timeline=fmt == "gexf")
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
    if fmt != "jsonld":
        buffer = io.BytesIO()
        count = write_rdf(
            store,
            fmt,
            buffer,
            include_ontology=include_ontology,
            min_confidence=minimum,
        )
        return buffer.getvalue(), count
    triples = union_triples(
        store, include_ontology=include_ontology, min_confidence=minimum
    )
    items = sorted(triples, key=_sort_key)  # stable order: equal stores diff cleanly
    return json_bytes(jsonld_document(items, load_context())), len(items)


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
    if fmt in QUAD_FORMATS:
        quads = _counted(
            named_quads(
                store, include_ontology=include_ontology, min_confidence=min_confidence
            )
        )
        ox.serialize(quads, output, rdf_format, prefixes=prefixes)
        return quads.count
    if include_ontology and min_confidence is None:
        # Count in a second thread while Oxigraph writes (both run outside the
        # GIL): the count is a second full scan, a tenth of the export's time.
        with ThreadPoolExecutor(1) as pool:
            counting = pool.submit(store.triple_count)
            store.dump_union(output, rdf_format, prefixes)
            return counting.result()
    triples = _counted(
        union_triples(
            store, include_ontology=include_ontology, min_confidence=min_confidence
        )
    )
    ox.serialize(triples, output, rdf_format, prefixes=prefixes)
    return triples.count


_T = TypeVar("_T")


class _counted(Generic[_T]):  # noqa: N801 - used like a function
    """An iterator that counts what it yields (the serialiser consumes it)."""

    def __init__(self, items: Iterator[_T]) -> None:
        self._items = items
        self.count = 0

    def __iter__(self) -> _counted[_T]:
        return self

    def __next__(self) -> _T:
        item = next(self._items)
        self.count += 1
        return item


def _stream_rdf(
    store: Store,
    fmt: str,
    target: Path | TextIO,
    include_ontology: bool,
    minimum: float | None = None,
) -> int:
    """Write an RDF export straight to its file (atomically) or to a stream."""
    if isinstance(target, Path):
        return _stream_rdf_file(store, fmt, target, include_ontology, minimum)
    binary = getattr(target, "buffer", None)
    if binary is None:  # a text-only stream (e.g. StringIO): go via bytes
        data, count = _rdf(store, fmt, include_ontology, minimum)
        target.write(data.decode("utf-8"))
        return count
    target.flush()
    count = write_rdf(
        store, fmt, binary, include_ontology=include_ontology, min_confidence=minimum
    )
    binary.flush()
    return count


def _stream_rdf_file(
    store: Store, fmt: str, path: Path, include_ontology: bool, minimum: float | None
) -> int:
    """Let Oxigraph write an RDF export to a file of its own, then put it at ``path``.

    Atomic (see :mod:`kg.files`): a kill or a full disk leaves the old file, and
    two exports to one path never mix their bytes.
    """
    if is_stream(path):  # a pipe: Oxigraph's sync of a file it opened fails there
        with replacing(path, what="export", error=StoreError) as handle:
            return write_rdf(
                store, fmt, handle, include_ontology=include_ontology,
                min_confidence=minimum,
            )  # fmt: skip
    with replacing_path(path, what="export", error=StoreError) as scratch:
        return write_rdf(
            store,
            fmt,
            scratch,
            include_ontology=include_ontology,
            min_confidence=minimum,
        )


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
        if include_ontology or quad.graph_name != _ONTOLOGY_NODE:
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
    subject = quad.subject
    return linked or (not isinstance(subject, ox.Triple) and subject.value in events)


# --- helpers --------------------------------------------------------------------

_RDF_TYPE = ox.NamedNode(str(RDF.type))
_ONTOLOGY_NODE = ox.NamedNode(str(ONTOLOGY_GRAPH))


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
    rows = solutions(store.query(_ONTOLOGY_ONLY))
    return {ox.Triple(r["s"], r["p"], r["o"]) for r in rows}


__all__ = [
    "ALL_FORMATS",
    "CONTEXT_FILE",
    "CONTEXT_URL",
    "CSV_COLUMNS",
    "EVENT_FORMATS",
    "FORMATS",
    "QUAD_FORMATS",
    "STREAMED_FORMATS",
    "TRIPLE_FORMATS",
    "UNITS",
    "ExportFormat",
    "GraphKind",
    "build_graph",
    "events_csv",
    "events_gdelt",
    "export",
    "export_text",
    "graph_bytes",
    "jsonld_document",
    "load_context",
    "named_quads",
    "rdf_min_confidence",
    "serialize",
    "union_triples",
    "write_rdf",
]
