"""One validation layer for the options that filter, rank or bound a view.

Every invalid value goes through every command that takes it and must be refused
the same way: exit status 2, one ``kg: error:`` line naming the option, no
traceback and no output. A valid filter that keeps no event is not an error: an
empty result, one warning line and exit status 0.
"""

from __future__ import annotations

import pytest
from helpers.clirunner import run_kg

from kg.analysis.filters import EventFilter
from kg.errors import UsageError

#: The commands that take the event filters, with what each needs to run.
FILTERED = {
    "export": ("export", "--format", "csv"),
    "network": ("network",),
    "viz": ("viz", "-o", "{out}"),
    "map": ("map", "-o", "{out}"),
}

#: (option, value) pairs no command may accept.
BAD_FILTERS = [
    ("--since", "2025-13"),
    ("--since", "2025-06-31"),
    ("--since", "2023-02-29"),
    ("--since", "yesterday"),
    ("--until", "2025-00"),
    ("--until", "2025-6"),
    ("--type", "99"),
    ("--type", "2100"),
    ("--type", "fight"),
    ("--country", "XYZ"),
    ("--country", "ZZ"),
    ("--country", "Ukraine"),
    ("--actor", "Nobody"),
    ("--place", "Atlantis"),
]

#: (command, option, value): counts out of range or not whole numbers.
BAD_COUNTS = [
    (("stats",), "--top", "-1"),
    (("stats",), "--top", "ten"),
    (("stats",), "--top", "2.5"),
    (("network",), "--top", "-1"),
    (("network",), "--top", "x"),
    (("viz", "-o", "{out}", "--actor", "Zelenskiy"), "--hops", "0"),
    (("viz", "-o", "{out}", "--actor", "Zelenskiy"), "--hops", "-3"),
    (("viz", "-o", "{out}", "--actor", "Zelenskiy"), "--hops", "two"),
    (("viz", "-o", "{out}"), "--max-nodes", "0"),
    (("viz", "-o", "{out}"), "--max-nodes", "-5"),
    (("viz", "-o", "{out}"), "--max-nodes", "lots"),
    # Numbers past a signed 64-bit integer, and digits that are not ASCII
    (("stats",), "--top", "100000000000000000000"),
    (("query", "SELECT * { ?s ?p ?o }"), "--limit", "100000000000000000000"),
    (("query", "SELECT * { ?s ?p ?o }"), "--limit", "\u0663"),  # Arabic-Indic 3
    (("query", "SELECT * { ?s ?p ?o }"), "--limit", "1_000"),
    (("history",), "--limit", "0"),
    (("history",), "--limit", "99999999999999999999"),
    (("evaluate", "--cv", "{out}"), "--folds", "1"),
    (("evaluate", "--cv", "{out}"), "--seed", "4294967296"),
    (("serve", "--port", "0"), "--max-rows", "100000000000000000000"),
    (("serve", "--port", "0"), "--max-rows", "0"),
    (("serve", "--port", "0"), "--max-answer-bytes", "10"),
    (("serve", "--port", "0"), "--max-request-bytes", "99999999999999999999"),
    (("serve",), "--port", "65536"),
]

#: (command, option, value, words of the one error line): other numbers.
BAD_NUMBERS = [
    (("remove", "some-id"), "--wait", "nan", "seconds between 0 and"),
    (("remove", "some-id"), "--wait", "inf", "seconds between 0 and"),
    (("remove", "some-id"), "--wait", "-1", "seconds between 0 and"),
    (("ingest", "{out}"), "--workers", "100000", "set KG_MAX_WORKERS"),
    (("ingest", "{out}"), "--workers", "0", "whole number from 1"),
    (
        ("query", "events-at-place", "--param", "place=Athens"),
        "--param",
        "km=9223372036854775808",
        "whole number from -9223372036854775808",
    ),
    (
        ("query", "events-at-place", "--param", "place=Athens"),
        "--param",
        "km=\u0663",
        "not a valid integer",
    ),
    (
        ("query", "events-at-place", "--param", "place=Athens"),
        "--param",
        "km=1_000",
        "not a valid integer",
    ),
]


def _run(command: tuple[str, ...], store, out, *more: str):
    from kg.cli import cli

    args = [part.replace("{out}", str(out)) for part in command]
    takes_store = any(p.name == "store_path" for p in cli.commands[args[0]].params)
    return run_kg(*args, *(["--store", str(store)] if takes_store else []), *more)


def _refused(ran, option: str) -> str:
    """The one error line of a refused run, after checking how it was refused."""
    lines = ran.stderr.decode().splitlines()
    assert ran.returncode == 2, ran.stderr
    assert len(lines) == 1, lines
    assert lines[0].startswith("kg: error: "), lines
    assert option in lines[0]
    assert b"Traceback" not in ran.stderr
    assert ran.stdout == b""
    return lines[0]


@pytest.mark.parametrize("option,value", BAD_FILTERS)
@pytest.mark.parametrize("command", FILTERED)
def test_each_bad_filter_is_refused_by_each_command(
    command, option, value, filled_store_path, tmp_path
):
    out = tmp_path / "page.html"
    ran = _run(FILTERED[command], filled_store_path, out, option, value)
    line = _refused(ran, option)
    assert repr(value) in line
    assert not out.exists()  # refused before any page is written


@pytest.mark.parametrize("command,option,value", BAD_COUNTS)
def test_each_bad_count_is_refused(command, option, value, filled_store_path, tmp_path):
    out = tmp_path / "page.html"
    line = _refused(_run(command, filled_store_path, out, option, value), option)
    assert "whole number" in line
    assert not out.exists()


@pytest.mark.parametrize("command,option,value,words", BAD_NUMBERS)
def test_each_bad_number_is_refused(
    command, option, value, words, filled_store_path, tmp_path, monkeypatch
):
    monkeypatch.delenv("KG_MAX_WORKERS", raising=False)
    out = tmp_path / "page.html"
    line = _refused(_run(command, filled_store_path, out, option, value), option)
    assert words in line


def test_workers_above_the_cpus_are_allowed_when_forced(tmp_path, monkeypatch):
    """KG_MAX_WORKERS lifts the cap for whoever knows better (a remote-mounted
    store, a machine whose CPU count the process misreads)."""
    monkeypatch.setenv("KG_MAX_WORKERS", "64")
    article = tmp_path / "a.txt"
    article.write_text("Portugal praised Spain on Monday.\n", encoding="utf-8")
    store = tmp_path / "store"
    ran = run_kg("ingest", str(article), "--workers", "3", "--store", str(store))
    assert ran.returncode == 0, ran.stderr.decode()


def test_an_unknown_place_is_refused_with_the_closest_names(filled_store_path):
    ran = run_kg("export", "--store", str(filled_store_path), "--place", "Kyev")
    line = _refused(ran, "--place")
    assert "matches no place of an event" in line and "Kyiv" in line


@pytest.mark.parametrize("place", ["Kyiv", "kyiv"])
def test_a_known_place_is_accepted(filled_store_path, place):
    ran = run_kg("export", "--format", "csv", "--store", str(filled_store_path),
                 "--place", place)  # fmt: skip
    assert ran.returncode == 0, ran.stderr.decode()
    assert b"Kyiv" in ran.stdout


def test_an_unknown_actor_is_refused_with_the_closest_names(filled_store_path):
    ran = run_kg("network", "--store", str(filled_store_path), "--actor", "Zelensky")
    line = _refused(ran, "--actor")
    assert "closest names: " in line
    assert "Zelenskiy" in line  # the alias, and the label it belongs to
    assert "Volodymyr Zelenskiy" in line


@pytest.mark.parametrize(
    "command,option,value",
    [
        ("export", "--since", "2031-01"),
        ("network", "--country", "FRA"),
        ("viz", "--until", "1990"),
        ("map", "--type", "20"),
    ],
)
def test_a_valid_filter_that_matches_nothing_warns(
    command, option, value, filled_store_path, tmp_path
):
    out = tmp_path / "page.html"
    ran = _run(FILTERED[command], filled_store_path, out, option, value)
    warnings = [
        line
        for line in ran.stderr.decode().splitlines()
        if line.startswith("kg: warning: ")
    ]
    assert ran.returncode == 0, ran.stderr
    assert warnings == ["kg: warning: no event matches the filters given; the "
                        "result is empty."]  # fmt: skip


@pytest.mark.parametrize(
    "given,same_as",
    [
        (("--country", "ua"), ("--country", "UKR")),
        (("--type", "cameo:190"), ("--type", "190")),
        (("--since", "2019-01"), ("--since", "2019-01-01")),
    ],
)
def test_valid_values_keep_their_meaning(given, same_as, filled_store_path):
    store = ("--store", str(filled_store_path))
    first = run_kg("export", "--format", "csv", *store, *given)
    second = run_kg("export", "--format", "csv", *store, *same_as)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout
    assert first.stdout.count(b"\n") > 1  # a header and at least one event


def test_top_zero_lists_every_actor(filled_store_path):
    store = ("--store", str(filled_store_path))
    every = run_kg("stats", *store, "--top", "0")
    one = run_kg("stats", *store, "--top", "1")
    assert every.returncode == one.returncode == 0
    assert b"Wagner Group" in every.stdout
    assert every.stdout.count(b"\n") > one.stdout.count(b"\n")


@pytest.mark.parametrize(
    "field,value",
    [("since", "2025-13"), ("until", "2025-06-31"), ("types", ("99",)),
     ("countries", ("XYZ",))],
)  # fmt: skip
def test_the_event_filter_refuses_the_same_values(field, value):
    with pytest.raises(UsageError):
        EventFilter(**{field: value})


def test_the_centre_of_an_ego_view_is_checked_too(filled_store_path, tmp_path):
    out = tmp_path / "ego.html"
    ran = run_kg("viz", "--store", str(filled_store_path), "-o", str(out),
                 "--actor", "Zelenski", "--hops", "2")  # fmt: skip
    line = _refused(ran, "--actor 'Zelenski'")
    assert "Zelenskiy" in line
    assert not out.exists()
