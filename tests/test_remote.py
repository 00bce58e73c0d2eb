"""Tests of kg.store.remote: store URLs, and stores on real SPARQL servers.

The server tests run on each server of tests/backends.py (Oxigraph server and
Virtuoso, started by .ci/run) and compare what the server answers with what the
embedded store answers for the same data.
"""

from __future__ import annotations

import logging
import socket
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers.backends import SERVERS, open_backend, server_url
from helpers.paths import DATA
from helpers.storefixture import SPEC, article_graph, fill
from rdflib import BNode, Dataset, Graph, Literal
from rdflib.compare import isomorphic
from rdflib.namespace import OWL, RDF

from kg.analysis.stats import collect_stats
from kg.errors import StoreError
from kg.exports import export
from kg.query import execute, run_query
from kg.rdf.iris import article_iri, is_run_iri, staging_iri
from kg.rdf.namespaces import KG, ONTOLOGY_GRAPH, PROV
from kg.store import open_store
from kg.store.remote import parse_endpoint

pytestmark = pytest.mark.system

EX = "http://127.0.0.1:7878"


def kg(*args: str) -> subprocess.CompletedProcess:
    """Run ``python -m kg`` in a child process and capture what it prints."""
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, text=True, timeout=300
    )


@pytest.fixture(params=list(SERVERS))
def remote(request, tmp_path):
    with open_backend(request.param, tmp_path) as store:
        yield store


@pytest.fixture
def twins(remote, tmp_path):
    """The same three articles and ontology on the server and in an embedded store."""
    with open_store(tmp_path / "embedded") as local:
        fill(remote)
        fill(local)
        yield remote, local


@pytest.mark.parametrize(
    "url, query_url, update_url",
    [
        ("sparql+http://127.0.0.1:7878", f"{EX}/query", f"{EX}/update"),
        ("sparql+http://127.0.0.1:7878/query", f"{EX}/query", f"{EX}/update"),
        (
            "sparql+http://127.0.0.1:8890/sparql",
            "http://127.0.0.1:8890/sparql",
            "http://127.0.0.1:8890/sparql",
        ),
        (
            "sparql+http://127.0.0.1:7878/query?update=/update",
            f"{EX}/query",
            f"{EX}/update",
        ),
        (
            "sparql+https://db.example.org/ds/sparql?update=https://w.example.org/up",
            "https://db.example.org/ds/sparql",
            "https://w.example.org/up",
        ),
    ],
)
def test_remote_parse_endpoint_derives_query_and_update_urls(
    url, query_url, update_url
):
    endpoint = parse_endpoint(url, env={})
    assert (endpoint.query_url, endpoint.update_url) == (query_url, update_url)
    assert endpoint.timeout == 60 and endpoint.user is None


@pytest.mark.parametrize(
    "url, env, user, password",
    [
        ("sparql+http://ana:s%40cret@h:8890/sparql", {}, "ana", "s@cret"),
        (
            "sparql+http://h:8890/sparql?timeout=5",
            {"KG_STORE_USER": "bo", "KG_STORE_PASSWORD": "pw"},
            "bo",
            "pw",
        ),
        ("sparql+http://ana:x@h/sparql", {"KG_STORE_USER": "bo"}, "ana", "x"),
    ],
)
def test_remote_parse_endpoint_takes_credentials_from_url_or_env(
    url, env, user, password
):
    endpoint = parse_endpoint(url, env=env)
    assert (endpoint.user, endpoint.password) == (user, password)
    assert password not in endpoint.display() + repr(endpoint)
    assert endpoint.query_url.startswith("http://h")


@pytest.mark.parametrize(
    "url, message",
    [
        (
            "sparql+http://u:pw@h/sparql?graph=g",
            "Unknown option 'graph' in sparql+http://u:***@h/sparql?graph=g; the "
            "options are update, timeout (e.g. ?update=/update&timeout=120).",
        ),
        (
            "sparql+http://h/sparql?timeout=soon",
            "timeout='soon' in sparql+http://h/sparql?timeout=soon is not a number "
            "of seconds above 0.",
        ),
        (
            "sparql+http:///sparql",
            "sparql+http:///sparql names no host; write sparql+http://HOST:PORT/PATH.",
        ),
    ],
)
def test_remote_parse_endpoint_refuses_bad_urls(url, message):
    with pytest.raises(StoreError) as err:
        open_store(url)
    assert str(err.value) == message


@pytest.mark.parametrize("url", ["sparql+http://127.0.0.1:9/sparql?timeout=5"])
def test_remote_unreachable_server_says_how_to_fix(url):
    with pytest.raises(StoreError) as err:
        open_store(url)
    text = str(err.value)
    assert text.startswith("Cannot reach sparql+http://127.0.0.1:9/sparql: ")
    assert "Check that the server is running and the URL" in text


@pytest.mark.parametrize("seconds", [1])
def test_remote_silent_server_times_out(seconds):
    """A server that accepts the connection but never answers."""
    with socket.socket() as silent:
        silent.bind(("127.0.0.1", 0))
        silent.listen()
        port = silent.getsockname()[1]
        started = time.monotonic()
        with pytest.raises(StoreError) as err:
            open_store(f"sparql+http://127.0.0.1:{port}/sparql?timeout={seconds}")
    assert time.monotonic() - started < seconds + 5
    assert str(err.value).startswith(
        f"Query stopped after {seconds} s without an answer from "
        f"sparql+http://127.0.0.1:{port}/sparql"
    )


@pytest.mark.parametrize("attribute", ["ox"])
def test_remote_native_store_is_refused_with_a_hint(remote, attribute):
    with pytest.raises(StoreError, match=r"use store\.query\(\)"):
        getattr(remote, attribute)


@pytest.mark.parametrize(
    "query, fmt",
    [
        ("SELECT ?c ?l WHERE { ?c a kg:Country ; rdfs:label ?l } ORDER BY ?c", "csv"),
        ("SELECT ?e ?t WHERE { ?e kg:eventType ?t } ORDER BY ?e", "tsv"),
        (
            "SELECT ?a (COUNT(?e) AS ?n) WHERE { ?e kg:sourceActor ?a } "
            "GROUP BY ?a ORDER BY DESC(?n) ?a",
            "json",
        ),
        ("SELECT ?s WHERE { ?e kg:sentence ?s } LIMIT 1", "xml"),
        ("ASK { ?x rdfs:label 'Kyiv' }", "json"),
        ("ASK { ?x rdfs:label 'Atlantis' }", "table"),
        ("SELECT DISTINCT ?g WHERE { GRAPH ?g { ?s ?p ?o } } ORDER BY ?g", "csv"),
    ],
)
def test_remote_select_and_ask_answer_as_embedded(twins, query, fmt):
    remote, local = twins
    assert run_query(remote, query, fmt=fmt) == run_query(local, query, fmt=fmt)


@pytest.mark.parametrize(
    "query",
    [
        "CONSTRUCT { ?a kg:met ?b } WHERE { ?e kg:sourceActor ?a ; kg:targetActor ?b }",
        "CONSTRUCT WHERE { ?c a kg:Country ; rdfs:label ?l }",
        "DESCRIBE <https://w3id.org/kg-events/id/country/RUS>",
    ],
)
def test_remote_construct_answers_as_embedded(twins, query):
    got, want = (
        Graph().parse(data=run_query(s, query, fmt="nt"), format="nt") for s in twins
    )
    assert len(want) > 0
    if query.startswith("DESCRIBE"):
        # What DESCRIBE returns is up to the server (Virtuoso adds inbound links).
        assert set(want) <= set(got)
    else:
        assert isomorphic(got, want)


@pytest.mark.parametrize("name, count", [("Russia", 1), ("Atlantis", 0)])
def test_remote_bindings_travel_as_values(twins, name, count):
    query = "SELECT ?x ?name WHERE { ?x rdfs:label ?name }"
    for store in twins:
        result = execute(store, query, bindings={"name": Literal(name)}, timeout=30)
        assert len(result.rows) == count


@pytest.mark.parametrize("fmt", ["trig", "turtle", "nquads"])
def test_remote_export_matches_embedded(twins, tmp_path, fmt):
    remote, local = twins
    files = [tmp_path / f"remote.{fmt}", tmp_path / f"local.{fmt}"]
    counts = [
        export(store, fmt, path) for store, path in zip(twins, files, strict=True)
    ]
    assert counts[0] == counts[1] > 0
    # Same statements; the order is each backend's own (index order embedded,
    # ORDER BY pages remote), stable for equal content on each.
    assert parsed(files[0], fmt) == parsed(files[1], fmt)
    again = tmp_path / f"again.{fmt}"
    export(remote, fmt, again)
    assert again.read_bytes() == files[0].read_bytes()
    if fmt == "trig":
        back = Dataset().parse(files[0], format="trig")
        names = {str(g.identifier) for g in back.graphs() if len(g)}
        assert names == {n.value for n in remote.graph_names()}


@pytest.mark.parametrize("fmt", ["turtle"])
def test_remote_export_without_ontology_keeps_article_triples(twins, tmp_path, fmt):
    outputs = []
    for store in twins:
        path = tmp_path / f"{len(outputs)}.ttl"
        export(store, fmt, path, include_ontology=False)
        outputs.append(path)
    assert parsed(outputs[0], fmt) == parsed(outputs[1], fmt)
    assert b"skos:prefLabel" not in outputs[0].read_bytes()


def parsed(path: Path, fmt: str) -> set[ox.Triple | ox.Quad]:
    """The statements of an export file (no blank nodes in kg's data)."""
    rdf_format = {
        "turtle": ox.RdfFormat.TURTLE,
        "trig": ox.RdfFormat.TRIG,
        "nquads": ox.RdfFormat.N_QUADS,
        "nt": ox.RdfFormat.N_TRIPLES,
    }[fmt]
    quads = ox.parse(path=path, format=rdf_format)
    if rdf_format in (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES):
        return {quad.triple for quad in quads}
    return set(quads)


@pytest.mark.parametrize("case", ["added", "replaced"])
def test_remote_failed_batch_leaves_no_partial_article(twins, monkeypatch, case):
    remote, _ = twins
    aid = "a4" if case == "added" else "a1"
    graph, digest = article_graph(aid, SPEC[0][1], text="Changed body.")
    before = (len(remote), remote.triple_count(), remote.articles())
    old_hash = remote.article_hash(article_iri(aid))
    calls, insert = [], remote._insert

    def failing_insert(name, triples):  # the server goes away after two batches
        calls.append(len(triples))
        if len(calls) == 3:
            raise StoreError("Writing to the server failed: connection reset")
        insert(name, triples)

    remote.batch_size = 10
    monkeypatch.setattr(remote, "_insert", failing_insert)
    with pytest.raises(StoreError, match="Nothing of .* was changed"):
        remote.put_article(article_iri(aid), graph, digest)
    assert calls == [10, 10, 10]
    assert (len(remote), remote.triple_count(), remote.articles()) == before
    assert remote.article_hash(article_iri(aid)) == old_hash
    staging = ox.NamedNode(str(staging_iri(str(article_iri(aid)))))
    assert not remote._has_graph(staging)
    monkeypatch.setattr(remote, "_insert", insert)
    assert remote.put_article(article_iri(aid), graph, digest) == case


@pytest.mark.parametrize("items, batch", [(30, 7)])
def test_remote_blank_nodes_survive_batching(remote, items, batch):
    """An OWL list of blank nodes, split over several requests, stays one list."""
    onto = Graph()
    head = BNode()
    onto.add((KG.Event, OWL.unionOf, head))
    for i in range(items):
        nxt = BNode() if i < items - 1 else RDF.nil
        onto.add((head, RDF.first, Literal(i)))
        onto.add((head, RDF.rest, nxt))
        head = nxt
    remote.batch_size = batch
    assert remote.ensure_ontology(onto) is True
    assert isomorphic(remote.read_graph(ONTOLOGY_GRAPH), onto)
    assert remote.ensure_ontology(onto) is False
    assert remote.triple_count() == len(onto)


@pytest.mark.parametrize("top", [5])
def test_remote_stats_equal_embedded(twins, top):
    remote, local = twins
    assert collect_stats(remote, top=top) == collect_stats(local, top=top)


@pytest.mark.parametrize("backend", list(SERVERS))
def test_remote_cli_ingest_query_viz_history_remove(
    backend, built_store, tmp_path, caplog
):
    """The sample ingested by the CLI into a server equals the embedded store."""
    with open_backend(backend, tmp_path):
        url = server_url(backend)
    run = kg("ingest", str(DATA), "--store", url)
    assert run.returncode == 0, run.stderr
    assert run.stdout.startswith(f"{len(built_store.articles())} added, 0 replaced")
    caplog.set_level(logging.DEBUG, logger="kg.store.remote")
    with open_store(url) as store:
        assert collect_stats(store) == collect_stats(built_store)
        assert len(store) == len(built_store)
        assert _same_graphs(store, built_store)
        assert isomorphic(_unstamped(store, None), _unstamped(built_store, None))
    # .ci/virtuoso.ini caps answers below the sample's size: reads came in pages.
    assert ("reading it in pages" in caplog.text) == (backend == "virtuoso")
    query = (
        "SELECT ?s ?o WHERE { ?e kg:sourceActor ?s ; kg:targetActor ?o } ORDER BY ?s ?o"
    )
    answer = kg("query", query, "--store", url, "--format", "csv")
    assert answer.returncode == 0, answer.stderr
    # text=True reads the CSV's CRLF line ends as "\n".
    assert answer.stdout == run_query(built_store, query, fmt="csv").replace("\r", "")
    _check_viz(url, built_store, tmp_path)
    _check_history_and_remove(url)


def _same_graphs(store, built_store) -> bool:
    """Equal article and ontology graphs, but for what each run stamps on them."""
    names = [n.value for n in built_store.graph_names() if not is_run_iri(n.value)]
    if [n.value for n in store.graph_names() if not is_run_iri(n.value)] != names:
        return False
    return all(
        isomorphic(_unstamped(store, name), _unstamped(built_store, name))
        for name in names
    )


def _unstamped(store, name: str | None) -> Graph:
    graph = store.read_graph(name)
    for predicate in (KG.origin, PROV.wasGeneratedBy):  # path and run differ
        graph.remove((None, predicate, None))
    return graph


def _check_viz(url: str, built_store, tmp_path: Path) -> None:
    pages = [tmp_path / "remote.html", tmp_path / "local.html"]
    stores = [url, str(tmp_path / "copy")]
    with open_store(stores[1]) as copy:  # the CLI cannot open the locked original
        copy.ox.extend(built_store.ox)
    lines = []
    for store, page in zip(stores, pages, strict=True):
        result = kg("viz", "--store", store, "-o", str(page))
        assert result.returncode == 0, result.stderr
        lines.append(result.stdout.replace(str(page), "PAGE"))
    assert lines[0] == lines[1]
    # the remote page draws the store's actors: the label of an event's source
    label = run_query(
        built_store,
        "SELECT ?l WHERE { ?e kg:sourceActor ?a . ?a rdfs:label ?l } "
        "ORDER BY ?l LIMIT 1",
        fmt="csv",
    ).splitlines()[1]
    assert label.strip('"') in pages[0].read_text("utf-8")


def _check_history_and_remove(url: str) -> None:
    aid = "ukraine-us-talks"
    removed = kg("remove", aid, "--store", url)
    assert removed.returncode == 0 and removed.stdout == "1 removed, 0 unknown\n"
    history = kg("history", "--store", url, "--format", "json")
    assert history.returncode == 0, history.stderr
    assert history.stdout.count('"started"') == 2 and aid in history.stdout
    with open_store(url) as store:
        assert article_iri(aid) not in store.articles()
        assert store.read_graph(ONTOLOGY_GRAPH)


@pytest.mark.parametrize(
    "user, password, works", [("dba", "dba", True), ("dba", "x", False)]
)
def test_remote_virtuoso_digest_credentials_from_env(
    monkeypatch, user, password, works
):
    """Virtuoso's /sparql-auth wants HTTP Digest; .ci/run's database keeps dba/dba."""
    url = server_url("virtuoso").replace("/sparql", "/sparql-auth")
    monkeypatch.setenv("KG_STORE_USER", user)
    monkeypatch.setenv("KG_STORE_PASSWORD", password)
    if not works:
        with pytest.raises(StoreError, match="HTTP 401.*give credentials in the URL"):
            open_store(url)
        return
    with open_store(url) as store:
        store.clear()
        fill(store)
        assert len(store.articles()) == len(SPEC)
        assert password not in store.location


@pytest.mark.parametrize("backend", list(SERVERS))
def test_remote_serve_refuses_a_server_store(backend):
    result = kg("serve", "--store", server_url(backend))
    assert result.returncode == 2
    assert result.stderr == (
        f"kg: error: {server_url(backend)} already is a SPARQL endpoint: point SPARQL "
        "clients at it. kg serve serves a store folder.\n"
    )
