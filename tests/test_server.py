"""kg.serve.server over real HTTP: rdflib SPARQLStore, SPARQLWrapper and urllib clients
against a server on 127.0.0.1 serving a small real Oxigraph store."""

from __future__ import annotations

import http.client as http_client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
from helpers.server import (
    EXPENSIVE,
    HOSTILE,
    RUSSIA,
    ZELENSKIY,
    Running,
    ask,
    free_port,
    get,
    http,
    make_extraction,
    make_store,
)
from rdflib import Graph, URIRef
from rdflib.namespace import RDFS
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

from kg.rdf.iris import article_iri
from kg.rdf.mapping import extraction_to_graph
from kg.rdf.namespaces import KG
from kg.serve.server import Settings, negotiate
from kg.store import open_store

pytestmark = pytest.mark.system

XML_RESULTS = "application/sparql-results+xml"
EVENTS = "SELECT ?e ?type WHERE { ?e a kg:Event ; kg:eventType ?type } ORDER BY ?e"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("serve") / "store")


@pytest.fixture(scope="module")
def server(store_path):
    running = Running(Settings(store_path, port=0, timeout=20, max_rows=1000))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def strict(store_path):
    """A server with a 1 s timeout and a 3-row cap."""
    running = Running(Settings(store_path, port=0, timeout=1, max_rows=3, workers=1))
    yield running
    running.stop()


# --- real SPARQL clients --------------------------------------------------------


@pytest.mark.parametrize("method", ["GET", "POST", "POST_FORM"])
def test_server_rdflib_sparqlstore_select(server, method):
    graph = Graph(store=SPARQLStore(server.sparql, method=method))
    rows = graph.query(
        "SELECT ?name WHERE { ?a a kg:Person ; rdfs:label ?name }",
        initNs={"kg": str(KG), "rdfs": str(RDFS)},
    )
    assert [str(row.name) for row in rows] == ["Volodymyr Zelenskiy"]


@pytest.mark.parametrize("query", ["ASK { ?e a kg:Event }"])
def test_server_rdflib_sparqlstore_ask_and_construct(server, query):
    graph = Graph(store=SPARQLStore(server.sparql))
    assert graph.query(query).askAnswer is True
    built = graph.query(
        "CONSTRUCT { ?a rdfs:label ?n } WHERE { ?a a kg:Group ; rdfs:label ?n }"
    ).graph
    assert {str(o) for o in built.objects(None, RDFS.label)} == {HOSTILE}


@pytest.mark.parametrize("fmt", [JSON, XML])
def test_server_sparqlwrapper_select(server, fmt):
    client = SPARQLWrapper(server.sparql)
    client.setQuery(EVENTS)
    client.setReturnFormat(fmt)
    converted = client.queryAndConvert()
    if fmt == JSON:
        types = [b["type"]["value"] for b in converted["results"]["bindings"]]
    else:
        types = [n.firstChild.data for n in converted.getElementsByTagName("uri")]
        types = [t for t in types if "/cameo/" in t]
    assert sorted(t.rsplit("/", 1)[-1] for t in types) == ["040", "111", "190"]


@pytest.mark.parametrize("method", ["GET", "POST"])
def test_server_sparqlwrapper_construct_turtle(server, method):
    client = SPARQLWrapper(server.sparql)
    client.setMethod(method)
    client.setQuery("CONSTRUCT WHERE { ?a a kg:Person ; rdfs:label ?n }")
    client.setReturnFormat(TURTLE)
    response = client.query()
    assert response.response.headers["Content-Type"].startswith("text/turtle")
    graph = Graph().parse(data=response.convert(), format="turtle")
    assert len(graph) == 2
    assert "Volodymyr Zelenskiy" in {str(o) for o in graph.objects()}


# --- formats and negotiation ----------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "media", "check"),
    [
        (None, "application/sparql-results+json", b'"vars":["e","type"]'),
        (
            "application/sparql-results+xml",
            "application/sparql-results+xml",
            b"<sparql",
        ),
        ("text/csv", "text/csv", b"e,type\r\n"),
        ("text/tab-separated-values", "text/tab-separated-values", b"?e\t?type\n"),
        ("application/json", "application/sparql-results+json", b'"bindings"'),
        ("text/html, */*;q=0.1", "application/sparql-results+json", b'"bindings"'),
    ],
)
def test_server_select_formats(server, accept, media, check):
    status, headers, body = get(server.sparql, EVENTS, accept)
    assert status == 200, body
    assert headers["Content-Type"].split(";")[0] == media
    assert check in body


@pytest.mark.parametrize(
    ("accept", "check"),
    [
        ("application/sparql-results+json", b'"vars":["type","e"]'),
        ("application/sparql-results+xml",
         b'<variable name="type"/><variable name="e"/>'),
        ("text/csv", b"type,e\r\n"),
        ("text/tab-separated-values", b"?type\t?e\n"),
    ],
)  # fmt: skip
def test_server_select_star_keeps_the_query_order(server, accept, check):
    star = "SELECT * WHERE { ?type ^kg:eventType ?e } ORDER BY ?e"  # Oxigraph: e, type
    status, _, body = get(server.sparql, star, accept)
    assert status == 200, body
    assert check in body


@pytest.mark.parametrize(
    ("accept", "media", "rdflib_format"),
    [
        (None, "text/turtle", "turtle"),
        ("application/n-triples", "application/n-triples", "nt"),
        ("application/ld+json", "application/ld+json", "json-ld"),
        ("application/rdf+xml", "application/rdf+xml", "xml"),
    ],
)
def test_server_construct_formats(server, accept, media, rdflib_format):
    query = "CONSTRUCT WHERE { ?a a kg:Country ; rdfs:label ?n }"
    status, headers, body = get(server.sparql, query, accept)
    assert status == 200, body
    assert headers["Content-Type"].split(";")[0] == media
    graph = Graph().parse(data=body, format=rdflib_format)
    assert (
        URIRef("https://w3id.org/kg-events/id/country/RUS"),
        RDFS.label,
        None,
    ) in graph


@pytest.mark.parametrize(
    ("accept", "kind", "media"),
    [
        ("text/turtle", "select", None),
        ("application/sparql-results+json;q=0, */*", "select", XML_RESULTS),
        ("text/*", "ask", None),
        ("text/csv, application/sparql-results+xml;q=0.5", "ask", XML_RESULTS),
        ("application/sparql-results+json", "graph", None),
        ("application/json", "graph", "application/ld+json"),
        ("", "graph", "text/turtle"),
    ],
)  # fmt: skip
def test_server_negotiate(accept, kind, media):
    assert negotiate(accept, kind) == media


@pytest.mark.parametrize("accept", ["text/csv", "text/tab-separated-values"])
def test_server_ask_has_no_csv_form(server, accept):
    """A boolean has no CSV/TSV serialisation in the specs: 406, not a bare true."""
    status, headers, body = get(server.sparql, "ASK { ?e a kg:Event }", accept)
    assert status == 406 and headers["Vary"] == "Accept"
    assert b"application/sparql-results+json" in body and b"text/csv" not in body
    status, _, body = ask(server.sparql, "ASK { ?e a kg:Event }")
    assert (status, body) == (200, b"true")
    status, _, body = get(server.sparql, "ASK { ?e a kg:Event }", "text/turtle")
    assert status == 406 and b"application/sparql-results+json" in body


def test_server_construct_for_a_results_only_client_is_turtle(server):
    """rdflib's SPARQLStore(returnFormat="json") asks for results types only."""
    query = "CONSTRUCT WHERE { ?a a kg:Country ; rdfs:label ?n }"
    accept = "application/sparql-results+json"
    status, headers, body = get(server.sparql, query, accept)
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    assert headers["Vary"] == "Accept"
    assert len(Graph().parse(data=body, format="turtle")) == 2
    graph = Graph(store=SPARQLStore(server.sparql, returnFormat="json"))
    assert len(graph.query(query).graph) == 2


# --- refusals and errors --------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "content_type", "query"),
    [
        (b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", "application/sparql-update", None),
        (b"update=DROP+ALL", "application/x-www-form-urlencoded", None),
        (None, None, "INSERT DATA { <urn:a> <urn:b> <urn:c> }"),
        (None, None, "LOAD <http://example.org/data.ttl>"),
        (None, None, "SELECT * WHERE { SERVICE <http://example.org/q> { ?s ?p ?o } }"),
    ],
)  # fmt: skip
def test_server_refuses_writes_and_network(
    server, store_path, data, content_type, query
):
    if query is not None:
        status, _, body = get(server.sparql, query)
    else:
        headers = {"Content-Type": content_type}
        status, _, body = http(server.sparql, data, headers)
    assert status == 403
    assert b"read-only" in body or b"not allowed" in body
    status, _, body = ask(server.sparql, "ASK { <urn:a> ?p ?o }")
    assert body.strip() == b"false"


def test_server_malformed_query_is_400_with_message(server):
    status, headers, body = get(server.sparql, "SELECT ?s WHERE { ?s ?p }")
    assert status == 400
    assert headers["Content-Type"].startswith("text/plain")
    assert body.decode().startswith("SPARQL syntax error near line 1")


@pytest.mark.parametrize(
    ("path", "method", "status"),
    [
        ("/etc/passwd", "GET", 404),
        ("/../../etc/passwd", "GET", 404),
        ("/sparql/x", "GET", 404),
        ("/", "POST", 405),
        ("/sparql", "DELETE", 405),
        ("/sparql", "PUT", 405),
    ],
)
def test_server_serves_nothing_else(server, path, method, status):
    got, headers, _ = http(server.url.rstrip("/") + path, method=method, data=b"")
    assert got == status
    if status == 405:
        assert "GET" in headers["Allow"]


def test_server_oversized_body_is_413(server):
    body = b"query=" + b"x" * (1 << 20)
    status, _, text = http(server.sparql, body)
    assert status == 413 and b"shorter query" in text


@pytest.mark.parametrize("expect", ["", "Expect: 100-continue\r\n"])
def test_server_huge_body_refused_unread(server, expect):
    host, port = server.endpoint.http.server_address[:2]
    head = (
        f"POST /sparql HTTP/1.1\r\nHost: {host}:{port}\r\n{expect}"
        "Content-Type: application/sparql-query\r\nContent-Length: 1000000000\r\n\r\n"
    )
    with socket.create_connection((host, port), timeout=10) as sock:
        sock.sendall(head.encode())
        answer = sock.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 413 ")
    assert b"shorter query" in answer


def test_server_keep_alive_answers_are_not_delayed(server):
    """Nagle is off: a reply written as head then body is not held ~40 ms for
    the client's delayed ACK (which once made every request take 45 ms)."""
    host, port = server.endpoint.http.server_address[:2]
    connection = http_client.HTTPConnection(host, port, timeout=30)
    try:
        started = time.monotonic()
        for _ in range(20):
            connection.request("GET", "/nothing")
            assert connection.getresponse().read().startswith(b"Nothing at")
        assert time.monotonic() - started < 0.4
    finally:
        connection.close()


def test_server_foreign_host_header_refused(server):
    status, _, _ = http(server.url, headers={"Host": "evil.example:8000"})
    assert status == 403


def test_server_timeout_is_503_and_worker_recovers(strict):
    started = time.monotonic()
    status, _, body = get(strict.sparql, EXPENSIVE)
    assert status == 503 and b"longer than 1 s" in body
    assert time.monotonic() - started < 5
    status, _, body = ask(strict.sparql, "ASK { ?e a kg:Event }")
    assert (status, body.strip()) == (200, b"true")


def test_server_memory_runaway_kills_only_its_worker(store_path, monkeypatch):
    # Workers are spawned with this environment: a 2 GiB cap on each.
    monkeypatch.setenv("KG_QUERY_MEMORY", "2048")
    running = Running(Settings(store_path, port=0, timeout=60, workers=1))
    try:
        hog = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"
        status, _, body = get(running.sparql, hog)
        assert status == 500 and b"The query worker failed" in body
        status, _, body = ask(running.sparql, "ASK { ?e a kg:Event }")
        assert (status, body.strip()) == (200, b"true")
    finally:
        running.stop()


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?c WHERE { ?c a skos:Concept }",
        "CONSTRUCT WHERE { ?s a kg:Event ; ?p ?o }",
    ],
)
def test_server_result_cap(strict, query):
    status, headers, body = get(
        strict.sparql, query, "application/n-triples, */*;q=0.5"
    )
    assert status == 200
    assert headers["X-SPARQL-MaxRows"] == "3"
    if body.startswith(b"{"):
        assert len(json.loads(body)["results"]["bindings"]) == 3
    else:
        assert len(body.decode().strip().splitlines()) == 3


# --- the view -------------------------------------------------------------------


def test_server_view_escapes_article_text(server):
    status, headers, body = http(server.url + "view")
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Volodymyr Zelenskiy" in page
    assert HOSTILE not in page and '<script>alert("kg")' not in page
    assert "default-src 'none'" in headers["Content-Security-Policy"]


def test_server_index_page_links_endpoint_and_view(server):
    status, _, body = http(server.sparql)
    assert status == 200
    assert b'href="/"' in body and b'action="/sparql"' in body


def test_server_sees_a_write_made_beside_it(tmp_path):
    path = make_store(tmp_path / "store")
    running = Running(Settings(path, port=0, workers=1))
    try:
        query = "SELECT (COUNT(*) AS ?n) WHERE { ?a a kg:Article }"
        assert get(running.sparql, query, "text/csv")[2].split()[-1] == b"2"
        with open_store(path) as store:
            extraction = make_extraction("a3", [("043", ZELENSKIY, RUSSIA, "met")])
            graph = extraction_to_graph(extraction, extractor_version="t", model="m")
            store.put_article(
                article_iri(extraction.article), graph, extraction.article.content_hash
            )
            assert get(running.sparql, query, "text/csv")[2].split()[-1] == b"3"
    finally:
        running.stop()


# --- the command ----------------------------------------------------------------


@pytest.mark.parametrize("stop", [signal.SIGINT, signal.SIGTERM])
def test_server_cli_serves_then_stops_cleanly(store_path, stop):
    command = [sys.executable, "-m", "kg", "serve", "--store", str(store_path)]
    process = subprocess.Popen(
        [*command, "--port", str(free_port()), "--timeout", "5"],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = process.stdout.readline().decode()
        url = re.search(r"SPARQL: (http://127\.0\.0\.1:\d+/sparql)", line).group(1)
        status, _, body = ask(url, "ASK { ?e a kg:Event }")
        assert (status, body.strip()) == (200, b"true")
        process.send_signal(stop)
        assert process.wait(timeout=15) == 0
        assert b"stopped" in process.stderr.read()
    finally:
        process.kill()
        process.wait()


def test_server_cli_bad_requests_and_dropped_clients_leave_no_traceback(store_path):
    """Malformed, over-long and abandoned requests get a status, never a traceback."""
    port = free_port()
    command = [sys.executable, "-m", "kg", "-v", "serve", "--store", str(store_path)]
    process = subprocess.Popen(
        [*command, "--port", str(port)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
    )
    try:
        line = process.stdout.readline().decode()
        url = re.search(r"SPARQL: (http://127\.0\.0\.1:\d+/sparql)", line).group(1)
        assert get(url, "ASK { ?e a kg:Event } #" + "x" * 70_000)[0] == 414
        for garbled in (
            b"GARBAGE\x01 / HTTP/9\r\n\r\n",
            b"\x16\x03\x01\x02\x00\r\n\r\n",
        ):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(garbled)
                assert sock.makefile("rb").read().startswith(b"HTTP/1.1 400 ")
        for target in (
            "/sparql?query=CONSTRUCT%20WHERE%20%7B%3Fs%20%3Fp%20%3Fo%7D",
            "/",
        ):
            with socket.create_connection(("127.0.0.1", port), timeout=10) as sock:
                sock.sendall(
                    f"GET {target} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode()
                )
        time.sleep(2)  # the answers are written to connections already closed
        status, _, body = get(url, "ASK { ?e a kg:Event }")
        assert (status, json.loads(body)["boolean"]) == (200, True)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        err = process.stderr.read().decode()
    finally:
        process.kill()
        process.wait()
    assert "Traceback" not in err and "Error" not in err, err
    assert re.search(r'"GET /sparql\?query=ASK\S+" 414', err), err
    assert "Invalid HTTP request received" in err


def test_server_cli_refuses_missing_store(tmp_path):
    result = subprocess.run(
        [sys.executable, "-m", "kg", "serve", "--store", str(tmp_path / "none")],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 1
    assert b"No store at" in result.stderr and b"kg build" in result.stderr
