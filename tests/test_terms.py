"""Tests of kg.rdf.terms: the one place rdflib and pyoxigraph terms meet."""

from __future__ import annotations

import pyoxigraph as ox
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.namespace import RDFS, XSD

from kg.errors import StoreError
from kg.rdf.namespaces import KG, KGR
from kg.rdf.terms import (
    canonical_triples,
    from_ox,
    has_blank_node,
    ox_triples,
    to_graph,
    to_ox,
)

UKRAINE = KGR["country/UKR"]


@pytest.mark.parametrize(
    "term",
    [
        UKRAINE,
        BNode("ceasefire1"),
        Literal("Kyiv hosted the talks."),
        Literal("Kyiv", lang="uk"),
        Literal("0.8", datatype=XSD.decimal),
        Literal("2025-01-31", datatype=XSD.date),
    ],
)
def test_terms_round_trip_keeps_value_language_and_datatype(term):
    assert from_ox(to_ox(term)) == term


def test_terms_plain_string_comes_back_plain():
    typed = ox.Literal("Kyiv", datatype=ox.NamedNode(str(XSD.string)))
    assert from_ox(typed) == Literal("Kyiv")
    assert from_ox(typed).datatype is None


def test_terms_quoted_triple_is_refused_with_a_store_error():
    node = ox.NamedNode(str(UKRAINE))
    quoted = ox.Triple(node, ox.NamedNode(str(RDFS.label)), ox.Literal("Ukraine"))
    with pytest.raises(StoreError, match="quoted triple"):
        from_ox(quoted)


def test_terms_ox_triples_refuses_an_iri_rdf_does_not_allow():
    graph = Graph()
    graph.add((URIRef("not an iri"), RDFS.label, Literal("Talks in Geneva")))
    with pytest.raises(StoreError, match="nothing was written"):
        ox_triples(graph)


def test_terms_to_graph_binds_kg_prefixes_and_drops_graph_names():
    node, label = ox.NamedNode(str(UKRAINE)), ox.NamedNode(str(RDFS.label))
    graph_name = ox.NamedNode(str(KGR["article/a1"]))
    graph = to_graph([ox.Quad(node, label, ox.Literal("Ukraine"), graph_name)])
    assert set(graph) == {(UKRAINE, RDFS.label, Literal("Ukraine"))}
    assert dict(graph.namespaces())["kg"] == URIRef(str(KG._NS))


def test_terms_canonical_triples_are_what_oxigraph_stores():
    node = ox.NamedNode(str(UKRAINE))
    confidence = ox.NamedNode(str(KG.confidence))
    decimal = ox.NamedNode(str(XSD.decimal))
    written = [ox.Triple(node, confidence, ox.Literal("0.80", datatype=decimal))]
    assert canonical_triples(written) == [
        ox.Triple(node, confidence, ox.Literal("0.8", datatype=decimal))
    ]


def test_terms_has_blank_node_looks_at_subject_and_object():
    label = ox.NamedNode(str(RDFS.label))
    blank = ox.BlankNode("talks")
    named = ox.NamedNode(str(UKRAINE))
    assert has_blank_node(ox.Triple(blank, label, ox.Literal("Talks")))
    assert has_blank_node(ox.Triple(named, label, blank))
    assert not has_blank_node(ox.Triple(named, label, ox.Literal("Ukraine")))
