"""The store's contract, written once over a few primitives every backend has.

Reading a stamp, writing an article all-or-nothing, keeping the ontology graph
current: the rules are the same whether the triples live in an embedded
Oxigraph store or on a SPARQL server, so they are written here over
``quads_for_pattern``, ``graph_names``, ``_has_graph``, ``_replace_graph`` and
``_remove_graph``, which :class:`kg.store.local.LocalStore` runs on pyoxigraph
and :class:`kg.store.remote.RemoteStore` runs over SPARQL 1.1 HTTP.
"""

from __future__ import annotations

import logging
from abc import ABC, abstractmethod
from collections.abc import Iterable, Iterator
from typing import TypeVar

import pyoxigraph as pyox
from rdflib import Graph, URIRef

from kg.errors import StoreError
from kg.rdf.iris import article_id, is_run_iri
from kg.rdf.namespaces import KG, ONTOLOGY_GRAPH
from kg.rdf.terms import (
    Term,
    canonical_triples,
    has_blank_node,
    ox_triples,
    to_graph,
)
from kg.store.base import GraphName, PutResult, Stamp

logger = logging.getLogger("kg.store")
_Self = TypeVar("_Self", bound="StoreContract")

_CONTENT_HASH = pyox.NamedNode(str(KG.contentHash))
#: The article properties a Stamp is read from, by field name.
_STAMP_TERMS = {
    _CONTENT_HASH: "content_hash",
    pyox.NamedNode(str(KG.extractorVersion)): "extractor_version",
    pyox.NamedNode(str(KG.coderVersion)): "coder_version",
}


class StoreContract(ABC):
    """The public methods of a kg store, over a backend's abstract primitives."""

    # --- primitives: what each backend answers in its own way -------------------

    @abstractmethod
    def quads_for_pattern(
        self,
        subject: pyox.NamedNode | None = None,
        predicate: pyox.NamedNode | None = None,
        object: Term | None = None,  # noqa: A002 - pyoxigraph's own name
        graph_name: GraphName | None = None,
    ) -> Iterator[pyox.Quad]:
        """Quads matching a pattern; ``DefaultGraph()`` is the union."""

    @abstractmethod
    def graph_names(self) -> list[pyox.NamedNode | pyox.BlankNode]:
        """Every named graph (articles, runs and the ontology), sorted by name."""

    @abstractmethod
    def close(self) -> None:
        """Release the store."""

    @abstractmethod
    def _has_graph(self, name: pyox.NamedNode) -> bool:
        """True if the named graph holds a triple."""

    @abstractmethod
    def _replace_graph(
        self, name: pyox.NamedNode, triples: list[pyox.Triple], *, union: bool = True
    ) -> None:
        """Make ``triples`` the whole of graph ``name``, all-or-nothing.

        With ``union`` the union is kept equal to the set union of the article
        and ontology graphs; without it (run records) the union is not touched.
        """

    @abstractmethod
    def _remove_graph(self, name: pyox.NamedNode) -> None:
        """Drop graph ``name`` and what only it said from the union."""

    # --- the store's contract, the same on every backend -----------------------

    def article_hash(self, article: URIRef) -> str | None:
        """The kg:contentHash stored for an article, or None if it is absent."""
        name = pyox.NamedNode(str(article))
        for quad in self.quads_for_pattern(name, _CONTENT_HASH, None, name):
            return _value(quad.object)
        return None

    def article_stamp(self, article: URIRef) -> Stamp | None:
        """The stored stamp of an article, or None if it has no kg:contentHash.

        One lookup of the article node's own triples in its graph (a dozen at
        most, never its events), so checking a whole folder before extracting
        stays cheap, also on a remote store (one request per article).
        """
        name = pyox.NamedNode(str(article))
        found: dict[str, str] = {}
        for quad in self.quads_for_pattern(name, None, None, name):
            if field := _STAMP_TERMS.get(quad.predicate):
                found[field] = _value(quad.object)
        if "content_hash" not in found:
            return None
        return Stamp(**found)

    def put_article(
        self,
        article: URIRef,
        graph: Graph | Iterable[pyox.Triple],
        content_hash: str,
        *,
        force: bool = False,
    ) -> PutResult:
        """Write an article's graph, replacing any older version all-or-nothing.

        Args:
            article: the article IRI, also the name of its graph.
            graph: every triple of the article (metadata, events, actors, places),
                as an rdflib graph or as pyoxigraph triples (no conversion needed).
            content_hash: the article's SHA-256; an equal stored hash means no write.
            force: write even when the stored hash is equal (a new extractor or
                model gives a new graph for the same text); reported as "replaced".

        Returns:
            "added", "replaced" or "unchanged".

        Raises:
            StoreError: the graph states a different kg:contentHash, or a write fails.
        """
        old = self.article_hash(article)
        if old == content_hash and not force:
            return "unchanged"
        triples = ox_triples(graph)
        _add_hash(triples, article, content_hash)
        self._replace_graph(pyox.NamedNode(str(article)), triples)
        logger.debug(
            "%s %s (%d triples)", "replaced" if old else "added", article, len(triples)
        )
        return "replaced" if old is not None else "added"

    def remove_article(self, article: URIRef) -> bool:
        """Remove an article's graph (and what only it said); False if absent."""
        name = pyox.NamedNode(str(article))
        if not self._has_graph(name):
            return False
        self._remove_graph(name)
        return True

    def put_run(self, run: URIRef, graph: Graph) -> None:
        """Write (or rewrite) a run's record as the named graph ``run``, atomically.

        The record is kept out of the union default graph (see kg.store.local).

        Raises:
            StoreError: ``run`` is not a run IRI, or the write fails.
        """
        if not is_run_iri(run):
            raise StoreError(
                f"{run} is not a run IRI; mint run names with kg.rdf.iris.run_iri."
            )
        self._replace_graph(pyox.NamedNode(str(run)), ox_triples(graph), union=False)

    def runs(self) -> list[URIRef]:
        """IRIs of every recorded run (each also names the run's graph), sorted."""
        names = (g.value for g in self.graph_names() if isinstance(g, pyox.NamedNode))
        return sorted(URIRef(n) for n in names if is_run_iri(n))

    def ensure_ontology(self, graph: Graph) -> bool:
        """Write the ontology into its named graph unless it is already there.

        Returns:
            True if the graph was written, False if the stored copy was equal.
        """
        triples = ox_triples(graph)
        name = pyox.NamedNode(str(ONTOLOGY_GRAPH))
        stored = [q.triple for q in self.quads_for_pattern(None, None, None, name)]
        if _same_ground_part(stored, canonical_triples(triples)):
            return False
        self._replace_graph(name, triples)
        return True

    def articles(self) -> list[URIRef]:
        """IRIs of every stored article, sorted."""
        names = (g for g in self.graph_names() if isinstance(g, pyox.NamedNode))
        return sorted(URIRef(g.value) for g in names if article_id(g.value) is not None)

    def read_graph(self, name: URIRef | None = None) -> Graph:
        """A copy of one named graph (or, with no name, the union) as rdflib.

        Unlike the oxrdflib view, plain strings come back as plain literals, so the
        copy compares equal to graphs built with rdflib.
        """
        graph_name: GraphName = (
            pyox.DefaultGraph() if name is None else pyox.NamedNode(str(name))
        )
        return to_graph(self.quads_for_pattern(None, None, None, graph_name))

    def named_quads(self) -> Iterator[pyox.Quad]:
        """Every quad of the named graphs, graph by graph (the union is derived)."""
        for name in self.graph_names():
            yield from self.quads_for_pattern(None, None, None, name)

    def __enter__(self: _Self) -> _Self:
        """The store itself, closed when the ``with`` block ends."""
        return self

    def __exit__(self, *exc: object) -> None:
        """Close the store, also when the block raised."""
        self.close()


def _value(term: pyox.NamedNode | pyox.BlankNode | pyox.Literal | pyox.Triple) -> str:
    """The lexical value of a stored object (kg never stores quoted triples)."""
    if isinstance(term, pyox.Triple):
        raise StoreError(
            f"The store holds a quoted triple {term} where kg expects a value; "
            "remove it, kg does not write RDF-star."
        )
    return term.value


def _add_hash(triples: list[pyox.Triple], article: URIRef, content_hash: str) -> None:
    subject, predicate = pyox.NamedNode(str(article)), _CONTENT_HASH
    stated = {
        _value(t.object)
        for t in triples
        if t.subject == subject and t.predicate == predicate
    }
    if stated - {content_hash}:
        raise StoreError(
            f"The graph of {article} states kg:contentHash {sorted(stated)} but "
            f"{content_hash} was given; build the graph from the same article."
        )
    if not stated:
        triples.append(pyox.Triple(subject, predicate, pyox.Literal(content_hash)))


def _same_ground_part(left: list[pyox.Triple], right: list[pyox.Triple]) -> bool:
    """Equal sizes and equal triples once those with blank nodes are set aside.

    The ontology's few blank nodes (OWL lists) make a full isomorphism check
    exponential in bad cases; a changed ontology file always changes a ground
    triple or the count, which is what this compares.
    """
    if len(left) != len(right):
        return False
    return {t for t in left if not has_blank_node(t)} == {
        t for t in right if not has_blank_node(t)
    }


__all__ = ["StoreContract"]
