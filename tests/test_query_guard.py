"""The SERVICE refusal fails closed: checked against what Oxigraph really does.

A local listener stands in for an internal service. Every query the check lets
through is run for real on an Oxigraph store, and the listener must never be
reached. Known bypasses (an IRI holding an escape and a '#', letters glued to the
keyword, '<' read as an IRI) are refused by `kg query` (exit 2, one line) and by
`kg serve` (403), with no outbound connection.
"""

from __future__ import annotations

import re
import socket
import subprocess
import sys
import threading
from pathlib import Path
from urllib.parse import urlencode

import pytest
from helpers.server import Running, http, make_store
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from kg.errors import QueryError
from kg.query import execute
from kg.query.guard import check_read_only, decode_escapes
from kg.serve.server import Settings
from kg.store import open_store


class Listener:
    """A TCP port on 127.0.0.1 that counts the connections it receives."""

    def __init__(self) -> None:
        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(64)
        self.port = self.sock.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}/internal"
        self.connections = 0
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while True:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.connections += 1
            conn.close()

    def close(self) -> None:
        self.sock.close()


@pytest.fixture(scope="module")
def listener():
    listening = Listener()
    yield listening
    listening.close()


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    return make_store(tmp_path_factory.mktemp("guard") / "store")


@pytest.fixture(scope="module")
def guard_store(store_path):
    with open_store(store_path, read_only=True) as opened:
        yield opened


# Each hides or spells SERVICE differently; {url} is the listener.
VARIANTS = [
    r"SELECT ?a WHERE { BIND(<http://x/\u0041#> AS ?z) SERVICE <{url}> { ?a ?b ?c } }",
    r"SELECT ?a WHERE { BIND(<http://x/\U00000041#> AS ?z) SERVICE <{url}> {?a ?b ?c}}",
    "SELECT * WHERE { ?s ?p trueSERVICE <{url}> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p 1SERVICE <{url}> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p ?o . service silent <{url}> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p ?o . SeRvIcE<{url}>{?a ?b ?c} }",
    "SELECT * WHERE { ?s ?p <http://x/'> SERVICE <{url}> { ?a ?b ?c } "
    "FILTER(?o != '') }",
    "SELECT * WHERE { ?s ?p ?o FILTER(?o<'x>') SERVICE <{url}> { ?a ?b ?c } "
    "FILTER('' != ' ') }",
    "PREFIX ex: <http://e/> SELECT * WHERE { ?s ?p ex:a\\' SERVICE <{url}> "
    "{ ?a ?b ?c } ?s ?p 'x' }",
    'SELECT * WHERE { ?s ?p "#" . SERVICE <{url}> { ?a ?b ?c } }',
    "SELECT * WHERE { # don't\n SERVICE <{url}> { ?a ?b ?c } # it's\n }",
    'SELECT * WHERE { ?s ?p """a "quoted" #hash""" . SERVICE <{url}> { ?a ?b ?c } }',
    "SELECT * WHERE { { OPTIONAL { { SERVICE <{url}> { ?a ?b ?c } } } } }",
    r"SELECT * WHERE { ?s ?p ?o . SERV\u0049CE <{url}> { ?a ?b ?c } }",
    r"SELECT * WHERE { ?s ?p <http://x/\u0022> SERVICE <{url}> { ?a ?b ?c } }",
    "SELECT * WHERE { ?s ?p ?o } # SERVICE <{url}> in a comment",
    "SELECT * WHERE { ?s a <http://x/SERVICE> }",
]


def _fill(template: str, url: str) -> str:
    return template.replace("{url}", url)


@pytest.mark.parametrize("template", VARIANTS)
def test_query_guard_refuses_known_bypasses(listener, guard_store, template):
    before = listener.connections
    with pytest.raises(QueryError) as err:
        execute(guard_store, _fill(template, listener.url))
    assert "refused" in str(err.value) and "\n" not in str(err.value)
    assert err.value.exit_code == 2
    assert listener.connections == before


def test_query_guard_listener_sees_an_unchecked_service(listener, guard_store):
    """The listener is real: Oxigraph reaches it when the check is not asked."""
    before = listener.connections
    query = _fill(VARIANTS[0], listener.url)
    with pytest.raises(OSError):
        list(guard_store.query(query))
    assert listener.connections > before


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?e WHERE { ?e kg:trigger "customer SERVICE desk" }',
        "SELECT ?load ?service WHERE { ?load rdfs:label ?service }",
        "SELECT ?e WHERE { ?e kg:trigger '''LOAD and SERVICE # not code''' }",
        "SELECT ?a WHERE { ?a kg:name ?n FILTER(?n < 'm' && CONTAINS(?n, 'x')) }",
    ],
)
def test_query_guard_allows_words_in_strings_and_variables(guard_store, query):
    assert execute(guard_store, query).kind == "select"


def test_query_guard_decodes_escapes_and_refuses_non_characters():
    assert decode_escapes(r"<http://x/\u0041\U0001F600>") == "<http://x/A\U0001f600>"
    with pytest.raises(QueryError, match=r"names no character"):
        check_read_only(r"SELECT * WHERE { ?s ?p '\uD800' }")


def test_query_guard_refusal_suggests_building_the_iri(guard_store):
    with pytest.raises(QueryError) as err:
        execute(guard_store, "SELECT ?s WHERE { ?s a <http://schema.org/Service> }")
    assert 'BIND(IRI("http://' in str(err.value)


# --- differential: whatever passes the check never reaches the network ----------

_SPELLINGS = ["SERVICE", "service", "SeRvIcE", r"SERV\u0049CE", r"\u0053ERVICE"]
_GLUE = ["", " ", ".", " . ", "true", "1", ")", "\n", "1.5e3", "}"]
# Where the call may sit: bare, or inside a string of each kind (then it is text).
_WRAPPERS = ["", "", '"', "'", '"""', "'''"]
# Well-formed pieces of a group pattern that hold lexical traps.
_PIECES = [
    r"FILTER(?o != <http://x/\u0041#>)",
    "FILTER(?o != <http://x/'>)",
    r"FILTER(?o != <http://x/\u0022>)",
    "# a comment with ' and \" in it\n",
    "# don't\n",
    'FILTER(?o != "#")',
    "FILTER(?o != 'it\\'s')",
    'FILTER(?o != """long "x" # y""")',
    "FILTER(?o < 'x>')",
    "FILTER(?o != '' && ?o != ' ')",
    "?s ex:a\\'b ?o .",
    "?s ex:a\\#b ?o .",
    "OPTIONAL { ?s ?p ?x }",
    "{ ?s ?p ?o } UNION { ?s ?p ?o }",
    "FILTER(?o != ?service)",
]
# Broken pieces: unbalanced quotes, brackets and escapes.
_TRAPS = ["'", '"', "<", ">", "\\", "#", "OPTIONAL {", "}", r"<http://x/\u003E>"]


@st.composite
def queries(draw, url: str) -> str:
    """A query with a SERVICE call, bare or in a string, among lexical traps."""
    noise = st.one_of(st.sampled_from(_PIECES), st.sampled_from(_TRAPS))
    pieces = st.sampled_from(_PIECES)
    before = draw(st.lists(draw(st.sampled_from([pieces, noise])), max_size=4))
    after = draw(st.lists(draw(st.sampled_from([pieces, noise])), max_size=4))
    glue = draw(st.sampled_from(_GLUE))
    spelling = draw(st.sampled_from(_SPELLINGS))
    silent = draw(st.sampled_from(["", " SILENT"]))
    call = f"{glue}{spelling}{silent} <{url}> {{ ?a ?b ?c }}"
    quote = draw(st.sampled_from(_WRAPPERS))
    if quote:
        call = f"FILTER(?o != {quote}{call}{quote})"
    body = " ".join([*before, call, *after])
    return f"PREFIX ex: <http://e/> SELECT * WHERE {{ ?s ?p ?o {body} }}"


@pytest.mark.system  # a Hypothesis fuzz test: 400 examples, each run for real
def test_query_guard_differential_never_lets_a_connection_through(
    listener, guard_store
):
    """Hypothesis builds trap-laden queries; any that pass are run for real."""
    passed: list[str] = []

    @settings(
        max_examples=400,
        deadline=None,
        database=None,
        suppress_health_check=[HealthCheck.too_slow],
    )
    @given(queries(listener.url))
    def check(query: str) -> None:
        try:
            check_read_only(query)
        except QueryError:
            return
        passed.append(query)
        before = listener.connections
        try:
            result = guard_store.query(query)
            if not isinstance(result, bool):
                list(result)
        except (SyntaxError, OSError, RuntimeError, ValueError):
            pass
        assert listener.connections == before, query

    check()
    # Some trap-laden queries hide the call in a string for every reading; those
    # pass and run, so the property above is exercised, not vacuous.
    assert passed


# --- the same refusals through the command line and the endpoint ----------------


@pytest.fixture(scope="module")
def server(store_path):
    running = Running(Settings(store_path, port=0, workers=1, timeout=5))
    yield running
    running.stop()


@pytest.mark.parametrize("template", VARIANTS)
def test_query_guard_endpoint_answers_403(listener, server, template):
    before = listener.connections
    query = _fill(template, listener.url)
    status, _, body = http(f"{server.sparql}?{urlencode({'query': query})}")
    assert status == 403, body
    assert b"refused" in body
    assert listener.connections == before


@pytest.mark.parametrize("template", VARIANTS[:6])
def test_query_guard_kg_query_exits_2_with_one_line(listener, store_path, template):
    before = listener.connections
    query = _fill(template, listener.url)
    result = subprocess.run(
        [sys.executable, "-m", "kg", "query", query, "--store", str(store_path)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "refused" in lines[0], result.stderr
    assert listener.connections == before


# The scanner reads a run of plain characters as one token (for speed); the
# blanked text must be exactly what one token per character gives.
_TOKENS = st.sampled_from(
    list("\"'?$<>#\\ \n\rabxSERVICEload:{}.u0é")
    + ['"""', "'''", "\\u0022", "<http://a>", "?service", "SERVICE", "LOAD"]
)


@settings(max_examples=2000, deadline=None)
@given(st.lists(_TOKENS, max_size=40).map("".join))
def test_query_guard_plain_runs_blank_as_single_characters(text):
    from kg.query import guard

    def one_char_tokens(with_iris: bool) -> re.Pattern[str]:
        iri = f"|{guard._IRI}" if with_iris else ""
        return re.compile(
            rf"(?P<s>{guard._STRINGS})|(?P<v>{guard._VARIABLE}){iri}|#[^\n\r]*|\\.|.",
            re.DOTALL,
        )

    for pattern, with_iris in ((guard._WITH_IRIS, True), (guard._WITHOUT_IRIS, False)):
        reference = "".join(
            re.sub(r"[^\n]", " ", m.group()) if m.lastgroup in ("s", "v") else m.group()
            for m in one_char_tokens(with_iris).finditer(text)
        )
        assert guard._blank(text, pattern) == reference
