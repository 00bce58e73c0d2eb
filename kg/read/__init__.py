"""Read news articles from files, folders and stdin into :class:`kg.records.Article`.

This is the pipeline's only door to the outside world, so it is strict about what it
lets in and forgiving about what it does next: every bad input becomes one
:class:`kg.errors.InputError` (path, line, what to do about it), and reading goes on
with the rest. Articles are produced one at a time; a folder is walked lazily and a
JSON Lines file or stream is read line by line, so nothing ever holds a whole corpus.

Accepted forms:

* ``.txt`` / ``.md`` / ``.markdown`` (and any file named explicitly): plain text with
  optional YAML front matter between ``---`` lines (keys ``id``, ``title``, ``date``,
  ``source``, ``url``; any other key is kept as metadata). Without a ``title`` the
  first non-empty line is the title, and it stays in the text.
* ``.json``: one object or an array of objects; ``.jsonl`` / ``.ndjson``: one object
  per line. The body is in ``text`` (or ``body`` / ``content``).
* ``-``: stdin, read as JSON Lines when it starts with ``{``, else as one text article.
"""

from __future__ import annotations

import codecs
import datetime as dt
import json
import logging
import os
import re
import stat
import sys
import unicodedata
from collections.abc import Callable, Iterable, Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

import yaml

from kg.errors import InputError
from kg.records import Article

logger = logging.getLogger(__name__)

__all__ = ["DEFAULT_MAX_BYTES", "FOLDER_SUFFIXES", "STDIN", "iter_articles"]

#: Files (and each JSON Lines record) larger than this are refused, not read.
DEFAULT_MAX_BYTES = 20_000_000
#: The path that means "read standard input".
STDIN = "-"
TEXT_SUFFIXES = frozenset({".txt", ".md", ".markdown"})
JSON_SUFFIXES = frozenset({".json"})
JSONL_SUFFIXES = frozenset({".jsonl", ".ndjson"})
#: The only files picked up when walking a folder.
FOLDER_SUFFIXES = TEXT_SUFFIXES | JSON_SUFFIXES | JSONL_SUFFIXES

_STDIN_LABEL = "<stdin>"
_SNIFF_BYTES = 8192
_CHUNK_BYTES = 1 << 16
_FIELDS = ("id", "title", "date", "source", "url")
_TEXT_KEYS = ("text", "body", "content")
_UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
_CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
# ISO-shaped strings must be valid ISO: dateparser would "repair" 2019-13-01.
_ISO_LIKE = re.compile(r"^\d{4}-\d{1,2}")
# No relative words ("yesterday", "on Monday"), no epoch numbers, all of d/m/y.
_DATEPARSER_SETTINGS = {
    "PARSERS": ["custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "STRICT_PARSING": True,
}

#: A title taken from the first line is cut to about this many characters.
TITLE_CHARS = 200
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")

_Item = Article | InputError


class _HeaderLoader(yaml.SafeLoader):
    """YAML for front matter: dates stay strings, aliases are refused.

    Strings let :func:`_read_date` treat an impossible date (2019-02-30) like any
    other unreadable one; PyYAML would raise ValueError. Aliases let a few lines
    expand to billions of items ("billion laughs") when the header is printed.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed", mark
            )
        return super().compose_node(parent, index)


_HeaderLoader.add_constructor(
    "tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str
)


def iter_articles(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    on_error: Callable[[InputError], None] | None = None,
    stdin: TextIO | BinaryIO | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> Iterator[Article]:
    """Yield every article found under ``paths``, in a deterministic order.

    Each bad input (missing path, empty/binary/non-UTF-8/oversized file, broken front
    matter, malformed JSON line, object without text, ...) is one InputError; with
    ``on_error`` it is reported and reading goes on with the next file or line, so
    one broken file does not cost an analyst the other thousand.

    A date that cannot be read is *not* an error: the text is still worth extracting,
    so the article is yielded with ``date=None`` and a warning is logged. Strings are
    read as ISO dates first, then by dateparser with relative words ("yesterday")
    and partial dates ("March 2019") refused, because a guessed date would silently
    misplace every "on Monday" in the text.

    Args:
        paths: files, folders (walked recursively in sorted order, hidden entries and
            unknown suffixes skipped, symlink loops cut) or ``"-"`` for stdin. A
            single path is accepted too.
        on_error: called with each InputError; when None the first one is raised.
        stdin: stream to read for ``"-"`` (default ``sys.stdin``).
        max_bytes: size limit of a file, of stdin, and of one JSON Lines record.

    Returns:
        An iterator of articles; ids are not checked for duplicates.

    Raises:
        InputError: for the first bad input, when ``on_error`` is None.
    """
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for raw in paths:
        for item in _read_path(os.fspath(raw), stdin, max_bytes):
            if isinstance(item, Article):
                yield item
            elif on_error is None:
                raise item
            else:
                on_error(item)


def _read_path(
    raw: str, stdin: TextIO | BinaryIO | None, max_bytes: int
) -> Iterator[_Item]:
    """Dispatch one command-line path to the stdin, folder or file reader."""
    if raw == STDIN:
        yield from _read_stdin(stdin, max_bytes)
    elif Path(raw).is_dir():
        yield from _read_folder(Path(raw), max_bytes)
    else:
        yield from _read_file(Path(raw), max_bytes)


def _read_stdin(stdin: TextIO | BinaryIO | None, max_bytes: int) -> Iterator[_Item]:
    """Read stdin as bytes, so encoding problems are caught like a file's."""
    stream: Any = sys.stdin if stdin is None else stdin
    if hasattr(stream, "buffer"):
        stream = stream.buffer
    elif isinstance(stream.read(0), str):  # an in-memory text stream
        stream = _BytesFromText(stream.read())
    try:
        yield from _read_stream(stream, _STDIN_LABEL, "stdin", "sniff", max_bytes)
    except OSError as exc:
        yield _os_error(_STDIN_LABEL, exc)


class _BytesFromText:
    """Minimal binary reader over text already in memory (a StringIO as stdin)."""

    def __init__(self, text: str) -> None:
        self._data = text.encode("utf-8", errors="surrogatepass")
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._pos + size
        out, self._pos = self._data[self._pos : end], min(end, len(self._data))
        return out


def _read_folder(root: Path, max_bytes: int) -> Iterator[_Item]:
    """Read every article file under ``root``; an empty folder is only logged."""
    found = 0
    for entry in _walk(root, set()):
        if isinstance(entry, InputError):
            yield entry
            continue
        for item in _read_file(entry, max_bytes):
            found += isinstance(item, Article)
            yield item
    if not found:
        logger.warning(
            "%s: no readable articles in this folder (looked for %s)",
            root,
            ", ".join(sorted(FOLDER_SUFFIXES)),
        )


def _walk(folder: Path, seen: set[str]) -> Iterator[Path | InputError]:
    """Yield article files depth-first in name order, each real folder once."""
    real = os.path.realpath(folder)
    if real in seen:
        logger.warning("%s: skipped, it leads back to %s (symlink loop)", folder, real)
        return
    seen.add(real)
    try:
        with os.scandir(folder) as it:
            entries = sorted(it, key=lambda e: e.name)
    except OSError as exc:
        yield _os_error(str(folder), exc)
        return
    for entry in entries:
        if entry.name.startswith("."):
            continue
        if _is_dir(entry):
            yield from _walk(Path(entry.path), seen)
        elif Path(entry.name).suffix.lower() in FOLDER_SUFFIXES:
            yield _special_file(entry) or Path(entry.path)


def _is_dir(entry: os.DirEntry) -> bool:
    """Whether ``entry`` leads to a folder; a link that cannot be followed does not.

    ``is_dir`` raises for a symlink loop (a.txt -> b.txt -> a.txt); as a file, it is
    then reported by :func:`_read_file` like any unreadable one.
    """
    try:
        return entry.is_dir()
    except OSError:
        return False


def _special_file(entry: os.DirEntry) -> InputError | None:
    """An error for a FIFO, socket or device found in a folder, else None.

    Opening a FIFO blocks until something writes to it, so one stray pipe named
    ``x.txt`` would hang the whole run. A path that cannot be stat'ed is left to
    :func:`_read_file`, which reports it.
    """
    try:
        mode = entry.stat().st_mode
    except OSError:
        return None
    if stat.S_ISREG(mode):
        return None
    return InputError(
        entry.path,
        "is not a regular file (a FIFO, socket or device), so it was not read; "
        "move it out of the folder",
    )


def _read_file(path: Path, max_bytes: int) -> Iterator[_Item]:
    """Read one file; its suffix picks the format, anything unknown is text."""
    label = str(path)
    suffix = path.suffix.lower()
    kind = (
        "jsonl"
        if suffix in JSONL_SUFFIXES
        else "json"
        if suffix in JSON_SUFFIXES
        else "text"
    )
    try:
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            if kind != "jsonl" and size > max_bytes:
                yield InputError(label, _too_big(max_bytes, size))
                return
            yield from _read_stream(fh, label, path.stem, kind, max_bytes)
    except OSError as exc:
        yield _os_error(label, exc)


def _read_stream(
    fh: BinaryIO, label: str, stem: str, kind: str, max_bytes: int
) -> Iterator[_Item]:
    """Parse an open binary stream as ``kind`` ("text", "json", "jsonl", "sniff")."""
    head = fh.read(_SNIFF_BYTES)
    if kind == "sniff":
        start = head.lstrip(codecs.BOM_UTF8 + b" \t\r\n")
        kind = "jsonl" if start.startswith(b"{") else "text"
    if kind == "jsonl":
        yield from _read_jsonl(head, fh, label, stem, max_bytes)
        return
    room = max_bytes + 1 - len(head)  # read one byte past the limit to detect it
    data = head + (fh.read(room) if room > 0 else b"")
    if len(data) > max_bytes:
        yield InputError(label, _too_big(max_bytes))
        return
    text = _decode(data, label)
    if isinstance(text, InputError) or not text.strip():
        yield text if isinstance(text, InputError) else _empty(label)
    elif kind == "json":
        yield from _parse_json(text, label, stem)
    else:
        yield _parse_text(text, label, stem)


def _decode(data: bytes, label: str) -> str | InputError:
    """Decode UTF-8 (BOM stripped) or BOM-marked UTF-16, refusing binary data."""
    if data.startswith(_UTF16_BOMS):
        try:
            return _normalise(data.decode("utf-16"))
        except UnicodeDecodeError:
            return InputError(
                label,
                "is not valid UTF-16 despite its byte-order mark; re-save it as UTF-8",
            )
    if b"\x00" in data:
        return _binary(label, data[:_SNIFF_BYTES])
    try:
        return _normalise(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        return _bad_utf8(label, exc, bom)


def _normalise(text: str) -> str:
    """LF line ends and NFC, so offsets and hashes do not depend on the editor.

    Lone surrogates (a JSON "\\ud800" escape, an undecodable byte in a file name)
    become U+FFFD: no UTF-8 encoder, hash or RDF serialiser accepts them.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", _no_surrogates(text))


def _no_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def _parse_text(text: str, label: str, stem: str) -> _Item:
    """Split off the front matter, if any, and build the article."""
    split = _split_front_matter(text, label)
    if isinstance(split, InputError):
        return split
    header, body = split
    if not body.strip():
        return InputError(
            label,
            "has a header but no article text; write the "
            "article below the closing '---' line",
        )
    return _make_article(header, body, label, stem, label, None, keep_all=True)


def _split_front_matter(
    text: str, label: str
) -> tuple[dict[Any, Any], str] | InputError:
    """Return (header mapping, body); the header is empty when there is none."""
    first, _, rest = text.partition("\n")
    if first.rstrip() != "---":
        return {}, text
    fence = _CLOSING_FENCE.search(rest)
    if fence is None:
        return InputError(
            label,
            "front matter opened with '---' is never closed; "
            "add a '---' line after the header",
            1,
        )
    try:
        header = yaml.load(rest[: fence.start()], Loader=_HeaderLoader)  # a SafeLoader
    except (ValueError, RecursionError) as exc:
        return InputError(label, _unreadable("front matter", exc), 2)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        return InputError(
            label,
            f"front matter is not valid YAML ({problem}); fix "
            "the header between the '---' lines",
            line,
        )
    if header is None:
        header = {}
    if not isinstance(header, dict):
        return InputError(
            label,
            f"front matter is a {type(header).__name__}, not a "
            "mapping; write it as 'key: value' lines",
            2,
        )
    return header, rest[fence.end() :]


def _parse_json(text: str, label: str, stem: str) -> Iterator[_Item]:
    """Read a ``.json`` file: one object, or an array of objects."""
    data = _load_json(text, label, None, "fix the JSON there")
    if isinstance(data, InputError):
        yield data
        return
    if isinstance(data, dict):
        yield _from_object(data, label, stem, label, None)
    elif isinstance(data, list):
        for index, obj in enumerate(data, 1):
            where = f"item {index} of the array"
            if not isinstance(obj, dict):
                yield InputError(
                    label,
                    f"{where} is {_json_type(obj)}, not an "
                    "object; make every item an article object",
                )
            else:
                yield _from_object(obj, label, f"{stem}-{index}", label, None, where)
    else:
        yield InputError(
            label,
            f"holds {_json_type(data)}; it must hold an "
            "article object or an array of them",
        )


def _read_jsonl(
    head: bytes, fh: BinaryIO, label: str, stem: str, max_bytes: int
) -> Iterator[_Item]:
    """Read JSON Lines one line at a time; a bad line costs only that line."""
    if head.startswith(_UTF16_BOMS):
        yield InputError(
            label, "is UTF-16; JSON Lines must be UTF-8, re-save it as UTF-8"
        )
        return
    if b"\x00" in head:
        yield _binary(label, head)
        return
    offset, records = 0, 0
    for lineno, raw in enumerate(_binary_lines(head, fh, max_bytes), 1):
        size = raw if isinstance(raw, int) else len(raw)
        item = _jsonl_record(raw, size, offset, lineno, label, stem, max_bytes)
        offset += size
        if item is not None:
            records += 1
            yield item
    if not records:
        yield _empty(label)


def _jsonl_record(
    raw: bytes | int,
    size: int,
    offset: int,
    lineno: int,
    label: str,
    stem: str,
    max_bytes: int,
) -> _Item | None:
    """Turn one JSON Lines line into an article or an error; None for a blank line."""
    if isinstance(raw, int) or size > max_bytes:
        return InputError(label, _too_big(max_bytes, size, "line"), lineno)
    bom = len(codecs.BOM_UTF8) if lineno == 1 and raw.startswith(codecs.BOM_UTF8) else 0
    try:
        line = _normalise(raw[bom:].decode("utf-8"))
    except UnicodeDecodeError as exc:
        return InputError(label, _bad_utf8(label, exc, offset + bom).problem, lineno)
    if not line.strip():
        return None
    obj = _load_json(line, label, lineno, "fix or remove this line")
    if isinstance(obj, InputError):
        return obj
    if not isinstance(obj, dict):
        return InputError(
            label,
            f"line holds {_json_type(obj)}, not an object; "
            "put one article object on each line",
            lineno,
        )
    return _from_object(obj, label, f"{stem}-{lineno}", f"{label}:{lineno}", lineno)


def _binary_lines(head: bytes, fh: BinaryIO, max_bytes: int) -> Iterator[bytes | int]:
    """Yield each line as bytes, or only its length once it outgrows ``max_bytes``.

    Dropping overlong lines keeps memory bounded even for a stream with no newlines.
    """
    buf, dropped = head, 0
    while True:
        start = 0
        while (nl := buf.find(b"\n", start)) >= 0:
            yield dropped + nl + 1 - start if dropped else buf[start : nl + 1]
            dropped, start = 0, nl + 1
        buf = buf[start:]
        if len(buf) > max_bytes:
            dropped, buf = dropped + len(buf), b""
        chunk = fh.read(_CHUNK_BYTES)
        if not chunk:
            break
        buf += chunk
    if dropped or buf:
        yield dropped + len(buf) if dropped else buf


def _from_object(
    obj: dict[str, Any],
    label: str,
    default_id: str,
    origin: str,
    line: int | None,
    where: str = "",
) -> _Item:
    """Build an article from a JSON object, whose body is in text/body/content."""
    prefix = f"{where}: " if where else ""
    key = next((k for k in _TEXT_KEYS if k in obj), None)
    if key is None:
        return InputError(
            label,
            f'{where or "object"} has no "text" field; put '
            'the article body in "text" (or "body" / "content")',
            line,
        )
    text = obj[key]
    if not isinstance(text, str):
        return InputError(
            label,
            f'{prefix}field "{key}" is {_json_type(text)}, '
            "not a string; put the article body there as one string",
            line,
        )
    if not text.strip():
        return InputError(
            label, f'{prefix}field "{key}" is empty; put the article body there', line
        )
    fields = {k: v for k, v in obj.items() if k not in _TEXT_KEYS}
    return _make_article(
        fields, text, label, default_id, origin, line, keep_all=False, where=where
    )


def _make_article(
    fields: dict[Any, Any],
    text: str,
    label: str,
    default_id: str,
    origin: str,
    line: int | None,
    *,
    keep_all: bool,
    where: str = "",
) -> _Item:
    """Check the known fields, gather the rest as metadata, and build the Article."""
    known: dict[str, str] = {}
    for name in ("id", "title", "source", "url"):
        value = fields.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (str, int, float))
        ):
            prefix = f"{where}: " if where else ""
            return InputError(
                label,
                f'{prefix}field "{name}" is '
                f"{_json_type(value)}, not a string; write it as "
                "plain text",
                line,
            )
        known[name] = _normalise(str(value)).strip() if value is not None else ""
    text = _normalise(text).strip()
    return Article(
        id=known["id"] or _no_surrogates(default_id),
        text=text,
        title=known["title"] or _first_line(text),
        date=_read_date(fields.get("date"), origin),
        source=known["source"] or None,
        url=known["url"] or None,
        origin=_no_surrogates(origin),
        metadata=_metadata(fields, keep_all),
    )


def _metadata(fields: dict[Any, Any], keep_all: bool) -> tuple[tuple[str, str], ...]:
    """Every other key as sorted (key, str(value)); JSON keeps scalars only."""
    pairs = []
    for key, value in fields.items():
        if str(key) in _FIELDS or value is None:
            continue
        if not keep_all and isinstance(value, (dict, list)):
            logger.debug("dropping non-scalar JSON field %r", key)
            continue
        pairs.append((_normalise(str(key)), _normalise(str(value))))
    return tuple(sorted(pairs))


def _first_line(text: str) -> str:
    """The first non-empty line, as a reader of a header-less file sees the title.

    Cut at a space near :data:`TITLE_CHARS`: in a file without line breaks (a
    pasted blob, a text of one endless sentence) the whole text would otherwise
    become a title, stored and drawn everywhere.
    """
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    if len(line) <= TITLE_CHARS:
        return line
    cut = line.rfind(" ", TITLE_CHARS // 2, TITLE_CHARS)
    return line[: cut if cut > 0 else TITLE_CHARS].rstrip() + "\u2026"


def _read_date(value: Any, where: str) -> dt.date | None:
    """Read a header/JSON date; an unreadable one is logged and dropped, not fatal."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = _parse_date_string(value.strip()) if isinstance(value, str) else None
    if parsed is None:
        logger.warning(
            "%s: cannot read the date %r (write it as YYYY-MM-DD); the "
            "article is read without a date",
            where,
            value,
        )
    return parsed


def _parse_date_string(value: str) -> dt.date | None:
    """ISO first (exact and fast), then dateparser without any guessing."""
    for parse in (dt.date.fromisoformat, dt.datetime.fromisoformat):
        try:
            parsed = parse(value)
        except ValueError:
            continue
        return parsed.date() if isinstance(parsed, dt.datetime) else parsed
    if _ISO_LIKE.match(value):
        return None
    import dateparser  # slow to import; only needed for non-ISO dates

    parsed = dateparser.parse(value, languages=["en"], settings=_DATEPARSER_SETTINGS)
    return parsed.date() if parsed is not None else None


def _json_type(value: Any) -> str:
    """'a number', 'an array', ...: a value's JSON type, for messages users act on."""
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, (int, float)):
        return "a number"
    names = {dict: "an object", list: "an array", str: "a string", type(None): "null"}
    return names.get(type(value), f"a {type(value).__name__}")


def _size(n: int) -> str:
    """Human size in decimal units: '25.0 MB', '12.3 kB', '100 bytes'."""
    if n >= 1_000_000:
        return f"{n / 1_000_000:.1f} MB"
    if n >= 1_000:
        return f"{n / 1_000:.1f} kB"
    return f"{n} bytes"


def _too_big(limit: int, size: int | None = None, what: str = "file") -> str:
    """The over-the-limit problem text, with the size when it is known.

    The fix is one a command-line user can apply: the limit is per file, and for
    JSON Lines per line, so a big corpus fits as many files or as one .jsonl file.
    """
    fix = (
        "split that article into smaller ones"
        if what == "line"
        else "split it into one file per article, or one article per line of a "
        ".jsonl file (the limit is then per line)"
    )
    if size is None:
        return f"is over the {_size(limit)} limit; {fix}"
    prefix = "" if what == "file" else f"{what} "
    return f"{prefix}is {_size(size)}, over the {_size(limit)} limit; {fix}"


def _empty(label: str) -> InputError:
    return InputError(label, "file is empty; add the article text or remove the file")


def _binary(label: str, head: bytes) -> InputError:
    """NUL bytes: UTF-16 saved without a byte-order mark, or not text at all."""
    if _looks_utf16(head):
        return InputError(
            label,
            "looks like UTF-16 without a byte-order mark; re-save it as UTF-8",
        )
    return InputError(
        label,
        "looks binary (NUL bytes), not text; give kg .txt, .md, "
        ".json or .jsonl articles",
    )


def _looks_utf16(head: bytes) -> bool:
    """Mostly-ASCII UTF-16: every other byte NUL, on one side only."""
    even, odd = head[0::2], head[1::2]
    for zeros, other in ((odd, even), (even, odd)):
        if len(zeros) >= 2 and zeros.count(0) >= 0.9 * len(zeros) and 0 not in other:
            return True
    return False


def _bad_utf8(label: str, exc: UnicodeDecodeError, base: int) -> InputError:
    """Name the first bad byte and its offset, so it can be found in a hex editor."""
    bad = exc.object[exc.start]
    return InputError(
        label,
        f"is not valid UTF-8 (byte 0x{bad:02x} at offset "
        f"{base + exc.start}); re-save it as UTF-8",
    )


def _load_json(text: str, label: str, line: int | None, fix: str) -> Any:
    """Parse JSON, or return the InputError that says where and why it fails."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return InputError(
            label,
            f"is not valid JSON ({exc.msg.removesuffix(' at')} at column "
            f"{exc.colno}); {fix}",
            exc.lineno if line is None else line,
        )
    except (ValueError, RecursionError) as exc:
        return InputError(label, _unreadable("JSON", exc), line)


def _unreadable(what: str, exc: ValueError | RecursionError) -> str:
    """The problem with a value a parser could not build (not a syntax error)."""
    if isinstance(exc, RecursionError):
        return (
            f"{what} is nested too deeply to read (an article needs only a few "
            "levels of [ and {); fix it"
        )
    if "digits" in str(exc):  # int() refuses numbers of over 4,300 digits
        return f"{what} holds a number too long to read; put it in quotes as a string"
    return f"{what} cannot be read ({exc}); fix it"


def _os_error(label: str, exc: OSError) -> InputError:
    """Map the OS's complaint to a message with a fix."""
    if isinstance(exc, FileNotFoundError):
        return InputError(label, "no such file or directory; check the path")
    if isinstance(exc, PermissionError):
        return InputError(
            label,
            "permission denied; make it readable (chmod +r) "
            "or run kg as a user who can read it",
        )
    return InputError(label, f"cannot be read ({exc.strerror or exc}); check the path")
