"""Write the store out as Turtle, N-Triples, JSON-LD, TriG or N-Quads.

Oxigraph's own serialisers do the writing (30x faster than rdflib's over an
Oxigraph-backed graph). Triple formats carry the union of all graphs as a set, so
an actor described by ten articles is written once; quad formats keep one named
graph per article and leave out the derived union (kg.store keeps it in the
default graph).
"""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Literal, TextIO

import pyoxigraph as ox
from rdflib.namespace import RDF

from kg.errors import StoreError, UsageError
from kg.rdf.namespaces import ONTOLOGY_GRAPH, PREFIXES
from kg.store import Store

logger = logging.getLogger(__name__)

ExportFormat = Literal["turtle", "nt", "jsonld", "trig", "nquads"]
TRIPLE_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
}
QUAD_FORMATS: dict[str, ox.RdfFormat] = {
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
FORMATS: tuple[str, ...] = (*TRIPLE_FORMATS, *QUAD_FORMATS)


def export(
    store: Store,
    fmt: ExportFormat = "turtle",
    out: str | Path | None = None,
    *,
    stream: TextIO | None = None,
    include_ontology: bool = True,
) -> int:
    """Serialise the store to a file (UTF-8) or a text stream.

    Args:
        store: the open store.
        fmt: turtle, nt, jsonld (the union) or trig, nquads (named graphs kept).
        out: file to write; replaced only once the whole export is written.
        stream: text stream to write to instead (the CLI passes stdout).
        include_ontology: False leaves out the ontology and CAMEO scheme graph.

    Returns:
        The number of triples (or quads) written.

    Raises:
        UsageError: unknown format, or neither or both of ``out`` and ``stream``.
        StoreError: the file cannot be written.
    """
    if (out is None) == (stream is None):
        raise UsageError("export() needs exactly one of out= (a path) or stream=.")
    data, count = serialize(store, fmt, include_ontology=include_ontology)
    if stream is not None:
        stream.write(data.decode("utf-8"))
    else:
        _write_atomically(Path(out), data)
    logger.info("exported %d statements as %s", count, fmt)
    return count


def export_text(
    store: Store, fmt: ExportFormat = "turtle", *, include_ontology: bool = True
) -> str:
    """The export as a string, for callers that want it in memory."""
    data, _ = serialize(store, fmt, include_ontology=include_ontology)
    return data.decode("utf-8")


def serialize(
    store: Store, fmt: ExportFormat, *, include_ontology: bool = True
) -> tuple[bytes, int]:
    """UTF-8 bytes of the export and how many statements it holds."""
    if fmt in TRIPLE_FORMATS:
        items: list = list(union_triples(store, include_ontology=include_ontology))
        rdf_format = TRIPLE_FORMATS[fmt]
    elif fmt in QUAD_FORMATS:
        items = list(named_quads(store, include_ontology=include_ontology))
        rdf_format = QUAD_FORMATS[fmt]
    else:
        raise UsageError(
            f"Unknown export format {fmt!r}: use one of {', '.join(FORMATS)}."
        )
    # Store order is hash order: sorting groups each subject into one Turtle block
    # and makes exports of equal stores byte-identical, so they diff cleanly.
    items.sort(key=_sort_key)
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    return ox.serialize(items, format=rdf_format, prefixes=prefixes), len(items)


def union_triples(
    store: Store, *, include_ontology: bool = True
) -> Iterator[ox.Triple]:
    """Each triple of the union once, optionally without ontology-only triples."""
    ontology = set() if include_ontology else _graph_triples(store, ONTOLOGY_GRAPH)
    for quad in store.ox.quads_for_pattern(None, None, None, ox.DefaultGraph()):
        triple = quad.triple
        if triple in ontology and not _said_by_article(store, triple):
            continue
        yield triple


def named_quads(store: Store, *, include_ontology: bool = True) -> Iterator[ox.Quad]:
    """Every quad of the named graphs, graph by graph."""
    for quad in store.named_quads():
        if include_ontology or quad.graph_name.value != str(ONTOLOGY_GRAPH):
            yield quad


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


def _graph_triples(store: Store, name: str) -> set[ox.Triple]:
    quads = store.ox.quads_for_pattern(None, None, None, ox.NamedNode(str(name)))
    return {q.triple for q in quads}


def _said_by_article(store: Store, triple: ox.Triple) -> bool:
    quads = store.ox.quads_for_pattern(triple.subject, triple.predicate, triple.object)
    return any(
        not isinstance(q.graph_name, ox.DefaultGraph)
        and q.graph_name.value != str(ONTOLOGY_GRAPH)
        for q in quads
    )


def _write_atomically(path: Path, data: bytes) -> None:
    # A half-written export that looks complete is worse than none at all.
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as err:
        tmp.unlink(missing_ok=True)
        raise StoreError(
            f"Cannot write export to {path}: {err}. Check the folder exists and is "
            "writable."
        ) from err
