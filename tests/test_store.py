"""Tests of kg.store: put, replace, remove, reopen, errors.

Every test that takes the ``backend_store`` fixture runs on each backend in
tests/helpers/backends.py: the embedded Oxigraph store, Oxigraph server and Virtuoso.
"""

from __future__ import annotations

import subprocess
import sys

import pyoxigraph as ox
import pytest
from helpers.storefixture import (
    SPEC,
    article_graph,
    fill,
    ontology_graph,
    union_size,
)
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS, XSD

from kg.errors import StoreError
from kg.rdf.iris import article_iri
from kg.rdf.namespaces import CAMEO, KG, ONTOLOGY_GRAPH
from kg.rdf.ontology import load_ontology
from kg.store import open_store


@pytest.mark.parametrize("aid", ["a1"])
def test_store_put_article_adds_named_graph(backend_store, aid):
    g, digest = article_graph(aid, SPEC[0][1])
    assert backend_store.put_article(article_iri(aid), g, digest) == "added"
    assert backend_store.articles() == [article_iri(aid)]
    assert backend_store.article_hash(article_iri(aid)) == digest
    assert len(backend_store) == len(g) == 39
    assert isomorphic(backend_store.read_graph(article_iri(aid)), g)


@pytest.mark.parametrize("times", [3])
def test_store_put_unchanged_article_is_a_no_op(backend_store, times):
    graphs = fill(backend_store)
    before = (len(backend_store), backend_store.triple_count())
    g, digest = article_graph("a1", SPEC[0][1])
    results = {
        backend_store.put_article(article_iri("a1"), g, digest) for _ in range(times)
    }
    assert results == {"unchanged"}
    assert (len(backend_store), backend_store.triple_count()) == before
    assert before == (111, 100)
    assert before[0] == sum(len(g) for g in graphs.values()) + len(ontology_graph())


@pytest.mark.parametrize("new_text", ["Edited body."])
def test_store_put_changed_article_replaces_whole_graph(backend_store, new_text):
    graphs = fill(backend_store, with_ontology=False)
    g, digest = article_graph("a1", SPEC[0][1][1:], text=new_text)
    assert backend_store.put_article(article_iri("a1"), g, digest) == "replaced"
    assert backend_store.article_hash(article_iri("a1")) == digest
    assert isomorphic(backend_store.read_graph(article_iri("a1")), g)
    graphs["a1"] = g
    assert len(backend_store) == sum(len(x) for x in graphs.values())
    assert backend_store.triple_count() == union_size(list(graphs.values()))
    # Kyiv was only in the old a1: gone from the union; Russia is still said by a2.
    labels = {str(o) for o in backend_store.dataset.objects(None, RDFS.label)}
    assert "Kyiv" not in labels and "Russia" in labels


@pytest.mark.parametrize("query", ["SELECT ?c WHERE { ?c a kg:Country }"])
def test_store_union_default_graph_has_no_duplicates(backend_store, query):
    graphs = fill(backend_store, with_ontology=False)
    rows = list(backend_store.query(query, prefixes={"kg": str(KG)}))
    assert sorted(r["c"].value for r in rows) == [
        "https://w3id.org/kg-events/id/country/RUS",
        "https://w3id.org/kg-events/id/country/UKR",
    ]
    assert backend_store.triple_count() == union_size(list(graphs.values())) == 86
    assert len(backend_store) == sum(len(g) for g in graphs.values()) == 97


@pytest.mark.parametrize("aid", ["a3"])
def test_store_remove_article_drops_only_what_it_alone_said(backend_store, aid):
    graphs = fill(backend_store, with_ontology=False)
    assert backend_store.remove_article(article_iri(aid)) is True
    assert backend_store.remove_article(article_iri(aid)) is False
    del graphs[aid]
    assert backend_store.articles() == [article_iri("a1"), article_iri("a2")]
    assert backend_store.triple_count() == union_size(list(graphs.values()))
    assert backend_store.article_hash(article_iri(aid)) is None


@pytest.mark.parametrize("reopen_times", [2])
def test_store_reopens_persisted_store(tmp_path, reopen_times):
    path = tmp_path / "new" / "nested" / "kgstore"
    with open_store(path) as s:
        fill(s)
        expected = (len(s), s.triple_count(), s.articles())
    for _ in range(reopen_times):
        with open_store(str(path)) as s:
            assert (len(s), s.triple_count(), s.articles()) == expected
            g, digest = article_graph("a2", SPEC[1][1])
            assert s.put_article(article_iri("a2"), g, digest) == "unchanged"


@pytest.mark.parametrize("kind", ["file", "foreign-folder"])
def test_store_open_bad_path_raises_store_error(tmp_path, kind):
    path = tmp_path / "thing"
    if kind == "file":
        path.write_text("not a store", encoding="utf-8")
    else:
        path.mkdir()
        (path / "notes.txt").write_text("mine", encoding="utf-8")
    with pytest.raises(StoreError) as err:
        open_store(path)
    assert f"Cannot open store {path}" in str(err.value)
    assert "Pass a new or empty folder (or 'memory')." in str(err.value)
    # Nothing was written into someone else's file or folder.
    leftovers = sorted(p.name for p in path.iterdir()) if path.is_dir() else []
    assert leftovers == ([] if kind == "file" else ["notes.txt"])


@pytest.mark.parametrize(
    "module, absent",
    [
        ("kg.store", ["kg.query", "kg.store.remote"]),
        ("kg.rdf.mapping", ["kg.store"]),
    ],
)
def test_store_layers_import_nothing_above_them(module, absent):
    code = f"import sys, {module}\nprint(sorted(set({absent!r}) & set(sys.modules)))"
    proc = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=60
    )
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.strip() == "[]"


@pytest.mark.parametrize("holder", ["this-process"])
def test_store_locked_by_other_process_raises_store_error(tmp_path, holder):
    path = tmp_path / "locked"
    code = (
        "import sys\nfrom kg.store import open_store\n"
        "from kg.errors import StoreError\ntry:\n    open_store(sys.argv[1])\n"
        "except StoreError as e:\n"
        "    print(e)\n    sys.exit(3)\n"
    )
    with open_store(path):
        proc = subprocess.run(
            [sys.executable, "-c", code, str(path)],
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 3, proc.stderr
    assert f"Cannot open store {path}: another kg process is using it" in proc.stdout
    assert "Wait for it to finish or close it, then retry." in proc.stdout


@pytest.mark.parametrize("location", [None, "memory"])
def test_store_memory_store_works(location):
    with open_store(location) as s:
        graphs = fill(s)
        assert s.location is None
        assert s.triple_count() == union_size([*graphs.values(), ontology_graph()])


@pytest.mark.parametrize("extra", [(KG.Event, RDFS.comment, Literal("changed"))])
def test_store_ensure_ontology_writes_only_when_changed(backend_store, extra):
    onto = ontology_graph()
    assert backend_store.ensure_ontology(onto) is True
    assert backend_store.ensure_ontology(ontology_graph()) is False
    onto.add(extra)
    assert backend_store.ensure_ontology(onto) is True
    assert isomorphic(backend_store.read_graph(ONTOLOGY_GRAPH), onto)
    assert backend_store.articles() == []


@pytest.mark.parametrize("value, stored", [("-5.0", "-5"), ("0.80", "0.8")])
def test_store_ensure_ontology_sees_canonical_numbers_as_unchanged(
    backend_store, value, stored
):
    onto = ontology_graph()
    onto.add((CAMEO["190"], KG.goldstein, Literal(value, datatype=XSD.decimal)))
    assert backend_store.ensure_ontology(onto) is True
    assert backend_store.ensure_ontology(onto) is False
    # Oxigraph keeps the value but rewrites the lexical form.
    assert Literal(stored, datatype=XSD.decimal) in set(
        backend_store.read_graph(ONTOLOGY_GRAPH).objects(CAMEO["190"], KG.goldstein)
    )


@pytest.mark.parametrize("bad", [URIRef("http://example.org/has space")])
def test_store_failed_put_leaves_old_article_intact(backend_store, bad):
    fill(backend_store, with_ontology=False)
    before = (
        len(backend_store),
        backend_store.triple_count(),
        backend_store.article_hash(article_iri("a1")),
    )
    g, digest = article_graph("a1", SPEC[0][1], text="Changed.")
    g.add((bad, RDFS.label, Literal("x")))
    with pytest.raises(StoreError):
        backend_store.put_article(article_iri("a1"), g, digest)
    assert (
        len(backend_store),
        backend_store.triple_count(),
        backend_store.article_hash(article_iri("a1")),
    ) == before


@pytest.mark.parametrize("stated", ["0" * 64])
def test_store_put_rejects_contradicting_content_hash(backend_store, stated):
    g, digest = article_graph("a1", SPEC[0][1])
    with pytest.raises(StoreError, match="states kg:contentHash"):
        backend_store.put_article(article_iri("a1"), g, stated)
    assert len(backend_store) == 0


@pytest.mark.parametrize("query", ["SELECT ?c WHERE { ?c a kg:Country }"])
def test_store_rdflib_dataset_view_reads_the_union(backend_store, query):
    fill(backend_store)
    rows = list(backend_store.dataset.query(query))
    assert len(rows) == 2
    assert set(backend_store.dataset.graphs()) >= {
        backend_store.dataset.graph(ONTOLOGY_GRAPH)
    }


@pytest.mark.parametrize(
    "removed, gone, kept", [("a2", "Wagner Group", "United Nations")]
)
def test_store_remove_article_drops_unshared_actor_keeps_shared(
    backend_store, removed, gone, kept
):
    fill(backend_store, with_ontology=False)
    assert backend_store.remove_article(article_iri(removed)) is True
    labels = {str(o) for o in backend_store.read_graph().objects(None, RDFS.label)}
    # Wagner was only in a2; the UN is also described by a3.
    assert gone not in labels and kept in labels


@pytest.mark.parametrize("stamp", ["20261126T101500.000001Z"])
def test_store_put_run_keeps_record_out_of_union(backend_store, stamp):
    from kg.rdf.iris import run_iri

    fill(backend_store)
    before = (backend_store.triple_count(), backend_store.articles())
    record = Graph()
    record.add((run_iri(stamp), RDF.type, KG.IngestRun))
    record.add((run_iri(stamp), KG.added, article_iri("a1")))
    backend_store.put_run(run_iri(stamp), record)
    backend_store.put_run(
        run_iri(stamp), record
    )  # rewriting replaces, never duplicates
    assert (backend_store.triple_count(), backend_store.articles()) == before
    assert backend_store.runs() == [run_iri(stamp)]
    assert isomorphic(backend_store.read_graph(run_iri(stamp)), record)
    # Removing the article the run names leaves the run's record alone.
    backend_store.remove_article(article_iri("a1"))
    assert len(backend_store.read_graph(run_iri(stamp))) == 2


@pytest.mark.parametrize("name", [article_iri("a1"), ONTOLOGY_GRAPH])
def test_store_put_run_refuses_other_graph_names(backend_store, name):
    with pytest.raises(StoreError, match="is not a run IRI"):
        backend_store.put_run(name, Graph())


@pytest.mark.parametrize("readers", [2])
def test_store_read_only_opens_beside_each_other_and_never_write(tmp_path, readers):
    """Readers (kg query and its timeout worker) open read-only and cannot write."""
    path = tmp_path / "store"
    with open_store(path) as writer:
        writer.ensure_ontology(load_ontology())
        count = writer.triple_count()
    opened = [open_store(path, read_only=True) for _ in range(readers)]
    assert [s.triple_count() for s in opened] == [count] * readers
    with pytest.raises(StoreError, match="read-only"):
        opened[0].put_article(article_iri("x"), Graph(), "0" * 64)
    for store in opened:
        store.close()


@pytest.mark.parametrize("name", ["missing-store"])
def test_store_read_only_needs_an_existing_store(tmp_path, name):
    with pytest.raises(StoreError, match="No kg store at"):
        open_store(tmp_path / name, read_only=True)
    assert not (tmp_path / name).exists()


@pytest.mark.parametrize("aid", ["a1"])
def test_store_put_article_takes_pyoxigraph_triples(backend_store, aid):
    from kg.rdf.terms import to_ox

    g, digest = article_graph(aid, SPEC[0][1])
    triples = [ox.Triple(to_ox(s), to_ox(p), to_ox(o)) for s, p, o in g]
    assert backend_store.put_article(article_iri(aid), triples, digest) == "added"
    assert isomorphic(backend_store.read_graph(article_iri(aid)), g)
    assert backend_store.put_article(article_iri(aid), triples, digest) == "unchanged"
    assert backend_store.triple_count() == len(g)


@pytest.mark.parametrize("mode", ["writer", "read-only"])
def test_store_flush_keeps_everything(tmp_path, mode):
    path = tmp_path / "store"
    with open_store(path) as writer:
        graphs = fill(writer, with_ontology=False)
        writer.flush()
        count = writer.triple_count()
    with open_store(path, read_only=mode == "read-only") as again:
        again.flush()
        assert again.triple_count() == count == union_size(list(graphs.values()))


@pytest.mark.parametrize(
    ("base", "relative"),
    [
        ("https://w3id.org/kg-events/id/", "country/FRD"),
        ("https://w3id.org/kg-events/id/country/", "FRD"),
    ],
)
def test_store_query_resolves_relative_iris_against_the_base(
    backend_store, base, relative
):
    # Every backend: the embedded store passes the base to Oxigraph, a server
    # gets a BASE declaration ahead of the query.
    country = URIRef("https://w3id.org/kg-events/id/country/FRD")
    graph = Graph()
    graph.add((country, RDFS.label, Literal("Freedonia")))
    backend_store.put_article(article_iri("frd"), graph, "f" * 64)
    text = f"SELECT ?name WHERE {{ <{relative}> <{RDFS.label}> ?name }}"
    rows = list(backend_store.query(text, base_iri=base))
    assert [row["name"].value for row in rows] == ["Freedonia"]


@pytest.mark.parametrize("aids", [("a1", "a2")])
def test_store_query_dataset_default_and_named_graphs(backend_store, aids):
    # Every backend: the embedded store passes the lists to Oxigraph, a server
    # gets them as default-graph-uri / named-graph-uri.
    graphs = fill(backend_store, with_ontology=False)
    first, second = (ox.NamedNode(str(article_iri(aid))) for aid in aids)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"

    def number(text: str, **dataset: list[ox.NamedNode]) -> int:
        (row,) = list(backend_store.query(text, **dataset))
        return int(row["n"].value)

    assert number(count) == union_size(list(graphs.values()))
    assert number(count, default_graph=[first]) == len(graphs[aids[0]])
    both = union_size([graphs[aids[0]], graphs[aids[1]]])
    if not backend_store.remote:
        # The merge of two graphs, each triple once (SPARQL's RDF merge). A
        # server merges as it does: Oxigraph's server counts a triple stated
        # by both once per graph (oxigraph#1919), so it is not checked there.
        assert number(count, default_graph=[first, second]) == both
    named = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert number(named, default_graph=[first], named_graphs=[second]) == 1
    inside = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH {first} {{ ?s ?p ?o }} }}"
    assert number(inside, default_graph=[first], named_graphs=[second]) == 0
