"""Bad inputs through the real command line, into a store that already holds data.

Each case writes one awkward input (empty, binary, mis-encoded, huge, deeply
nested, hostile names, special files, ...) and runs ``kg ingest`` on it (through
click's CliRunner in this process; in a child one where privileges are dropped),
against a copy of a store that holds the bundled sample articles. Whatever
the input, kg must either print one-line errors naming the file and the problem
(exit status 1) or store a correct result (exit status 0); never print a
traceback; lose nothing already stored; and leave a store whose Turtle export
parses back with rdflib and with Oxigraph.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers.clirunner import run_kg
from helpers.paths import DATA
from rdflib import Graph
from rdflib.namespace import RDFS

from kg.exports import export
from kg.rdf.iris import article_iri
from kg.rdf.namespaces import KG
from kg.store import Store, open_store

BINARY = (
    "looks binary (NUL bytes), not text; give kg .txt, .md, .json or .jsonl articles"
)
EMPTY = "file is empty; add the article text or remove the file"
NOT_UTF8 = "is not valid UTF-8 (byte 0x{:02x} at offset {}); re-save it as UTF-8"
TOO_DEEP = (
    "JSON is nested too deeply to read (an article needs only a few levels of "
    "[ and {); fix it"
)
NO_DATE = (
    "cannot read the date {} (write it as YYYY-MM-DD); the article is read "
    "without a date"
)
STORY = "Egypt condemned Turkey on Monday.\n"
SUMMARY = re.compile(r"^(\d+) added, 0 replaced, 0 unchanged, (\d+) failed; \d+ events")
_DROP_CAPS = "-dac_override,-dac_read_search"


@dataclass
class Case:
    """One bad input and what ``kg ingest`` must make of it.

    Attributes:
        paths: what to pass to ``kg ingest``.
        errors: the exact error lines, in order (without the closing count line).
        added: articles the run must add.
        warnings: the exact ``kg: WARNING:`` lines, in order.
        check: further checks of the store after the run.
        prefix: command words before ``python -m kg`` (to drop root's privileges);
            the command then runs in a child process.
        seconds: the run must take less than this.
    """

    paths: list[Path]
    errors: list[str]
    added: int = 0
    warnings: list[str] | None = None
    check: Callable[[Store], None] | None = None
    prefix: tuple[str, ...] = ()
    seconds: float = 120.0


CASES: dict[str, Callable[[Path], Case]] = {}


def case(make: Callable[[Path], Case]) -> Callable[[Path], Case]:
    """Register a case under its name: ``case_utf16_bom`` -> ``utf16-bom``."""
    CASES[make.__name__.removeprefix("case_").replace("_", "-")] = make
    return make


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)
    return path


def error(path: Path | str, problem: str, line: int | None = None) -> str:
    where = f"{path}:{line}" if line is not None else f"{path}"
    return f"kg: {where}: {problem}"


def warning(text: str) -> str:
    return f"kg: WARNING: {text}"


# --- the store the cases write into -----------------------------------------------


@pytest.fixture(scope="module")
def seeded(tmp_path_factory) -> tuple[Path, frozenset[ox.Quad]]:
    """A store that ``kg ingest data/articles`` filled, and every quad it holds."""
    store = tmp_path_factory.mktemp("seeded") / "store"
    result = kg("ingest", str(DATA), "--store", str(store))
    assert result.returncode == 0, result.stderr
    with open_store(store) as opened:
        quads = frozenset(opened.named_quads())
        assert len(opened.articles()) >= 10
    return store, quads


def kg(*args: str, prefix: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """Run ``kg``: here, or under ``prefix`` in a child process (``python -m kg``).

    Output is text either way, undecodable bytes escaped.
    """
    if prefix:  # dropping privileges takes a process of its own
        return subprocess.run(
            [*prefix, sys.executable, "-m", "kg", *args],
            capture_output=True,
            text=True,
            errors="backslashreplace",
            timeout=300,
        )
    ran = run_kg(*args)
    stdout, stderr = (
        data.decode("utf-8", "backslashreplace") for data in (ran.stdout, ran.stderr)
    )
    return subprocess.CompletedProcess(ran.args, ran.returncode, stdout, stderr)


def as_unprivileged() -> tuple[str, ...]:
    """Command prefix under which file modes apply, even to root.

    root reads any file whatever its mode, so as root the child runs under
    ``setpriv`` with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped; it stays
    the owner of the store, so it can still write it.
    """
    if os.geteuid() != 0:
        return ()
    return ("setpriv", f"--inh-caps={_DROP_CAPS}", f"--bounding-set={_DROP_CAPS}")


# --- cases: empty, binary and mis-encoded files -----------------------------------


@case
def case_empty(tmp: Path) -> Case:
    path = write(tmp / "empty.txt", b"")
    return Case([path], [error(path, EMPTY)])


@case
def case_whitespace_only(tmp: Path) -> Case:
    path = write(tmp / "blank.md", b" \n\t\r\n  \n\x0c\n")
    return Case([path], [error(path, EMPTY)])


@case
def case_binary_png(tmp: Path) -> Case:
    png = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x10\x00\x00\x00\x10\x08\x06"
    path = write(tmp / "photo.txt", png + bytes(range(256)) * 4)
    return Case([path], [error(path, BINARY)])


@case
def case_nul_inside_text(tmp: Path) -> Case:
    # Past the first 8 kB that a quick look at the file's head would check.
    text = (DATA / "greece-turkey-talks.txt").read_bytes() * 8
    path = write(tmp / "nul.txt", text + b"\x00 and then more text\n")
    return Case([path], [error(path, BINARY)])


@case
def case_utf16_bom(tmp: Path) -> Case:
    text = "Greece and Turkey hold talks\n" + STORY.replace("Egypt", "Greece")
    path = write(tmp / "windows.txt", text.encode("utf-16"))

    def check(store: Store) -> None:
        assert title(store, "windows") == "Greece and Turkey hold talks"
        assert {"Greece", "Turkey"} <= labels(store, "windows")

    return Case([path], [], added=1, check=check)


@case
def case_utf16_without_bom(tmp: Path) -> Case:
    path = write(tmp / "no-bom.txt", ("Talks\n" + STORY).encode("utf-16-le"))
    problem = "looks like UTF-16 without a byte-order mark; re-save it as UTF-8"
    return Case([path], [error(path, problem)])


@case
def case_latin1(tmp: Path) -> Case:
    text = "Caf\u00e9 talks\nFrance condemned Russia in Paris.\n"
    path = write(tmp / "latin1.txt", text.encode("latin-1"))
    return Case([path], [error(path, NOT_UTF8.format(0xE9, 3))])


@case
def case_invalid_utf8(tmp: Path) -> Case:
    path = write(tmp / "bad-bytes.txt", b"Talks resume\nThe talks \xc3\x28 resumed.\n")
    return Case([path], [error(path, NOT_UTF8.format(0xC3, 23))])


@case
def case_utf8_cut_at_end(tmp: Path) -> Case:
    path = write(tmp / "cut.txt", "Talks in Z\u00fcrich".encode()[:11])
    return Case([path], [error(path, NOT_UTF8.format(0xC3, 10))])


# --- cases: size ------------------------------------------------------------------


@case
def case_article_of_50_mb(tmp: Path) -> Case:
    story = (DATA / "ukraine-us-talks.txt").read_bytes()
    path = write(
        tmp / "huge.txt", (story * (50_000_000 // len(story) + 1))[:50_000_000]
    )
    problem = (
        "is 50.0 MB, over the 20.0 MB limit; split it into one file per article, "
        "or one article per line of a .jsonl file (the limit is then per line)"
    )
    return Case([path], [error(path, problem)], seconds=60)


@case
def case_single_line_of_10_mb(tmp: Path) -> Case:
    # One line with no break at all, as a pasted data blob gives: it is text, so
    # it is stored, but its first line is no title. Ten MB of it is over the
    # per-article character limit (kg.read.limits), so that one is refused.
    blob = (b"QUJDRGVmZ2hpams0NTY3" * 500_001)[:10_000_000]
    path = write(tmp / "blob.txt", blob)
    small = write(tmp / "small-blob.txt", blob[:150_000])
    refused = error(
        path,
        "article 'blob' is 10,000,000 characters, over the 200,000-character limit "
        "for one article; split it into smaller articles, or raise the limit "
        "(--max-article-chars, KG_MAX_ARTICLE_CHARS) if the machine has the memory "
        "(about 3 GB per million characters)",
    )

    def check(store: Store) -> None:
        assert title(store, "small-blob") == blob[:200].decode() + "\u2026"

    return Case([path, small], [refused], added=1, check=check)


@case
def case_one_sentence_without_punctuation(tmp: Path) -> Case:
    texts = " ".join(p.read_text("utf-8") for p in sorted(DATA.glob("*.txt")))
    sentence = re.sub(r"\s+", " ", re.sub(r"[^\w ]+", " ", texts)).strip()
    path = write(tmp / "run-on.txt", sentence)

    def check(store: Store) -> None:
        assert len(title(store, "run-on")) <= 201
        evidence = objects(store, KG.sentence, "run-on")
        assert evidence and max(len(s) for s in evidence) < 2_000

    return Case([path], [], added=1, check=check, seconds=60)


# --- cases: JSON and JSON Lines ---------------------------------------------------


@case
def case_json_nested_100k(tmp: Path) -> Case:
    path = write(tmp / "deep.json", "[" * 100_000)
    return Case([path], [error(path, TOO_DEEP)])


@case
def case_jsonl_nested_field(tmp: Path) -> Case:
    good = json.dumps({"id": "flat", "text": STORY})
    deep = '{"text": "Egypt condemned Turkey.", "tags": ' + "[" * 100_000
    path = write(tmp / "feed.jsonl", f"{good}\n{deep}{']' * 100_000}}}\n")
    return Case([path], [error(path, TOO_DEEP, 2)], added=1)


@case
def case_json_truncated(tmp: Path) -> Case:
    path = write(tmp / "cut.json", '{"id": "cut", "text": "Egypt condemned Tur')
    problem = (
        "is not valid JSON (Unterminated string starting at column 23); "
        "fix the JSON there"
    )
    return Case([path], [error(path, problem, 1)])


@case
def case_jsonl_truncated(tmp: Path) -> Case:
    good = json.dumps({"id": "whole", "text": STORY})
    path = write(tmp / "cut.jsonl", f'{good}\n{{"id": "cut", "text": "Egy')
    problem = (
        "is not valid JSON (Unterminated string starting at column 23); "
        "fix or remove this line"
    )
    return Case([path], [error(path, problem, 2)], added=1)


@case
def case_json_wrong_field_types(tmp: Path) -> Case:
    items = [{"text": 42}, {"text": STORY, "title": {"en": "Talks"}}, {"text": STORY}]
    path = write(tmp / "typed.json", json.dumps(items))
    problems = [
        'item 1 of the array: field "text" is a number, not a string; put the '
        "article body there as one string",
        'item 2 of the array: field "title" is an object, not a string; write it '
        "as plain text",
    ]
    return Case([path], [error(path, p) for p in problems], added=1)


@case
def case_json_date_is_a_list(tmp: Path) -> Case:
    obj = {"id": "listed-date", "text": STORY, "date": [2019, 1, 2]}
    path = write(tmp / "dated.json", json.dumps(obj))

    def check(store: Store) -> None:
        assert objects(store, KG.published, "listed-date") == []

    message = warning(f"{path}: " + NO_DATE.format("[2019, 1, 2]"))
    return Case([path], [], added=1, warnings=[message], check=check)


@case
def case_json_number_too_long(tmp: Path) -> Case:
    path = write(tmp / "long-id.json", '{"id": ' + "7" * 5000 + ', "text": "x"}')
    problem = "JSON holds a number too long to read; put it in quotes as a string"
    return Case([path], [error(path, problem)])


@case
def case_json_lone_surrogates(tmp: Path) -> Case:
    path = write(
        tmp / "surrogates.json",
        r'{"id": "s\udcff1", "text": "Egypt \ud800 condemned Turkey on Monday."}',
    )

    def check(store: Store) -> None:
        assert title(store, "s\ufffd1") == "Egypt \ufffd condemned Turkey on Monday."

    return Case([path], [], added=1, check=check)


@case
def case_json_not_an_object(tmp: Path) -> Case:
    path = write(tmp / "scalar.json", '"just a string"')
    problem = "holds a string; it must hold an article object or an array of them"
    return Case([path], [error(path, problem)])


# --- cases: front matter ----------------------------------------------------------


@case
def case_front_matter_not_yaml(tmp: Path) -> Case:
    path = write(tmp / "header.txt", f"---\ntitle: [unclosed\nid: x\n---\n{STORY}")
    problem = (
        "front matter is not valid YAML (expected ',' or ']', but got ':'); fix "
        "the header between the '---' lines"
    )
    return Case([path], [error(path, problem, 3)])


@case
def case_front_matter_impossible_date(tmp: Path) -> Case:
    path = write(tmp / "feb30.md", f"---\ntitle: Leap\ndate: 2019-02-30\n---\n{STORY}")

    def check(store: Store) -> None:
        assert objects(store, KG.published, "feb30") == []
        assert title(store, "feb30") == "Leap"

    message = warning(f"{path}: " + NO_DATE.format("'2019-02-30'"))
    return Case([path], [], added=1, warnings=[message], check=check)


@case
def case_front_matter_alias_bomb(tmp: Path) -> Case:
    lines = ["---", 'a: &a ["lol", "lol", "lol", "lol", "lol", "lol", "lol", "lol"]']
    for prev, name in zip("abcdefgh", "bcdefghi", strict=True):
        lines.append(f"{name}: &{name} [" + ", ".join([f"*{prev}"] * 9) + "]")
    path = write(tmp / "bomb.txt", "\n".join([*lines, "---", STORY]))
    problem = (
        "front matter is not valid YAML (aliases (*name) are not allowed); fix the "
        "header between the '---' lines"
    )
    return Case([path], [error(path, problem, 3)], seconds=60)


# --- cases: folders, links and special files --------------------------------------


@case
def case_folder_of_10000_tiny_files(tmp: Path) -> Case:
    # Extracting 10,000 real articles takes minutes; here 25 are articles and the
    # rest are empty, so listing, reading and reporting 10,000 files is what is
    # timed (test_bad_input_reading_10000_tiny_articles reads 10,000 real ones).
    folder = tmp / "many"
    folder.mkdir(parents=True)
    for i in range(10_000):
        body = f"Note {i}\n{STORY}" if i % 400 == 0 else ""
        (folder / f"n{i:05d}.txt").write_text(body, encoding="utf-8")
    errors = [error(folder / f"n{i:05d}.txt", EMPTY) for i in range(10_000) if i % 400]
    return Case([folder], errors, added=25, seconds=60)


@case
def case_symlink_loop_folder(tmp: Path) -> Case:
    folder = tmp / "looped"
    write(folder / "inner" / "kept.txt", STORY)
    os.symlink(folder, folder / "inner" / "back")
    loop = f"{folder}/inner/back: skipped, it leads back to {os.path.realpath(folder)}"
    return Case([folder], [], added=1, warnings=[warning(f"{loop} (symlink loop)")])


@case
def case_symlink_loop_file(tmp: Path) -> Case:
    folder = tmp / "links"
    write(folder / "good.txt", STORY)
    os.symlink(folder / "b.txt", folder / "a.txt")
    os.symlink(folder / "a.txt", folder / "b.txt")
    os.symlink(folder / "gone.txt", folder / "dangling.txt")
    loop = "cannot be read (Too many levels of symbolic links); check the path"
    errors = [
        error(folder / "a.txt", loop),
        error(folder / "b.txt", loop),
        error(folder / "dangling.txt", "no such file or directory; check the path"),
    ]
    return Case([folder], errors, added=1)


@case
def case_unreadable_file(tmp: Path) -> Case:
    path = write(tmp / "locked.txt", STORY)
    path.chmod(0)
    problem = (
        "permission denied; make it readable (chmod +r) or run kg as a user who "
        "can read it"
    )
    return Case([path], [error(path, problem)], prefix=as_unprivileged())


@case
def case_fifo_in_folder(tmp: Path) -> Case:
    folder = tmp / "piped"
    write(folder / "good.txt", STORY)
    os.mkfifo(folder / "pipe.txt")  # opening it would wait for a writer forever
    problem = (
        "is not a regular file (a FIFO, socket or device), so it was not read; "
        "move it out of the folder"
    )
    return Case([folder], [error(folder / "pipe.txt", problem)], added=1)


@case
def case_folder_named_like_a_file(tmp: Path) -> Case:
    write(tmp / "notes.txt" / "inner.md", STORY)
    return Case([tmp / "notes.txt"], [], added=1)


# --- cases: names -----------------------------------------------------------------


@case
def case_file_name_with_spaces_and_non_ascii(tmp: Path) -> Case:
    stem = "Talks in Zürich — Ελλάδα 東京 (draft 2)"
    path = write(tmp / f"{stem}.txt", STORY)

    def check(store: Store) -> None:
        assert title(store, stem) == STORY.strip()

    return Case([path], [], added=1, check=check)


@case
def case_file_name_not_utf8(tmp: Path) -> Case:
    name = os.fsdecode(b"caf\xe9 talks.txt")  # Latin-1 bytes in a Linux file name
    path = write(tmp / name, STORY)

    def check(store: Store) -> None:
        assert title(store, "caf\ufffd talks") == STORY.strip()

    return Case([path], [], added=1, check=check)


@case
def case_file_names_with_control_characters(tmp: Path) -> Case:
    newline = write(tmp / "two\nlines.txt", b"")
    escape = write(tmp / "red\x1b[31m.txt", b"")
    errors = [
        error(f"{tmp}/red\\x1b[31m.txt", EMPTY),
        error(f"{tmp}/two\\nlines.txt", EMPTY),
    ]
    return Case([escape, newline], errors)


@case
def case_names_with_bidi_overrides_and_escapes_in_warnings(tmp: Path) -> Case:
    # A right-to-left override shows "evil\u202etxt.md" as "evildm.txt"; in an
    # error or a warning line it is escaped, as control characters are.
    evil = write(tmp / "evil\u202etxt.md", b"")
    folder = tmp / "loop\x1b[31m\u2066"
    write(folder / "kept.txt", STORY)
    os.symlink(folder, folder / "back\n")
    shown = f"{tmp}/loop\\x1b[31m\\u2066"
    real = (
        os.path.realpath(folder).replace("\x1b", "\\x1b").replace("\u2066", "\\u2066")
    )
    loop = f"{shown}/back\\n: skipped, it leads back to {real}"
    return Case(
        [evil, folder],
        [error(f"{tmp}/evil\\u202etxt.md", EMPTY)],
        added=1,
        warnings=[warning(f"{loop} (symlink loop)")],
    )


@case
def case_hostile_actor_names(tmp: Path) -> Case:
    header = {
        "id": 'a<b>"{c}\\d e|f^g`h\ni',
        "title": 'He said "no" <script>alert(1)</script> {x} \\ back\nslash',
        "source": '<Agency> & "Partners"',
    }
    body = (
        'President Joe <Biden> met Prime Minister Keir "Starmer" in London.\n'
        "The ministry said Ahmed O'Brien{x} condemned Mark Rutte\\Jr in Brussels.\n"
        "Officials said John `Smith|Doe^ met Maria\nGonzalez in Madrid.\n"
    )
    path = write(tmp / "hostile.md", f"---\n{json.dumps(header)}\n---\n{body}")

    def check(store: Store) -> None:
        assert title(store, header["id"]) == header["title"]
        found = labels(store, header["id"])
        assert {'Keir "Starmer', "Ahmed O'Brien{x", "Mark Rutte\\Jr"} <= found
        assert "John `Smith|Doe^" in found

    return Case([path], [], added=1, check=check)


@case
def case_right_to_left_and_combining(tmp: Path) -> Case:
    body = (
        "Prime Minister Benjamin Netanyahu met "
        "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f \u0628\u0646 "
        "\u0633\u0644\u0645\u0627\u0646 and \u05d1\u05e0\u05d9\u05de\u05d9\u05df "
        "\u05e0\u05ea\u05e0\u05d9\u05d4\u05d5 in Riyadh.\n"
        "Rene\u0301e Fleming and Zoe\u0301 Saldan\u0303a criticised Iran.\n"
    )
    path = write(tmp / "scripts.txt", body)

    def check(store: Store) -> None:
        found = labels(store, "scripts")
        assert {"Ren\u00e9e Fleming", "Zo\u00e9 Salda\u00f1a"} <= found  # NFC
        assert any("\u0645" in name for name in found)

    return Case([path], [], added=1, check=check)


# --- the test ---------------------------------------------------------------------


@pytest.mark.parametrize("name", list(CASES))
def test_bad_input_one_line_error_or_correct_result(name, seeded, tmp_path):
    seed, seed_quads = seeded
    store = tmp_path / "store"
    shutil.copytree(seed, store)
    spec = CASES[name](tmp_path / "in")
    started = time.perf_counter()
    result = kg(
        "ingest", *map(str, spec.paths), "--store", str(store), prefix=spec.prefix
    )
    seconds = time.perf_counter() - started
    output = result.stdout + result.stderr
    assert "Traceback" not in output, output[-3000:]
    lines = result.stderr.splitlines()
    assert all(line.startswith("kg: ") for line in lines), lines[:20]
    warnings = [line for line in lines if line.startswith("kg: WARNING: ")]
    errors = [line for line in lines if line not in warnings]
    closing = [f"kg: {len(spec.errors)} input(s) could not be used; see above."]
    assert errors == (spec.errors + closing if spec.errors else [])
    assert warnings == (spec.warnings or [])
    assert result.returncode == (1 if spec.errors else 0)
    summary = SUMMARY.match(result.stdout)
    assert summary, result.stdout
    assert (int(summary[1]), int(summary[2])) == (spec.added, len(spec.errors))
    assert seconds < spec.seconds
    with open_store(store) as opened:
        assert seed_quads <= set(opened.named_quads())  # nothing stored was lost
        assert exports_parse_back(opened, tmp_path / "export.ttl")
        if spec.check is not None:
            spec.check(opened)


def exports_parse_back(store: Store, path: Path) -> bool:
    """Export Turtle; it must parse with rdflib and Oxigraph, to every triple."""
    count = export(store, "turtle", path)
    with path.open("rb") as handle:
        parsed = list(ox.parse(handle, ox.RdfFormat.TURTLE))
    assert len(Graph().parse(path, format="turtle")) == len(parsed) == count
    return True


@pytest.mark.parametrize("count", [10_000])
def test_bad_input_reading_10000_tiny_articles(tmp_path, count):
    from kg.read import iter_articles

    for i in range(count):
        (tmp_path / f"t{i:05d}.txt").write_text(f"Note {i}\n{STORY}", encoding="utf-8")
    started = time.perf_counter()
    ids = [article.id for article in iter_articles([tmp_path])]
    assert ids == [f"t{i:05d}" for i in range(count)]
    assert time.perf_counter() - started < 20


# --- reading the store back -------------------------------------------------------


def title(store: Store, aid: str) -> str:
    (value,) = objects(store, KG.title, aid)
    return value


def objects(store: Store, predicate, aid: str) -> list[str]:  # noqa: ANN001 - a URIRef
    """Values of ``predicate`` in the article's graph: on the article or its events."""
    graph = ox.NamedNode(str(article_iri(aid)))
    return sorted(
        q.object.value
        for q in store.quads_for_pattern(
            None, ox.NamedNode(str(predicate)), None, graph
        )
    )


def labels(store: Store, aid: str) -> set[str]:
    """rdfs:label of every actor and place the article's graph describes."""
    graph = ox.NamedNode(str(article_iri(aid)))
    label = ox.NamedNode(str(RDFS.label))
    return {q.object.value for q in store.quads_for_pattern(None, label, None, graph)}
