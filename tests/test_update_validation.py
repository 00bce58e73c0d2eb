"""/update checks a change before writing it: shapes, kg:quadClass, run history.

Over real HTTP against a real store. A refused update must leave the store as
it was, byte for byte (an N-Quads dump of every graph, the run records too: a
refused update records no run).
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers.server import ZELENSKIY as ZELENSKIY_ENTITY
from helpers.server import Running, get, http, make_store
from rdflib import URIRef

from kg import __version__
from kg.rdf.iris import entity_iri, is_run_iri
from kg.serve.server import Settings
from kg.store import open_store

pytestmark = pytest.mark.system

TOKEN = "kg-test-write-token-0123456789"
ID = "https://w3id.org/kg-events/id/"
A1 = f"<{ID}article/a1>"
ZELENSKIY = f"<{entity_iri(ZELENSKIY_ENTITY)}>"
NOTE = "rdfs:comment"
AGENT = f"<{ID}agent/kg/{__version__}>"


def post_update(server: Running, text: str) -> tuple[int, str]:
    headers = {
        "Content-Type": "application/sparql-update",
        "Authorization": f"Bearer {TOKEN}",
    }
    status, _, body = http(server.url + "update", text.encode(), headers)
    return status, body.decode()


def insert(graph: str, triples: str) -> str:
    return f"INSERT DATA {{ GRAPH {graph} {{ {triples} }} }}"


def delete(graph: str, triples: str) -> str:
    return f"DELETE DATA {{ GRAPH {graph} {{ {triples} }} }}"


def dump(path: Path) -> bytes:
    """Every quad of the store (default graph, articles, runs) as N-Quads."""
    with open_store(path, read_only=True) as store:
        return store.ox.dump(format=ox.RdfFormat.N_QUADS)


def union_is_the_article_graphs(path: Path) -> bool:
    """The store's invariant: default graph == union of the non-run named graphs."""
    with open_store(path, read_only=True) as store:
        quads = list(store.ox.quads_for_pattern(None, None, None, None))
    union = {q.triple for q in quads if isinstance(q.graph_name, ox.DefaultGraph)}
    named = {
        q.triple
        for q in quads
        if isinstance(q.graph_name, ox.NamedNode) and not is_run_iri(q.graph_name.value)
    }
    return union == named


def run_iris(server: Running) -> list[str]:
    query = "SELECT ?run WHERE { GRAPH ?run { ?run a kg:IngestRun } } ORDER BY ?run"
    return get(server.sparql, query, "text/csv")[2].decode().split()[1:]


@pytest.fixture
def writable(tmp_path):
    path = make_store(tmp_path / "store")
    running = Running(Settings(path, port=0, workers=1, write_token=TOKEN))
    running.path = path
    yield running
    running.stop()


@pytest.fixture
def with_run(writable):
    """The served store after one accepted update, so a run graph exists."""
    assert post_update(writable, insert(A1, f'{A1} {NOTE} "first" .'))[0] == 200
    return writable


def assert_refused(server: Running, text: str, *parts: str) -> str:
    """The update gets 400 with a one-line reason holding ``parts``; no change."""
    before = dump(server.path)
    status, body = post_update(server, text)
    assert status == 400, body
    assert body.count("\n") == 1, body
    for part in parts:
        assert part in body, body
    assert dump(server.path) == before
    return body


# --- shapes ---------------------------------------------------------------------


def test_update_validation_quad_class_9_refused(writable):
    """The update that once made kg viz and GraphML fail with KeyError: 9."""
    body = assert_refused(
        writable,
        insert(A1, "cameo:01 kg:quadClass 9 ."),
        "kgsh:QuadClass",
        "cameo:01 kg:quadClass 9",
        "from 1 to 4",
    )
    assert "nothing was changed" in body
    assert run_iris(writable) == []  # not even a run was recorded


@pytest.mark.parametrize("value", ['"2"', "0", "2.5"])
def test_update_validation_quad_class_not_an_integer_1_to_4_refused(writable, value):
    assert_refused(writable, insert(A1, f"cameo:01 kg:quadClass {value} ."), "kgsh:")


@pytest.mark.parametrize(
    ("triples", "shape", "value"),
    [
        (f'{ZELENSKIY} kg:countryCode "ukr" .', "kgsh:CountryCode", "'ukr'"),
        (f"{ZELENSKIY} kg:latitude 91.0 .", "kgsh:Latitude", "kg:latitude 91"),
        (f'{A1} kg:title "Second title" .', "kg:title", "article/a1"),
    ],
)
def test_update_validation_shape_violation_refused(writable, triples, shape, value):
    assert_refused(writable, insert(A1, triples), shape, value)


def test_update_validation_removing_a_required_value_refused(writable):
    """An actor without a label breaks kgsh:Label: DELETE DATA is checked too."""
    label = f'{ZELENSKIY} rdfs:label "Volodymyr Zelenskiy" .'
    assert_refused(writable, delete(A1, label), "kgsh:Label", "rdfs:label")


def test_update_validation_only_new_violations_count(tmp_path):
    """A graph stored already breaking a shape stays editable; new breaks are not."""
    path = make_store(tmp_path / "store")
    code = ox.NamedNode("https://w3id.org/kg-events/ontology#countryCode")
    bad = ox.Triple(ox.NamedNode(ZELENSKIY.strip("<>")), code, ox.Literal("ua"))
    rewrite_a1(path, bad)
    running = Running(Settings(path, port=0, workers=1, write_token=TOKEN))
    running.path = path
    try:
        status, body = post_update(running, insert(A1, f'{A1} {NOTE} "fine" .'))
        assert status == 200, body
        assert_refused(
            running, insert(A1, f"{ZELENSKIY} kg:latitude 91.0 ."), "kgsh:Latitude"
        )
    finally:
        running.stop()


def rewrite_a1(path: Path, *extra: ox.Triple) -> None:
    """Store article a1 again with ``extra`` triples, as an older kg might have."""
    article = URIRef(A1.strip("<>"))
    with open_store(path) as store:
        name = ox.NamedNode(str(article))
        triples = [q.triple for q in store.quads_for_pattern(None, None, None, name)]
        content_hash = store.article_hash(article)
        assert content_hash is not None
        store.put_article(article, [*triples, *extra], content_hash, force=True)


# --- run history ----------------------------------------------------------------


def test_update_validation_run_graph_update_refused(with_run):
    run = f"<{run_iris(with_run)[0]}>"
    assert_refused(with_run, insert(run, f'{run} {NOTE} "edited" .'), "run history")
    assert_refused(
        with_run,
        delete(run, f"{run} a kg:IngestRun ."),
        "run history",
        "never rewritten by hand",
    )


@pytest.mark.parametrize(
    "triples",
    [
        f"{AGENT} a prov:SoftwareAgent .",  # states what a run graph states
        "<RUN> a kg:IngestRun .",  # about a run
        f"<RUN/revision/a1> kg:revisedArticle {A1} .",  # about a revision
        f"{A1} prov:wasGeneratedBy <RUN> .",  # a link only a run writes
    ],
)
def test_update_validation_restating_run_history_in_an_article_refused(
    with_run, triples
):
    text = insert(A1, triples.replace("RUN", run_iris(with_run)[0]))
    assert_refused(with_run, text, "run history")
    assert union_is_the_article_graphs(with_run.path)


def test_update_validation_run_triple_cannot_leak_into_the_union(with_run):
    """Once accepted, inserting then deleting a run triple left it in the union.

    The union's upkeep keeps a triple while any other graph states it, and run
    graphs are graphs: the run history then showed in the default graph with
    no article stating it. Now the insert is refused and the union stays exact.
    """
    triple = f"{AGENT} a prov:SoftwareAgent ."
    post_update(with_run, insert(A1, triple))
    post_update(with_run, delete(A1, triple))
    assert union_is_the_article_graphs(with_run.path)
    count = "SELECT (COUNT(*) AS ?n) WHERE { ?agent a prov:SoftwareAgent }"
    assert get(with_run.sparql, count, "text/csv")[2].split()[1] == b"0"


# --- what still works -------------------------------------------------------------


def test_update_validation_valid_update_applied_and_recorded_as_run(writable):
    text = insert(A1, f'{ZELENSKIY} kg:alias "Zelensky" . {A1} {NOTE} "checked" .')
    status, body = post_update(writable, text)
    assert (status, body.strip()) == (
        200,
        f"{A1} replaced: 2 triple(s) added, 0 removed",
    )
    assert union_is_the_article_graphs(writable.path)
    query = (
        "SELECT ?label WHERE { GRAPH ?run { ?run a kg:IngestRun ; rdfs:label ?label ;"
        f" kg:replaced {A1} }} }}"
    )
    rows = get(writable.sparql, query, "text/csv")[2].splitlines()[1:]
    assert rows == [b"kg update"]
    ask = f'ASK {{ GRAPH {A1} {{ {ZELENSKIY} kg:alias "Zelensky" }} }}'
    assert b"true" in get(writable.sparql, ask, "application/sparql-results+json")[2]


def test_update_validation_removing_a_whole_article_still_works(tmp_path):
    """Deleting every triple, its prov:wasGeneratedBy link included, removes it.

    Inserting such a link is refused; deleting it is not, so an article can be
    emptied with what a CONSTRUCT of its graph returns.
    """
    path = make_store(tmp_path / "store")
    run = ox.NamedNode(f"{ID}run/20261126T101500.123456Z")
    generated = ox.NamedNode("http://www.w3.org/ns/prov#wasGeneratedBy")
    rewrite_a1(path, ox.Triple(ox.NamedNode(A1.strip("<>")), generated, run))
    running = Running(Settings(path, port=0, workers=1, write_token=TOKEN))
    running.path = path
    try:
        query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH {A1} {{ ?s ?p ?o }} }}"
        triples = get(running.sparql, query, "application/n-triples")[2].decode()
        assert "wasGeneratedBy" in triples
        status, body = post_update(running, delete(A1, triples))
        assert status == 200 and body.startswith(f"{A1} removed"), body
        assert union_is_the_article_graphs(path)
    finally:
        running.stop()
