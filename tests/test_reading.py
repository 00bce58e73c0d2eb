"""Tests of kg.read: real files in tests/data/inputs, awkward ones in tmp_path."""

from __future__ import annotations

import codecs
import datetime as dt
import io
import logging
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from kg.errors import InputError
from kg.read import iter_articles
from kg.read.problems import os_error
from kg.records import Article

INPUTS = Path(__file__).parent / "data" / "inputs"
DATA_ARTICLES = Path(__file__).parent.parent / "data" / "articles"


def read(paths, **kwargs) -> tuple[list[Article], list[str]]:
    """All articles and all error messages, reading with on_error collecting."""
    errors: list[InputError] = []
    articles = list(iter_articles(paths, on_error=errors.append, **kwargs))
    return articles, [str(e) for e in errors]


def write(tmp_path: Path, name: str, data: bytes) -> Path:
    path = tmp_path / name
    path.write_bytes(data)
    return path


@pytest.mark.parametrize("name", ["front_matter.txt"])
def test_reading_front_matter_parsed(name):
    (art,), errors = read([INPUTS / name])
    assert errors == []
    assert art == Article(
        id="fm-1",
        text="The foreign ministers of two neighbouring states met in Geneva on "
        "Monday.\nThey agreed to meet again next month.",
        title="Ministers meet in Geneva",
        date=dt.date(2024, 5, 6),
        source="kg test fixture",
        url="https://example.org/kg-tests/fm-1",
        origin=str(INPUTS / name),
        metadata=(("desk", "3"), ("licence", "CC0-1.0")),
    )


@pytest.mark.parametrize("name", ["no_header.md"])
def test_reading_no_header_first_line_is_title(name):
    (art,), _ = read([INPUTS / name])
    assert (art.id, art.title, art.date) == (
        "no_header",
        "Aid convoy reaches northern town",
        None,
    )
    assert art.text.startswith("Aid convoy reaches northern town\n\nA convoy")


@pytest.mark.parametrize("name", ["single.json"])
def test_reading_json_object(name):
    (art,), errors = read([INPUTS / name])
    assert errors == []
    assert (art.id, art.title, art.date, art.source, art.url) == (
        "42",
        "Talks resume",
        dt.date(2024, 3, 1),
        "kg test fixture",
        "https://example.org/kg-tests/42",
    )
    assert art.text == "Delegations from both sides resumed talks in Vienna on Friday."
    assert art.metadata == (("desk", "world"),)  # the non-scalar "tags" is dropped


@pytest.mark.parametrize("name", ["array.json"])
def test_reading_json_array_ids_by_index(name):
    articles, errors = read([INPUTS / name])
    assert errors == []
    assert [(a.id, a.title) for a in articles] == [
        ("array-1", "First item"),
        ("named", "The second short article, with its own id."),
    ]


@pytest.mark.parametrize("name", ["lines.jsonl"])
def test_reading_jsonl_line_ids(name):
    articles, errors = read([INPUTS / name])
    assert errors == []
    origin = str(INPUTS / name)
    assert [(a.id, a.origin, a.date) for a in articles] == [
        ("lines-1", f"{origin}:1", None),
        ("line-three", f"{origin}:3", dt.date(2024, 5, 3)),
    ]


@pytest.mark.parametrize("name", ["malformed.jsonl"])
def test_reading_malformed_jsonl_line_reported_others_read(name):
    articles, errors = read([INPUTS / name])
    assert [a.id for a in articles] == ["malformed-1", "malformed-3"]
    assert errors == [
        f"{INPUTS / name}:2: is not valid JSON (Expecting property name enclosed in "
        "double quotes at column 1); fix or remove this line"
    ]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "wrong_type.jsonl",
            [
                ':1: field "text" is a number, not a string; put the article body '
                "there as one string",
                ':2: field "title" is an array, not a string; write it as plain text',
            ],
        ),
        (
            "no_text.json",
            [
                ': object has no "text" field; put the article body in "text" (or '
                '"body" / "content")',
            ],
        ),
    ],
)
def test_reading_wrong_field_type(name, expected):
    articles, errors = read([INPUTS / name])
    assert articles == []
    assert errors == [f"{INPUTS / name}{e}" for e in expected]


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (
            "not_mapping.txt",
            ":2: front matter is a list, not a mapping; write it as 'key: value' lines",
        ),
        (
            "bad_yaml.txt",
            ":4: front matter is not valid YAML (found unexpected end "
            "of stream); fix the header between the '---' lines",
        ),
        (
            "unclosed.txt",
            ":1: front matter opened with '---' is never closed; add a "
            "'---' line after the header",
        ),
    ],
)
def test_reading_bad_front_matter(name, expected):
    assert read([INPUTS / name]) == ([], [f"{INPUTS / name}{expected}"])


@pytest.mark.parametrize("name", ["bad_date.txt"])
def test_reading_bad_date_logged_and_none(name, caplog):
    with caplog.at_level(logging.WARNING, logger="kg.read"):
        (art,), errors = read([INPUTS / name])
    assert (art.id, art.date, errors) == ("bad-date", None, [])
    assert caplog.messages == [
        f"{INPUTS / name}: cannot read the date 'last Tuesday' (write it as "
        "YYYY-MM-DD); the article is read without a date"
    ]


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-06", dt.date(2024, 5, 6)),
        ("2024-05-06T10:30:00+02:00", dt.date(2024, 5, 6)),
        ("24 January 2019", dt.date(2019, 1, 24)),
        ("2019-13-01", None),  # ISO-shaped but invalid: not "repaired" to 13 January
        ("yesterday", None),
        ("March 2019", None),
    ],
)
def test_reading_date_strings(tmp_path, value, expected):
    path = write(tmp_path, "d.txt", f'---\ndate: "{value}"\n---\nBody.\n'.encode())
    (art,), _ = read([path])
    assert art.date == expected


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        (b"", "file is empty; add the article text or remove the file"),
        (b"  \n\t\r\n", "file is empty; add the article text or remove the file"),
        (
            b"Title\x00\x01\x02 rest",
            "looks binary (NUL bytes), not text; give kg "
            ".txt, .md, .json or .jsonl articles",
        ),
        (
            b"Caf\xc3\xa9 ok\nthen \xff bad",
            "is not valid UTF-8 (byte 0xff at offset 14); re-save it as UTF-8",
        ),
        (
            codecs.BOM_UTF8 + b"ab\xfe",
            "is not valid UTF-8 (byte 0xfe at offset 5); re-save it as UTF-8",
        ),
        (
            b"---\ntitle: Only a header\n---\n\n",
            "has a header but no article text; "
            "write the article below the closing '---' line",
        ),
    ],
    ids=[
        "empty",
        "whitespace",
        "binary",
        "invalid-utf8",
        "invalid-utf8-after-bom",
        "header-only",
    ],
)
def test_reading_unreadable_text_file(tmp_path, data, problem):
    path = write(tmp_path, "bad.txt", data)
    assert read([path]) == ([], [f"{path}: {problem}"])


@pytest.mark.parametrize(
    ("data", "ids", "problem"),
    [
        (b"", [], ": file is empty; add the article text or remove the file"),
        (
            b'{"text": "ok"}\n{"text": "\xff"}\n',
            ["feed-1"],
            ":2: is not valid UTF-8 (byte 0xff at offset 25); re-save it as UTF-8",
        ),
        (
            b"\x00\x00{}",
            [],
            ": looks binary (NUL bytes), not text; give kg .txt, "
            ".md, .json or .jsonl articles",
        ),
        (
            codecs.BOM_UTF8 + b'{"text": "ok"}\n[1]\n',
            ["feed-1"],
            ":2: line holds an "
            "array, not an object; put one article object on each line",
        ),
    ],
    ids=["empty", "invalid-utf8-line", "binary", "bom-then-array-line"],
)
def test_reading_unreadable_jsonl(tmp_path, data, ids, problem):
    path = write(tmp_path, "feed.jsonl", data)
    articles, errors = read([path])
    assert ([a.id for a in articles], errors) == (ids, [f"{path}{problem}"])


@pytest.mark.parametrize(
    ("data", "text"),
    [
        (
            codecs.BOM_UTF8 + "Title\r\nCafe\u0301 text\r\n".encode(),
            "Title\nCaf\u00e9 text",
        ),
        ("Title\nUTF-16 text".encode("utf-16"), "Title\nUTF-16 text"),
    ],
    ids=["utf8-bom-crlf-nfd", "utf16-bom"],
)
def test_reading_bom_stripped_and_normalised(tmp_path, data, text):
    path = write(tmp_path, "bom.txt", data)
    (art,), errors = read([path])
    assert (art.text, art.title, errors) == (text, "Title", [])


@pytest.mark.parametrize("name", ["no-such-file.txt", "no-such-dir"])
def test_reading_missing_path(tmp_path, name):
    path = tmp_path / name
    assert read([path]) == ([], [f"{path}: no such file or directory; check the path"])
    with pytest.raises(InputError, match="no such file or directory"):
        list(iter_articles([path]))


@pytest.mark.parametrize("folder", ["tree"])
def test_reading_folder_recursion_order(folder):
    articles, errors = read([INPUTS / folder])
    assert errors == []
    assert [a.id for a in articles] == ["a", "b", "c-1", "c-2", "d-1"]


@pytest.mark.parametrize("subdir", ["empty"])
def test_reading_folder_without_articles_logs(tmp_path, subdir, caplog):
    folder = tmp_path / subdir
    folder.mkdir()
    (folder / "notes.csv").write_text("a,b\n")
    with caplog.at_level(logging.WARNING, logger="kg.read"):
        assert read([folder]) == ([], [])
    assert caplog.messages == [
        f"{folder}: no readable articles in this folder (looked for .json, .jsonl, "
        ".markdown, .md, .ndjson, .txt)"
    ]


@pytest.mark.parametrize("name", ["article.weird"])
def test_reading_explicit_file_any_extension(tmp_path, name):
    path = write(tmp_path, name, b"Named explicitly\nso read as text.\n")
    (art,), _ = read([path])
    assert (art.id, art.title) == ("article", "Named explicitly")


@pytest.mark.parametrize(
    ("stream", "expected"),
    [
        (
            io.StringIO('{"id": "s1", "text": "One."}\n{"text": "Two."}\n'),
            [("s1", "<stdin>:1"), ("stdin-2", "<stdin>:2")],
        ),
        (io.BytesIO(b"Plain title\nPlain text from a pipe.\n"), [("stdin", "<stdin>")]),
        (
            io.TextIOWrapper(io.BytesIO(b'  {"text": "wrapped"}\n'), encoding="utf-8"),
            [("stdin-1", "<stdin>:1")],
        ),
    ],
    ids=["jsonl-text-stream", "text-binary-stream", "jsonl-wrapped-stream"],
)
def test_reading_stdin(stream, expected):
    articles, errors = read(["-"], stdin=stream)
    assert errors == []
    assert [(a.id, a.origin) for a in articles] == expected


@pytest.mark.parametrize("loops", [1, 2])
def test_reading_symlink_loop_does_not_hang(tmp_path, loops):
    root = tmp_path / "root"
    (root / "inner").mkdir(parents=True)
    (root / "inner" / "x.txt").write_text("Only once\n")
    for i in range(loops):
        os.symlink(root, root / "inner" / f"back{i}")
    articles, errors = read([root])
    assert ([a.id for a in articles], errors) == (["x"], [])


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        (
            "big.txt",
            b"x" * 1500,
            ": is 1.5 kB, over the 1.0 kB limit; split it into one file per "
            "article, or one article per line of a .jsonl file (the limit is then "
            "per line)",
        ),
        (
            "big.jsonl",
            b'{"text": "short"}\n{"text": "' + b"y" * 3000 + b'"}\n',
            ":2: line is 3.0 kB, over the 1.0 kB limit; split that article into "
            "smaller ones",
        ),
    ],
)
def test_reading_oversize(tmp_path, name, data, problem):
    path = write(tmp_path, name, data)
    articles, errors = read([path], max_bytes=1000)
    assert errors == [f"{path}{problem}"]
    assert len(articles) == (1 if name.endswith(".jsonl") else 0)


@pytest.mark.parametrize("data", [b"z" * 5000])
def test_reading_oversize_stdin(data):
    assert read(["-"], stdin=io.BytesIO(data), max_bytes=1000) == (
        [],
        [
            "<stdin>: is over the 1.0 kB limit; split it into one file per article, "
            "or one article per line of a .jsonl file (the limit is then per line)"
        ],
    )


@pytest.mark.parametrize(
    ("exc", "problem"),
    [
        (
            PermissionError(13, "Permission denied"),
            "permission denied; make it "
            "readable (chmod +r) or run kg as a user who can read it",
        ),
        (
            OSError(5, "Input/output error"),
            "cannot be read (Input/output error); check the path",
        ),
    ],
)
def test_reading_os_errors_mapped(exc, problem):
    assert str(os_error("f.txt", exc)) == f"f.txt: {problem}"


def _read_as_unprivileged(path: Path) -> list[str]:
    """Read ``path`` in a child process; as root, without the file-access override.

    root reads files whatever their mode, so as root the child runs under
    ``setpriv`` with CAP_DAC_OVERRIDE and CAP_DAC_READ_SEARCH dropped: the file's
    mode then applies to it as to any user.
    """
    code = (
        "import sys; from kg.read import iter_articles\n"
        "errors = []\n"
        "list(iter_articles([sys.argv[1]], on_error=lambda e: errors.append(str(e))))\n"
        "print('\\n'.join(errors))"
    )
    command = [sys.executable, "-c", code, str(path)]
    if os.geteuid() == 0:
        caps = "-dac_override,-dac_read_search"
        command = ["setpriv", f"--inh-caps={caps}", f"--bounding-set={caps}", *command]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return result.stdout.splitlines()


@pytest.mark.parametrize("name", ["locked.txt"])
def test_reading_permission_denied(name):
    folder = Path(tempfile.mkdtemp())
    try:
        path = write(folder, name, b"Secret\n")
        path.chmod(0)
        assert _read_as_unprivileged(path) == [
            f"{path}: permission denied; make it readable "
            "(chmod +r) or run kg as a user who can read it"
        ]
    finally:
        shutil.rmtree(folder)


@pytest.mark.parametrize("names", [("missing.txt", "front_matter.txt")])
def test_reading_goes_on_after_error(names):
    articles, errors = read([INPUTS / n for n in names])
    assert [a.id for a in articles] == ["fm-1"]
    assert len(errors) == 1


@pytest.mark.parametrize("folder", [DATA_ARTICLES])
def test_reading_project_samples(folder):
    articles, errors = read([folder])
    assert errors == []
    assert len(articles) >= 10
    dated = [a for a in articles if a.id != "ukraine-us-talks"]
    assert all(
        a.date is not None and ("licence", "CC0-1.0") in a.metadata for a in dated
    )


@pytest.mark.parametrize(
    ("name", "data", "problem"),
    [
        (
            "deep.json",
            b"[" * 100_000,
            ": JSON is nested too deeply to read (an article needs only a few "
            "levels of [ and {); fix it",
        ),
        (
            "long.json",
            b'{"id": ' + b"7" * 5000 + b', "text": "x"}',
            ": JSON holds a number too long to read; put it in quotes as a string",
        ),
        (
            "deep.md",
            b"---\nx: " + b"[" * 100_000 + b"\n---\nBody.\n",
            ":2: front matter is nested too deeply to read (an article needs only a "
            "few levels of [ and {); fix it",
        ),
        (
            "bomb.md",
            b"---\na: &a [1, 2]\nb: [*a, *a]\n---\nBody.\n",
            ":3: front matter is not valid YAML (aliases (*name) are not allowed); "
            "fix the header between the '---' lines",
        ),
        (
            "utf16.txt",
            "Title\nSome text".encode("utf-16-le"),
            ": looks like UTF-16 without a byte-order mark; re-save it as UTF-8",
        ),
        (
            "late-nul.txt",
            b"Title\n" + b"text " * 2000 + b"\x00",
            ": looks binary (NUL bytes), not text; give kg .txt, .md, .json or "
            ".jsonl articles",
        ),
    ],
    ids=["json-depth", "json-long-number", "yaml-depth", "yaml-alias", "utf16", "nul"],
)
def test_reading_hostile_input_is_one_input_error(tmp_path, name, data, problem):
    path = write(tmp_path, name, data)
    assert read([path]) == ([], [f"{path}{problem}"])


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2024-05-06", dt.date(2024, 5, 6)),
        ("2024-05-06 10:30:00", dt.date(2024, 5, 6)),
        ("2019-02-30", None),  # PyYAML would raise ValueError building this date
        ("2019-13-01", None),
    ],
)
def test_reading_unquoted_header_dates(tmp_path, value, expected):
    path = write(tmp_path, "d.md", f"---\ndate: {value}\n---\nBody.\n".encode())
    (art,), errors = read([path])
    assert (art.date, errors) == (expected, [])


@pytest.mark.parametrize(
    ("line", "title"),
    [
        (" ".join(["word"] * 100), " ".join(["word"] * 40) + "\u2026"),
        ("x" * 500, "x" * 200 + "\u2026"),
        ("y" * 200, "y" * 200),
    ],
    ids=["words", "one-token", "at-the-limit"],
)
def test_reading_first_line_title_is_cut(tmp_path, line, title):
    (art,), _ = read([write(tmp_path, "long.txt", f"{line}\nMore.\n".encode())])
    assert art.title == title and art.text.startswith(line)


@pytest.mark.parametrize(
    ("data", "aid", "text"),
    [(rb'{"id": "a\udcffb", "text": "x \ud800 y"}', "a\ufffdb", "x \ufffd y")],
)
def test_reading_lone_surrogates_replaced(tmp_path, data, aid, text):
    (art,), _ = read([write(tmp_path, "s.json", data)])
    assert (art.id, art.text, art.title) == (aid, text, text)
    assert art.content_hash


@pytest.mark.parametrize("name", [b"caf\xe9.txt"])
def test_reading_undecodable_file_name(tmp_path, name):
    path = write(tmp_path, os.fsdecode(name), b"Body.\n")
    (art,), _ = read([path])
    assert art.id == "caf\ufffd" and art.content_hash


@pytest.mark.parametrize("special", ["fifo", "link-loop"])
def test_reading_special_entries_in_folder_reported(tmp_path, special):
    write(tmp_path, "good.txt", b"Body.\n")
    if special == "fifo":
        os.mkfifo(tmp_path / "x.txt")  # opening it would block: it must not be
        problem = (
            "is not a regular file (a FIFO, socket or device), so it was not "
            "read; move it out of the folder"
        )
    else:
        os.symlink(tmp_path / "x.txt", tmp_path / "x.txt")
        problem = "cannot be read (Too many levels of symbolic links); check the path"
    assert read([tmp_path]) == (
        [Article("good", "Body.", "Body.", origin=str(tmp_path / "good.txt"))],
        [f"{tmp_path / 'x.txt'}: {problem}"],
    )


@pytest.mark.parametrize("name", ["two\nlines.txt", "red\x1b[31m.txt"])
def test_reading_error_names_escape_control_characters(tmp_path, name):
    path = write(tmp_path, name, b"")
    shown = name.replace("\n", "\\n").replace("\x1b", "\\x1b")
    assert read([path])[1] == [
        f"{tmp_path}/{shown}: file is empty; add the article text or remove the file"
    ]
