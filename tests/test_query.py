"""Tests of kg.query: formats, prefixes, bindings, refusals and error positions."""

from __future__ import annotations

import io
import json
import os
import re
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers.storefixture import HOSTILE, UN
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import RDF, RDFS
from rdflib.query import Result

from kg.errors import QueryError
from kg.query import execute, load_query_text, run_query
from kg.query.worker import MEMORY_VARIABLE
from kg.rdf.iris import article_iri, entity_iri
from kg.rdf.namespaces import KG, PREFIXES
from kg.rdf.terms import from_ox
from kg.store import open_store

COUNTRIES = """SELECT ?country ?label WHERE {
  ?country a kg:Country ; rdfs:label ?label .
} ORDER BY ?label"""


@pytest.mark.parametrize("query", [COUNTRIES])
def test_query_table_shows_prefixed_names_once_per_row(filled_store, query):
    text = run_query(filled_store, query, fmt="table")
    lines = [line for line in text.splitlines() if "kgr:" in line]
    assert [line.split() for line in lines] == [
        ["│", "kgr:country/RUS", "│", "Russia", "│"],
        ["│", "kgr:country/UKR", "│", "Ukraine", "│"],
    ]
    assert text.rstrip().endswith("2 rows")
    assert "https://" not in text


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_query_csv_and_json_match_sparql_results_formats(filled_store, fmt, tmp_path):
    query = (
        "SELECT ?e ?type ?date ?conf WHERE { ?e kg:eventType ?type ; "
        "kg:confidence ?conf OPTIONAL { ?e kg:date ?date } } ORDER BY ?e"
    )
    ours = run_query(filled_store, query, fmt=fmt)
    prefixes = {p: str(ns) for p, ns in PREFIXES.items()}
    native = (
        filled_store.ox.query(query, prefixes=prefixes)
        .serialize(
            format=ox.QueryResultsFormat.CSV
            if fmt == "csv"
            else ox.QueryResultsFormat.JSON
        )
        .decode("utf-8")
    )
    if fmt == "json":
        assert json.loads(ours) == json.loads(native)
        assert len(json.loads(ours)["results"]["bindings"]) == 5
    else:
        assert ours == native
        assert ours.splitlines()[0] == "e,type,date,conf"


@pytest.mark.parametrize("limit, expected", [(None, 5), (2, 2), (0, 0)])
def test_query_limit_keeps_first_rows(filled_store, limit, expected):
    result = execute(
        filled_store, "SELECT ?e WHERE { ?e a kg:Event } ORDER BY ?e", limit=limit
    )
    assert len(result.rows) == expected


@pytest.mark.parametrize(
    "query, answer",
    [
        ("ASK { ?e kg:eventType cameo:190 }", "yes\n"),
        ("ASK { ?e kg:eventType cameo:200 }", "no\n"),
    ],
)
def test_query_ask_answers_yes_or_no(filled_store, query, answer):
    assert run_query(filled_store, query) == answer
    assert json.loads(run_query(filled_store, query, fmt="json"))["boolean"] is (
        answer == "yes\n"
    )


@pytest.mark.parametrize(
    "query",
    [
        "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a kg:Country ; rdfs:label ?l }",
        "DESCRIBE <https://w3id.org/kg-events/id/country/RUS>",
    ],
)
def test_query_construct_and_describe_give_parseable_turtle(filled_store, query):
    text = run_query(filled_store, query)
    graph = Graph().parse(data=text, format="turtle")
    assert "@prefix kg:" in text and "ns1:" not in text
    rus = URIRef("https://w3id.org/kg-events/id/country/RUS")
    assert (rus, RDFS.label, Literal("Russia")) in graph
    if query.startswith("CONSTRUCT"):
        assert len(graph) == 2
    for fmt, rdf_format in [("jsonld", "json-ld"), ("nt", "nt"), ("turtle", "turtle")]:
        again = Graph().parse(
            data=run_query(filled_store, query, fmt=fmt), format=rdf_format
        )
        assert isomorphic(again, graph), fmt


def test_query_jsonld_is_compacted_like_kg_export(filled_store):
    """Short keys and the embedded context, as ``kg export --format jsonld`` writes."""
    query = "CONSTRUCT WHERE { ?c a kg:Country ; rdfs:label ?l }"
    document = json.loads(run_query(filled_store, query, fmt="jsonld"))
    assert document["@context"]["kg"] == "https://w3id.org/kg-events/ontology#"
    russia = [n for n in document["@graph"] if n["@id"] == "kgr:country/RUS"]
    assert russia == [{"@id": "kgr:country/RUS", "@type": "Country", "label": "Russia"}]
    again = run_query(filled_store, query, fmt="jsonld")
    assert json.loads(again) == document  # the same triples give the same bytes


@pytest.mark.parametrize("value", [HOSTILE, '"} ; DROP ALL #'])
def test_query_bindings_are_substituted_not_pasted(filled_store, value):
    query = "SELECT ?e ?s WHERE { ?e kg:sentence ?s }"
    rows = execute(filled_store, query, bindings={"s": Literal(value)}).rows
    assert len(rows) == (5 if value == HOSTILE else 0)
    rows = execute(
        filled_store,
        "SELECT * WHERE { ?c rdfs:label ?l }",
        bindings={"c": URIRef(entity_iri(UN))},
    ).rows
    assert [r[1].value for r in rows] == ["United Nations"]


@pytest.mark.parametrize("suffix", [".rq", ".sparql"])
def test_query_reads_query_file(filled_store, tmp_path, suffix):
    path = tmp_path / f"countries{suffix}"
    path.write_text(COUNTRIES, encoding="utf-8")
    assert load_query_text(str(path)) == COUNTRIES
    assert load_query_text(path) == COUNTRIES
    assert "kgr:country/UKR" in run_query(filled_store, str(path))
    with pytest.raises(QueryError, match="Cannot read query file"):
        load_query_text(str(tmp_path / f"missing{suffix}"))


@pytest.mark.parametrize(
    "query, line, col",
    [
        ("SELECT ?e WHERE {\n  ?e a kg:Event .\n  FILTER(\n}", 4, 2),
        ("SELECT ?e WHERE { ?e ?p }", 1, 26),
    ],
)
def test_query_syntax_error_names_line_and_column(filled_store, query, line, col):
    with pytest.raises(QueryError) as err:
        run_query(filled_store, query)
    # Positions are in the user's text: the kg prefixes are not prepended lines.
    assert f"SPARQL syntax error near line {line}, column {col}:" in str(err.value)
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    "query, word, where",
    [
        (
            "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }",
            "SERVICE",
            "line 1, column 18",
        ),
        (
            "SELECT * WHERE {\n  ?s ?p ?o .\n  service <http://x.org/> { ?s ?p ?o } }",
            "SERVICE",
            "line 3, column 3",
        ),
        ("LOAD <http://example.org/data.ttl>", "LOAD", "line 1, column 1"),
        (
            "PREFIX ex: <http://example.org/>\nINSERT DATA { ex:a ex:b ex:c }",
            "INSERT",
            "line 2, column 1",
        ),
        ("DELETE WHERE { ?s ?p ?o }", "DELETE", "line 1, column 1"),
        ("DROP ALL", "DROP", "line 1, column 1"),
        ("CLEAR DEFAULT", "CLEAR", "line 1, column 1"),
    ],
)
def test_query_refuses_service_load_and_updates(filled_store, query, word, where):
    before = filled_store.triple_count()
    with pytest.raises(QueryError) as err:
        run_query(filled_store, query)
    assert f"Query refused at {where}: {word} is not allowed" in str(err.value)
    assert err.value.exit_code == 2
    assert filled_store.triple_count() == before


@pytest.mark.parametrize(
    "query",
    [
        'SELECT ?e WHERE { ?e kg:trigger "SERVICE" } # DROP in a comment',
        "SELECT ?load ?copy WHERE { ?load rdfs:label ?copy }",
        "SELECT ?e WHERE { ?e a <http://example.org/DROP> }",
    ],
)
def test_query_allows_keywords_inside_strings_iris_and_variables(filled_store, query):
    assert isinstance(run_query(filled_store, query, fmt="csv"), str)


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?a WHERE { ?a kg:mentionedIn ?art . ?a a kg:Country }",
    ],
)
def test_query_union_gives_no_duplicate_rows(filled_store, query):
    rows = execute(filled_store, "SELECT ?a WHERE { ?a a kg:Country }").rows
    assert len(rows) == 2
    # One row per (country, article) pair: RUS and UKR are each in a1 and a2.
    assert len(execute(filled_store, query).rows) == 4


@pytest.mark.parametrize(
    "query",
    [
        "SELECT ?name (COUNT(?e) AS ?n) WHERE { ?e kg:eventType ?t . "
        "?t skos:broader* ?root . ?root skos:topConceptOf cameo:scheme ; "
        "skos:prefLabel ?name } GROUP BY ?name ORDER BY ?name",
    ],
)
def test_query_reads_cameo_names_from_ontology_graph(filled_store, query):
    rows = [(r[0].value, int(r[1].value)) for r in execute(filled_store, query).rows]
    assert rows == [("Consult", 2), ("Disapprove", 1), ("Fight", 2)]


@pytest.mark.parametrize("query", ["SELECT ?e WHERE { ?e kg:sentence ?s }"])
def test_query_binding_an_unselected_variable_says_how_to_fix(filled_store, query):
    with pytest.raises(QueryError, match=r"add it to the SELECT clause \(or use"):
        execute(filled_store, query, bindings={"s": Literal("x")})


@pytest.mark.parametrize("query", ["SELECT ?e WHERE { ?e kgx:foo ?o }"])
def test_query_unknown_prefix_lists_known_ones(filled_store, query):
    with pytest.raises(QueryError, match="unknown prefix; declare it with PREFIX"):
        run_query(filled_store, query)


# --- results formats ----------------------------------------------------------
EVENTS = (
    "SELECT ?e ?type ?label ?conf ?date WHERE { ?e kg:eventType ?type ; "
    "kg:confidence ?conf ; kg:sentence ?s . OPTIONAL { ?type skos:prefLabel ?label } "
    "OPTIONAL { ?e kg:date ?date } } ORDER BY ?e"
)


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_query_results_formats_parse_with_rdflib(filled_store, fmt):
    text = run_query(filled_store, EVENTS, fmt=fmt)
    parsed = Result.parse(io.StringIO(text), format=fmt)
    assert [str(v) for v in parsed.vars] == ["e", "type", "label", "conf", "date"]
    rows = list(parsed)
    assert len(rows) == 5
    expected = [
        tuple(from_ox(t) if t else None for t in row)
        for row in execute(filled_store, EVENTS).rows
    ]
    if fmt == "csv":  # CSV carries values only: compare the lexical forms
        assert [tuple(str(t) if t else "" for t in r) for r in rows] == [
            tuple(str(t) if t else "" for t in r) for r in expected
        ]
    else:
        assert [tuple(r) for r in rows] == expected


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_query_results_formats_equal_oxigraph_serializers(filled_store, fmt):
    native = filled_store.ox.query(
        EVENTS, prefixes={p: str(n) for p, n in PREFIXES.items()}
    )
    expected = native.serialize(format=getattr(ox.QueryResultsFormat, fmt.upper()))
    ours = run_query(filled_store, EVENTS, fmt=fmt)
    if fmt == "json":
        assert json.loads(ours) == json.loads(expected)
    else:
        assert ours.rstrip("\n") == expected.decode("utf-8").rstrip("\n")


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml"])
def test_query_ask_in_results_formats(filled_store, fmt):
    text = run_query(filled_store, "ASK { ?e kg:eventType cameo:190 }", fmt=fmt)
    if fmt in ("csv", "tsv"):  # SPARQL 1.1 CSV/TSV define no boolean; as Oxigraph
        assert text == "true\n"
    else:
        assert Result.parse(io.StringIO(text), format=fmt).askAnswer is True


@pytest.mark.parametrize(
    "query, fmt, hint",
    [
        ("CONSTRUCT WHERE { ?c a kg:Country }", "csv", "use turtle, jsonld, nt"),
        ("DESCRIBE <https://w3id.org/kg-events/id/country/RUS>", "table", "use turtle"),
        (COUNTRIES, "turtle", "use table, csv, tsv, json, xml"),
        ("ASK { ?s ?p ?o }", "nt", "returns a yes/no answer (ASK)"),
        (COUNTRIES, "yaml", "Unknown format 'yaml'"),
    ],
)
def test_query_refuses_format_that_does_not_fit(filled_store, query, fmt, hint):
    with pytest.raises(QueryError, match=re.escape(hint)) as err:
        run_query(filled_store, query, fmt=fmt)
    assert err.value.exit_code == 2


# --- time limit ---------------------------------------------------------------
CARTESIAN = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def big_graph(n: int) -> Graph:
    """n events' worth of triples: enough to make a 3-way cross join endless."""
    g = Graph()
    a = article_iri("big")
    for i in range(n):
        e = URIRef(f"{a}/e{i}")
        g.add((e, RDF.type, KG.Event))
        g.add((e, KG.trigger, Literal(f"t{i}")))
        g.add((e, KG.fromArticle, a))
    return g


def worker_children() -> list[int]:
    """Our child processes that are running the query worker (Linux /proc)."""
    me, found = os.getpid(), []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            cmdline = (stat.parent / "cmdline").read_bytes()
        except OSError:
            continue
        if int(fields[1]) == me and b"kg/query/worker.py" in cmdline:
            found.append(int(stat.parent.name))
    return found


@pytest.mark.parametrize("location", ["disk", "memory"])
def test_query_timeout_stops_a_runaway_query(tmp_path, location):
    path = tmp_path / "big" if location == "disk" else None
    with open_store(path) as big:
        big.put_article(article_iri("big"), big_graph(1000), "h")
        assert big.triple_count() >= 3000
        started = time.monotonic()
        with pytest.raises(QueryError) as err:
            execute(big, CARTESIAN, timeout=1)
        elapsed = time.monotonic() - started
    assert str(err.value) == "query stopped after 1 s; narrow it or raise --timeout"
    assert err.value.exit_code == 2
    assert elapsed < 10
    assert worker_children() == []  # killed and reaped, not left running


# A sort over a 3-way cross join: memory grows until the cap stops the worker.
MEMORY_HOG = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i"


def test_query_memory_cap_stops_a_runaway_query_alone(tmp_path, monkeypatch):
    monkeypatch.setenv(MEMORY_VARIABLE, "2048")  # MiB; the worker opens in ~200
    with open_store(tmp_path / "big") as big:
        big.put_article(article_iri("big"), big_graph(1000), "h")
        with pytest.raises(QueryError) as err:
            execute(big, MEMORY_HOG, timeout=120)
        assert "needed more memory than the KG_QUERY_MEMORY cap" in str(err.value)
        # The next query runs in a fresh worker under the same cap.
        assert execute(big, CARTESIAN.replace(". ?g ?h ?i ", ""), timeout=60).rows
    assert worker_children() == []


def test_query_worker_memory_cap_defaults_to_half_the_ram():
    physical = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
    script = (
        "import resource, kg.query.worker as w; w.cap_memory({}); "
        "print(resource.getrlimit(resource.RLIMIT_AS)[0])"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, check=True
    )
    assert int(out.stdout) == max(physical // 2 // 2**20, 2048) * 2**20


@pytest.mark.parametrize("fmt", ["table", "json", "turtle"])
def test_query_with_timeout_gives_the_same_answer(filled_store, fmt):
    query = (
        COUNTRIES
        if fmt != "turtle"
        else (
            "CONSTRUCT { ?c rdfs:label ?l } WHERE { ?c a kg:Country ; rdfs:label ?l }"
        )
    )
    assert run_query(filled_store, query, fmt=fmt, timeout=30) == run_query(
        filled_store, query, fmt=fmt
    )


@pytest.mark.parametrize(
    "query, message",
    [
        ("SELECT ?e WHERE { ?e ?p }", "SPARQL syntax error near line 1, column 26:"),
        ("SELECT ?e WHERE { ?e kg:sentence ?s }", "add it to the SELECT clause"),
    ],
)
def test_query_worker_errors_read_like_in_process_ones(filled_store, query, message):
    bindings = {"s": Literal("x")} if "?s" in query else None
    with pytest.raises(QueryError, match=re.escape(message)):
        execute(filled_store, query, bindings=bindings, timeout=30)


@pytest.mark.parametrize("timeout", [None, 20.0])
def test_query_relative_iris_resolve_against_kg_resources(store, timeout):
    # In this process and in the killable worker alike.
    from kg.rdf.namespaces import KGR

    graph = Graph()
    graph.add((KGR["country/FRD"], RDFS.label, Literal("Freedonia")))
    store.put_article(article_iri("frd"), graph, "f" * 64)
    text = "SELECT ?name WHERE { <country/FRD> rdfs:label ?name }"
    assert execute(store, text, timeout=timeout).rows[0][0].value == "Freedonia"
    with pytest.raises(QueryError):
        execute(store, text, timeout=timeout, base_iri=None)


@pytest.mark.parametrize("base", ["no scheme/x", "has space://x y"])
def test_query_cli_refuses_a_base_that_is_not_an_absolute_iri(base):
    from helpers.clirunner import run_kg

    done = run_kg("query", "--store", "memory", "--base", base, "ASK {}")
    err = done.stderr.decode()
    assert done.returncode == 2
    assert err.startswith(f"kg: error: --base {base!r} is not an absolute IRI")
    assert len(err.strip().splitlines()) == 1


# --- SELECT * keeps the query's variable order ---------------------------------------

STAR = "SELECT * WHERE { ?z kg:sourceActor ?actor . ?z kg:eventType ?m } ORDER BY ?z"


def _header(fmt: str, text: str) -> list[str]:
    """The column names a result in ``fmt`` declares, in order."""
    if fmt == "csv":
        return text.splitlines()[0].split(",")
    if fmt == "tsv":
        return [name.lstrip("?") for name in text.splitlines()[0].split("\t")]
    if fmt == "json":
        return json.loads(text)["head"]["vars"]
    if fmt == "xml":
        return re.findall(r'<variable name="([^"]+)"/>', text)
    return re.findall(r"\b(z|actor|m)\b", text.splitlines()[1])  # table header


@pytest.mark.parametrize("fmt", ["table", "csv", "tsv", "json", "xml"])
@pytest.mark.parametrize("timeout", [None, 30])  # here, or in the worker process
def test_query_select_star_keeps_the_query_order(filled_store, fmt, timeout):
    text = run_query(filled_store, STAR, fmt=fmt, timeout=timeout)
    assert _header(fmt, text) == ["z", "actor", "m"]


@pytest.mark.parametrize(
    "query, expected",
    [
        (STAR, ("z", "actor", "m")),
        ("SELECT DISTINCT * { ?z kg:sourceActor ?actor BIND(1 AS ?b) }",
         ("z", "actor", "b")),
        # a string or IRI that looks like a variable does not count
        ('SELECT * { ?z rdfs:label ?l FILTER(?l != "?m <?a>") ?z a ?class }',
         ("z", "l", "class")),
        # a subquery's own variables that it does not project are not columns
        ("SELECT * { ?z kg:sourceActor ?actor { SELECT ?z (COUNT(?w) AS ?n) "
         "{ ?z kg:eventType ?w } GROUP BY ?z } }", ("z", "actor", "n")),
        # an explicit projection is kept as written
        ("SELECT ?m ?z { ?z kg:eventType ?m }", ("m", "z")),
    ],
)  # fmt: skip
def test_query_select_star_columns_follow_first_appearance(
    filled_store, query, expected
):
    result = execute(filled_store, query)
    assert result.variables == expected
    by_name = dict(zip(result.variables, result.rows[0], strict=True))
    if "actor" in by_name:  # each value moved with its column
        check = execute(filled_store, f"ASK {{ <{by_name['z'].value}> "
                        f"kg:sourceActor <{by_name['actor'].value}> }}")  # fmt: skip
        assert check.boolean is True
