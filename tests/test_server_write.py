"""kg serve --write-token: SPARQL Update at /update over real HTTP (urllib).

Every write must keep the store's invariant: the default graph is the set union
of the article graphs and the ontology graph (run records stay out of it).
"""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlencode

import pyoxigraph as ox
import pytest
from helpers.server import ZELENSKIY as ZELENSKIY_ENTITY
from helpers.server import Running, free_port, get, http, make_store
from helpers.server import ask as ask_json

from kg.errors import StoreError, UsageError
from kg.rdf.iris import entity_iri, is_run_iri
from kg.serve.server import Endpoint, Settings
from kg.store import open_store

pytestmark = pytest.mark.system

TOKEN = "kg-test-write-token-0123456789"
ID = "https://w3id.org/kg-events/id/"
A1, A2 = f"<{ID}article/a1>", f"<{ID}article/a2>"
ZELENSKIY = f"<{entity_iri(ZELENSKIY_ENTITY)}>"
LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"
HASH = "<https://w3id.org/kg-events/ontology#contentHash>"
NOTE = "<http://www.w3.org/2000/01/rdf-schema#comment>"
ALIAS = "<https://w3id.org/kg-events/ontology#alias>"
UPDATE = "application/sparql-update"


def _auth(token: str = TOKEN) -> dict[str, str]:
    return {"Content-Type": UPDATE, "Authorization": f"Bearer {token}"}


def post_update(server: Running, text: str, headers: dict | None = None) -> tuple:
    """Status and body of one POST /update (a direct application/sparql-update)."""
    status, _, body = http(server.url + "update", text.encode(), headers or _auth())
    return status, body.decode()


def insert(graph: str, triples: str) -> str:
    return f"INSERT DATA {{ GRAPH {graph} {{ {triples} }} }}"


def delete(graph: str, triples: str) -> str:
    return f"DELETE DATA {{ GRAPH {graph} {{ {triples} }} }}"


def snapshot(path: Path) -> tuple[frozenset, frozenset]:
    """(default-graph triples, union of the non-run named graphs) of the store."""
    with open_store(path, read_only=True) as store:
        union = frozenset(
            q.triple
            for q in store.ox.quads_for_pattern(None, None, None, ox.DefaultGraph())
        )
        named = frozenset(
            q.triple
            for q in store.ox.quads_for_pattern(None, None, None, None)
            if not isinstance(q.graph_name, ox.DefaultGraph)
            and not is_run_iri(q.graph_name.value)
        )
    return union, named


def assert_union_kept(path: Path) -> frozenset:
    union, named = snapshot(path)
    assert union == named, (union - named, named - union)
    return union


def ask(server: Running, pattern: str) -> bool:
    status, _, body = ask_json(server.sparql, f"ASK {{ {pattern} }}")
    assert status == 200, body
    return body.strip() == b"true"


def _serve(path: Path) -> Running:
    running = Running(Settings(path, port=0, workers=1, write_token=TOKEN))
    running.path = path
    return running


@pytest.fixture
def writable(tmp_path):
    """A fresh store served with a write token, for a test that changes it."""
    running = _serve(make_store(tmp_path / "store"))
    yield running
    running.stop()


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    """One write-enabled server for the tests of what must change nothing."""
    running = _serve(make_store(tmp_path_factory.mktemp("guarded") / "store"))
    yield running
    running.stop()


# --- what an authorised update does ------------------------------------------


@pytest.mark.parametrize("form", [False, True])
def test_server_write_insert_then_delete_keeps_union(writable, form):
    triple = f'{ZELENSKIY} {NOTE} "met the envoy"@en .'
    text = insert(A1, triple)
    if form:
        headers = _auth() | {"Content-Type": "application/x-www-form-urlencoded"}
        status, _, raw = http(
            writable.url + "update", urlencode({"update": text}).encode(), headers
        )
        body = raw.decode()
    else:
        status, body = post_update(writable, text)
    assert (status, body.strip()) == (
        200,
        f"{A1} replaced: 1 triple(s) added, 0 removed",
    )
    assert ask(writable, f'{ZELENSKIY} {NOTE} "met the envoy"@en')
    assert ask(writable, f'GRAPH {A1} {{ {ZELENSKIY} {NOTE} "met the envoy"@en }}')
    assert_union_kept(writable.path)
    assert post_update(writable, delete(A1, triple))[0] == 200
    assert not ask(writable, f"{ZELENSKIY} {NOTE} ?note")
    assert_union_kept(writable.path)


def test_server_write_shared_triple_leaves_union_with_last_graph(writable):
    """A triple two articles state stays in the union until both drop it.

    (An alias, not the label: an actor without a label breaks kgsh:Label.)
    """
    triple = f'{ZELENSKIY} {ALIAS} "Zelenskiy" .'
    assert post_update(writable, delete(A1, triple))[0] == 200
    assert ask(writable, triple.rstrip(" ."))
    assert not ask(writable, f"GRAPH {A1} {{ {triple.rstrip(' .')} }}")
    assert_union_kept(writable.path)
    assert post_update(writable, delete(A2, triple))[0] == 200
    assert not ask(writable, triple.rstrip(" ."))
    assert_union_kept(writable.path)


@pytest.mark.parametrize("spelling", ['"0.80"^^xsd:decimal', "0.8", "8.0e-1"])
def test_server_write_matches_stored_values_canonically(writable, spelling):
    """The stored confidence is "0.8"; equal decimals written otherwise delete it.

    The value is replaced (an event needs one kg:confidence): a double, which
    deletes nothing, leaves two, and the update is refused by the shapes.
    """
    query = f"SELECT ?e WHERE {{ GRAPH {A1} {{ ?e kg:confidence ?c }} }} LIMIT 1"
    event = get(writable.sparql, query, "text/csv")[2].split()[1].decode()
    text = delete(A1, f"<{event}> kg:confidence {spelling} .")
    text += " ; " + insert(A1, f"<{event}> kg:confidence 0.9 .")
    status, body = post_update(writable, text)
    if spelling == "8.0e-1":  # a double: not the stored decimal
        assert status == 400 and "kgsh:EventConfidence" in body, body
    else:
        assert status == 200 and "1 triple(s) added, 1 removed" in body, body
    assert_union_kept(writable.path)


def test_server_write_emptied_graph_removes_article(writable):
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {A2} {{ ?s ?p ?o }} }}"
    status, _, triples = get(writable.sparql, query, "application/n-triples")
    assert status == 200 and triples.count(b"\n") > 5
    status, body = post_update(writable, delete(A2, triples.decode()))
    assert status == 200 and body.startswith(f"{A2} removed"), body
    assert not ask(writable, f"GRAPH {A2} {{ ?s ?p ?o }}")
    union = assert_union_kept(writable.path)
    assert not any("Brigade" in str(t.object) for t in union)


def test_server_write_adds_new_article_and_records_history(writable):
    a3 = f"<{ID}article/a3>"
    text = insert(a3, f'{a3} {HASH} "abc123" . {a3} {LABEL} "Hand-entered" .')
    status, body = post_update(writable, text)
    assert status == 200 and body.startswith(f"{a3} added"), body
    assert ask(writable, f'{a3} {LABEL} "Hand-entered"')
    assert_union_kept(writable.path)
    runs = get(
        writable.sparql,
        "SELECT ?label WHERE { GRAPH ?g { ?run a kg:IngestRun ; rdfs:label ?label ;"
        f" kg:added {a3} }} }}",
        "text/csv",
    )[2]
    assert runs.splitlines()[1:] == [b"kg update"]


@pytest.mark.parametrize(
    ("change", "message"),
    [("delete", "0 kg:contentHash values"), ("add", "2 kg:contentHash values")],
)
def test_server_write_article_keeps_one_content_hash(guarded, change, message):
    query = f"SELECT ?h WHERE {{ GRAPH {A1} {{ {A1} {HASH} ?h }} }}"
    stored = get(guarded.sparql, query, "text/csv")[2].split()[1].decode()
    if change == "delete":
        text = delete(A1, f'{A1} {HASH} "{stored}" .')
    else:
        text = insert(A1, f'{A1} {HASH} "another" .')
    before = snapshot(guarded.path)
    status, body = post_update(guarded, text)
    assert (status, message in body) == (400, True), body
    assert snapshot(guarded.path) == before


# --- what is refused, even with the token -----------------------------------


X = f'{ZELENSKIY} {NOTE} "x" .'
WHERE_A1 = f"WHERE {{ GRAPH {A1} {{ ?s ?p ?o }} }}"
NOT_ARTICLE = "not an article graph"
REFUSED = [
    ("LOAD <http://example.org/data.ttl>", 403, "LOAD is not allowed"),
    (f"LOAD <http://example.org/d.ttl> INTO GRAPH {A1}", 403, "LOAD is not allowed"),
    (
        "INSERT { ?s ?p ?o } WHERE { SERVICE <http://example.org/q> { ?s ?p ?o } }",
        403,
        "SERVICE is not allowed",
    ),
    (f"INSERT DATA {{ {X} }}", 403, "default graph"),
    (f'DELETE DATA {{ {ZELENSKIY} {LABEL} "Volodymyr Zelenskiy" }}', 403, "default"),
    ("DELETE WHERE { ?s ?p ?o }", 403, "DELETE WHERE is not allowed"),
    (f"DELETE {{ GRAPH {A1} {{ ?s ?p ?o }} }} {WHERE_A1}", 403, "DELETE ... WHERE"),
    ("DROP ALL", 403, "DROP is not allowed"),
    (f"DROP GRAPH {A1}", 403, "DROP is not allowed"),
    ("CLEAR DEFAULT", 403, "CLEAR is not allowed"),
    (f"COPY {A1} TO {A2}", 403, "COPY is not allowed"),
    (insert("<https://w3id.org/kg-events/ontology>", X), 403, NOT_ARTICLE),
    (insert(f"<{ID}run/20261126T101500.123456Z>", X), 400, "run history"),
    (insert("<urn:kg:other>", X), 403, NOT_ARTICLE),
    (insert(f"<{ID}article/a1/x>", X), 403, NOT_ARTICLE),
    (f"{insert(A1, X)} ; {insert(A2, X)}", 400, "one update per article graph"),
    (insert(A1, f"{ZELENSKIY} {NOTE} _:note ."), 400, "_:"),
    (delete(A1, "?s ?p ?o ."), 400, "?s is not allowed"),
    (insert(A1, f'"Zelenskiy" {NOTE} "x" .'), 400, "A literal cannot be a subject"),
    ("INSERT DATA { GRAPH ?g { <urn:a> <urn:b> <urn:c> } }", 400, "by IRI"),
    ("INSERT DATA { GRAPH <urn:kg:x> { <urn:a> <urn:b> ", 400, "cannot be read"),
    ("SELECT * WHERE { ?s ?p ?o }", 400, "cannot be read"),
]


@pytest.mark.parametrize(("text", "status", "message"), REFUSED)
def test_server_write_refuses_what_would_break_the_store(
    guarded, text, status, message
):
    before = assert_union_kept(guarded.path)
    got, body = post_update(guarded, text)
    assert (got, message in body) == (status, True), body
    assert assert_union_kept(guarded.path) == before


@pytest.mark.parametrize(
    "authorization",
    [
        None,
        "Bearer wrong-token-0123456789abc",
        f"Bearer {TOKEN}x",
        f"Bearer {TOKEN[:-1]}",
        f"Basic {TOKEN}",
        TOKEN,
        "Bearer ",
    ],
)
def test_server_write_needs_the_token(guarded, authorization):
    headers = {"Content-Type": UPDATE}
    if authorization is not None:
        headers["Authorization"] = authorization
    before = snapshot(guarded.path)
    status, response_headers, body = http(
        guarded.url + "update", insert(A1, f'{A1} {NOTE} "x" .').encode(), headers
    )
    assert status == 401 and b"Authorization: Bearer" in body
    assert response_headers["WWW-Authenticate"].startswith('Bearer realm="kg serve"')
    assert snapshot(guarded.path) == before


@pytest.mark.parametrize("scheme", ["bearer", "BEARER"])
def test_server_write_scheme_is_case_insensitive(writable, scheme):
    headers = _auth() | {"Authorization": f"{scheme} {TOKEN}"}
    assert post_update(writable, insert(A1, f'{A1} {NOTE} "x" .'), headers)[0] == 200


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("?update=INSERT%20DATA%20%7B%7D", 400),
        ("?using-graph-uri=urn:x", 400),
        ("?query=ASK%7B%7D", 400),
    ],
)
def test_server_write_refuses_query_string_parameters(guarded, query, status):
    url = guarded.url + "update" + query
    got, _, _ = http(url, insert(A1, f'{A1} {NOTE} "x" .').encode(), _auth())
    assert got == status


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (f"WITH {A1} DELETE {{ ?s {NOTE} ?o }} WHERE {{ ?s {NOTE} ?o }}", "twice"),
        (insert(A1, f'{A1} {NOTE} "USING WITH <x>" .'), "nothing else"),
    ],
)
def test_server_write_dataset_named_twice_is_its_own_400(guarded, text, message):
    """using-graph-uri beside USING/WITH is refused for that (W3C dataset_conflict)."""
    url = guarded.url + "update?using-named-graph-uri=http%3A%2F%2Fexample%2Fpeople"
    status, _, body = http(url, text.encode(), _auth())
    assert status == 400 and message in body.decode()


@pytest.mark.parametrize(
    ("method", "status"), [("GET", 405), ("PUT", 405), ("DELETE", 405)]
)
def test_server_write_update_is_post_only(guarded, method, status):
    got, headers, _ = http(guarded.url + "update", None, _auth(), method=method)
    assert got == status and headers["Allow"] == "POST"


def test_server_write_sparql_path_stays_read_only(guarded):
    status, _, body = http(
        guarded.sparql, insert(A1, f'{A1} {NOTE} "x" .').encode(), _auth()
    )
    assert status == 403 and b"/update" in body


def test_server_write_slow_update_is_stopped_and_writer_recovers(tmp_path):
    path = make_store(tmp_path / "store")
    running = Running(Settings(path, port=0, workers=1, timeout=1, write_token=TOKEN))
    try:
        before = snapshot(path)
        rows = "".join(f'<urn:kg:s{i}> {NOTE} "row {i}" .\n' for i in range(6000))
        status, body = post_update(running, insert(A1, rows))
        assert status == 503 and "longer than 1 s" in body
        assert snapshot(path) == before
        status, body = post_update(running, insert(A1, f'{A1} {NOTE} "after" .'))
        assert status == 200, body
    finally:
        running.stop()


def test_server_write_holds_the_store_lock(writable):
    with pytest.raises(StoreError, match="another kg process is using it"):
        open_store(writable.path)


def test_server_write_cannot_start_beside_another_writer(tmp_path):
    path = make_store(tmp_path / "store")
    with open_store(path):  # an ingest running on the store
        with pytest.raises(StoreError, match="another kg process is using it"):
            Endpoint(Settings(path, port=0, workers=1, write_token=TOKEN)).__enter__()


# --- the token itself --------------------------------------------------------


@pytest.mark.parametrize(
    ("token", "message"),
    [
        ("", "has 0 characters"),
        ("fifteen-chars-x", "has 15 characters"),
        ("sixteen chars with spaces", "only letters, digits"),
        ("é" * 20, "only letters, digits"),
    ],
)
def test_server_write_bad_token_refused(tmp_path, token, message):
    path = make_store(tmp_path / "store")
    with pytest.raises(UsageError, match=message) as raised:
        Endpoint(Settings(path, port=0, write_token=token))
    if token:
        assert token not in str(raised.value)


def test_server_write_settings_repr_hides_token(tmp_path):
    assert TOKEN not in repr(Settings(tmp_path, write_token=TOKEN))


@pytest.mark.parametrize("token", ["short-token"])
def test_server_write_cli_refuses_short_token(tmp_path, token):
    path = make_store(tmp_path / "store")
    result = subprocess.run(
        [sys.executable, "-m", "kg", "serve", "--store", str(path), "--port", "0"],
        capture_output=True,
        timeout=60,
        env={**os.environ, "KG_SERVE_WRITE_TOKEN": token},
    )
    assert result.returncode == 2
    assert b"use at least 16" in result.stderr
    assert token.encode() not in result.stdout + result.stderr


def test_server_write_cli_env_token_works_and_is_never_logged(tmp_path):
    path = make_store(tmp_path / "store")
    command = [sys.executable, "-m", "kg", "-vv", "serve", "--store", str(path)]
    process = subprocess.Popen(
        [*command, "--port", str(free_port())],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        env={**os.environ, "PYTHONUNBUFFERED": "1", "KG_SERVE_WRITE_TOKEN": TOKEN},
    )
    try:
        line = process.stdout.readline().decode()
        base = re.search(r"at (http://127\.0\.0\.1:\d+/)", line).group(1)
        update = insert(A1, f'{A1} {NOTE} "via the command" .').encode()
        assert http(base + "update", update, _auth())[0] == 200
        assert http(base + f"update?access_token={TOKEN}", update, _auth())[0] == 400
        assert http(base + "update", update, _auth(TOKEN + "x"))[0] == 401
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=15) == 0
        out, err = process.stdout.read(), process.stderr.read()
    finally:
        process.kill()
        process.wait()
    assert b'"POST /update" 200' in err and b'"POST /update" 401' in err
    assert TOKEN.encode() not in line.encode() + out + err
