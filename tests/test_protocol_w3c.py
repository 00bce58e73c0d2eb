"""The W3C SPARQL 1.1 Protocol tests, replayed against a real ``kg serve``.

Reads ``manifest.ttl`` from ``../shared/conformance/sparql11-protocol`` (or the
folder in ``KG_W3C_PROTOCOL``) with rdflib, loads ``data*.nt`` into the named
graphs the tests name (and into the union default graph, as every kg write
does), starts ``kg serve --write-token`` on it and sends each test's HTTP
request byte for byte with http.client (which adds no Content-Type of its own).

- Every query test (``query_*``, ``bad_query_*``) must pass as the manifest says:
  status class, result format and boolean.
- Every ``bad_update_*`` test goes to ``/update`` with the token and must be
  refused for its own reason (status and message), not for the token.
- ``update_*`` tests change the store with CLEAR, DROP, INSERT ... WHERE or
  using-graph-uri, which kg refuses on purpose (the union default graph, see
  docs/serving.md); each must get the refusal listed in UPDATE_OUTCOMES, and
  docs/serving.md must list each with its outcome.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import urlsplit

import pyoxigraph as ox
import pytest
from helpers.paths import ROOT, SHARED
from helpers.server import free_port
from rdflib import Graph, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from kg.store import open_store

pytestmark = pytest.mark.system

FOLDER = Path(
    os.environ.get("KG_W3C_PROTOCOL") or SHARED / "conformance" / "sparql11-protocol"
)
MANIFEST = FOLDER / "manifest.ttl"
if not MANIFEST.is_file():
    pytest.skip(
        f"no W3C protocol manifest at {MANIFEST} (set KG_W3C_PROTOCOL to its folder)",
        allow_module_level=True,
    )

MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
TOKEN = "kg-w3c-protocol-token-0123456789"

RESULTS = {
    "application/sparql-results+json",
    "application/sparql-results+xml",
    "text/csv",
    "text/tab-separated-values",
}
BOOLEAN = {"application/sparql-results+json", "application/sparql-results+xml"}
RDF_TYPES = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/rdf+xml": "xml",
    "application/ld+json": "json-ld",
}

#: bad_update_* test -> (status, words of the reason kg gives).
BAD_UPDATE_REASONS = {
    "bad_update_get": (405, "GET is not allowed here"),
    "bad_multiple_updates": (400, "exactly one update"),
    "bad_update_wrong_media_type": (415, "application/sparql-update"),
    "bad_update_missing_form_type": (415, "application/sparql-update"),
    "bad_update_non_utf8": (415, "UTF-8 only"),
    "bad_update_syntax": (400, "cannot be read"),
    "bad_update_dataset_conflict": (400, "names its dataset twice"),
}
#: update_* test -> (status, words of kg's refusal): refused on purpose.
UPDATE_OUTCOMES = {
    "update_dataset_default_graph": (400, "using-graph-uri"),
    "update_dataset_default_graphs": (400, "using-graph-uri"),
    "update_dataset_named_graphs": (400, "using-graph-uri"),
    "update_dataset_full": (400, "using-graph-uri"),
    "update_post_form": (403, "CLEAR is not allowed"),
    "update_post_direct": (403, "CLEAR is not allowed"),
    "update_base_uri": (403, "CLEAR is not allowed"),
}


@dataclass(frozen=True)
class Exchange:
    """One request of a test and what its response must be."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes | None
    statuses: frozenset[int]  # allowed status classes: 2, 3, 4 ...
    format: str | None
    boolean: bool | None


@dataclass(frozen=True)
class ProtocolTest:
    name: str
    graphs: dict[str, Path]  # graph IRI -> data file
    exchanges: tuple[Exchange, ...]


def read_manifest() -> list[ProtocolTest]:
    graph = Graph().parse(MANIFEST, format="turtle", publicID=MANIFEST.as_uri())
    manifest = next(graph.subjects(RDF.type, MF.Manifest))
    entries = Collection(graph, graph.value(manifest, MF.entries))
    return [_test(graph, entry) for entry in entries]


def _test(graph: Graph, entry: URIRef) -> ProtocolTest:
    graphs = {}
    for data in graph.objects(entry, UT.graphData):
        source = Path(urlsplit(str(graph.value(data, UT.graph))).path)
        graphs[str(graph.value(data, RDFS.label))] = FOLDER / source.name
    action = graph.value(entry, MF.action)
    requests = Collection(graph, graph.value(action, HT.requests))
    return ProtocolTest(
        str(entry).rsplit("#", 1)[-1],
        graphs,
        tuple(_exchange(graph, request) for request in requests),
    )


def _exchange(graph: Graph, request: URIRef) -> Exchange:
    headers = {}
    listed = graph.value(request, HT.headers)
    for header in Collection(graph, listed) if listed is not None else []:
        headers[str(graph.value(header, HT.fieldName))] = str(
            graph.value(header, HT.fieldValue)
        )
    body = None
    content = graph.value(request, HT.body)
    if content is not None:
        encoding = str(graph.value(content, CNT.characterEncoding) or "UTF-8")
        body = str(graph.value(content, CNT.chars)).encode(encoding)
    response = graph.value(request, HT.resp)
    statuses = frozenset(
        int(str(code).rsplit("StatusCode", 1)[-1][0])
        for code in graph.objects(response, MF.expectedStatus)
    )
    expected = graph.value(response, MF.expectedBoolean)
    fmt = graph.value(response, MF.expectedFormat)
    return Exchange(
        str(graph.value(request, HT.methodName)),
        str(graph.value(request, HT.absolutePath)),
        headers,
        body,
        statuses,
        None if fmt is None else str(fmt),
        None if expected is None else bool(expected.toPython()),
    )


TESTS = read_manifest()
QUERY_TESTS = [t for t in TESTS if re.match(r"(bad_)?query_", t.name)]
QUERY_TESTS += [t for t in TESTS if t.name == "bad_multiple_queries"]
BAD_UPDATES = [t for t in TESTS if t.name in BAD_UPDATE_REASONS]
UPDATES = [t for t in TESTS if t.name.startswith("update_")]


def test_w3c_manifest_read_whole():
    """Every entry is run below: 20 query tests, 7 bad updates, 7 updates."""
    assert len(TESTS) == len(QUERY_TESTS) + len(BAD_UPDATES) + len(UPDATES)
    assert (len(QUERY_TESTS), len(BAD_UPDATES), len(UPDATES)) == (20, 7, 7)
    assert {t.name for t in UPDATES} == set(UPDATE_OUTCOMES)


# --- the served store ---------------------------------------------------------------


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    """kg serve --write-token on a kg store holding the manifest's data graphs."""
    path = tmp_path_factory.mktemp("w3c") / "store"
    graphs = {iri: data for test in TESTS for iri, data in test.graphs.items()}
    assert len(graphs) == 3
    with open_store(path) as store:
        for iri, data in sorted(graphs.items()):
            triples = [
                q.triple for q in ox.parse(path=data, format=ox.RdfFormat.N_TRIPLES)
            ]
            # A named graph and its share of the union default graph, as kg writes.
            quads = [ox.Quad(*t, ox.NamedNode(iri)) for t in triples]
            store.ox.extend(quads + [ox.Quad(*t) for t in triples])
    port = free_port()
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "kg",
            "serve",
            "--store",
            str(path),
            "--port",
            str(port),
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "KG_SERVE_WRITE_TOKEN": TOKEN},
    )
    try:
        line = process.stdout.readline().decode()
        assert f"127.0.0.1:{port}" in line, line + process.stderr.read().decode()
        yield port
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        err = process.stderr.read().decode()
        assert "Traceback" not in err, err
        assert TOKEN not in err
    finally:
        process.kill()
        process.wait()


def send(
    port: int, exchange: Exchange, endpoint: str, *, token: bool = False
) -> tuple[int, str, bytes]:
    """Status, media type and body of one request, as the manifest writes it."""
    path = exchange.path.replace("/sparql/", endpoint, 1)
    headers = dict(exchange.headers)
    if token:
        headers["Authorization"] = f"Bearer {TOKEN}"
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        connection.request(exchange.method, path, exchange.body, headers)
        response = connection.getresponse()
        media = (response.getheader("Content-Type") or "").split(";")[0].strip()
        return response.status, media, response.read()
    finally:
        connection.close()


def boolean_of(media: str, body: bytes) -> bool:
    if media == "application/sparql-results+json":
        return bool(json.loads(body)["boolean"])
    found = re.search(rb"<boolean>\s*(true|false)\s*</boolean>", body)
    assert found is not None, body[:300]
    return found.group(1) == b"true"


# --- the tests ----------------------------------------------------------------------


@pytest.mark.parametrize("test", QUERY_TESTS, ids=lambda t: t.name)
def test_w3c_query(served, test):
    for exchange in test.exchanges:
        status, media, body = send(served, exchange, "/sparql")
        assert status // 100 in exchange.statuses, (status, body[:300])
        if exchange.format == "boolean":
            assert media in BOOLEAN, media
        elif exchange.format == "tabular":
            assert media in RESULTS, media
            assert b"value" in body
        elif exchange.format == "RDF":
            assert media in RDF_TYPES, media
            Graph().parse(data=body, format=RDF_TYPES[media])
        if exchange.boolean is not None:
            assert boolean_of(media, body) is exchange.boolean


@pytest.mark.parametrize("test", BAD_UPDATES, ids=lambda t: t.name)
def test_w3c_bad_update_refused_for_its_own_reason(served, test):
    (exchange,) = test.exchanges
    status, _, body = send(served, exchange, "/update", token=True)
    assert status // 100 in exchange.statuses
    assert (status, BAD_UPDATE_REASONS[test.name][1] in body.decode()) == (
        BAD_UPDATE_REASONS[test.name][0],
        True,
    ), body


@pytest.mark.parametrize("test", UPDATES, ids=lambda t: t.name)
def test_w3c_update_refused_on_purpose(served, test):
    """kg takes only INSERT/DELETE DATA into one article graph (docs/serving.md)."""
    exchange = test.exchanges[0]
    status, _, body = send(served, exchange, "/update", token=True)
    expected, words = UPDATE_OUTCOMES[test.name]
    assert (status, words in body.decode()) == (expected, True), body
    # Nothing was written: the graph the test's own check looks for is not there.
    for check in test.exchanges[1:]:
        got, media, answer = send(served, check, "/sparql")
        assert got == 200 and boolean_of(media, answer) is False


def test_w3c_update_outcomes_are_documented():
    serving = (ROOT / "docs" / "serving.md").read_text(encoding="utf-8")
    for name, (status, _) in UPDATE_OUTCOMES.items():
        assert re.search(rf"`{name}`[^\n]*\b{status}\b", serving), name
