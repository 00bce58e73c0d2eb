"""kg.store.provenance: run records in PROV-O, their graphs, and the history."""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import datetime, timezone

import pytest
from rdflib import Literal
from rdflib.namespace import PROV, RDF

from kg.errors import UsageError
from kg.rdf.iris import agent_iri, article_iri, revision_iri, run_iri
from kg.rdf.namespaces import KG
from kg.rdf.validate import validate_graph
from kg.store import open_store
from kg.store.provenance import (
    Revision,
    Run,
    format_history,
    read_run,
    read_runs,
    recording,
    run_graph,
)

OLD, NEW = "a" * 64, "b" * 64
RUN = Run(
    run_iri("20261126T101500.000001Z"),
    "ingest",
    datetime(2026, 11, 26, 10, 15, 0, 1, tzinfo=timezone.utc),
    datetime(2026, 11, 26, 10, 15, 9, tzinfo=timezone.utc),
    "0.1.0",
    "en_core_web_sm 3.8.0",
    added=("a 2", "a1"),
    replaced=(Revision("b1", OLD, NEW),),
    unchanged=3,
)


@pytest.mark.parametrize("run", [RUN])
def test_provenance_run_graph_is_prov_o_and_conforms(run):
    graph = run_graph(run)
    node, revision = run.iri, revision_iri(run.iri, "b1")
    assert {KG.IngestRun, PROV.Activity} <= set(graph.objects(node, RDF.type))
    assert graph.value(node, PROV.wasAssociatedWith) == agent_iri("0.1.0")
    assert (agent_iri("0.1.0"), RDF.type, PROV.SoftwareAgent) in graph
    started = graph.value(node, PROV.startedAtTime)
    assert started.toPython() == run.started
    assert set(graph.objects(node, KG.added)) == {article_iri("a1"), article_iri("a 2")}
    assert graph.value(node, KG.replaced) == article_iri("b1")
    assert (
        graph.value(revision, KG.previousHash),
        graph.value(revision, KG.contentHash),
    ) == (
        Literal(OLD),
        Literal(NEW),
    )
    counts = [KG.addedCount, KG.replacedCount, KG.removedCount, KG.unchangedCount]
    assert [graph.value(node, c).toPython() for c in counts] == [2, 1, 0, 3]
    assert validate_graph(graph).conforms


@pytest.mark.parametrize("prop, value", [(KG.failedCount, -1), (KG.previousHash, "x")])
def test_provenance_shapes_catch_a_broken_run_graph(prop, value):
    graph = run_graph(RUN)
    subject = RUN.iri if prop == KG.failedCount else revision_iri(RUN.iri, "b1")
    graph.set((subject, prop, Literal(value)))
    result = validate_graph(graph)
    assert not result.conforms
    assert [v.path for v in result.violations] == [prop]


@pytest.mark.parametrize("run", [RUN])
def test_provenance_run_round_trips_through_the_store(store, run):
    store.put_run(run.iri, run_graph(run))
    assert read_run(store, run.iri) == run
    assert store.runs() == [run.iri] and store.articles() == []
    assert store.triple_count() == 0  # runs stay out of the union


@pytest.mark.parametrize("commands", [("ingest", "remove", "ingest")])
def test_provenance_history_newest_first_with_limit(store, commands):
    for command in commands:
        with recording(store, command, model="m 1") as log:
            log.added.append(f"{command}-article")
    runs = read_runs(store)
    assert [r.command for r in runs] == list(reversed(commands))
    assert runs[0].started > runs[1].started > runs[2].started
    assert len({r.iri for r in runs}) == len(commands)
    assert read_runs(store, limit=1) == runs[:1]


@pytest.mark.parametrize("run", [RUN])
def test_provenance_history_table_shows_changes_and_versions(run):
    lines = format_history([run]).splitlines()
    assert lines[0].split()[:3] == ["started", "(UTC)", "command"]
    assert (
        lines[1].split()
        == (
            "2026-11-26 10:15:00 ingest finished 2 1 0 3 0 0.1.0 / en_core_web_sm 3.8.0"
        ).split()
    )
    assert lines[2:] == [
        "    added: a 2, a1",
        f"    replaced: b1 ({OLD[:8]} -> {NEW[:8]})",
    ]


@pytest.mark.parametrize("run", [RUN])
def test_provenance_history_json_lists_everything(run):
    (data,) = json.loads(format_history([run], "json"))
    assert data["run"] == str(run.iri) and data["status"] == "finished"
    assert data["started"] == "2026-11-26T10:15:00.000001+00:00"
    assert data["added"] == ["a 2", "a1"] and data["removed"] == []
    assert data["replaced"] == [
        {"article": "b1", "previous_hash": OLD, "content_hash": NEW}
    ]
    assert (data["model"], data["unchanged"], data["failed"]) == (
        "en_core_web_sm 3.8.0",
        3,
        0,
    )


@pytest.mark.parametrize("fmt, text", [("table", "No runs recorded"), ("json", "[]")])
def test_provenance_history_of_empty_store(fmt, text):
    assert format_history([], fmt).startswith(text)


@pytest.mark.parametrize("fmt", ["csv"])
def test_provenance_history_unknown_format_raises(fmt):
    with pytest.raises(UsageError, match="use one of table, json"):
        format_history([RUN], fmt)


@pytest.mark.parametrize("article", ["half-done"])
def test_provenance_killed_run_shows_as_unfinished(tmp_path, article):
    path = tmp_path / "store"
    code = (
        "import os, sys\nfrom kg.store import open_store\n"
        "from kg.store.provenance import recording\n"
        "store = open_store(sys.argv[1])\n"
        "with recording(store, 'ingest', model='m 1') as log:\n"
        f"    log.added.append({article!r})\n"
        "    store.close()\n"
        "    os._exit(9)\n"
    )
    proc = subprocess.run(
        [sys.executable, "-c", code, str(path)], capture_output=True, timeout=60
    )
    assert proc.returncode == 9, proc.stderr.decode()
    with open_store(path) as store:
        (run,) = read_runs(store)
    assert (run.status, run.ended, run.added, run.model) == (
        "unfinished",
        None,
        (),
        "m 1",
    )
    assert "unfinished" in format_history([run])
