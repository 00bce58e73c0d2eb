"""Tests of kg.exports: every format parses back isomorphic to the store."""

from __future__ import annotations

import io

import pytest
from helpers.storefixture import (
    SPEC,
    article_graph,
    ontology_graph,
)
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import RDFS

from kg.errors import UsageError
from kg.exports import FORMATS, QUAD_FORMATS, export, export_text
from kg.rdf.iris import article_iri
from kg.rdf.namespaces import KG, ONTOLOGY_GRAPH
from kg.store import open_store

RDFLIB_FORMAT = {
    "turtle": "turtle",
    "nt": "nt",
    "jsonld": "json-ld",
    "trig": "trig",
    "nquads": "nquads",
}
SUFFIX = {
    "turtle": "ttl",
    "nt": "nt",
    "jsonld": "jsonld",
    "trig": "trig",
    "nquads": "nq",
}
NASTY = [
    'quote " and \'single\' and """triple"""',
    "line\nbreak\r\nand\ttab",
    "<script>alert(1)</script> & ; } {",
    "back\\slash \\n not-a-newline \\u0041",
    "\u202eRTL override \u0627\u0644\u0633\u0644\u0627\u0645 \u05e9\u05dc\u05d5\u05dd",
    "emoji 🇺🇦🚀 \U0001f600 and a NUL \u0000 character",
    "",
    " leading and trailing ",
]


HOSTILE_IRI = article_iri("hostile/id with space")


def all_graphs() -> dict[URIRef, Graph]:
    """Every named graph the store should hold, by name."""
    built = {article_iri(aid): article_graph(aid, events)[0] for aid, events in SPEC}
    hostile, _ = article_graph("hostile/id with space", SPEC[2][1])
    for i, text in enumerate(NASTY):
        hostile.add((HOSTILE_IRI, KG.metadata, Literal(text)))
        lang = ["en", "ar"][i % 2]
        hostile.add((HOSTILE_IRI, RDFS.comment, Literal(text, lang=lang)))
    built[HOSTILE_IRI] = hostile
    built[ONTOLOGY_GRAPH] = ontology_graph()
    return built


@pytest.fixture
def graphs() -> dict[URIRef, Graph]:
    """Every named graph the store should hold, by name: a fresh copy per test."""
    return all_graphs()


@pytest.fixture(scope="module")
def graphs_store(tmp_path_factory):
    """A store holding those graphs, built once and opened read-only: the tests
    only export from it."""
    path = tmp_path_factory.mktemp("export") / "store"
    with open_store(path) as s:
        for name, graph in all_graphs().items():
            if name == ONTOLOGY_GRAPH:
                s.ensure_ontology(graph)
            else:
                digest = str(next(graph.objects(name, KG.contentHash)))
                s.put_article(name, graph, digest)
    with open_store(path, read_only=True) as s:
        yield s


def selected(graphs: dict, include_ontology: bool) -> dict[URIRef, Graph]:
    return {n: g for n, g in graphs.items() if include_ontology or n != ONTOLOGY_GRAPH}


def union_of(graphs: dict[URIRef, Graph]) -> Graph:
    union = Graph()
    for graph in graphs.values():
        union += graph
    return union


def assert_same(got: Graph, want: Graph) -> None:
    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        pytest.fail(
            f"only in export:\n{only_got.serialize(format='nt')}\n"
            f"only in store:\n{only_want.serialize(format='nt')}"
        )


@pytest.mark.parametrize("fmt", FORMATS)
@pytest.mark.parametrize("include_ontology", [True, False])
def test_export_round_trips_isomorphic(
    graphs_store, graphs, tmp_path, fmt, include_ontology
):
    out = tmp_path / f"export.{SUFFIX[fmt]}"
    count = export(graphs_store, fmt, out, include_ontology=include_ontology)
    data = out.read_bytes().decode("utf-8")
    want = selected(graphs, include_ontology)
    if fmt in QUAD_FORMATS:
        ds = Dataset()
        ds.parse(data=data, format=RDFLIB_FORMAT[fmt])
        assert {g.identifier for g in ds.graphs() if len(g)} == set(want)
        for name, graph in want.items():
            assert_same(ds.graph(name), graph)
        assert count == sum(len(g) for g in want.values())
    else:
        got = Graph().parse(data=data, format=RDFLIB_FORMAT[fmt])
        assert_same(got, union_of(want))
        assert count == len(union_of(want)) == len(got)


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_export_turtle_binds_kg_prefixes(graphs_store, fmt):
    text = export_text(graphs_store, fmt)
    assert "@prefix kg: <https://w3id.org/kg-events/ontology#> ." in text
    assert "@prefix kgr: <https://w3id.org/kg-events/id/> ." in text
    assert "ns1:" not in text
    assert "a kg:Event" in text


@pytest.mark.parametrize("fmt", ["nt", "turtle"])
def test_export_triple_formats_have_no_duplicate_triples(graphs_store, fmt):
    text = export_text(graphs_store, "nt")
    lines = [line for line in text.splitlines() if line.strip()]
    assert len(lines) == len(set(lines)) == graphs_store.triple_count()
    russia_type = (
        "<https://w3id.org/kg-events/id/country/RUS> "
        "<http://www.w3.org/1999/02/22-rdf-syntax-ns#type> "
        "<https://w3id.org/kg-events/ontology#Country> ."
    )
    assert lines.count(russia_type) == 1
    assert len(export_text(graphs_store, fmt).strip()) > 0


@pytest.mark.parametrize("fmt", FORMATS)
def test_export_stream_matches_file_utf8(graphs_store, tmp_path, fmt):
    stream = io.StringIO()
    export(graphs_store, fmt, stream=stream)
    out = tmp_path / "x.out"
    export(graphs_store, fmt, out)
    assert out.read_bytes() == stream.getvalue().encode("utf-8")
    if fmt != "jsonld":
        assert "🚀" in stream.getvalue()


@pytest.mark.parametrize("kwargs", [{}, {"out": "x", "stream": io.StringIO()}])
def test_export_needs_exactly_one_destination(graphs_store, kwargs):
    with pytest.raises(UsageError, match="exactly one of out="):
        export(graphs_store, "nt", **kwargs)


@pytest.mark.parametrize("fmt", ["rdfxml", "ttl"])
def test_export_unknown_format_is_a_usage_error(graphs_store, fmt):
    with pytest.raises(UsageError, match="use one of turtle, nt, jsonld, trig, nquads"):
        export_text(graphs_store, fmt)


@pytest.mark.parametrize("fmt", ["trig"])
def test_export_excluding_ontology_keeps_shared_terms(graphs_store, fmt):
    text = export_text(graphs_store, "nt", include_ontology=False)
    assert "skos/core#prefLabel" not in text
    assert "Consult" not in text
    assert "cameo/040>" in text  # still the event type of an event
    assert "<https://w3id.org/kg-events/ontology> {" not in export_text(
        graphs_store, fmt, include_ontology=False
    )


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_export_is_stable_and_groups_subjects(graphs_store, graphs, tmp_path, fmt):
    # The same content in a fresh on-disk store gives byte-identical output.
    with open_store(tmp_path / "other") as other:
        for name, graph in reversed(list(graphs.items())):
            if name == ONTOLOGY_GRAPH:
                other.ensure_ontology(graph)
            else:
                other.put_article(
                    name, graph, str(next(graph.objects(name, KG.contentHash)))
                )
        assert export_text(other, fmt) == export_text(graphs_store, fmt)
    # Each subject is one block per graph: RUS is described in a1 and a2 (TriG)
    # and once in the union (Turtle); a block starts at the start of a line.
    lines = export_text(graphs_store, fmt).splitlines()
    blocks = [line for line in lines if line.strip().startswith("kgr:country\\/RUS ")]
    assert len(blocks) == (1 if fmt == "turtle" else 2)
