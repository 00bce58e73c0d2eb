"""kg serve's byte caps, over real HTTP against a real store.

``--max-answer-bytes``: an answer over the cap (one ``GROUP_CONCAT`` row once
made 454 MB) is refused in the worker with a one-line 500, so the server process
never holds it. ``--max-request-bytes``: a POST body over the cap gets 413,
whether it declares its length or arrives chunked without one.
"""

from __future__ import annotations

import socket
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from helpers.server import Running, get, http, make_store

from kg.cli.serve import serve as serve_command
from kg.errors import UsageError
from kg.rdf.iris import article_iri
from kg.serve.server import Endpoint, Settings
from kg.serve.settings import (
    DEFAULT_MAX_ANSWER_BYTES,
    DEFAULT_MAX_REQUEST_BYTES,
    MIN_CAP_BYTES,
)
from kg.store import open_store

pytestmark = pytest.mark.system

TOKEN = "kg-test-write-token-0123456789"
ANSWER_CAP = 64 << 10
REQUEST_CAP = 4096
LONG = "https://example.org/test#long"
# One row: every long literal of the filler graph, joined (about 300 KB).
CONCAT = f"SELECT (GROUP_CONCAT(?text) AS ?all) WHERE {{ ?s <{LONG}> ?text }}"
A1 = "<https://w3id.org/kg-events/id/article/a1>"
NOTE = "<http://www.w3.org/2000/01/rdf-schema#comment>"


def fill(path: Path, rows: int = 300, size: int = 1000) -> Path:
    """A served store plus an article of ``rows`` literals of ``size`` characters."""
    make_store(path)
    long = ox.NamedNode(LONG)
    triples = [
        ox.Triple(
            ox.NamedNode(f"urn:kg:filler:{i}"),
            long,
            ox.Literal(chr(65 + i % 26) * size),
        )
        for i in range(rows)
    ]
    with open_store(path) as store:
        store.put_article(article_iri("filler"), triples, "0" * 64)
    return path


@pytest.fixture(scope="module")
def capped(tmp_path_factory):
    """A server with small caps (64 KiB answers, 4 KiB bodies) and a write token."""
    path = fill(tmp_path_factory.mktemp("limits") / "store")
    running = Running(
        Settings(
            path,
            port=0,
            workers=1,
            write_token=TOKEN,
            max_answer_bytes=ANSWER_CAP,
            max_request_bytes=REQUEST_CAP,
        )
    )
    yield running
    running.stop()


# --- answer bytes -------------------------------------------------------------


@pytest.mark.parametrize("accept", ["application/sparql-results+json", "text/csv"])
def test_serve_limits_answer_over_byte_cap_is_refused(capped, accept):
    """One GROUP_CONCAT row of ~300 KB against a 64 KiB cap: refused, one line."""
    status, headers, body = get(capped.sparql, CONCAT, accept)
    assert status == 500, body[:200]
    assert headers["Content-Type"].startswith("text/plain")
    text = body.decode()
    assert text.count("\n") == 1 and f"over {ANSWER_CAP} bytes" in text
    assert "--max-answer-bytes" in text


def test_serve_limits_answer_of_many_small_rows_over_cap_is_refused(capped):
    """5,000 one-character values: only the written answer (~450 KB) passes."""
    query = "SELECT (1 AS ?x) WHERE { ?s ?p ?o } LIMIT 5000"
    status, _, body = get(capped.sparql, query, "application/sparql-results+json")
    assert status == 500 and b"--max-answer-bytes" in body


def test_serve_limits_answer_of_long_iris_over_cap_is_refused(capped):
    query = "SELECT ?s ?p ?o WHERE { GRAPH ?g { ?s ?p ?o } FILTER(!isLiteral(?o)) }"
    status, _, body = get(capped.sparql, query, "text/csv")
    assert status == 500 and b"--max-answer-bytes" in body


def test_serve_limits_answer_under_cap_still_answered(capped):
    """The same GROUP_CONCAT over fewer values fits, and the worker still serves."""
    assert get(capped.sparql, CONCAT, "text/csv")[0] == 500  # the worker lives on
    small = (
        f"SELECT (GROUP_CONCAT(?text) AS ?all) WHERE {{ {{ SELECT ?text WHERE "
        f"{{ ?s <{LONG}> ?text }} LIMIT 20 }} }}"
    )
    status, _, body = get(capped.sparql, small, "text/csv")
    assert status == 200, body[:200]
    assert 20_000 < len(body) <= ANSWER_CAP


def test_serve_limits_graph_answer_over_cap_is_refused(capped):
    query = f"CONSTRUCT {{ ?s <{LONG}> ?o }} WHERE {{ ?s <{LONG}> ?o }}"
    status, _, body = get(capped.sparql, query, "text/turtle")
    assert status == 500 and b"--max-answer-bytes" in body


# --- request bodies ----------------------------------------------------------


def _padded_query(size: int) -> bytes:
    """A form body of exactly ``size`` bytes holding a valid ASK query."""
    head = urlencode({"query": "ASK { ?s ?p ?o } #"}).encode()
    return head + b"x" * (size - len(head))


def test_serve_limits_body_over_cap_by_content_length(capped):
    status, headers, body = http(capped.sparql, _padded_query(REQUEST_CAP + 1))
    assert status == 413, body
    assert f"over {REQUEST_CAP} bytes" in body.decode()
    assert b"--max-request-bytes" in body and body.count(b"\n") == 1
    assert headers["Connection"] == "close"


def test_serve_limits_body_at_cap_is_read(capped):
    headers = {"Accept": "application/sparql-results+json"}
    status, _, body = http(capped.sparql, _padded_query(REQUEST_CAP), headers)
    assert status == 200 and b'"boolean"' in body


def test_serve_limits_update_over_cap_by_content_length(capped):
    text = f'INSERT DATA {{ GRAPH {A1} {{ {A1} {NOTE} "{"x" * REQUEST_CAP}" }} }}'
    headers = {
        "Content-Type": "application/sparql-update",
        "Authorization": f"Bearer {TOKEN}",
    }
    status, _, body = http(capped.url + "update", text.encode(), headers)
    assert status == 413 and b"--max-request-bytes" in body


def _chunked(server: Running, path: str, head: str, body: bytes, chunk: int) -> bytes:
    """The raw answer to a POST sent with Transfer-Encoding: chunked (no length)."""
    host, port = server.endpoint.http.server_address[:2]
    request = (
        f"POST {path} HTTP/1.1\r\nHost: {host}:{port}\r\n{head}"
        "Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    ).encode()
    for start in range(0, len(body), chunk):
        part = body[start : start + chunk]
        request += f"{len(part):x}\r\n".encode() + part + b"\r\n"
    request += b"0\r\n\r\n"
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(request)  # small: all of it fits the socket buffers
        return sock.makefile("rb").read()


@pytest.mark.parametrize(
    ("path", "head"),
    [
        ("/sparql", "Content-Type: application/x-www-form-urlencoded\r\n"),
        (
            "/update",
            "Content-Type: application/sparql-update\r\n"
            f"Authorization: Bearer {TOKEN}\r\n",
        ),
    ],
)
def test_serve_limits_body_over_cap_chunked_without_content_length(capped, path, head):
    answer = _chunked(capped, path, head, _padded_query(3 * REQUEST_CAP), 1000)
    assert answer.startswith(b"HTTP/1.1 413 "), answer[:200]
    head_lines = answer.split(b"\r\n\r\n")[0].lower().split(b"\r\n")
    assert b"connection: close" in head_lines  # the rest is never read
    assert b"--max-request-bytes" in answer


def test_serve_limits_chunked_body_under_cap_is_read(capped):
    head = (
        "Content-Type: application/x-www-form-urlencoded\r\n"
        "Accept: application/sparql-results+json\r\n"
    )
    answer = _chunked(capped, "/sparql", head, _padded_query(REQUEST_CAP), 500)
    assert answer.startswith(b"HTTP/1.1 200 ") and b'"boolean"' in answer


# --- the settings -------------------------------------------------------------


@pytest.mark.parametrize("name", ["max_answer_bytes", "max_request_bytes"])
def test_serve_limits_cap_below_minimum_is_refused(tmp_path, name):
    path = make_store(tmp_path / "store")
    settings = Settings(path, port=0, **{name: MIN_CAP_BYTES - 1})
    with pytest.raises(UsageError, match="--max-answer-bytes and --max-request"):
        Endpoint(settings)


def test_serve_limits_cli_defaults_are_the_settings_defaults():
    """kg serve --help shows the defaults Settings uses (64 MiB and 1 MiB)."""
    defaults = {param.name: param.default for param in serve_command.params}
    assert defaults["max_answer_bytes"] == DEFAULT_MAX_ANSWER_BYTES == 64 << 20
    assert defaults["max_request_bytes"] == DEFAULT_MAX_REQUEST_BYTES == 1 << 20
