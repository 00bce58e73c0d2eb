"""Hostile articles at the read layer: too long to parse, or full of control bytes.

One article of dense names cost spaCy about 3 GB of memory per million
characters, so an article over the character limit is refused in one line, by
name, and the rest of its batch is still ingested. Control characters that XML
1.0 cannot hold made SPARQL XML results and XML exports unreadable, so reading
drops them; the outputs are parsed back to check.
"""

from __future__ import annotations

import io
import json
import xml.etree.ElementTree as ET

import pytest
from helpers.clirunner import run_kg
from rdflib import Graph, Literal

from kg.errors import InputError, UsageError
from kg.read import DEFAULT_MAX_CHARS, MAX_CHARS_ENV, iter_articles
from kg.read.lines import CHUNK_BYTES, bounded_lines
from kg.read.text import normalise

SHORT = "Kenya thanked Ghana for the grain shipment on Tuesday.\n"
#: My own filler: a crowded sentence, repeated past the default limit.
CROWDED = "Envoy Lucia Brandt of Peru met Governor Ravi Iyer of Ghana in Lima. "


def _long_article(chars: int) -> str:
    """A plain-text article of at least ``chars`` characters, in paragraphs."""
    paragraph = CROWDED * 20 + "\n\n"
    return "Crowded talks in Lima\n\n" + paragraph * (chars // len(paragraph) + 1)


def _stored_ids(store: str) -> set[str]:
    """The ids of the articles in a store, from their IRIs (kg.rdf.iris)."""
    ran = run_kg(
        "query", "SELECT ?a WHERE { ?a a kg:Article }", "--store", store,
        "--format", "csv",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr.decode()
    return {iri.rsplit("/", 1)[1] for iri in ran.stdout.decode().split()[1:]}


def test_hostile_read_over_limit_article_is_refused_and_the_rest_ingested(tmp_path):
    folder = tmp_path / "batch"
    folder.mkdir()
    big = folder / "b-crowded.txt"
    big.write_text(_long_article(DEFAULT_MAX_CHARS + 1000), encoding="utf-8")
    (folder / "a-grain.txt").write_text(SHORT, encoding="utf-8")
    (folder / "c-grain.txt").write_text("Ghana" + SHORT[5:], encoding="utf-8")
    store = str(tmp_path / "store")
    ran = run_kg("ingest", str(folder), "--store", store)
    errors = ran.stderr.decode().splitlines()
    assert ran.returncode == 1
    assert errors[0].startswith(
        f"kg: {big}: article 'b-crowded' is {len(big.read_text().strip()):,} "
        "characters, over the 200,000-character limit for one article; split it"
    )
    assert errors[1:] == ["kg: 1 input(s) could not be used; see above."]
    assert ran.stdout.decode().startswith("2 added, 0 replaced, 0 unchanged, 1 failed")
    assert _stored_ids(store) == {"a-grain", "c-grain"}


def test_hostile_read_limit_is_a_setting(tmp_path, monkeypatch):
    """--max-article-chars and KG_MAX_ARTICLE_CHARS lower (or raise) the limit."""
    path = tmp_path / "grain.jsonl"
    lines = [{"id": "one", "text": SHORT}, {"id": "two", "text": SHORT * 3}]
    path.write_text("\n".join(json.dumps(x) for x in lines) + "\n", encoding="utf-8")
    ran = run_kg("extract", str(path), "--max-article-chars", str(len(SHORT) + 5))
    assert ran.returncode == 1
    assert (
        ran.stderr.decode()
        .splitlines()[0]
        .startswith(
            f"kg: {path}:2: article 'two' is {len(SHORT * 3) - 1} characters, over the "
            f"{len(SHORT) + 5}-character limit"
        )
    )
    assert '"article": "one"' in ran.stdout.decode()
    assert '"article": "two"' not in ran.stdout.decode()
    limit = str(len(SHORT) + 5)
    ingested = run_kg(
        "ingest", str(path), "--store", "memory", "--max-article-chars", limit
    )
    assert ingested.returncode == 1
    assert f"{path}:2: article 'two'" in ingested.stderr.decode()
    assert ingested.stdout.decode().startswith("1 added")
    monkeypatch.setenv(MAX_CHARS_ENV, "20")
    errors: list[InputError] = []
    assert list(iter_articles(path, on_error=errors.append)) == []
    assert [e.path for e in errors] == [f"{path}:1", f"{path}:2"]
    raised = [a.id for a in iter_articles(path, max_chars=10_000)]
    assert raised == ["one", "two"]  # the argument wins over the variable


@pytest.mark.parametrize("value", ["0", "-5", "lots", "1_000", "\u0663"])
def test_hostile_read_bad_limit_setting_is_one_line(tmp_path, monkeypatch, value):
    path = tmp_path / "grain.txt"
    path.write_text(SHORT, encoding="utf-8")
    monkeypatch.setenv(MAX_CHARS_ENV, value)
    with pytest.raises(UsageError, match=f"^{MAX_CHARS_ENV}="):
        list(iter_articles(path))
    ran = run_kg("ingest", str(path), "--store", "memory")
    assert ran.returncode == 2
    assert ran.stderr.decode().count("\n") == 1


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("Oslo\x01 talks\x08 end\x1b", "Oslo talks end"),
        ("tab\tstays\nand LF too", "tab\tstays\nand LF too"),
        ("CR\r\nLF and\rCR", "CR\nLF and\nCR"),
        ("page\x0cbreak, v\x0btab, NEL\x85here", "page\nbreak, v\ntab, NEL\nhere"),
        ("DEL\x7f and C1 \x9b[2J\x80gone", "DEL and C1 [2Jgone"),
        ("NUL\x00 from JSON", "NUL from JSON"),
        ("e\u0301t\u00e9 \u2014 \u00a0kept", "\u00e9t\u00e9 \u2014 \u00a0kept"),
    ],
)  # fmt: skip
def test_hostile_read_normalise_drops_control_characters(raw, clean):
    assert normalise(raw) == clean


def _ingest_controls(tmp_path) -> str:
    """Ingest articles with control characters in title, text and metadata."""
    folder = tmp_path / "controls"
    folder.mkdir()
    (folder / "raw.txt").write_bytes(
        b"---\ntitle: Grain\x01 deal\x08 signed\x1b\ndesk: wire\x07\n---\n"
        b"Kenya\x01 thanked\x08 Ghana\x1b for the grain on Tuesday.\n"
    )
    record = {
        "id": "esc\u001bid",
        "title": "Ferry\u0001 talks\u0008 stall\u001b",
        "text": "Norway\u0008 criticised\u0001 Peru\u001b on Monday.",
        "source": "wire\u0002",
    }
    (folder / "json.jsonl").write_text(json.dumps(record) + "\n", encoding="utf-8")
    store = str(tmp_path / "store")
    ran = run_kg("ingest", str(folder), "--store", store)
    assert ran.returncode == 0, ran.stderr.decode()
    return store


def test_hostile_read_controls_give_well_formed_xml(tmp_path):
    store = _ingest_controls(tmp_path)
    ran = run_kg(
        "query", "SELECT ?t WHERE { ?a kg:title ?t }", "--store", store,
        "--format", "xml",
    )  # fmt: skip
    assert ran.returncode == 0, ran.stderr.decode()
    root = ET.fromstring(ran.stdout)
    titles = {el.text for el in root.iter() if el.tag.endswith("literal")}
    assert titles == {"Grain deal signed", "Ferry talks stall"}
    for fmt in ("graphml", "gexf"):
        exported = run_kg("export", "--store", store, "--format", fmt)
        assert exported.returncode == 0, exported.stderr.decode()
        assert ET.fromstring(exported.stdout) is not None


def test_hostile_read_controls_give_rdf_xml_that_parses(tmp_path):
    store = _ingest_controls(tmp_path)
    exported = run_kg("export", "--store", store, "--format", "nt", "--no-ontology")
    assert exported.returncode == 0, exported.stderr.decode()
    graph = Graph().parse(data=exported.stdout.decode(), format="nt")
    rdfxml = graph.serialize(format="xml")
    again = Graph().parse(data=rdfxml, format="xml")
    assert len(again) == len(graph) > 0
    texts = {str(o) for o in again.objects() if isinstance(o, Literal)}
    assert {"Grain deal signed", "Ferry talks stall", "wire"} <= texts
    assert not any(ch in t for t in texts for ch in "\x01\x02\x07\x08\x1b")
    assert {s.rsplit("/", 1)[1] for s in again.subjects() if "/article/" in s} >= {
        "escid",
        "raw",
    }


def test_hostile_read_bounded_lines_skip_an_endless_line_unheld():
    """A line over the limit comes back as its length; the next lines are intact."""
    endless = b"x" * (5 * CHUNK_BYTES + 123)
    stream = io.BytesIO(b"first\n" + endless + b"\nlast\n" + endless)
    lines = list(bounded_lines(stream, 1000))
    assert lines == [b"first\n", len(endless) + 1, b"last\n", len(endless)]
    assert list(bounded_lines(io.BytesIO(b"a\nbb"), 2)) == [b"a\n", b"bb"]
    assert list(bounded_lines(io.BytesIO(b"abc\n"), 3)) == [4]
