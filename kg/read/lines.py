"""Lines of a binary stream with a bound on their length.

A JSON Lines file or a GDELT export is read a line at a time so that memory
holds one line, not the file; but a file with no newline at all (a zip bomb of
one 1.5 GB line, a corrupt download) is then one line, and ``readline()`` would
hold all of it. :func:`bounded_lines` reads in fixed chunks and, once a line
outgrows its limit, keeps only a count of its bytes until the next newline.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Protocol

#: Bytes read from the stream at a time.
CHUNK_BYTES = 1 << 16


class Readable(Protocol):
    """Anything with ``read(size) -> bytes``: a file, a zip member, stdin."""

    def read(self, size: int = -1, /) -> bytes: ...


def bounded_lines(
    fh: Readable, max_bytes: int, head: bytes = b""
) -> Iterator[bytes | int]:
    """Yield each line (with its newline) as bytes, or only its length if too long.

    A line longer than ``max_bytes`` is never held whole: at most ``max_bytes``
    plus one chunk of it is in memory at once, and the caller gets its length
    (an ``int``) in its place, so it can report the line by number and go on.

    Args:
        fh: the stream, read in chunks of :data:`CHUNK_BYTES`.
        max_bytes: the longest line, newline included, yielded as bytes.
        head: bytes already read from the start of ``fh`` (a format sniff).
    """
    buf, dropped = bytearray(head), 0  # a bytearray grows in place, bytes would not
    while True:
        start = 0
        while (nl := buf.find(b"\n", start)) >= 0:
            size = dropped + nl + 1 - start
            yield size if dropped or size > max_bytes else bytes(buf[start : nl + 1])
            dropped, start = 0, nl + 1
        del buf[:start]
        if len(buf) > max_bytes:
            dropped += len(buf)
            buf.clear()
        chunk = fh.read(CHUNK_BYTES)
        if not chunk:
            break
        buf += chunk
    if dropped or buf:
        yield dropped + len(buf) if dropped or len(buf) > max_bytes else bytes(buf)


__all__ = ["CHUNK_BYTES", "Readable", "bounded_lines"]
