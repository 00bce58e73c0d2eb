"""Tests of kg.query.cookbook: every shipped query gives exact rows on a fixed store.

The store is built from ``tests/data/cookbook/store.trig`` (three articles, eleven
events) plus the real ontology. Expected rows were worked out by hand from that
file; the comments say why each row is (or is not) there.
"""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers.cli import kg
from helpers.paths import ROOT
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.namespace import RDF

from kg.errors import QueryError
from kg.query import execute, run_query, shorten
from kg.query.cookbook import (
    describe_queries,
    is_named,
    list_queries,
    load_named,
    parse_query_file,
    prepare,
    to_term,
    values_clause,
)
from kg.rdf.namespaces import KG
from kg.rdf.ontology import load_ontology
from kg.store import Store, open_store

FIXTURE = ROOT / "tests" / "data" / "cookbook" / "store.trig"
NAMES = [
    "actor-events",
    "coop-conflict-monthly",
    "dyad-timeline",
    "edge-evidence",
    "events-at-place",
    "events-by-type",
    "top-actors",
    "who-met-whom",
]
ZEL, WIT, PUT = "Volodymyr Zelenskiy", "Steve Witkoff", "Vladimir Putin"
CONSULT, FIGHT = (
    "Consult, not specified below",
    ("Use conventional military force, not specified below"),
)
E1, E2, E3 = (f"kgr:event/kyiv-talks/e{i}" for i in (1, 2, 3))
E4, E5, E6, E7 = (f"kgr:event/strikes-near-kyiv/e{i}" for i in (4, 5, 6, 7))
E8, E9, E10, E11 = (f"kgr:event/geneva-talks/e{i}" for i in (8, 9, 10, 11))


def fill_from_trig(store: Store, path: Path = FIXTURE) -> None:
    """Write each named graph of the TriG file as an article, then the ontology."""
    dataset = Dataset()
    dataset.parse(path, format="trig")
    for graph in dataset.graphs():
        if str(graph.identifier).startswith("urn:x-rdflib:"):
            continue  # rdflib's own default graph, empty here
        article = URIRef(graph.identifier)
        store.put_article(article, graph, str(graph.value(article, KG.contentHash)))
    store.ensure_ontology(load_ontology())


@pytest.fixture(scope="module")
def cookbook_store(tmp_path_factory):
    with open_store(tmp_path_factory.mktemp("cookbook") / "store") as s:
        fill_from_trig(s)
        yield s


@pytest.fixture(scope="module")
def store_path(tmp_path_factory) -> Path:
    """The same store, closed, for the CLI in a child process to open."""
    path = tmp_path_factory.mktemp("cookbook-cli") / "store"
    with open_store(path) as s:
        fill_from_trig(s)
    return path


def rows(store: Store, name: str, **params: str) -> list[tuple[str | None, ...]]:
    """A cookbook query's rows as lexical values (IRIs as prefixed names)."""
    result = execute(store, prepare(name, params, store=store), timeout=None)
    return [
        tuple(
            None
            if t is None
            else shorten(t.value)
            if isinstance(t, ox.NamedNode)
            else t.value
            for t in row
        )
        for row in result.rows
    ]


# --- the queries ------------------------------------------------------------------
# e7 has no date and no kg:modality (older data): it counts as asserted and, being
# undated, sorts first. e3 (future), e6 (negated), e11 (hypothetical) are left
# out unless include_unasserted=true.
ZEL_EVENTS = [
    (None, PUT, "112", "Accuse, not specified below", ZEL, None, None, E7),
    ("2025-01-09", ZEL, "040", CONSULT, WIT, "Kyiv", "asserted", E1),
    (
        "2025-02-03",
        ZEL,
        "111",
        "Criticize or denounce",
        "Russia",
        "Kyiv",
        "asserted",
        E5,
    ),
    ("2025-03-01", ZEL, "043", "Host a visit", WIT, "Kyiv", "asserted", E10),
]
ZEL_FUTURE = (
    "2025-01-09",
    ZEL,
    "036",
    "Express intent to meet or negotiate",
    PUT,
    None,
    "future",
    E3,
)


@pytest.mark.parametrize("actor", ["Zelenskiy", "Zelensky", ZEL])
def test_cookbook_actor_events_by_label_or_alias(cookbook_store, actor):
    assert rows(cookbook_store, "actor-events", actor=actor) == ZEL_EVENTS


@pytest.mark.parametrize("flag", ["true", "yes", "1"])
def test_cookbook_actor_events_include_unasserted(cookbook_store, flag):
    expected = ZEL_EVENTS[:2] + [ZEL_FUTURE] + ZEL_EVENTS[2:]
    assert rows(
        cookbook_store, "actor-events", actor="Zelenskiy", include_unasserted=flag
    ) == (expected)


@pytest.mark.parametrize(
    "a, b, extra, expected",
    [
        # Both directions, date order; e5 is Zelenskiy -> Russia, not Ukraine.
        (
            "Ukraine",
            "Russia",
            {},
            [
                ("2025-02-02", "Russia", "190", FIGHT, "Ukraine", "asserted",
                 "Russia struck Brovary overnight.", E4),
                ("2025-03-04", "Ukraine", "046", "Engage in negotiation", "Russia",
                 "asserted", "Ukraine negotiated with Russia in Geneva.", E8),
                ("2025-03-05", "Russia", "057", "Sign formal agreement", "Ukraine",
                 "asserted", "Russia signed a prisoner exchange deal with Ukraine.",
                 E9),
            ],
        ),
        # Undated e7 first, then the future e3 (asked for).
        (
            "Putin",
            "Zelenskiy",
            {"include_unasserted": "true"},
            [
                (None, PUT, "112", "Accuse, not specified below", ZEL, None,
                 "Putin accused Zelenskiy of prolonging the war.", E7),
                ("2025-01-09", ZEL, "036", "Express intent to meet or negotiate",
                 PUT, "future", "Zelenskiy said he would meet Putin next month.",
                 E3),
            ],
        ),
    ],
)  # fmt: skip
def test_cookbook_dyad_timeline(cookbook_store, a, b, extra, expected):
    assert (
        rows(cookbook_store, "dyad-timeline", actor_a=a, actor_b=b, **extra) == expected
    )


@pytest.mark.parametrize(
    "params, expected",
    [
        # 04 roots: e1 (040) and e10 (043) Zelenskiy-Witkoff, e8 (046), e2 (042).
        # e11 (040, hypothetical) is left out; e3 (036) is root 03, not a meeting.
        (
            {},
            [
                (WIT, ZEL, "2", "2025-01-09", "2025-03-01"),
                ("Russia", "Ukraine", "1", "2025-03-04", "2025-03-04"),
                (WIT, "Ukraine", "1", "2025-01-09", "2025-01-09"),
            ],
        ),
        (
            {"include_unasserted": "true", "from": "2025-03-01"},
            [
                ("Russia", "Ukraine", "1", "2025-03-04", "2025-03-04"),
                (WIT, PUT, "1", "2025-03-10", "2025-03-10"),
                (WIT, ZEL, "1", "2025-03-01", "2025-03-01"),
            ],
        ),
        ({"to": "2025-01-08"}, []),
    ],
)
def test_cookbook_who_met_whom(cookbook_store, params, expected):
    assert rows(cookbook_store, "who-met-whom", **params) == expected


KYIV_EVENTS = [
    ("2025-01-09", "Kyiv", "0", ZEL, "040", CONSULT, WIT, "asserted", E1),
    ("2025-01-09", "Kyiv", "0", WIT, "042", "Make a visit", "Ukraine", "asserted", E2),
    ("2025-02-03", "Kyiv", "0", ZEL, "111", "Criticize or denounce", "Russia",
     "asserted", E5),
    ("2025-03-01", "Kyiv", "0", ZEL, "043", "Host a visit", WIT, "asserted", E10),
]  # fmt: skip
# Great-circle distances from Kyiv: Brovary 21.2 km, Lviv 468 km, Geneva 1,761 km.
BROVARY = ("2025-02-02", "Brovary", "21.2", "Russia", "190", FIGHT, "Ukraine",
           "asserted", E4)  # fmt: skip
LVIV = ("2025-02-01", "Lviv", "468.3", "Wagner Group", "190", FIGHT, "Ukraine",
        "negated", E6)  # fmt: skip


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"place": "Kyiv"}, KYIV_EVENTS),
        ({"place": "Kiev"}, KYIV_EVENTS),  # by alias
        ({"place": "Kyiv", "km": "20"}, KYIV_EVENTS),
        ({"place": "Kyiv", "km": "30"}, KYIV_EVENTS + [BROVARY]),
        ({"place": "Kyiv", "km": "500"}, KYIV_EVENTS + [BROVARY]),  # e6 negated
        (
            {"place": "Kyiv", "km": "500", "include_unasserted": "true"},
            KYIV_EVENTS + [BROVARY, LVIV],
        ),
        ({"place": "Odesa", "km": "5000"}, []),
    ],
)
def test_cookbook_events_at_place(cookbook_store, params, expected):
    assert rows(cookbook_store, "events-at-place", **params) == expected


@pytest.mark.parametrize(
    "params, expected",
    [
        # Root 19 in 2025: e4; e6 is negated.
        (
            {"cameo": "19", "from": "2025-01-01", "to": "2025-12-31"},
            [("2025-02-02", "4", "190", FIGHT, "Russia", "Ukraine", "asserted", E4)],
        ),
        # Quad class 1 in March: e10 (043) and e8 (046); e9 (057) is class 2,
        # e11 hypothetical.
        (
            {"quad_class": "1", "from": "2025-03-01", "to": "2025-03-31"},
            [
                ("2025-03-01", "1", "043", "Host a visit", ZEL, WIT, "asserted", E10),
                ("2025-03-04", "1", "046", "Engage in negotiation", "Ukraine",
                 "Russia", "asserted", E8),
            ],
        ),
        # A finer code takes only itself; quad class and code must agree.
        (
            {"cameo": "043"},
            [("2025-03-01", "1", "043", "Host a visit", ZEL, WIT, "asserted", E10)],
        ),
        ({"cameo": "04", "quad_class": "4"}, []),
        # Undated e7 (112, class 3) drops out once a range is given.
        (
            {"quad_class": "3"},
            [
                (None, "3", "112", "Accuse, not specified below", PUT, ZEL, None, E7),
                ("2025-02-03", "3", "111", "Criticize or denounce", ZEL, "Russia",
                 "asserted", E5),
            ],
        ),
        (
            {"quad_class": "3", "from": "2025-01-01"},
            [("2025-02-03", "3", "111", "Criticize or denounce", ZEL, "Russia",
              "asserted", E5)],
        ),
    ],
)  # fmt: skip
def test_cookbook_events_by_type(cookbook_store, params, expected):
    assert rows(cookbook_store, "events-by-type", **params) == expected


@pytest.mark.parametrize(
    "params, expected",
    [
        # Asserted events: e1 e2 e4 e5 e7 e8 e9 e10. Ties by name.
        (
            {},
            [
                ("kgr:country/RUS", "Russia", "4", "2", "2"),
                ("kgr:country/UKR", "Ukraine", "4", "1", "3"),
                ("kgr:person/ukr/volodymyr-zelenskiy", ZEL, "4", "3", "1"),
                ("kgr:person/usa/steve-witkoff", WIT, "3", "1", "2"),
                ("kgr:person/rus/vladimir-putin", PUT, "1", "1", "0"),
            ],
        ),
        # Putin adds e3 (future) and e11 (hypothetical); Wagner its negated e6.
        (
            {"country": "rus", "include_unasserted": "true"},
            [
                ("kgr:country/RUS", "Russia", "4", "2", "2"),
                ("kgr:person/rus/vladimir-putin", PUT, "3", "1", "2"),
                ("kgr:group/rus/wagner-group", "Wagner Group", "1", "1", "0"),
            ],
        ),
        (
            {"from": "2025-03-01", "to": "2025-03-31"},
            [
                ("kgr:country/RUS", "Russia", "2", "1", "1"),
                ("kgr:country/UKR", "Ukraine", "2", "1", "1"),
                ("kgr:person/usa/steve-witkoff", WIT, "1", "0", "1"),
                ("kgr:person/ukr/volodymyr-zelenskiy", ZEL, "1", "1", "0"),
            ],
        ),
    ],
)
def test_cookbook_top_actors(cookbook_store, params, expected):
    assert rows(cookbook_store, "top-actors", **params) == expected


@pytest.mark.parametrize(
    "params, expected",
    [
        # Feb: e4 (190, -10) and e5 (111, -2). Mar: e8 (046, 7) and e9 (057, 8).
        # Undated e7 has no month.
        (
            {"country_a": "UKR", "country_b": "RUS"},
            [("2025-02", "0", "2", "-6"), ("2025-03", "2", "0", "7.5")],
        ),
        # Order of the pair does not matter; Jan gains e3 (036, 4), Feb the
        # negated e6 (Wagner is RUS).
        (
            {"country_a": "rus", "country_b": "ukr", "include_unasserted": "true"},
            [
                ("2025-01", "1", "0", "4"),
                ("2025-02", "0", "3", "-7.33"),
                ("2025-03", "2", "0", "7.5"),
            ],
        ),
        # Jan: e1 (040, 1.0) and e2 (042, 1.9); Mar: e10 (043, 2.8).
        (
            {"country_a": "USA", "country_b": "UKR"},
            [("2025-01", "2", "0", "1.45"), ("2025-03", "1", "0", "2.8")],
        ),
    ],
)
def test_cookbook_coop_conflict_monthly(cookbook_store, params, expected):
    assert rows(cookbook_store, "coop-conflict-monthly", **params) == expected


KYIV_TITLE = "Zelenskiy hosts US envoy Witkoff in Kyiv"
GENEVA_TITLE = "Ukraine and Russia sign prisoner deal in Geneva"


@pytest.mark.parametrize(
    "params, expected",
    [
        (
            {"source": "Zelenskiy", "target": "Witkoff"},
            [
                ("2025-01-09", "040", CONSULT, "asserted",
                 "Zelenskiy met Witkoff in Kyiv on Thursday.", KYIV_TITLE,
                 "https://example.org/news/kyiv-talks", E1),
                ("2025-03-01", "043", "Host a visit", "asserted",
                 "Zelenskiy hosted Witkoff in Kyiv again on 1 March.", GENEVA_TITLE,
                 "https://example.org/news/geneva-talks", E10),
            ],
        ),
        (
            {"source": ZEL, "target": WIT, "cameo": "040"},
            [
                ("2025-01-09", "040", CONSULT, "asserted",
                 "Zelenskiy met Witkoff in Kyiv on Thursday.", KYIV_TITLE,
                 "https://example.org/news/kyiv-talks", E1),
            ],
        ),
        # An edge has a direction: Witkoff -> Zelenskiy has no events.
        ({"source": "Witkoff", "target": "Zelenskiy"}, []),
    ],
)  # fmt: skip
def test_cookbook_edge_evidence(cookbook_store, params, expected):
    assert rows(cookbook_store, "edge-evidence", **params) == expected


# --- listing, headers and binding ------------------------------------------------
def test_cookbook_lists_every_shipped_query():
    assert [q.name for q in list_queries()] == NAMES
    assert all(is_named(name) for name in NAMES)
    assert not is_named("../cookbook") and not is_named("SELECT")


@pytest.mark.parametrize("name", NAMES)
def test_cookbook_every_query_declares_title_and_documented_params(name):
    query = load_named(name)
    assert query.title and query.description
    assert query.params and all(p.description for p in query.params)
    for param in query.params:  # each parameter binds a variable of the query
        assert f"?{param.name}" in query.text
    # Bindings go on the line of "WHERE {", so error positions stay the file's.
    assert prepare(name, _required(query)).count("\n") == query.text.count("\n")


def _required(query) -> dict[str, str]:
    sample = {"actor": "Zelenskiy", "country": "UKR", "string": "Kyiv"}
    return {p.name: sample[p.type] for p in query.params if p.required}


def test_cookbook_list_text_names_queries_and_params():
    text = describe_queries()
    for query in list_queries():
        assert f"{query.name}: {query.title}" in text
        for param in query.params:
            assert f"--param {param.name}=..." in text
    assert "--param quad_class=... (integer 1..4, optional)" in text
    assert "--param include_unasserted=... (boolean, default false)" in text
    assert "--param actor=... (actor, required)" in text


@pytest.mark.parametrize(
    "header, problem",
    [
        ("# description: no title\nSELECT * WHERE { }", "needs a '# title:' line"),
        ("# title: T\n# param: x (colour): d\nSELECT * WHERE { }", "unknown type"),
        ("# title: T\n# param: x (date, sometimes): d\nSELECT * WHERE { }", "option"),
        ("# title: T\n# param: x date\nSELECT * WHERE { }", "bad param"),
        ("# title: T\n# tags: a\nSELECT * WHERE { }", "line 2"),
        ("# title: T\nASK { ?s ?p ?o }", "WHERE clause"),
    ],
)
def test_cookbook_malformed_header_is_refused(header, problem):
    with pytest.raises(QueryError, match="malformed header") as err:
        parse_query_file("broken", header)
    assert problem in str(err.value)


@pytest.mark.parametrize(
    "header",
    [
        "# title: A long\n#   title\n# param: n (integer, default 3, range 1..5): "
        "how\n#   many\n#\nSELECT ?n WHERE { }",
    ],
)
def test_cookbook_header_continuation_lines_and_options(header):
    query = parse_query_file("ok", header)
    assert query.title == "A long title"
    (param,) = query.params
    assert (param.type, param.default, param.low, param.high) == ("integer", "3", 1, 5)
    assert param.description == "how many" and not param.required


@pytest.mark.parametrize(
    "name, params, message",
    [
        ("actor-events", {}, "actor-events needs --param actor=... (actor)"),
        ("actor-events", {"actr": "Putin"}, "has no parameter 'actr'; its param"),
        ("actor-events", {"actor": "  "}, "is not a valid actor"),
        ("who-met-whom", {"from": "2025-13-01"}, "not a valid date: give an ISO date"),
        ("who-met-whom", {"from": "01/02/2025"}, "not a valid date"),
        ("who-met-whom", {"to": "2025-1-5"}, "not a valid date"),
        ("top-actors", {"country": "Ukraine"}, "not a valid country: give an ISO"),
        ("top-actors", {"country": "ZZZ"}, "not a valid country"),
        ("events-by-type", {"cameo": "4"}, "not a valid cameo: give a CAMEO code"),
        ("events-by-type", {"cameo": "99"}, "not a valid cameo"),
        ("events-by-type", {"cameo": "04a"}, "not a valid cameo"),
        ("events-by-type", {"quad_class": "5"}, "out of range: give a whole number"),
        ("events-by-type", {"quad_class": "one"}, "not a valid integer"),
        ("who-met-whom", {"include_unasserted": "maybe"}, "give true or false"),
        ("events-at-place", {"place": "Kyiv", "km": "5.5"}, "not a valid integer"),
        ("who-met", {}, "There is no cookbook query 'who-met'. Known queries: "),
    ],
)
def test_cookbook_bad_params_are_refused_clearly(cookbook_store, name, params, message):
    with pytest.raises(QueryError) as err:
        run_query(cookbook_store, name, params=params)
    assert message in str(err.value)
    assert err.value.exit_code == 2


@pytest.mark.parametrize(
    "value",
    ['Zelenskiy" } ; DROP ALL #', "Zelenskiy'), (\"x", "Zelenskiy\\", "} UNION {"],
)
def test_cookbook_values_are_bound_not_pasted(cookbook_store, value):
    before = cookbook_store.triple_count()
    assert rows(cookbook_store, "actor-events", actor=value) == []
    assert cookbook_store.triple_count() == before


@pytest.mark.parametrize(
    "value, expected",
    [
        ("kgr:country/UKR", "https://w3id.org/kg-events/id/country/UKR"),
        ("https://example.org/x", "https://example.org/x"),
    ],
)
def test_cookbook_iri_type_expands_prefixes(value, expected):
    from kg.query.cookbook import Param

    assert to_term(Param("x", "iri", "d"), value) == ox.NamedNode(expected)
    with pytest.raises(QueryError, match="not a valid iri"):
        to_term(Param("x", "iri", "d"), "not an iri")


@pytest.mark.parametrize("value", ['say "hi"\n\\ {}'])
def test_cookbook_values_clause_escapes_through_oxigraph(value):
    clause = values_clause({"a": ox.Literal(value), "b": None})
    assert clause == 'VALUES (?a ?b) { ("say \\"hi\\"\\n\\\\ {}" UNDEF) } '


def test_cookbook_params_refused_on_ad_hoc_query(cookbook_store):
    with pytest.raises(QueryError, match="--param only applies to cookbook queries"):
        run_query(cookbook_store, "SELECT * WHERE { ?s ?p ?o }", params={"x": "1"})


def test_cookbook_warns_about_an_unknown_actor_name(cookbook_store, caplog):
    assert rows(cookbook_store, "actor-events", actor="zelenskiy") == []
    assert "no actor is called 'zelenskiy'" in caplog.text


@pytest.mark.parametrize("fmt", ["csv", "tsv", "json", "xml", "table"])
def test_cookbook_runs_in_every_results_format_with_timeout(cookbook_store, fmt):
    params = {"country_a": "UKR", "country_b": "RUS"}
    ours = run_query(
        cookbook_store, "coop-conflict-monthly", params=params, fmt=fmt, timeout=30
    )
    same = run_query(cookbook_store, "coop-conflict-monthly", params=params, fmt=fmt)
    assert ours == same and "2025-03" in ours


# --- the command line -------------------------------------------------------------
def test_cookbook_cli_list():
    result = kg("query", "--list")
    assert result.returncode == 0, result.stderr
    for name in NAMES:
        assert f"\n{name}: " in f"\n{result.stdout}"
    assert "Run one: kg query NAME --param name=value" in result.stdout


def test_cookbook_cli_runs_named_query_as_csv(store_path):
    result = kg(
        "query", "coop-conflict-monthly", "--param", "country_a=UKR",
        "--param", "country_b=RUS", "--store", str(store_path), "--format", "csv",
        text=False,  # SPARQL CSV lines end in CRLF; keep them
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert result.stdout == (
        b"month,cooperation,conflict,goldstein\r\n2025-02,0,2,-6\r\n2025-03,2,0,7.5\r\n"
    )


@pytest.mark.parametrize(
    "args, message",
    [
        (
            ["who-met-whom", "--param", "from=yesterday"],
            "kg: error: --param from='yesterday' is not a valid date",
        ),
        ([], "kg: error: Give a query, a .rq file or a cookbook NAME"),
        (
            ["CONSTRUCT WHERE { ?s a kg:Country }", "--format", "csv"],
            "kg: error: --format csv is for SELECT and ASK results",
        ),
    ],
)
def test_cookbook_cli_bad_input_exits_2_with_one_line(store_path, args, message):
    result = kg("query", *args, "--store", str(store_path))
    assert result.returncode == 2
    assert message in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1


def test_cookbook_cli_param_without_value_is_a_usage_error(store_path):
    result = kg("query", "who-met-whom", "--param", "from", "--store", str(store_path))
    assert result.returncode == 2
    assert "Invalid value for '--param': 'from': write it as name=value." in (
        result.stderr
    )


@pytest.mark.parametrize("fmt, parse_as", [("nt", "nt"), ("jsonld", "json-ld")])
def test_cookbook_cli_ad_hoc_construct_still_works(store_path, fmt, parse_as):
    query = "CONSTRUCT { ?c a kg:Country } WHERE { ?c a kg:Country }"
    result = kg("query", query, "--store", str(store_path), "--format", fmt)
    assert result.returncode == 0, result.stderr
    graph = Graph().parse(data=result.stdout, format=parse_as)
    assert set(graph.subjects(RDF.type, KG.Country)) == {
        URIRef("https://w3id.org/kg-events/id/country/RUS"),
        URIRef("https://w3id.org/kg-events/id/country/UKR"),
    }


def test_cookbook_cli_timeout_stops_cartesian_product(tmp_path):
    path = tmp_path / "big"
    with open_store(path) as big:
        graph = Graph()
        for i in range(1000):
            node = URIRef(f"https://example.org/n{i}")
            graph.add((node, KG.trigger, Literal(f"t{i}")))
            graph.add((node, KG.sentence, Literal(f"s{i}")))
            graph.add((node, KG.origin, Literal(f"o{i}")))
        big.put_article(URIRef("https://example.org/a"), graph, "h")
    query = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"
    result = kg("query", query, "--store", str(path), "--timeout", "1")
    assert result.returncode == 2
    assert result.stderr.strip() == (
        "kg: error: query stopped after 1 s; narrow it or raise --timeout"
    )
