"""The command line as a user runs it: real files, real store.

Commands run in this process through click's CliRunner (tests/clirunner.py);
those that need a real process (a stdin pipe, the ``python -m kg`` entry) run in
a child one.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers.clirunner import run_kg
from helpers.paths import DATA, ROOT, SAMPLE
from rdflib import Dataset, Graph
from rdflib.compare import isomorphic

COMMANDS = [
    "build",
    "ingest",
    "extract",
    "evaluate",
    "query",
    "export",
    "viz",
    "map",
    "stats",
    "network",
    "validate",
    "remove",
    "history",
    "import-gdelt",
    "serve",
    "train",
]


def kg_process(*args: str, stdin: bytes | None = None):
    """Run ``python -m kg`` in a child process and capture what it prints."""
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        input=stdin,
        capture_output=True,
        timeout=120,
    )


@pytest.fixture(scope="module")
def built(tmp_path_factory):
    """`kg build data/articles --out DIR`, once for this module."""
    out = tmp_path_factory.mktemp("build") / "kg-out"
    result = run_kg("build", str(DATA), "--out", str(out))
    assert result.returncode == 0, result.stderr.decode()
    return out, result.stdout.decode()


def test_cli_commands_listed_here_are_the_ones_kg_has():
    """The commands live in several modules of kg.cli; each is registered once."""
    from kg.cli import cli

    assert sorted(cli.commands) == sorted(COMMANDS)
    lines = run_kg("--help").stdout.decode().split("Commands:")[1].splitlines()
    assert [line.split()[0] for line in lines if line.strip()] == sorted(COMMANDS)


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_every_command_has_help_with_example(command):
    result = run_kg(command, "--help")
    assert result.returncode == 0
    text = result.stdout.decode()
    assert "Example" in text and f"kg {command}" in text


@pytest.mark.parametrize("command", COMMANDS)
def test_cli_every_command_in_readme(command):
    assert f"kg {command}" in (ROOT / "README.md").read_text(encoding="utf-8")


def test_cli_build_writes_store_turtle_html_and_summary(built):
    out, stdout = built
    assert (out / "store").is_dir()
    assert (out / "graph.ttl").stat().st_size > 0
    html = (out / "graph.html").read_text(encoding="utf-8")
    assert "Zelenskiy" in html
    summary = stdout.splitlines()[0]
    for word in ("articles", "actors", "events", "places", "triples", " s"):
        assert word in summary


def test_cli_build_again_changes_nothing(built, tmp_path):
    out, stdout = built
    again = run_kg("build", str(DATA), "--out", str(out))
    assert again.returncode == 0, again.stderr.decode()
    assert (
        again.stdout.decode().splitlines()[0].split(" in ")[0]
        == stdout.splitlines()[0].split(" in ")[0]
    )


def test_cli_extract_sample_finds_consult_event():
    result = run_kg("extract", str(SAMPLE), "--format", "jsonl")
    assert result.returncode == 0, result.stderr.decode()
    lines = [json.loads(x) for x in result.stdout.decode().splitlines()]
    events = [x for x in lines if "type" in x]
    entities = [x["entity"] for x in lines if "entity" in x]
    consult = [
        e
        for e in events
        if e["type"][:2] == "04"
        and e["source"]["name"] == "Volodymyr Zelenskiy"
        and (e["target"] or {}).get("name")
        in ("Steve Witkoff", "Jared Kushner", "United States")
    ]
    assert consult and "Zelenskiy" in consult[0]["sentence"]
    zelenskiy = [e for e in entities if "Zelenskiy" in e["name"]]
    assert len(zelenskiy) == 1 and zelenskiy[0]["country"] == "UKR"
    assert all(x["article"] == "ukraine-us-talks" for x in lines)


def test_cli_extract_table_is_readable():
    result = run_kg("extract", str(SAMPLE), "--format", "table")
    assert result.returncode == 0
    assert "Volodymyr Zelenskiy" in result.stdout.decode()


def test_cli_query_finds_consult_between_zelenskiy_and_envoy(built):
    out, _ = built
    query = """SELECT DISTINCT ?target ?sentence WHERE {
      ?e kg:eventType/skos:broader* cameo:04 ;
         kg:sourceActor/rdfs:label "Volodymyr Zelenskiy" ;
         kg:targetActor/rdfs:label ?target ; kg:sentence ?sentence .
      ?e kg:sourceActor/kg:countryCode "UKR" }"""
    result = run_kg("query", query, "--store", str(out / "store"), "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    rows = json.loads(result.stdout)["results"]["bindings"]
    targets = {r["target"]["value"] for r in rows}
    assert targets & {"Steve Witkoff", "Jared Kushner", "United States"}


def test_cli_zelenskiy_is_one_node_with_country(built):
    out, _ = built
    query = """SELECT ?a ?c WHERE { ?a a kg:Person ; kg:countryCode ?c ;
      rdfs:label ?l FILTER(CONTAINS(?l, "Zelenskiy")) }"""
    result = run_kg("query", query, "--store", str(out / "store"), "--format", "csv")
    rows = result.stdout.decode().strip().splitlines()[1:]
    assert len(rows) == 1 and rows[0].endswith(",UKR")


def test_cli_query_syntax_error_names_line_and_column(built):
    out, _ = built
    result = run_kg(
        "query", "SELECT * WHERE {\n  ?s ?p \n}", "--store", str(out / "store")
    )
    assert result.returncode == 2
    message = result.stderr.decode()
    assert message.startswith("kg: error: ") and "line 3" in message
    assert len(message.strip().splitlines()) == 1


@pytest.mark.parametrize("fmt", ["turtle", "trig"])
def test_cli_export_parses_back_isomorphic(built, tmp_path, fmt):
    from kg.store import open_store

    out, _ = built
    target = tmp_path / f"export.{fmt}"
    result = run_kg(
        "export", "--store", str(out / "store"), "--format", fmt, "-o", str(target)
    )
    assert result.returncode == 0, result.stderr.decode()
    with open_store(out / "store") as store:
        if fmt == "turtle":
            back = Graph().parse(target, format="turtle")
            assert isomorphic(back, store.read_graph())
        else:
            back = Dataset().parse(target, format="trig")
            names = {str(g.identifier) for g in back.graphs() if len(g)}
            assert names == {str(n.value) for n in store.graph_names()}


def test_cli_validate_store_conforms(built):
    out, _ = built
    result = run_kg("validate", "--store", str(out / "store"))
    assert result.returncode == 0, result.stdout.decode() + result.stderr.decode()


def test_cli_viz_writes_offline_html(built, tmp_path):
    out, _ = built
    page = tmp_path / "view.html"
    result = run_kg("viz", "--store", str(out / "store"), "-o", str(page))
    assert result.returncode == 0, result.stderr.decode()
    html = page.read_text(encoding="utf-8")
    assert "Volodymyr Zelenskiy" in html
    assert '<script src="http' not in html and '<link href="http' not in html


def test_cli_stats_counts_roots(built):
    out, _ = built
    result = run_kg("stats", "--store", str(out / "store"))
    assert result.returncode == 0
    assert "Consult" in result.stdout.decode()


def _bad_inputs(folder: Path) -> dict[str, Path]:
    files = {
        "empty": folder / "empty.txt",
        "binary": folder / "binary.txt",
        "utf8": folder / "latin1.txt",
        "json": folder / "feed.jsonl",
    }
    files["empty"].write_bytes(b"")
    files["binary"].write_bytes(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    files["utf8"].write_bytes("Caf\u00e9 talks in Paris.".encode("latin-1"))
    good = {
        "id": "ok-1",
        "text": "Egypt condemned Turkey on Monday.",
        "date": "2024-01-10",
    }
    files["json"].write_text(json.dumps(good) + "\n{not json\n", encoding="utf-8")
    return files


def test_cli_ingest_bad_inputs_reported_others_stored(tmp_path):
    from kg.store import open_store

    files = _bad_inputs(tmp_path)
    store = tmp_path / "store"
    first = run_kg("ingest", str(SAMPLE), "--store", str(store))
    assert first.returncode == 0, first.stderr.decode()
    missing = tmp_path / "missing.txt"
    result = run_kg(
        "ingest", *map(str, files.values()), str(missing), "--store", str(store)
    )
    assert result.returncode == 1
    errors = [x for x in result.stderr.decode().splitlines() if x.startswith("kg: ")]
    joined = "\n".join(errors)
    assert f"{files['empty']}: " in joined and "empty" in joined
    assert f"{files['binary']}: " in joined
    assert f"{files['utf8']}: " in joined and "UTF-8" in joined
    assert f"{files['json']}:2: " in joined
    assert f"{missing}: " in joined
    with open_store(store) as opened:
        ids = {str(a).rsplit("/", 1)[-1] for a in opened.articles()}
    assert ids == {"ukraine-us-talks", "ok-1"}


def test_cli_unknown_model_says_how_to_install(tmp_path):
    result = run_kg("extract", str(SAMPLE), "--model", "no_such_pipeline")
    assert result.returncode == 1
    message = result.stderr.decode().strip()
    assert message.startswith("kg: error: no spaCy pipeline could be loaded")
    assert "pip install" in message and len(message.splitlines()) == 1


def test_cli_stdin_dash_reads_text(tmp_path):
    result = kg_process(
        "extract",
        "-",
        "--format",
        "jsonl",
        stdin=b"Egypt condemned Turkey on Monday.\n",
    )
    assert result.returncode == 0, result.stderr.decode()
    assert '"type": "11"' in result.stdout.decode()


@pytest.fixture(scope="module")
def two_article_store(tmp_path_factory):
    """`kg ingest --validate` of two sample articles into a fresh store."""
    store = tmp_path_factory.mktemp("runs") / "store"
    greece = DATA / "greece-turkey-talks.txt"
    result = run_kg(
        "ingest", str(SAMPLE), str(greece), "--store", str(store), "--validate"
    )
    assert result.returncode == 0, result.stderr.decode()
    summary = result.stdout.decode()
    assert summary.startswith("2 added, 0 replaced, 0 unchanged, 0 failed")
    return store


def test_cli_remove_unknown_id_is_one_line_others_removed(two_article_store):
    store = str(two_article_store)
    result = run_kg("remove", "no-such-article", "ukraine-us-talks", "--store", store)
    assert result.returncode == 1
    assert result.stdout.decode() == "1 removed, 1 unknown\n"
    assert result.stderr.decode().splitlines() == [
        f"kg: no-such-article: no article with this id in the store at {store}; "
        "nothing removed for it. List stored ids with: "
        'kg query "SELECT ?a WHERE { ?a a kg:Article }"',
        "kg: 1 input(s) could not be used; see above.",
    ]
    listed = run_kg("query", "SELECT ?a WHERE { ?a a kg:Article }", "--store", store)
    assert "greece-turkey-talks" in listed.stdout.decode()
    assert "ukraine-us-talks" not in listed.stdout.decode()
    again = run_kg("remove", "greece-turkey-talks", "--store", store)
    assert (again.returncode, again.stdout.decode()) == (0, "1 removed, 0 unknown\n")


def test_cli_history_lists_runs_newest_first(two_article_store):
    store = str(two_article_store)
    result = run_kg("history", "--store", store, "--format", "json")
    assert result.returncode == 0, result.stderr.decode()
    runs = json.loads(result.stdout)
    assert [r["command"] for r in runs][-1] == "ingest"
    assert runs[-1]["added"] == ["greece-turkey-talks", "ukraine-us-talks"]
    assert runs[-1]["model"] and runs[-1]["extractor_version"]
    assert [r["started"] for r in runs] == sorted(
        (r["started"] for r in runs), reverse=True
    )
    table = run_kg("history", "--store", store, "--limit", "1")
    assert table.returncode == 0
    lines = table.stdout.decode().splitlines()
    assert lines[0].startswith("started (UTC)") and len(lines) >= 2
    assert lines[1].split()[2:4] == [runs[0]["command"], "finished"]


@pytest.mark.parametrize("limit", ["0"])
def test_cli_history_rejects_bad_limit(tmp_path, limit):
    result = run_kg("history", "--store", str(tmp_path / "s"), "--limit", limit)
    assert result.returncode == 2
    assert result.stderr.decode().startswith("kg: error: --limit '0' is not a whole")


@pytest.mark.parametrize("command", ["ingest", "build"])
def test_cli_validate_flag_offered(command):
    result = run_kg(command, "--help")
    assert result.returncode == 0
    assert "--validate" in result.stdout.decode()
