"""Files, folders and stdin to a stream of articles and InputErrors.

A folder is walked lazily in name order and a JSON Lines file or stream is read
line by line, so nothing ever holds a whole corpus; whatever cannot be read
becomes one InputError, and reading goes on with the rest.
"""

from __future__ import annotations

import codecs
import logging
import os
import stat
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any, BinaryIO, TextIO

from kg.errors import InputError
from kg.read.articles import Item, from_object, load_json, parse_json, parse_text
from kg.read.lines import bounded_lines
from kg.read.problems import (
    bad_utf8,
    binary_file,
    empty_file,
    json_type,
    os_error,
    too_big,
)
from kg.read.text import SNIFF_BYTES, UTF16_BOMS, decode, normalise
from kg.records import Article

logger = logging.getLogger(__name__)

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


def read_path(
    raw: str, stdin: TextIO | BinaryIO | None, max_bytes: int
) -> Iterator[Item]:
    """Dispatch one command-line path to the stdin, folder or file reader."""
    if raw == STDIN:
        yield from _read_stdin(stdin, max_bytes)
    elif Path(raw).is_dir():
        yield from _read_folder(Path(raw), max_bytes)
    else:
        yield from _read_file(Path(raw), max_bytes)


def _read_stdin(stdin: TextIO | BinaryIO | None, max_bytes: int) -> Iterator[Item]:
    """Read stdin as bytes, so encoding problems are caught like a file's."""
    stream: Any = sys.stdin if stdin is None else stdin
    if hasattr(stream, "buffer"):
        stream = stream.buffer
    elif isinstance(stream.read(0), str):  # an in-memory text stream
        stream = _BytesFromText(stream.read())
    try:
        yield from _read_stream(stream, _STDIN_LABEL, "stdin", "sniff", max_bytes)
    except OSError as exc:
        yield os_error(_STDIN_LABEL, exc)


class _BytesFromText:
    """Minimal binary reader over text already in memory (a StringIO as stdin)."""

    def __init__(self, text: str) -> None:
        self._data = text.encode("utf-8", errors="surrogatepass")
        self._pos = 0

    def read(self, size: int = -1) -> bytes:
        end = len(self._data) if size < 0 else self._pos + size
        out, self._pos = self._data[self._pos : end], min(end, len(self._data))
        return out


def _read_folder(root: Path, max_bytes: int) -> Iterator[Item]:
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
        yield os_error(str(folder), exc)
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


def _read_file(path: Path, max_bytes: int) -> Iterator[Item]:
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
                yield InputError(label, too_big(max_bytes, size))
                return
            yield from _read_stream(fh, label, path.stem, kind, max_bytes)
    except OSError as exc:
        yield os_error(label, exc)


def _read_stream(
    fh: BinaryIO, label: str, stem: str, kind: str, max_bytes: int
) -> Iterator[Item]:
    """Parse an open binary stream as ``kind`` ("text", "json", "jsonl", "sniff")."""
    head = fh.read(SNIFF_BYTES)
    if kind == "sniff":
        start = head.lstrip(codecs.BOM_UTF8 + b" \t\r\n")
        kind = "jsonl" if start.startswith(b"{") else "text"
    if kind == "jsonl":
        yield from _read_jsonl(head, fh, label, stem, max_bytes)
        return
    room = max_bytes + 1 - len(head)  # read one byte past the limit to detect it
    data = head + (fh.read(room) if room > 0 else b"")
    if len(data) > max_bytes:
        yield InputError(label, too_big(max_bytes))
        return
    text = decode(data, label)
    if isinstance(text, InputError) or not text.strip():
        yield text if isinstance(text, InputError) else empty_file(label)
    elif kind == "json":
        yield from parse_json(text, label, stem)
    else:
        yield parse_text(text, label, stem)


def _read_jsonl(
    head: bytes, fh: BinaryIO, label: str, stem: str, max_bytes: int
) -> Iterator[Item]:
    """Read JSON Lines one line at a time; a bad line costs only that line."""
    if head.startswith(UTF16_BOMS):
        yield InputError(
            label, "is UTF-16; JSON Lines must be UTF-8, re-save it as UTF-8"
        )
        return
    if b"\x00" in head:
        yield binary_file(label, head)
        return
    offset, records = 0, 0
    for lineno, raw in enumerate(bounded_lines(fh, max_bytes, head), 1):
        size = raw if isinstance(raw, int) else len(raw)
        item = _jsonl_record(raw, size, offset, lineno, label, stem, max_bytes)
        offset += size
        if item is not None:
            records += 1
            yield item
    if not records:
        yield empty_file(label)


def _jsonl_record(
    raw: bytes | int,
    size: int,
    offset: int,
    lineno: int,
    label: str,
    stem: str,
    max_bytes: int,
) -> Item | None:
    """Turn one JSON Lines line into an article or an error; None for a blank line."""
    if isinstance(raw, int) or size > max_bytes:
        return InputError(label, too_big(max_bytes, size, "line"), lineno)
    bom = len(codecs.BOM_UTF8) if lineno == 1 and raw.startswith(codecs.BOM_UTF8) else 0
    try:
        line = normalise(raw[bom:].decode("utf-8"))
    except UnicodeDecodeError as exc:
        return InputError(label, bad_utf8(label, exc, offset + bom).problem, lineno)
    if not line.strip():
        return None
    obj = load_json(line, label, lineno, "fix or remove this line")
    if isinstance(obj, InputError):
        return obj
    if not isinstance(obj, dict):
        return InputError(
            label,
            f"line holds {json_type(obj)}, not an object; "
            "put one article object on each line",
            lineno,
        )
    return from_object(obj, label, f"{stem}-{lineno}", f"{label}:{lineno}", lineno)


__all__ = [
    "DEFAULT_MAX_BYTES",
    "FOLDER_SUFFIXES",
    "JSON_SUFFIXES",
    "JSONL_SUFFIXES",
    "STDIN",
    "TEXT_SUFFIXES",
    "read_path",
]
