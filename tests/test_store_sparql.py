"""Tests of kg.store.sparql: the SPARQL text and answer helpers of the stores."""

from __future__ import annotations

import pyoxigraph as ox
import pytest

from kg.errors import StoreError
from kg.store.sparql import (
    batches,
    bind_values,
    blank_opaque,
    mentions_graph,
    ntriples,
    parse_results,
    solutions,
)

ACTOR = ox.Variable("actor")
KYIV = ox.Literal("Kyiv")


def test_store_sparql_blank_opaque_keeps_offsets_and_hides_strings():
    text = 'SELECT ?e WHERE { ?e kg:trigger "GRAPH {" } # GRAPH in a comment'
    blank = blank_opaque(text)
    assert len(blank) == len(text)
    assert "GRAPH" not in blank
    assert blank.index("{") == text.index("{")


@pytest.mark.parametrize(
    "text, expected",
    [
        ("SELECT * WHERE { GRAPH ?g { ?s ?p ?o } }", True),
        ('SELECT * WHERE { ?s ?p "a GRAPH of talks" }', False),
        ("SELECT * WHERE { ?s ?p <http://example.org/GRAPH> }", False),
    ],
)
def test_store_sparql_mentions_graph_only_outside_strings_and_iris(text, expected):
    assert mentions_graph(text) is expected


@pytest.mark.parametrize(
    "text, expected",
    [
        (
            "SELECT ?e WHERE { ?e ?p ?actor }",
            'SELECT ?e WHERE { VALUES (?actor) { ("Kyiv") }  ?e ?p ?actor }',
        ),
        (
            "CONSTRUCT { ?e ?p ?actor } WHERE { ?e ?p ?actor }",
            "CONSTRUCT { ?e ?p ?actor } WHERE { VALUES (?actor) "
            '{ ("Kyiv") }  ?e ?p ?actor }',
        ),
    ],
)
def test_store_sparql_bind_values_opens_the_where_pattern(text, expected):
    assert bind_values(text, {ACTOR: KYIV}) == expected
    assert ox.Store().query(bind_values(text, {ACTOR: KYIV})) is not None


def test_store_sparql_solutions_refuses_a_yes_no_answer():
    answer = parse_results(b'{"head":{},"boolean":true}')
    with pytest.raises(StoreError, match="Expected rows from a SELECT"):
        solutions(answer)


def test_store_sparql_ntriples_of_nothing_is_empty():
    assert ntriples([]) == ""


def test_store_sparql_batches_keep_a_blank_node_in_one_request():
    rest, first = ox.NamedNode("http://example.org/rest"), ox.BlankNode("list")
    second = ox.BlankNode("tail")
    label = ox.NamedNode("http://example.org/label")
    triples = [
        ox.Triple(first, label, ox.Literal("ceasefire")),
        ox.Triple(first, rest, second),
        ox.Triple(second, label, ox.Literal("talks")),
    ]
    assert [len(b) for b in batches(triples, 1)] == [3]
