"""Article text never drives the user's terminal.

An article's id, title, names and sentences end up in the tables kg prints. A
terminal runs what an escape sequence says (recolour, clear the screen, OSC 52
writes the clipboard) and a bidi override reorders what it shows, so every
table goes through the escaping error lines use. Machine formats stay exact.
"""

from __future__ import annotations

import json

import pytest
from helpers.clirunner import run_kg

HOSTILE_ID = "evil\x1b]52;c;ZXZpbA==\x07\u202e-id"
ARTICLE = {
    "id": HOSTILE_ID,
    "title": "Title \x1b[31mred\u202e",
    "text": "Portugal praised Spain\x9b31m on Monday in Lisbon.\x1b[2J\n",
}
RAW = ("\x1b", "\u202e", "\x9b", "\x07")


@pytest.fixture(scope="module")
def hostile_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("terminal")
    feed = folder / "feed.jsonl"
    feed.write_text(json.dumps(ARTICLE) + "\n", encoding="utf-8")
    ran = run_kg("ingest", str(feed), "--store", str(folder / "store"))
    assert ran.returncode == 0, ran.stderr.decode()
    return folder


@pytest.mark.parametrize(
    "args",
    [
        ("history",),
        ("stats",),
        ("network",),
        ("query", "SELECT ?id ?t WHERE { ?a kg:title ?t BIND(STR(?a) AS ?id) }"),
        ("query", "SELECT ?s WHERE { ?e kg:sentence ?s }"),
    ],
    ids=["history", "stats", "network", "query-title", "query-sentence"],
)
def test_tables_escape_control_characters(hostile_store, args):
    ran = run_kg(*args, "--store", str(hostile_store / "store"))
    assert ran.returncode == 0, ran.stderr.decode()
    out = ran.stdout.decode()
    assert out.strip()
    assert not any(raw in out for raw in RAW), out


def test_history_shows_the_hostile_id_escaped(hostile_store):
    out = run_kg("history", "--store", str(hostile_store / "store")).stdout.decode()
    assert "evil\\x1b]52;c;ZXZpbA==" in out or "evil]52;c;ZXZpbA==" in out


def test_extract_table_escapes_control_characters(hostile_store):
    ran = run_kg("extract", str(hostile_store / "feed.jsonl"), "--format", "table")
    assert ran.returncode == 0, ran.stderr.decode()
    out = ran.stdout.decode()
    assert "Portugal" in out
    assert not any(raw in out for raw in RAW), out


def test_machine_formats_stay_exact(hostile_store):
    """JSON escapes controls itself; the value a program reads is the stored one."""
    ran = run_kg("history", "--store", str(hostile_store / "store"), "--format", "json")
    assert ran.returncode == 0, ran.stderr.decode()
    assert b"\x1b" not in ran.stdout
    runs = json.loads(ran.stdout)
    stored = json.dumps(runs)
    assert "evil" in stored
