"""--min-confidence on kg export, viz, map and network, and min_confidence in the
cookbook: each keeps exactly the events whose kg:confidence is at least the
minimum, and drops events without a confidence once a minimum is given.

The store is real (Oxigraph, written through kg's own RDF mapping) and holds six
events of known confidence, one of them without any (a nan confidence is left
out by the mapping). Commands run as ``python -m kg`` child processes.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import shlex
import subprocess
from datetime import date
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers.cli import kg
from rdflib.namespace import RDF

from kg.analysis.eventrows import (
    EventFilter,
    events_below,
    load_events,
    meets_confidence,
)
from kg.cli import main
from kg.errors import QueryError, UsageError
from kg.exports import export, export_text
from kg.query import run_query
from kg.rdf.iris import article_iri, event_iri
from kg.rdf.mapping import extraction_to_graph
from kg.rdf.namespaces import KG
from kg.rdf.ontology import load_ontology
from kg.records import Article, Entity, Event, Extraction
from kg.store import Store, open_store
from kg.views.graph import describe_filter, render_html
from kg.views.mapview import render_map

ZEL = Entity("Volodymyr Zelenskiy", "person", "UKR")
RUS = Entity("Russia", "country", "RUS")
UKR = Entity("Ukraine", "country", "UKR")
UN = Entity("United Nations", "organization")
WAGNER = Entity("Wagner Group", "group", "RUS")
KYIV = Entity(
    "Kyiv", "location", "UKR", geonames_id=703448, latitude=50.45466, longitude=30.5238
)
# article id -> (cameo, source, target, trigger, confidence); nan: none stored.
SPEC: dict[str, list[tuple[str, Entity, Entity, str, float]]] = {
    "a1": [
        ("040", ZEL, RUS, "talks", 0.95),
        ("190", RUS, ZEL, "shelled", 0.8),
        ("111", UN, RUS, "criticised", 0.5),
        ("043", ZEL, UN, "met", math.nan),
    ],
    "a2": [
        ("190", WAGNER, UKR, "attacked", 0.3),
        ("040", UKR, UN, "consulted", 1.0),
    ],
}
# minimum -> triggers of the events kept (None: no minimum, every event).
KEPT: dict[float | None, set[str]] = {
    None: {"talks", "shelled", "criticised", "met", "attacked", "consulted"},
    0.0: {"talks", "shelled", "criticised", "attacked", "consulted"},
    0.5: {"talks", "shelled", "criticised", "consulted"},
    0.8: {"talks", "shelled", "consulted"},  # 0.8 itself is kept
    0.96: {"consulted"},
    1.0: {"consulted"},
}
BAD = ["nan", "1.5", "-0.1", "abc", "inf", "", "1.0000001"]
COMMANDS = {
    "export": ["--format", "csv"],
    "viz": ["-o", "view.html"],
    "map": ["-o", "map.html"],
    "network": [],
}


def _extraction(aid: str) -> tuple[Extraction, dict[str, str]]:
    """One article of SPEC as an extraction, and its event IRIs by trigger."""
    events = SPEC[aid]
    text = " ".join(f"{s.name} {trigger} {t.name}." for _, s, t, trigger, _ in events)
    article = Article(
        aid, text, title=f"Title {aid}", date=date(2019, 1, 24), source="Wikinews",
        url=f"https://example.org/{aid}",
    )  # fmt: skip
    found, start = [], 0
    for code, source, target, trigger, confidence in events:
        sentence = f"{source.name} {trigger} {target.name}."
        found.append(
            Event(code, trigger, source, target, KYIV, "2019-01-21", sentence,
                  start, start + len(sentence), confidence)
        )  # fmt: skip
        start += len(sentence) + 1
    entities = tuple(dict.fromkeys([e for _, s, t, *_ in events for e in (s, t)]))
    iris = {e.trigger: str(event_iri(article, e)) for e in found}
    return Extraction(article, (*entities, KYIV), tuple(found)), iris


def _fill(store: Store) -> dict[str, str]:
    """Write SPEC's articles and the ontology; return event IRIs by trigger."""
    store.ensure_ontology(load_ontology())
    iris: dict[str, str] = {}
    for aid in SPEC:
        extraction, found = _extraction(aid)
        graph = extraction_to_graph(extraction, extractor_version="t", model="m")
        article = extraction.article
        store.put_article(article_iri(article), graph, article.content_hash)
        iris.update(found)
    return iris


@pytest.fixture(scope="module")
def built(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    path = tmp_path_factory.mktemp("min-confidence") / "store"
    with open_store(path) as store:
        iris = _fill(store)
    return path, iris


@pytest.fixture
def store_path(built) -> Path:
    return built[0]


@pytest.fixture
def iris(built) -> dict[str, str]:
    return built[1]


@pytest.fixture
def read_only_store(store_path):
    with open_store(store_path, read_only=True) as opened:
        yield opened


def kept(iris: dict[str, str], minimum: float | None) -> set[str]:
    """IRIs of the events a minimum keeps."""
    return {iris[trigger] for trigger in KEPT[minimum]}


def minimum_args(minimum: float | None) -> list[str]:
    return [] if minimum is None else ["--min-confidence", str(minimum)]


def csv_events(text: str) -> set[str]:
    rows = list(csv.DictReader(io.StringIO(text, newline="")))
    return {row["event_id"] for row in rows}


def view_nodes(page: str) -> list[dict]:
    """The vis nodes embedded in a kg viz page."""
    start = page.index("nodes = new vis.DataSet(") + len("nodes = new vis.DataSet(")
    nodes, _ = json.JSONDecoder().raw_decode(page[start:])
    return nodes


def map_data(page: str) -> dict:
    """The JSON a kg map page carries in its inert data block."""
    match = re.search(r'<script type="application/json" id="kg-data">(.*?)</script>',
                      page, re.S)  # fmt: skip
    return json.loads(match.group(1))


def one_error_line(result: subprocess.CompletedProcess, start: str) -> None:
    assert result.returncode == 2, result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith(start), result.stderr
    assert result.stderr.count("\n") == 1, result.stderr


# --- the one shared filter --------------------------------------------------------


@pytest.mark.parametrize("minimum", list(KEPT))
def test_min_confidence_load_events_keeps_exactly_the_sure_ones(
    read_only_store, iris, minimum
):
    rows = load_events(read_only_store, EventFilter(min_confidence=minimum))
    assert {row.iri for row in rows} == kept(iris, minimum)
    assert all(minimum is None or row.confidence >= minimum for row in rows)


def test_min_confidence_event_without_one_is_kept_only_without_minimum(
    read_only_store, iris
):
    (row,) = [r for r in load_events(read_only_store) if r.iri == iris["met"]]
    assert row.confidence is None
    assert meets_confidence(None, None)
    assert not meets_confidence(None, 0.0)


@pytest.mark.parametrize("minimum", [0.0, 0.8, 1.0])
def test_min_confidence_events_below_is_the_complement(read_only_store, iris, minimum):
    assert events_below(read_only_store, minimum) == set(iris.values()) - kept(
        iris, minimum
    )


@pytest.mark.parametrize("value", [math.nan, math.inf, 1.5, -0.1, "abc", True])
def test_min_confidence_filter_refuses_non_probabilities(value):
    with pytest.raises(UsageError, match="not a probability"):
        EventFilter(min_confidence=value)


def test_min_confidence_filter_accepts_text_numbers():
    assert EventFilter(min_confidence="0.8").min_confidence == 0.8


@pytest.mark.parametrize(
    "spec, text",
    [
        (EventFilter(min_confidence=0.8), "confidence at least 0.8"),
        (
            EventFilter(since="2019", min_confidence=0),
            "since 2019, confidence at least 0",
        ),
    ],
)
def test_min_confidence_is_described_on_pages(spec, text):
    assert describe_filter(spec) == text


# --- export -----------------------------------------------------------------------


@pytest.mark.parametrize("minimum", [None, 0.0, 0.8])
def test_min_confidence_export_csv_cli(store_path, iris, minimum):
    result = kg("export", "--store", str(store_path), "--format", "csv",
                *minimum_args(minimum))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert csv_events(result.stdout) == kept(iris, minimum)


@pytest.mark.parametrize("fmt", ["graphml", "gexf"])
def test_min_confidence_export_graphs(read_only_store, iris, fmt):
    text = export_text(read_only_store, fmt, filters=EventFilter(min_confidence=0.5))
    events = set(re.findall(r'id="(https://[^"]*/event/[^"]*)"', text))
    assert events == kept(iris, 0.5)


def _statements(text: str, fmt: str) -> set[ox.Triple]:
    """The triples of an export (quads as triples: the drop rule is the same)."""
    rdf_format = {"turtle": ox.RdfFormat.TURTLE, "nt": ox.RdfFormat.N_TRIPLES,
                  "trig": ox.RdfFormat.TRIG, "nquads": ox.RdfFormat.N_QUADS,
                  "jsonld": ox.RdfFormat.JSON_LD}[fmt]  # fmt: skip
    return {
        item.triple if isinstance(item, ox.Quad) else item
        for item in ox.parse(text.encode("utf-8"), rdf_format)
    }


def _events(statements: set[ox.Triple]) -> set[str]:
    """Subjects typed kg:Event."""
    return {
        t.subject.value for t in statements
        if t.predicate.value == str(RDF.type) and t.object.value == str(KG.Event)
    }  # fmt: skip


def _names(statement: ox.Triple, dropped: set[str]) -> bool:
    return statement.subject.value in dropped or (
        isinstance(statement.object, ox.NamedNode) and statement.object.value in dropped
    )


@pytest.mark.parametrize("fmt", ["turtle", "nt", "trig", "nquads", "jsonld"])
def test_min_confidence_rdf_export_drops_exactly_the_events_triples(
    read_only_store, iris, fmt
):
    full = _statements(export_text(read_only_store, fmt), fmt)
    text = export_text(read_only_store, fmt, filters=EventFilter(min_confidence=0.8))
    dropped = set(iris.values()) - kept(iris, 0.8)
    expected = {t for t in full if not _names(t, dropped)}
    assert _statements(text, fmt) == expected
    assert len(expected) < len(full) - 3 * 8  # each dropped event had ~12 triples
    assert _events(expected) == kept(iris, 0.8)


@pytest.mark.parametrize("fmt", ["turtle", "nt", "trig", "nquads"])
def test_min_confidence_rdf_export_to_a_file_streams_the_same(
    read_only_store, tmp_path, fmt
):
    out = tmp_path / f"export.{fmt}"
    spec = EventFilter(min_confidence=0.8)
    count = export(read_only_store, fmt, out, filters=spec)
    expected = _statements(export_text(read_only_store, fmt, filters=spec), fmt)
    assert _statements(out.read_text(encoding="utf-8"), fmt) == expected
    assert count >= len(expected)  # quads: the same triple in several graphs


def test_min_confidence_rdf_export_cli_without_ontology(store_path, iris, tmp_path):
    out = tmp_path / "confident.nt"
    result = kg("export", "--store", str(store_path), "--format", "nt",
                "--no-ontology", "--min-confidence", "0.8", "-o", str(out))  # fmt: skip
    assert result.returncode == 0, result.stderr
    statements = _statements(out.read_text(encoding="utf-8"), "nt")
    assert _events(statements) == kept(iris, 0.8)
    with open_store(store_path, read_only=True) as store:
        spec = EventFilter(min_confidence=0.8)
        text = export_text(store, "nt", include_ontology=False, filters=spec)
        with_ontology = _statements(export_text(store, "nt", filters=spec), "nt")
    assert statements == _statements(text, "nt")
    assert len(statements) < len(with_ontology)
    assert result.stderr.startswith(f"wrote {len(statements)} statements to ")


def test_min_confidence_rdf_export_cli_to_stdout(store_path, iris):
    result = kg("export", "--store", str(store_path), "--format", "turtle",
                "--min-confidence", "0.8")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _events(_statements(result.stdout, "turtle")) == kept(iris, 0.8)


@pytest.mark.parametrize("extra", [["--all"], ["--since", "2019"], ["--type", "19"]])
def test_min_confidence_rdf_export_refuses_other_filters(store_path, extra):
    result = kg("export", "--store", str(store_path), "--format", "turtle",
                "--min-confidence", "0.8", *extra)  # fmt: skip
    one_error_line(result, "kg: error: Filters select events for csv")
    assert "takes only --min-confidence" in result.stderr


def test_min_confidence_rdf_export_refuses_a_filter_without_minimum(read_only_store):
    with pytest.raises(UsageError, match="takes only --min-confidence"):
        export_text(read_only_store, "turtle", filters=EventFilter())


# --- viz, map, network ------------------------------------------------------------


@pytest.mark.parametrize("minimum", [None, 0.5, 0.96])
def test_min_confidence_viz_cli_embeds_only_kept_events(
    store_path, iris, tmp_path, minimum
):
    out = tmp_path / "view.html"
    result = kg("viz", "--store", str(store_path), "-o", str(out),
                *minimum_args(minimum))  # fmt: skip
    assert result.returncode == 0, result.stderr
    page = out.read_text(encoding="utf-8")
    events = {n["id"] for n in view_nodes(page) if n["kgKind"] == "Event"}
    assert events == kept(iris, minimum)
    note = "" if minimum is None else f"confidence at least {minimum:g}"
    assert ("confidence at least" in page) == bool(note)
    assert note in page


def test_min_confidence_viz_actor_network(read_only_store, iris, tmp_path):
    summary = render_html(
        read_only_store, tmp_path / "actors.html", graph="actors",
        filters=EventFilter(min_confidence=0.8),
    )  # fmt: skip
    nodes = view_nodes((tmp_path / "actors.html").read_text(encoding="utf-8"))
    assert {n["label"] for n in nodes} == {
        "Volodymyr Zelenskiy", "Russia", "Ukraine", "United Nations",
    }  # fmt: skip
    assert summary.events == len(kept(iris, 0.8))


@pytest.mark.parametrize("minimum", [None, 0.0, 0.8])
def test_min_confidence_map_cli_embeds_only_kept_events(
    store_path, iris, tmp_path, minimum
):
    out = tmp_path / "map.html"
    result = kg("map", "--store", str(store_path), "-o", str(out),
                *minimum_args(minimum))  # fmt: skip
    assert result.returncode == 0, result.stderr
    data = map_data(out.read_text(encoding="utf-8"))
    assert {point["id"] for point in data["events"]} == kept(iris, minimum)
    assert result.stdout.startswith(f"{len(kept(iris, minimum))} of ")


def test_min_confidence_map_api_counts(read_only_store, iris, tmp_path):
    summary = render_map(
        read_only_store, tmp_path / "m.html", filters=EventFilter(min_confidence=1)
    )
    assert (summary.events, summary.located) == (1, 1)


@pytest.mark.parametrize(
    "minimum, actors",
    [
        (None, {"Volodymyr Zelenskiy", "Russia", "Ukraine", "United Nations",
                "Wagner Group"}),
        (0.8, {"Volodymyr Zelenskiy", "Russia", "Ukraine", "United Nations"}),
        (0.96, {"Ukraine", "United Nations"}),
    ],
)  # fmt: skip
def test_min_confidence_network_cli_ranks_actors_of_kept_events(
    store_path, minimum, actors
):
    result = kg("network", "--store", str(store_path), "--format", "json",
                "--top", "0", *minimum_args(minimum))  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert {a["label"] for a in json.loads(result.stdout)["actors"]} == actors


def test_min_confidence_network_dyads(store_path):
    result = kg("network", "--store", str(store_path), "--dyads", "--format", "json",
                "--min-confidence", "0.96")  # fmt: skip
    assert result.returncode == 0, result.stderr
    dyads = json.loads(result.stdout)["dyads"]
    assert [(d["source"], d["target"], d["events"]) for d in dyads] == [
        ("Ukraine", "United Nations", 1)
    ]


# --- cookbook ---------------------------------------------------------------------


def _event_column(text: str) -> set[str]:
    return {row["event"] for row in csv.DictReader(io.StringIO(text))}


@pytest.mark.parametrize("minimum", [None, 0.0, 0.5, 0.8, 1.0])
def test_min_confidence_cookbook_events_by_type(read_only_store, iris, minimum):
    params = {} if minimum is None else {"min_confidence": str(minimum)}
    text = run_query(read_only_store, "events-by-type", fmt="csv", params=params)
    assert _event_column(text) == kept(iris, minimum)


@pytest.mark.parametrize(
    "name, params",
    [
        ("actor-events", {"actor": "Russia"}),
        ("dyad-timeline", {"actor_a": "Russia", "actor_b": "Volodymyr Zelenskiy"}),
        ("edge-evidence", {"source": "Russia", "target": "Volodymyr Zelenskiy"}),
        ("events-at-place", {"place": "Kyiv"}),
    ],
)
def test_min_confidence_cookbook_event_lists(read_only_store, iris, name, params):
    full = _event_column(run_query(read_only_store, name, fmt="csv", params=params))
    assert full
    for minimum in (0.0, 0.8, 0.96):
        extra = {"min_confidence": str(minimum)}
        found = _event_column(
            run_query(read_only_store, name, fmt="csv", params=params | extra)
        )
        assert found == full & kept(iris, minimum)


def test_min_confidence_cookbook_counts(read_only_store):
    def events(minimum: str | None) -> dict[str, str]:
        params = {} if minimum is None else {"min_confidence": minimum}
        text = run_query(read_only_store, "top-actors", fmt="csv", params=params)
        return {row["name"]: row["events"] for row in csv.DictReader(io.StringIO(text))}

    assert events(None)["Volodymyr Zelenskiy"] == "3"
    assert events("0.8") == {
        "Russia": "2",
        "Volodymyr Zelenskiy": "2",
        "Ukraine": "1",
        "United Nations": "1",
    }
    assert events("1") == {"Ukraine": "1", "United Nations": "1"}


def test_min_confidence_cookbook_meetings_and_months(read_only_store):
    meetings = run_query(read_only_store, "who-met-whom", fmt="csv",
                         params={"min_confidence": "0.96"})  # fmt: skip
    assert [r["meetings"] for r in csv.DictReader(io.StringIO(meetings))] == ["1"]

    def months(minimum: str) -> list[tuple[str, str]]:
        params = {"country_a": "UKR", "country_b": "RUS", "min_confidence": minimum}
        text = run_query(
            read_only_store, "coop-conflict-monthly", fmt="csv", params=params
        )
        return [(r["cooperation"], r["conflict"])
                for r in csv.DictReader(io.StringIO(text))]  # fmt: skip

    assert months("0.3") == [("1", "2")]  # talks; shelled and Wagner's attack
    assert months("0.5") == [("1", "1")]  # Wagner's 0.3 is out
    assert months("0.96") == []


@pytest.mark.parametrize("value", ["nan", "1.5", "-0.1", "abc", "1e-1", ""])
def test_min_confidence_cookbook_refuses_non_probabilities(read_only_store, value):
    with pytest.raises(QueryError, match="give a number from 0 to 1"):
        run_query(read_only_store, "events-by-type", params={"min_confidence": value})


def test_min_confidence_cookbook_cli(store_path, iris):
    result = kg("query", "events-by-type", "--store", str(store_path),
                "--param", "min_confidence=0.8", "--format", "csv")  # fmt: skip
    assert result.returncode == 0, result.stderr
    assert _event_column(result.stdout) == kept(iris, 0.8)
    bad = kg("query", "events-by-type", "--store", str(store_path),
             "--param", "min_confidence=1.5")  # fmt: skip
    one_error_line(bad, "kg: error: --param min_confidence='1.5' is not a valid")


def test_min_confidence_cookbook_is_listed():
    result = kg("query", "--list")
    listed = "--param min_confidence=... (probability, optional)"
    assert result.stdout.count(listed) == 8


# --- bad values and help ----------------------------------------------------------


@pytest.mark.parametrize("command", list(COMMANDS))
@pytest.mark.parametrize("value", BAD)
def test_min_confidence_bad_values_give_one_line(
    store_path, tmp_path, capsys, monkeypatch, command, value
):
    monkeypatch.chdir(tmp_path)
    with pytest.raises(SystemExit) as exit_:
        main([command, "--store", str(store_path), *COMMANDS[command],
              "--min-confidence", value])  # fmt: skip
    assert exit_.value.code == 2
    out, err = capsys.readouterr()
    assert out == ""
    assert err == (
        f"kg: error: --min-confidence {value!r} is not a probability: give a number "
        "from 0 to 1, e.g. --min-confidence 0.8\n"
    )
    assert list(tmp_path.iterdir()) == []


@pytest.mark.parametrize(
    "command, value", [("export", "nan"), ("viz", "1.5"), ("map", "-0.1"),
                       ("network", "abc")]
)  # fmt: skip
def test_min_confidence_bad_values_in_a_child_process(
    store_path, tmp_path, command, value
):
    result = kg(command, "--store", str(store_path), *COMMANDS[command],
                "--min-confidence", value, cwd=tmp_path)  # fmt: skip
    one_error_line(result, f"kg: error: --min-confidence {value!r} is not a prob")


@pytest.mark.parametrize(
    "command", [["export"], ["viz"], ["map"], ["network"], ["query"]]
)
def test_min_confidence_help_example_works(store_path, tmp_path, command):
    """Each command's --help shows a --min-confidence example that runs as shown."""
    help_text = kg(*command, "--help").stdout
    examples = [
        line.strip() for line in help_text.splitlines()
        if line.strip().startswith("kg ") and "min" in line and "confidence" in line
    ]  # fmt: skip
    assert examples, help_text
    for example in examples:
        args = shlex.split(example)[1:]
        result = kg(*args, "--store", str(store_path), cwd=tmp_path)
        assert result.returncode == 0, (example, result.stderr)
