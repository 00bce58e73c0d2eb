"""Tests that kg.rdf.namespaces.KG and ontology/kg.ttl declare the same terms."""

from __future__ import annotations

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import OWL, RDF, RDFS

from kg.rdf.namespaces import (
    KG,
    PREFIXES,
    bind_prefixes,
    prefix_map,
    sparql_prologue,
)
from kg.rdf.ontology import ONTOLOGY_FILE, ontology_dir

DECLARATIONS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty)
KG_TERMS = sorted(dir(KG))


def _ontology() -> Graph:
    return Graph().parse(ontology_dir() / ONTOLOGY_FILE, format="turtle")


def _declared(graph: Graph) -> set[URIRef]:
    """kg: terms kg.ttl declares as a class or property."""
    return {
        term
        for kind in DECLARATIONS
        for term in graph.subjects(RDF.type, kind)
        if isinstance(term, URIRef) and str(term).startswith(str(KG._NS))
    }


@pytest.mark.parametrize("term", KG_TERMS, ids=[t.split("#")[1] for t in KG_TERMS])
def test_namespaces_term_is_declared_in_ontology(term: URIRef) -> None:
    graph = _ontology()
    kinds = set(graph.objects(term, RDF.type)) & set(DECLARATIONS)
    assert len(kinds) == 1, f"{term} needs exactly one of owl:Class/ObjectProperty/..."
    assert graph.value(term, RDFS.label) is not None
    assert graph.value(term, RDFS.comment) is not None


@pytest.mark.parametrize("kind", [OWL.ObjectProperty, OWL.DatatypeProperty])
def test_namespaces_properties_have_domain_and_range(kind: URIRef) -> None:
    graph = _ontology()
    for prop in graph.subjects(RDF.type, kind):
        if not str(prop).startswith(str(KG._NS)):
            continue  # an outside term, declared only (see "External terms")
        assert graph.value(prop, RDFS.domain) is not None, prop
        assert graph.value(prop, RDFS.range) is not None, prop


@pytest.mark.parametrize("source", ["kg.ttl"])
def test_namespaces_ontology_declares_nothing_outside_kg(source: str) -> None:
    graph = Graph().parse(ontology_dir() / source, format="turtle")
    declared = _declared(graph)
    assert declared == set(KG_TERMS)
    mentioned = {
        t
        for t in graph.all_nodes()
        if isinstance(t, URIRef) and str(t).startswith(str(KG._NS))
    }
    assert mentioned <= set(KG_TERMS), mentioned - set(KG_TERMS)


@pytest.mark.parametrize("name", ["Actor", "eventType", "quadClass", "goldstein"])
def test_namespaces_kg_is_closed(name: str) -> None:
    assert getattr(KG, name) == URIRef(f"https://w3id.org/kg-events/ontology#{name}")
    with pytest.raises(AttributeError):
        getattr(KG, name + "Typo")


@pytest.mark.parametrize("prefix", sorted(PREFIXES))
def test_namespaces_prefixes_bound_and_declared(prefix: str) -> None:
    graph = Graph()
    bind_prefixes(graph)
    assert str(dict(graph.namespaces())[prefix]) == str(PREFIXES[prefix])
    assert f"PREFIX {prefix}: <{PREFIXES[prefix]}>" in sparql_prologue()


def test_namespaces_prefix_map_is_a_fresh_copy_of_the_prefixes() -> None:
    first = prefix_map()
    first["ex"] = "http://example.org/"
    assert "ex" not in prefix_map()
    assert prefix_map() == {p: str(ns) for p, ns in PREFIXES.items()}


@pytest.mark.parametrize(
    "prefixes, expected",
    [
        ({}, ""),
        ({"kg": str(KG._NS)}, f"PREFIX kg: <{KG._NS}>\n"),
    ],
)
def test_namespaces_prologue_declares_only_the_given_prefixes(
    prefixes: dict[str, str], expected: str
) -> None:
    assert sparql_prologue(prefixes) == expected


@pytest.mark.parametrize("source", ["cameo.ttl", "shapes.ttl"])
def test_namespaces_other_files_use_only_kg_terms(source: str) -> None:
    graph = Graph().parse(ontology_dir() / source, format="turtle")
    used = {
        t
        for t in graph.all_nodes()
        if isinstance(t, URIRef) and str(t).startswith(str(KG._NS))
    }
    used |= {p for p in graph.predicates() if str(p).startswith(str(KG._NS))}
    assert used and used <= set(KG_TERMS), used - set(KG_TERMS)
