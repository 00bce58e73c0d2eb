"""What kg serve must never do, over real HTTP against real servers.

Serve a file (path traversal in every spelling; kg serve has no asset folder),
write without the token, reach the network (LOAD, SERVICE), listen beyond
loopback by default, or run a query without bounds. Requests whose exact bytes
matter go over a raw socket, because urllib would normalise the path first.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
from helpers.server import EXPENSIVE, Running, ask, get, http, make_store

from kg.serve.server import DEFAULT_HOST, Settings

pytestmark = pytest.mark.system

TOKEN = "kg-security-token-0123456789"
SECRET = "kg-secret-marker-7f3a"
A1 = "<https://w3id.org/kg-events/id/article/a1>"
FORM = "application/x-www-form-urlencoded"
INSERT = f'INSERT DATA {{ GRAPH {A1} {{ {A1} <urn:kg:note> "x" }} }}'


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("security") / "store")


@pytest.fixture(scope="module")
def read_only(store_path):
    running = Running(Settings(store_path, port=0, workers=1, timeout=1, max_rows=3))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def with_token(store_path):
    settings = Settings(
        store_path, port=0, workers=1, timeout=1, max_rows=3, write_token=TOKEN
    )
    running = Running(settings)
    yield running
    running.stop()


@pytest.fixture(params=["read_only", "with_token"])
def server(request):
    """Each test below runs against a read-only and a write-enabled server."""
    return request.getfixturevalue(request.param)


def raw(server: Running, target: str, method: str = "GET") -> tuple[int, bytes]:
    """Status and whole response of one request line sent byte for byte."""
    host, port = server.endpoint.http.server_address[:2]
    head = f"{method} {target} HTTP/1.1\r\nHost: {host}:{port}\r\nConnection: close\r\n"
    with socket.create_connection((host, port), timeout=30) as sock:
        sock.sendall(head.encode("latin-1") + b"\r\n")
        answer = sock.makefile("rb").read()
    return int(answer.split(b" ", 2)[1]), answer


# --- no file is ever served -------------------------------------------------------


@pytest.fixture
def planted(tmp_path, store_path, monkeypatch) -> Path:
    """Secret files where a traversal would look: cwd, beside the store, a symlink.

    Returns:
        The absolute path of the secret beside the store.
    """
    monkeypatch.chdir(tmp_path)
    secret = store_path.parent / "secret.txt"
    for place in (tmp_path / "secret.txt", secret):
        place.write_text(SECRET, encoding="utf-8")
    (tmp_path / "linked").symlink_to(secret)
    return secret


# {abs} is the absolute path of a planted secret; {qabs} the same, %-encoded.
TARGETS = [
    "/secret.txt",
    "/linked",
    "/../secret.txt",
    "/../../../../../../etc/passwd",
    "/%2e%2e/secret.txt",
    "/%2e%2e/%2e%2e/%2e%2e/etc/passwd",
    "/%2e%2e%2fsecret.txt",
    "/..%2f..%2f..%2fetc%2fpasswd",
    "/%252e%252e%252fsecret.txt",
    "/..%c0%afsecret.txt",
    "/sparql/../secret.txt",
    "/sparql/..%2fsecret.txt",
    "/sparql%2f..%2fsecret.txt",
    "/update/../secret.txt",
    "/./secret.txt",
    "//etc/passwd",
    "/%2fetc%2fpasswd",
    "/..\\..\\secret.txt",
    "/%5c..%5csecret.txt",
    "/secret.txt%00.html",
    "{abs}",
    "/{qabs}",
    "file://{abs}",
    "http://127.0.0.1{abs}",
    "../secret.txt",
    "secret.txt",
    "/store/secret.txt",
    "/lib/vis-9.1.2/vis-network.min.js",
    "/view.html",
    "/favicon.ico",
    "*",
]


@pytest.mark.parametrize("target", TARGETS)
def test_server_security_no_path_reaches_a_file(server, planted, target):
    target = target.format(abs=planted, qabs=quote(str(planted), safe=""))
    status, answer = raw(server, target)
    assert status in (400, 404), answer[:300]
    assert SECRET.encode() not in answer and b"root:x:" not in answer


@pytest.mark.parametrize("path", ["/", "/view", "/sparql"])
def test_server_security_pages_load_no_assets(server, path):
    """The pages inline everything: no asset URL that would have to map to a file."""
    status, headers, body = http(server.url.rstrip("/") + path)
    page = body.decode("utf-8")
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    # Tags spelled inside inlined code (YASGUI's jQuery has some) are not tags.
    page = re.sub(r"(<script\b[^>]*>).*?(</script>)", r"\1\2", page, flags=re.I | re.S)
    tags = re.findall(r"<(?:script|link|img|iframe|source)\b[^>]*>", page, re.I)
    assert not [t for t in tags if re.search(r"\b(?:src|href)\s*=", t, re.I)], tags
    assert "default-src 'none'" in headers["Content-Security-Policy"]


# --- no write without the token ------------------------------------------------------


@pytest.mark.parametrize(
    ("body", "content_type"),
    [
        (INSERT.encode(), "application/sparql-update"),
        (urlencode({"update": INSERT}).encode(), "application/x-www-form-urlencoded"),
    ],
)
def test_server_security_update_path_is_read_only_without_token(
    read_only, body, content_type
):
    headers = {"Content-Type": content_type, "Authorization": f"Bearer {TOKEN}"}
    status, _, answer = http(read_only.url + "update", body, headers)
    assert status == 403
    assert b"read-only" in answer and b"--write-token" in answer
    noted = f"ASK {{ {A1} <urn:kg:note> ?x }}"
    assert ask(read_only.sparql, noted)[2] == b"false"


@pytest.mark.parametrize(
    ("query", "data", "content_type"),
    [
        (INSERT, None, None),
        ("LOAD <http://example.org/data.ttl>", None, None),
        ("SELECT * WHERE { SERVICE <http://example.org/q> { ?s ?p ?o } }", None, None),
        (None, INSERT.encode(), "application/sparql-update"),
        (None, urlencode({"update": INSERT}).encode(), FORM),
        (None, urlencode({"query": "LOAD <http://example.org/>"}).encode(), FORM),
    ],
)  # fmt: skip
def test_server_security_sparql_refuses_updates_load_service(
    server, query, data, content_type
):
    """/sparql never writes nor reaches the network, token or no token."""
    headers = {"Authorization": f"Bearer {TOKEN}"}
    if query is not None:
        status, _, body = http(
            f"{server.sparql}?{urlencode({'query': query})}", headers=headers
        )
    else:
        headers["Content-Type"] = content_type
        status, _, body = http(server.sparql, data, headers)
    assert status == 403, body
    assert b"read-only" in body or b"not allowed" in body
    noted = f"ASK {{ {A1} <urn:kg:note> ?x }}"
    assert ask(server.sparql, noted)[2] == b"false"


@pytest.mark.parametrize("method", ["OPTIONS", "GET", "PUT"])
def test_server_security_no_cross_origin_door_to_update(server, method):
    """A browser page cannot preflight its way to /update (no CORS, no GET)."""
    status, headers, _ = http(
        server.url + "update",
        None,
        {"Origin": "http://evil.example", "Access-Control-Request-Method": "POST"},
        method=method,
    )
    assert status == 405 and headers["Allow"] == "POST"
    assert not any(name.lower().startswith("access-control") for name in headers)


# --- where it listens, and how long and how much it answers -----------------------


def test_server_security_binds_loopback_by_default(store_path):
    assert DEFAULT_HOST == "127.0.0.1" and Settings(store_path).host == DEFAULT_HOST
    running = Running(Settings(store_path, port=0, workers=1))
    try:
        assert running.endpoint.http.server_address[0] == "127.0.0.1"
    finally:
        running.stop()
    helped = subprocess.run(
        [sys.executable, "-m", "kg", "serve", "--help"],
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert re.search(
        r"--host TEXT .*\[default: 127\.0\.0\.1\]", " ".join(helped.stdout.split())
    )


def test_server_security_query_time_is_bounded(server):
    started = time.monotonic()
    status, _, body = get(server.sparql, EXPENSIVE)
    assert status == 503 and b"longer than 1 s" in body
    assert time.monotonic() - started < 5
    status, _, body = ask(server.sparql, "ASK { ?e a kg:Event }")
    assert (status, body.strip()) == (200, b"true")


@pytest.mark.parametrize(
    "query",
    ["SELECT ?s WHERE { ?s ?p ?o }", "CONSTRUCT WHERE { ?s ?p ?o }"],
)
def test_server_security_result_size_is_bounded(server, query):
    status, headers, body = get(server.sparql, query, "text/csv, application/n-triples")
    assert status == 200 and headers["X-SPARQL-MaxRows"] == "3"
    lines = body.decode().strip().splitlines()
    assert len(lines) == (4 if query.startswith("SELECT") else 3)
