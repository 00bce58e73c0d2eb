"""What every kg store is: the :class:`Store` protocol and the names it uses.

kg keeps its graphs either in an embedded Oxigraph store (:mod:`kg.store.local`)
or on a shared SPARQL 1.1 server (:mod:`kg.store.remote`). Callers hold either
one through this protocol, so ingest, queries, exports and views are written
once; the few that must know where the triples live ask ``store.remote``.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Protocol
from typing import Literal as TypingLiteral

import pyoxigraph as pyox
from rdflib import Dataset, Graph, URIRef

from kg.rdf.terms import Term

PutResult = TypingLiteral["added", "replaced", "unchanged"]
#: What a query answers: rows, a yes/no, or triples (CONSTRUCT, DESCRIBE).
QueryAnswer = pyox.QuerySolutions | pyox.QueryBoolean | Iterator[pyox.Triple]
#: Variables pre-bound in a query, as ``pyoxigraph.Store.query`` takes them.
Bindings = dict[
    pyox.Variable, pyox.NamedNode | pyox.BlankNode | pyox.Literal | pyox.Triple
]
#: A graph name in a quad pattern; ``DefaultGraph()`` is the union.
GraphName = pyox.NamedNode | pyox.BlankNode | pyox.DefaultGraph
#: The location that opens a throwaway store in memory.
MEMORY = "memory"
#: URL schemes of a store on a SPARQL 1.1 server (kg.store.remote).
REMOTE_SCHEMES = ("sparql+http://", "sparql+https://")


@dataclass(frozen=True)
class Stamp:
    """What an article's graph was made from: its text, and what extracted it.

    Ingest compares the stored stamp with the running one to decide whether an
    article is unchanged, so a new kg or a new trained coder re-extracts stored
    articles without ``--force``. None means the graph does not say (a graph
    written by an older kg, or by hand).
    """

    content_hash: str
    extractor_version: str | None = None
    coder_version: str | None = None


def is_remote(location: str | Path | None) -> bool:
    """True if ``location`` names a SPARQL server rather than a folder."""
    return isinstance(location, str) and location.lower().startswith(REMOTE_SCHEMES)


class Store(Protocol):
    """A kg store: article graphs, run graphs, the ontology graph, and their union.

    Open one with :func:`kg.store.open_store`; it is also a context manager. The
    default graph is the set union of the article and ontology graphs; run
    records stay out of it (see :mod:`kg.store.local`).
    """

    @property
    def remote(self) -> bool:
        """True for a store on a SPARQL server (no local pyoxigraph store)."""
        ...

    @property
    def location(self) -> Path | str | None:
        """The folder, the server's query URL, or None for a memory store."""
        ...

    @property
    def read_only(self) -> bool:
        """True if writes are refused (a reader beside a writer)."""
        ...

    @property
    def dataset(self) -> Dataset:
        """A read-only rdflib view whose default graph is the union."""
        ...

    def quads_for_pattern(
        self,
        subject: pyox.NamedNode | None = None,
        predicate: pyox.NamedNode | None = None,
        object: Term | None = None,  # noqa: A002 - pyoxigraph's own name
        graph_name: GraphName | None = None,
    ) -> Iterator[pyox.Quad]:
        """Quads matching a pattern; None in ``graph_name`` means every graph."""
        ...

    def query(
        self,
        text: str,
        *,
        prefixes: dict[str, str] | None = None,
        substitutions: Bindings | None = None,
        base_iri: str | None = None,
        default_graph: Sequence[pyox.NamedNode] | None = None,
        named_graphs: Sequence[pyox.NamedNode] | None = None,
    ) -> QueryAnswer:
        """Run a SPARQL query over the union, as ``pyoxigraph.Store.query``.

        ``base_iri`` resolves the query's relative IRIs (None: they are errors).
        ``default_graph`` (graphs merged into the query's default graph) and
        ``named_graphs`` (the graphs ``GRAPH`` sees) set the query's dataset, as
        the SPARQL Protocol's ``default-graph-uri`` and ``named-graph-uri`` do,
        over any ``FROM`` of the query; None keeps the store's (the union, and
        every named graph). An empty list is an empty default graph or no
        named graph.
        """
        ...

    def dump_union(
        self,
        output: BinaryIO | Path,
        rdf_format: pyox.RdfFormat,
        prefixes: dict[str, str] | None = None,
    ) -> None:
        """Write the union graph to ``output`` in ``rdf_format``."""
        ...

    def graph_names(self) -> list[pyox.NamedNode | pyox.BlankNode]:
        """Every named graph (articles, runs and the ontology), sorted by name."""
        ...

    def triple_count(self) -> int:
        """Distinct triples in the union."""
        ...

    def __len__(self) -> int:
        """Quads in the named graphs: what a TriG export of the store holds."""
        ...

    def flush(self) -> None:
        """Write buffered changes to disk (a no-op where there is no disk)."""
        ...

    def close(self) -> None:
        """Release the store."""
        ...

    def article_hash(self, article: URIRef) -> str | None:
        """The kg:contentHash stored for an article, or None if it is absent."""
        ...

    def article_stamp(self, article: URIRef) -> Stamp | None:
        """The stored stamp of an article, or None if it has no kg:contentHash."""
        ...

    def put_article(
        self,
        article: URIRef,
        graph: Graph | Iterable[pyox.Triple],
        content_hash: str,
        *,
        force: bool = False,
    ) -> PutResult:
        """Write an article's graph, replacing any older version all-or-nothing."""
        ...

    def remove_article(self, article: URIRef) -> bool:
        """Remove an article's graph (and what only it said); False if absent."""
        ...

    def put_run(self, run: URIRef, graph: Graph) -> None:
        """Write (or rewrite) a run's record as the named graph ``run``."""
        ...

    def runs(self) -> list[URIRef]:
        """IRIs of every recorded run, sorted."""
        ...

    def ensure_ontology(self, graph: Graph) -> bool:
        """Write the ontology into its named graph unless it is already there."""
        ...

    def articles(self) -> list[URIRef]:
        """IRIs of every stored article, sorted."""
        ...

    def read_graph(self, name: URIRef | None = None) -> Graph:
        """A copy of one named graph (or, with no name, the union) as rdflib."""
        ...

    def named_quads(self) -> Iterator[pyox.Quad]:
        """Every quad of the named graphs, graph by graph."""
        ...

    def __enter__(self) -> Store:
        """The store itself; it is closed on leaving the ``with`` block."""
        ...

    def __exit__(self, *exc: object) -> None:
        """Close the store."""
        ...


__all__ = [
    "MEMORY",
    "REMOTE_SCHEMES",
    "Bindings",
    "GraphName",
    "PutResult",
    "QueryAnswer",
    "Stamp",
    "Store",
    "is_remote",
]
