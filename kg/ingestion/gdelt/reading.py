"""The lines of GDELT files and of every member of their .zip downloads, bounded.

A GDELT 2.0 event row is under 2 kB, yet a 1.5 MB zip can hold one 1.5 GB line;
read with ``readline()`` it once took 6.4 GB and ended in a MemoryError. Lines
are therefore read in chunks and one longer than :data:`MAX_LINE_BYTES` is
skipped without being held (:func:`kg.read.lines.bounded_lines`). Every .CSV
member of a zip is read, each as a file of its own; a nested zip, a member that
is no .CSV and one that unzips to more than :data:`MAX_MEMBER_BYTES` are refused
by name, and the other members are still read.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

from kg.errors import InputError
from kg.read.limits import env_limit
from kg.read.lines import Readable, bounded_lines
from kg.read.text import no_controls

#: Longest line read, newline included: 30 times the longest GDELT row seen
#: (about 2 kB), and small enough that no line costs memory worth noticing.
MAX_LINE_BYTES = 65_536
MAX_LINE_ENV = "KG_GDELT_MAX_LINE_BYTES"
#: Largest zip member read, unzipped: a 15-minute GDELT 2.0 export is 5-50 MB,
#: so 1 GB leaves room for a whole day and refuses a zip bomb before it is read.
MAX_MEMBER_BYTES = 1_000_000_000
MAX_MEMBER_ENV = "KG_GDELT_MAX_MEMBER_BYTES"

#: A line as read: its text, or its length in bytes when it was too long to keep.
Line = str | int


def line_limit() -> int:
    """:data:`MAX_LINE_BYTES`, or the value of ``KG_GDELT_MAX_LINE_BYTES``."""
    return env_limit(MAX_LINE_ENV, MAX_LINE_BYTES)


def member_limit() -> int:
    """:data:`MAX_MEMBER_BYTES`, or the value of ``KG_GDELT_MAX_MEMBER_BYTES``."""
    return env_limit(MAX_MEMBER_ENV, MAX_MEMBER_BYTES)


def sources(path: Path, max_member: int) -> Iterator[tuple[str, Readable] | InputError]:
    """(label, open binary stream) for a file, or for each .CSV member of a zip.

    A member's label is ``archive.zip/member.CSV``, the name its errors carry.
    A member that cannot be read is an InputError in its place.

    Raises:
        OSError: the file cannot be opened, or the zip holds no .CSV file.
        zipfile.BadZipFile: a .zip that is not one.
    """
    if path.suffix.lower() != ".zip":
        with open(path, "rb") as handle:
            yield str(path), handle
        return
    with zipfile.ZipFile(path) as archive:
        members = [info for info in archive.infolist() if not info.is_dir()]
        if not any(_is_csv(info) for info in members):
            raise OSError("the .zip holds no .CSV file")
        for info in members:
            label = f"{path}/{info.filename}"
            problem = _member_problem(info, max_member)
            if problem:
                yield InputError(label, problem)
                continue
            with archive.open(info) as member:
                yield label, member


def _is_csv(info: zipfile.ZipInfo) -> bool:
    return info.filename.lower().endswith(".csv")


def _member_problem(info: zipfile.ZipInfo, max_member: int) -> str | None:
    """Why a zip member is not read, or None to read it."""
    if info.filename.lower().endswith(".zip"):
        return "is a .zip inside the .zip; unzip it and pass its .CSV files"
    if not _is_csv(info):
        return "is not a .CSV file; member skipped"
    if info.file_size > max_member:
        return (
            f"unzips to {info.file_size:,} bytes, over the {max_member:,}-byte limit "
            f"for one member ({MAX_MEMBER_ENV}); member skipped"
        )
    return None


def lines(stream: Readable, max_line: int) -> Iterator[Line]:
    """Each line as text without its line end, or its byte count if over ``max_line``.

    Bytes that are not UTF-8 become U+FFFD, as before; a CR or other line break
    inside a line becomes a space and the other control characters but tab are
    dropped (:func:`kg.read.text.no_controls`), since they would end up in names
    and titles that SPARQL XML results and RDF/XML cannot carry.
    """
    for raw in bounded_lines(stream, max_line):
        if isinstance(raw, int):
            yield raw
        else:
            text = raw.decode("utf-8", errors="replace").rstrip("\r\n")
            yield no_controls(text.replace("\r", "\n")).replace("\n", " ")


def too_long(size: int, max_line: int) -> str:
    """The problem of a line over the limit (it was skipped unread)."""
    return (
        f"line is {size:,} bytes, over the {max_line:,}-byte limit ({MAX_LINE_ENV}; "
        "a GDELT row is under 2 kB); line skipped"
    )


__all__ = [
    "MAX_LINE_BYTES",
    "MAX_LINE_ENV",
    "MAX_MEMBER_BYTES",
    "MAX_MEMBER_ENV",
    "Line",
    "line_limit",
    "lines",
    "member_limit",
    "sources",
    "too_long",
]
