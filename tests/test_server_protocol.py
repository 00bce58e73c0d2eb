"""The SPARQL 1.1 Protocol details of kg serve, over real HTTP.

The dataset parameters (``default-graph-uri``, ``named-graph-uri``) through
urllib, rdflib's SPARQLStore with a graph identifier and SPARQLWrapper's
``addDefaultGraph``; the base IRI; UTF-8 only; ``Vary``; CORS (off, then on
with ``--cors``); and pyoxigraph federating a query to kg serve with SERVICE.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from helpers.server import Running, ask, get, http, make_store
from rdflib import Graph, URIRef
from rdflib.plugins.stores.sparqlstore import SPARQLStore
from SPARQLWrapper import JSON, SPARQLWrapper

from kg.serve.server import Settings

pytestmark = pytest.mark.system

ID = "https://w3id.org/kg-events/id/"
A1, A2 = f"{ID}article/a1", f"{ID}article/a2"
JSON_RESULTS = "application/sparql-results+json"
FORM = "application/x-www-form-urlencoded"
TRIPLES = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("protocol") / "store")


@pytest.fixture(scope="module")
def server(store_path):
    running = Running(Settings(store_path, port=0, workers=1))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def open_cors(store_path):
    running = Running(Settings(store_path, port=0, workers=1, cors=("*",)))
    yield running
    running.stop()


def count(server: Running, query: str, **params: str | list[str]) -> int:
    """The one number a COUNT query answers, with the given protocol parameters."""
    fields = [("query", query)]
    for name, value in params.items():
        values = value if isinstance(value, list) else [value]
        fields += [(name.replace("_", "-"), v) for v in values]
    status, _, body = http(
        f"{server.sparql}?{urlencode(fields)}", headers={"Accept": JSON_RESULTS}
    )
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def graph_size(store_path: Path, *graphs: str) -> int:
    """Distinct triples of the graphs together (their RDF merge)."""
    store = ox.Store.read_only(str(store_path))
    return len(
        {
            quad.triple
            for graph in graphs
            for quad in store.quads_for_pattern(None, None, None, ox.NamedNode(graph))
        }
    )


# --- the dataset ---------------------------------------------------------------


def test_protocol_default_graph_uri_is_that_graph_only(server, store_path):
    union = count(server, TRIPLES)
    only_a1 = count(server, TRIPLES, default_graph_uri=A1)
    assert only_a1 == graph_size(store_path, A1) and 0 < only_a1 < union
    both = count(server, TRIPLES, default_graph_uri=[A1, A2])
    # The merge of two articles (each shared triple once), not the ontology.
    assert both == graph_size(store_path, A1, A2) and only_a1 < both < union
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?e a kg:Event }"
    assert count(server, query, default_graph_uri=A1) == 2
    assert count(server, query, default_graph_uri=A2) == 1
    assert count(server, query, default_graph_uri=f"{ID}article/none") == 0


def test_protocol_named_graph_uri_limits_graph(server):
    query = "SELECT (COUNT(DISTINCT ?g) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } }"
    assert count(server, query) > 2  # articles, ontology and the run records
    assert count(server, query, named_graph_uri=[A1, A2]) == 2
    # Named graphs only: the default graph is empty (SPARQL 1.1 Protocol 2.1.4).
    assert count(server, TRIPLES, named_graph_uri=A1) == 0
    full = "SELECT (COUNT(*) AS ?n) WHERE { ?e a kg:Event GRAPH ?g { ?e ?p ?o } }"
    assert count(server, full, default_graph_uri=A2, named_graph_uri=A1) == 0
    assert count(server, full, default_graph_uri=A1, named_graph_uri=A1) > 0


def test_protocol_dataset_overrides_from_and_works_by_post(server):
    query = f"SELECT (COUNT(*) AS ?n) FROM <{A1}> WHERE {{ ?e a kg:Event }}"
    assert count(server, query) == 2
    assert count(server, query, default_graph_uri=A2) == 1
    body = query.encode()
    url = f"{server.sparql}?{urlencode({'default-graph-uri': A2})}"
    headers = {"Content-Type": "application/sparql-query", "Accept": JSON_RESULTS}
    status, _, answer = http(url, body, headers)
    assert status == 200
    assert json.loads(answer)["results"]["bindings"][0]["n"]["value"] == "1"
    form = urlencode({"query": query, "default-graph-uri": A2}).encode()
    status, _, answer = http(server.sparql, form, {"Content-Type": FORM})
    assert json.loads(answer)["results"]["bindings"][0]["n"]["value"] == "1"


def test_protocol_bad_graph_iri_is_400(server):
    status, _, body = http(
        f"{server.sparql}?{urlencode({'query': TRIPLES, 'default-graph-uri': 'a b'})}"
    )
    assert status == 400, body


def test_protocol_rdflib_sparqlstore_named_graph(server):
    article = Graph(store=SPARQLStore(server.sparql), identifier=URIRef(A2))
    rows = article.query("SELECT ?e WHERE { ?e a kg:Event }")
    assert len(list(rows)) == 1
    whole = Graph(store=SPARQLStore(server.sparql))
    assert len(list(whole.query("SELECT ?e WHERE { ?e a kg:Event }"))) == 3


def test_protocol_sparqlwrapper_add_default_graph(server):
    client = SPARQLWrapper(server.sparql)
    client.addDefaultGraph(A1)
    client.setQuery("SELECT ?e WHERE { ?e a kg:Event }")
    client.setReturnFormat(JSON)
    assert len(client.queryAndConvert()["results"]["bindings"]) == 2


def test_protocol_pyoxigraph_service_federates_to_kg_serve(server):
    """Another SPARQL engine can use kg serve as a SERVICE (federated query)."""
    local = ox.Store()
    query = (
        f"SELECT (COUNT(?e) AS ?n) WHERE {{ SERVICE <{server.sparql}> {{ ?e a "
        "<https://w3id.org/kg-events/ontology#Event> } }"
    )
    (row,) = list(local.query(query))
    assert row["n"].value == "3"


# --- base IRI, charset, methods, Vary ---------------------------------------------


def test_protocol_relative_iris_resolve_against_the_endpoint(server):
    status, _, body = get(server.sparql, "SELECT ?x WHERE { BIND(<thing> AS ?x) }")
    assert status == 200
    value = json.loads(body)["results"]["bindings"][0]["x"]["value"]
    assert value == server.url + "thing"
    status, _, body = get(
        server.sparql, "CONSTRUCT { <s> <p> 1 } WHERE {}", "application/n-triples"
    )
    assert status == 200 and f"<{server.url}s> <{server.url}p>".encode() in body


@pytest.mark.parametrize("charset", ["UTF-16", "ISO-8859-1", "latin1"])
@pytest.mark.parametrize("media", ["application/sparql-query", FORM])
def test_protocol_body_in_another_charset_is_415(server, charset, media):
    text = "ASK {}" if media != FORM else "query=ASK%20%7B%7D"
    headers = {"Content-Type": f"{media}; charset={charset}"}
    status, _, body = http(server.sparql, text.encode(charset), headers)
    assert status == 415 and b"UTF-8 only" in body


def test_protocol_utf8_declared_is_accepted(server):
    headers = {"Content-Type": "application/sparql-query; charset=UTF-8"}
    status, _, body = http(server.sparql, b'ASK { ?s rdfs:label "Kyiv" }', headers)
    assert status == 200 and json.loads(body)["boolean"] is True


@pytest.mark.parametrize("content_type", [None, "text/plain"])
def test_protocol_post_without_its_media_type_is_415(server, content_type):
    """Raw bytes: urllib would add a form Content-Type of its own."""
    host, port = server.endpoint.http.server_address[:2]
    body = b"query=ASK%20%7B%7D"
    head = f"POST /sparql HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
    if content_type:
        head += f"Content-Type: {content_type}\r\n"
    head += f"Content-Length: {len(body)}\r\n\r\n"
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(head.encode() + body)
        answer = sock.makefile("rb").read()
    assert answer.startswith(b"HTTP/1.1 415 ") and b"application/sparql-query" in answer


def test_protocol_vary_accept_on_results(server):
    for accept in (None, "text/csv"):
        _, headers, _ = get(
            server.sparql, "SELECT * WHERE { ?s ?p ?o } LIMIT 1", accept
        )
        assert headers["Vary"] == "Accept"


def test_protocol_long_get_is_414_and_post_answers(server):
    query = "ASK { ?e a kg:Event } #" + "x" * 70_000
    status, _, body = get(server.sparql, query)
    assert status == 414 and b"POST" in body
    headers = {"Content-Type": "application/sparql-query"}
    status, _, body = http(server.sparql, query.encode(), headers)
    assert status == 200 and json.loads(body)["boolean"] is True


# --- CORS ----------------------------------------------------------------------


def test_protocol_cors_off_by_default(server):
    preflight = {
        "Origin": "https://yasgui.example",
        "Access-Control-Request-Method": "POST",
    }
    status, headers, _ = http(server.sparql, None, preflight, method="OPTIONS")
    assert status == 405
    assert not any(name.lower().startswith("access-control") for name in headers)
    _, headers, _ = http(
        server.sparql + "?query=ASK%7B%7D", headers={"Origin": "https://yasgui.example"}
    )
    assert not any(name.lower().startswith("access-control") for name in headers)


def test_protocol_cors_preflight_and_answer(open_cors):
    origin = "https://yasgui.example"
    preflight = {
        "Origin": origin,
        "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type",
    }
    status, headers, _ = http(open_cors.sparql, None, preflight, method="OPTIONS")
    assert 200 <= status < 300
    assert headers["Access-Control-Allow-Origin"] in ("*", origin)
    assert "POST" in headers["Access-Control-Allow-Methods"]
    assert "content-type" in headers["Access-Control-Allow-Headers"].lower()
    form = urlencode({"query": "ASK { ?e a kg:Event }"}).encode()
    status, headers, body = http(
        open_cors.sparql, form, {"Origin": origin, "Content-Type": FORM}
    )
    assert status == 200 and json.loads(body)["boolean"] is True
    assert headers["Access-Control-Allow-Origin"] == "*"
    assert headers["X-Content-Type-Options"] == "nosniff"


def test_protocol_cors_never_opens_update(open_cors):
    preflight = {
        "Origin": "https://evil.example",
        "Access-Control-Request-Method": "POST",
    }
    status, headers, _ = http(
        open_cors.url + "update", None, preflight, method="OPTIONS"
    )
    assert status == 405
    assert not any(name.lower().startswith("access-control") for name in headers)


def test_protocol_cors_one_origin_only(store_path):
    allowed = "http://localhost:3000"
    running = Running(Settings(store_path, port=0, workers=1, cors=(allowed,)))
    try:
        for origin, expected in ((allowed, allowed), ("http://other.example", None)):
            _, headers, _ = http(
                running.sparql + "?query=ASK%7B%7D", headers={"Origin": origin}
            )
            assert headers.get("Access-Control-Allow-Origin") == expected
        assert ask(running.sparql, "ASK { ?e a kg:Event }")[2] == b"true"
    finally:
        running.stop()


def test_protocol_cli_refuses_a_cors_value_that_is_no_origin(store_path):
    result = subprocess.run(
        [sys.executable, "-m", "kg", "serve", "--store", str(store_path)]
        + ["--port", "0", "--cors", "yasgui.example/page"],
        capture_output=True,
        timeout=60,
    )
    assert result.returncode == 2
    assert b"is not an origin" in result.stderr
