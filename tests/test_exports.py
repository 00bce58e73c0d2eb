"""Tests of the event exports (CSV, GraphML, GEXF) and of JSON-LD with kg's context.

The RDF round trips of every format are in test_export.py; these use the
hand-written store of helpers.trigstore (tests/data/graphs/events.trig).
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json

import networkx as nx
import pytest
from helpers.cli import kg
from helpers.trigstore import ID, KYIV, POL, RUS, UKR, WARSAW
from rdflib import Graph
from rdflib.compare import graph_diff, isomorphic, to_isomorphic
from rdflib.namespace import OWL, RDF, RDFS, SH, XSD

from kg.analysis.graphs import EventFilter
from kg.errors import UsageError
from kg.exports import CSV_COLUMNS, export, export_text, load_context
from kg.rdf.namespaces import KG, ONTOLOGY_GRAPH
from kg.rdf.ontology import load_shapes, ontology_dir

E7_SENTENCE = (
    'Poland hosted Ukraine\'s "delegation", in Warsaw;\nthe <b>talks</b> went on'
    "\x0b late."
)
A1, A2 = "https://example.org/news/a1", "https://example.org/news/a2"
A3 = "https://example.org/news/a3?id=3&lang=en"
KYIV_AT = ["Kyiv", "50.45466", "30.5238", "703448"]
NOWHERE = ["", "", "", ""]
EXPECTED_CSV = [
    list(CSV_COLUMNS),
    [f"{ID}event/a1/e1", "2019-01-21", "Volodymyr Zelenskiy", "UKRGOV", "UKR",
     "040", "04", "1", "1.0", "Russia", "RUS", "RUS", *KYIV_AT,
     "asserted", A1, "2019-01-24", "Zelenskiy held talks with Russia in Kyiv."],
    [f"{ID}event/a1/e2", "2019-01-22", "Russia", "RUS", "RUS",
     "190", "19", "4", "-10.0", "Ukraine", "UKR", "UKR", *KYIV_AT,
     "asserted", A1, "2019-01-24",
     "Russia shelled Ukraine's positions near Kyiv, officials said."],
    [f"{ID}event/a2/e4", "2019-02-09", "United States", "USA", "USA",
     "070", "07", "2", "7.0", "Ukraine", "UKR", "UKR", *NOWHERE,
     "asserted", A2, "2019-02-10", "The United States sent aid to Ukraine."],
    [f"{ID}event/a2/e5", "", "Russia", "RUS", "RUS",
     "111", "11", "3", "-2.0", "Ukraine", "UKR", "UKR", *NOWHERE,
     "asserted", A2, "2019-02-10",
     'Russia criticised Ukraine, calling the aid "a provocation".'],
    [f"{ID}event/a2/e6", "2019-02-11", "United Nations", "IGOUNO", "",
     "111", "11", "3", "-2.0", "Russia", "RUS", "RUS", *NOWHERE,
     "asserted", A2, "2019-02-10", "The United Nations condemned Russia."],
    [f"{ID}event/a3/e8", "2019-03-03", "Wagner Group", "RUSMIL", "RUS",
     "190", "19", "4", "-10.0", "Ukraine", "UKR", "UKR", *KYIV_AT,
     "asserted", A3, "2019-03-05", "The Wagner Group attacked Ukraine near Kyiv."],
    [f"{ID}event/a3/e7", "2019-03-04", "Poland", "POL", "POL",
     "043", "04", "1", "2.8", "Ukraine", "UKR", "UKR",
     "Warsaw", "52.22977", "21.01178", "756135",
     "asserted", A3, "2019-03-05", E7_SENTENCE],
    [f"{ID}event/a3/e9", "2019-03-05", "Volodymyr Zelenskiy", "UKRGOV", "UKR",
     "010", "01", "1", "0.0", "", "", "", *NOWHERE,
     "asserted", A3, "2019-03-05", "Zelenskiy said the visit went well."],
]  # fmt: skip


def parse_csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text, newline="")))


def test_exports_csv_rows_are_exact(trig_store, tmp_path):
    out = tmp_path / "events.csv"
    assert export(trig_store, "csv", out) == 8
    data = out.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")  # UTF-8 without a BOM
    assert parse_csv(data.decode("utf-8")) == EXPECTED_CSV
    # RFC 4180: CRLF between records; quotes doubled; the newline kept in quotes.
    assert b'"Poland hosted Ukraine\'s ""delegation"", in Warsaw;\nthe' in data
    assert data.count(b"\r\n") == len(EXPECTED_CSV)


@pytest.mark.parametrize(
    "filters, expected",
    [
        (EventFilter(modalities=None), ["e1", "e2", "e3", "e4", "e5", "e6", "e8",
                                        "e7", "e9", "e10"]),
        (EventFilter(countries=("POL",), modalities=None), ["e7", "e10"]),
        (EventFilter(since="2019-03", types=("19",)), ["e8"]),
    ],
)  # fmt: skip
def test_exports_csv_takes_filters(trig_store, filters, expected):
    rows = parse_csv(export_text(trig_store, "csv", filters=filters))[1:]
    assert [row[0].rsplit("/", 1)[1] for row in rows] == expected
    modality = CSV_COLUMNS.index("modality")
    flagged = {r[0].rsplit("/", 1)[1]: r[modality] for r in rows}
    assert flagged.get("e3", "negated") == "negated"
    assert flagged.get("e10", "hypothetical") == "hypothetical"


def read_back(text: str, fmt: str) -> nx.Graph:
    data = io.BytesIO(text.encode("utf-8"))
    return nx.read_graphml(data) if fmt == "graphml" else nx.read_gexf(data)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_exports_event_graph_parses_back_with_attributes(trig_store, fmt):
    graph = read_back(export_text(trig_store, fmt, graph="events"), fmt)
    assert graph.number_of_nodes() == 17 and graph.number_of_edges() == 19
    assert graph.is_directed()
    event = graph.nodes[f"{ID}event/a3/e7"]
    assert event["label"] == "043 Host a visit"
    assert (event["kind"], event["cameo_code"], event["cameo_root"]) == (
        "Event",
        "043",
        "04",
    )
    assert (event["quad_class"], event["goldstein"]) == (1, 2.8)
    assert event["date"] == "2019-03-04"
    # XML 1.0 cannot hold the vertical tab, even escaped: it is dropped.
    assert event["sentence"] == E7_SENTENCE.replace("\x0b", "")
    place = graph.nodes[KYIV]
    assert (place["latitude"], place["longitude"]) == (50.45466, 30.5238)
    assert (place["geonames_id"], place["events"], place["country"]) == (
        703448,
        3,
        "UKR",
    )
    roles = {data["role"] for _, _, data in graph.edges(data=True)}
    assert roles == {"source", "target", "place"}
    assert graph.has_edge(f"{ID}event/a3/e7", WARSAW)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_exports_actor_network_parses_back_weighted(trig_store, fmt):
    graph = read_back(export_text(trig_store, fmt, graph="actors"), fmt)
    assert graph.number_of_nodes() == 7 and graph.number_of_edges() == 6
    edge = graph.edges[RUS, UKR]
    assert edge["weight"] == 2 and isinstance(edge["weight"], int | float)
    assert (edge["cooperation"], edge["conflict"]) == (0, 2)
    assert (edge["goldstein_mean"], edge["balance"]) == (-6.0, -1.0)
    assert (edge["first"], edge["last"], edge["color"]) == (
        "2019-01-22",
        "2019-02-10",
        "#d62728",
    )
    assert graph.nodes[POL]["label"] == "Poland"
    assert graph.nodes[POL]["actor_code"] == "POL"


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_exports_event_date_only_when_the_text_gave_one(trig_store, fmt):
    graph = read_back(export_text(trig_store, fmt, graph="events"), fmt)
    # e5's text gives no date: the node says so, and keeps its article's day apart.
    undated = graph.nodes[f"{ID}event/a2/e5"]
    assert "date" not in undated
    assert undated["published"] == "2019-02-10"
    dated = graph.nodes[f"{ID}event/a1/e1"]
    assert (dated["date"], dated["published"]) == ("2019-01-21", "2019-01-24")
    dated_events = [
        n for n, d in graph.nodes(data=True) if d["kind"] == "Event" and "date" in d
    ]
    assert len(dated_events) == 7  # eight asserted events, one undated


def test_exports_graphml_is_static(trig_store):
    text = export_text(trig_store, "graphml", graph="events")
    assert "spell" not in text and 'attr.name="start"' not in text


def test_exports_gexf_event_graph_plays_on_gephis_timeline(trig_store):
    text = export_text(trig_store, "gexf", graph="events")
    assert 'mode="dynamic"' in text and 'timeformat="date"' in text
    graph = read_back(text, "gexf")
    assert graph.graph["mode"] == "dynamic"
    e1, e5 = graph.nodes[f"{ID}event/a1/e1"], graph.nodes[f"{ID}event/a2/e5"]
    assert (e1["start"], e1["end"]) == ("2019-01-21", "2019-01-21")
    # An event the text left undated sits on its article's day, like GDELT's.
    assert (e5["start"], e5["end"]) == ("2019-02-10", "2019-02-10")
    for source, target, data in graph.edges(data=True):
        event = source if graph.nodes[source]["kind"] == "Event" else target
        assert (data["start"], data["end"]) == (
            graph.nodes[event]["start"],
            graph.nodes[event]["end"],
        )
    # Kyiv is where e1 (21 Jan), e2 (22 Jan) and e8 (3 Mar) happened.
    assert graph.nodes[KYIV]["spells"] == [
        ("2019-01-21", "2019-01-22"),
        ("2019-03-03", "2019-03-03"),
    ]
    # Every node has a time: each is touched by a dated event.
    for node, data in graph.nodes(data=True):
        assert "start" in data or "spells" in data, node


def test_exports_gexf_actor_network_spells(trig_store):
    graph = read_back(export_text(trig_store, "gexf", graph="actors"), "gexf")
    assert graph.graph["mode"] == "dynamic"
    edge = graph.edges[RUS, UKR]
    assert edge["spells"] == [
        ("2019-01-22", "2019-01-22"),
        ("2019-02-10", "2019-02-10"),
    ]
    assert (edge["first"], edge["last"]) == ("2019-01-22", "2019-02-10")
    assert graph.nodes[POL]["spells"] == [("2019-03-04", "2019-03-04")]
    for source, target, data in graph.edges(data=True):
        for start, end in data["spells"]:
            for node in (source, target):
                assert any(
                    a <= start and end <= b for a, b in graph.nodes[node]["spells"]
                ), (node, start)


def test_exports_spells_join_consecutive_days():
    from kg.exports.events import spells

    days = [dt.date(2019, 1, d) for d in (5, 1, 2, 3, 3, 9)]
    assert spells(days) == [
        ("2019-01-01", "2019-01-03"),
        ("2019-01-05", "2019-01-05"),
        ("2019-01-09", "2019-01-09"),
    ]
    assert spells([]) == []


def test_exports_gexf_colours_are_gephi_viz(trig_store):
    text = export_text(trig_store, "gexf", graph="actors")
    graph = read_back(text, "gexf")
    assert graph.nodes[UKR]["viz"]["color"] == {"r": 89, "g": 161, "b": 79, "a": 1.0}
    assert '<viz:color r="214" g="39" b="40" a="1.0" />' in text  # a conflict edge
    assert 'title="weight"' not in text  # GEXF's own weight attribute is used
    assert 'weight="2"' in text or 'weight="2.0"' in text


@pytest.mark.parametrize(
    "kwargs, message",
    [
        ({"fmt": "nt", "filters": EventFilter()}, "Filters select events for csv"),
        ({"fmt": "graphml", "graph": "dyads"}, "Unknown graph 'dyads'"),
        ({"fmt": "xlsx"}, "use one of turtle, nt, jsonld, trig, nquads, csv"),
    ],
)
def test_exports_rejects_bad_combinations(trig_store, kwargs, message):
    with pytest.raises(UsageError, match=message):
        export_text(trig_store, **kwargs)


# --- JSON-LD ----------------------------------------------------------------------


def assert_same(got: Graph, want: Graph) -> None:
    if not isomorphic(got, want):
        _, only_got, only_want = graph_diff(to_isomorphic(got), to_isomorphic(want))
        pytest.fail(
            f"only in export:\n{only_got.serialize(format='nt')}\n"
            f"only in store:\n{only_want.serialize(format='nt')}"
        )


@pytest.mark.parametrize("include_ontology", [True, False])
def test_exports_jsonld_embeds_context_and_round_trips(trig_store, include_ontology):
    text = export_text(trig_store, "jsonld", include_ontology=include_ontology)
    document = json.loads(text)
    published = json.loads((ontology_dir() / "context.jsonld").read_text("utf-8"))
    assert document["@context"] == published["@context"] == load_context()
    want = trig_store.read_graph()
    if not include_ontology:
        want -= trig_store.read_graph(ONTOLOGY_GRAPH)
    assert_same(Graph().parse(data=text, format="json-ld"), want)


def test_exports_jsonld_uses_short_keys(trig_store):
    nodes = json.loads(export_text(trig_store, "jsonld"))["@graph"]
    event = next(n for n in nodes if n["@id"] == "kgr:event/a1/e1")
    assert event == {
        "@id": "kgr:event/a1/e1",
        "@type": "Event",
        "confidence": "0.9",
        "date": "2019-01-21",
        "eventType": "cameo:040",
        "fromArticle": "kgr:article/a1",
        "modality": "asserted",
        "place": "kgr:place/geonames/703448",
        "sentence": "Zelenskiy held talks with Russia in Kyiv.",
        "sourceActor": "kgr:person/ukr/volodymyr-zelenskiy",
        "targetActor": "kgr:country/RUS",
        "trigger": "held talks",
    }
    ukraine = next(n for n in nodes if n["@id"] == "kgr:country/UKR")
    assert ukraine["mentionedIn"] == ["kgr:article/a1", "kgr:article/a2",
                                      "kgr:article/a3"]  # fmt: skip
    concept = next(n for n in nodes if n["@id"] == "cameo:04")
    assert concept["prefLabel"] == {"@value": "Consult", "@language": "en"}
    # Oxigraph keeps numbers in canonical form: the decimal 1.0 is "1".
    assert (concept["quadClass"], concept["goldstein"]) == ("1", "1")


def context_from_ontology() -> dict[str, str | dict]:
    """What ontology/context.jsonld must say about each term of ontology/kg.ttl."""
    ontology = Graph().parse(ontology_dir() / "kg.ttl")
    shapes = load_shapes()
    terms: dict[str, str | dict] = {}
    for subject in set(ontology.subjects(RDF.type, None)):
        if not str(subject).startswith(str(KG._NS)):
            continue
        name = str(subject).removeprefix(str(KG._NS))
        types = set(ontology.objects(subject, RDF.type))
        datatype = ontology.value(subject, RDFS.range)
        if datatype == RDFS.Literal:  # xsd:date, which OWL 2 lacks: the shapes say
            shape = shapes.value(predicate=SH.path, object=subject)
            datatype = shapes.value(shape, SH.datatype)
        if OWL.ObjectProperty in types:
            terms[name] = {"@id": f"kg:{name}", "@type": "@id"}
        elif OWL.DatatypeProperty in types and datatype not in (None, XSD.string):
            local = str(datatype).removeprefix(str(XSD))
            terms[name] = {"@id": f"kg:{name}", "@type": f"xsd:{local}"}
        else:
            terms[name] = f"kg:{name}"
    return terms


def test_exports_context_covers_the_ontology():
    context = load_context()
    for name, definition in context_from_ontology().items():
        assert context.get(name) == definition, f"context.jsonld: fix term {name!r}"
    assert context["kg"] == str(KG._NS)


# --- CLI --------------------------------------------------------------------------


def test_exports_cli_csv_to_file(trig_store_path, tmp_path):
    out = tmp_path / "events.csv"
    result = kg(
        "export", "--store", str(trig_store_path), "--format", "csv", "-o", str(out)
    )
    assert result.returncode == 0, result.stderr
    assert result.stderr.strip() == f"wrote 8 events to {out}"
    assert parse_csv(out.read_text(encoding="utf-8")) == EXPECTED_CSV


def test_exports_cli_graphml_actors_with_filters(trig_store_path):
    result = kg(
        "export", "--store", str(trig_store_path), "--format", "graphml",
        "--graph", "actors", "--since", "2019-02", "--actor", "Ukraine",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    graph = read_back(result.stdout, "graphml")
    assert sorted(graph.edges) == sorted(
        [(RUS, UKR), (f"{ID}country/USA", UKR), (f"{ID}group/rus/wagner-group", UKR),
         (POL, UKR)]
    )  # fmt: skip
    assert graph.edges[RUS, UKR]["weight"] == 1


def test_exports_cli_rdf_refuses_filters(trig_store_path):
    result = kg("export", "--store", str(trig_store_path), "--format", "nt", "--all")
    assert result.returncode == 2
    assert result.stderr.startswith("kg: error: Filters select events for csv")
    assert result.stdout == ""


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ('=HYPERLINK("http://evil","x")', '\'=HYPERLINK("http://evil","x")'),
        ("+1 attack", "'+1 attack"),
        ("-cmd", "'-cmd"),
        ("@SUM(A1)", "'@SUM(A1)"),
        ("Plain sentence.", "Plain sentence."),
        (-7.5, -7.5),
    ],
)
def test_exports_csv_cells_never_formulas(value, expected):
    from kg.analysis.rows import defused

    assert defused(value) == expected
