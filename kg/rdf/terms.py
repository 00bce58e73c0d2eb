"""RDF terms in two libraries: pyoxigraph for speed, rdflib for everything else.

The store writes and reads pyoxigraph terms (its native parsers and transactions
are much faster than rdflib's per-triple path), while mapping, validation and
the views build rdflib graphs. These helpers are the only place the two meet, so
every layer converts the same way (plain strings stay plain, language tags and
datatypes survive the round trip).
"""

from __future__ import annotations

from collections.abc import Iterable

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from kg.errors import StoreError
from kg.rdf.namespaces import bind_prefixes

#: A pyoxigraph term that may stand in a triple (what a query binds).
Term = ox.NamedNode | ox.BlankNode | ox.Literal
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


def to_ox(term: Node) -> Term:
    """Convert an rdflib term to the pyoxigraph term with the same value.

    Raises:
        StoreError: the term is not an IRI, a blank node or a literal.
    """
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
        return ox.Literal(str(term), datatype=datatype)
    raise StoreError(f"Cannot store {term!r}: only IRIs, blank nodes and literals fit.")


def from_ox(term: Term | ox.Triple) -> Node:
    """Convert a pyoxigraph term back to rdflib (plain strings stay plain).

    Raises:
        StoreError: the term is a quoted triple (RDF-star), which kg never writes.
    """
    if isinstance(term, ox.Triple):
        raise StoreError(
            f"The store holds a quoted triple {term}; kg reads no RDF-star, so "
            "remove it from the store."
        )
    if isinstance(term, ox.NamedNode):
        return URIRef(term.value)
    if isinstance(term, ox.BlankNode):
        return BNode(term.value)
    if term.language:
        return Literal(term.value, lang=term.language)
    if term.datatype.value == _XSD_STRING:
        return Literal(term.value)
    return Literal(term.value, datatype=URIRef(term.datatype.value))


def ox_triples(graph: Graph | Iterable[ox.Triple]) -> list[ox.Triple]:
    """The triples of an rdflib graph as pyoxigraph terms (pyoxigraph ones as is).

    Raises:
        StoreError: the graph holds an IRI or language tag RDF does not allow.
    """
    if not isinstance(graph, Graph):
        return list(graph)
    try:
        return [_ox_triple(s, p, o) for s, p, o in graph]
    except ValueError as err:
        # pyoxigraph validates IRIs and language tags that rdflib lets through.
        raise StoreError(
            f"The graph holds a term RDF does not allow ({err}); nothing was "
            "written. Fix the IRI or language tag where the graph is built."
        ) from err


def _ox_triple(subject: Node, predicate: Node, value: Node) -> ox.Triple:
    """One rdflib triple as pyoxigraph's, the positions checked by pyoxigraph."""
    return ox.Triple(to_ox(subject), to_ox(predicate), to_ox(value))  # type: ignore[arg-type]


def to_graph(statements: Iterable[ox.Triple] | Iterable[ox.Quad]) -> Graph:
    """An rdflib graph of pyoxigraph triples (or quads, graph names dropped).

    The kg prefixes are bound, so a serialisation shows ``kg:`` and never ``ns1:``.
    """
    graph = Graph()
    bind_prefixes(graph)
    for t in statements:
        graph.add((from_ox(t.subject), from_ox(t.predicate), from_ox(t.object)))
    return graph


def has_blank_node(triple: ox.Triple) -> bool:
    """True if the triple's subject or object is a blank node."""
    return isinstance(triple.subject, ox.BlankNode) or isinstance(
        triple.object, ox.BlankNode
    )


def canonical_triples(triples: list[ox.Triple]) -> list[ox.Triple]:
    """The triples as Oxigraph stores them.

    Oxigraph stores numbers and booleans in canonical form ("0.80"^^xsd:decimal
    comes back as "0.8"), so comparisons must be made after that rewrite.
    """
    scratch = ox.Store()
    scratch.extend(ox.Quad(t.subject, t.predicate, t.object) for t in triples)
    return [q.triple for q in scratch]


__all__ = [
    "Term",
    "canonical_triples",
    "from_ox",
    "has_blank_node",
    "ox_triples",
    "to_graph",
    "to_ox",
]
