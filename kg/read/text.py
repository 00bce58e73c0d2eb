"""Bytes to clean text: decoding, line ends, Unicode normalisation, titles.

Offsets and hashes of an article must not depend on the editor that saved it, so
every string a reader produces passes through :func:`normalise`.
"""

from __future__ import annotations

import codecs
import re
import unicodedata

from kg.errors import InputError
from kg.read.problems import bad_utf8, binary_file

#: How much of a file is read first, to sniff its format and encoding.
SNIFF_BYTES = 8192
UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)
#: A title taken from the first line is cut to about this many characters.
TITLE_CHARS = 200
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def decode(data: bytes, label: str) -> str | InputError:
    """Decode UTF-8 (BOM stripped) or BOM-marked UTF-16, refusing binary data."""
    if data.startswith(UTF16_BOMS):
        try:
            return normalise(data.decode("utf-16"))
        except UnicodeDecodeError:
            return InputError(
                label,
                "is not valid UTF-16 despite its byte-order mark; re-save it as UTF-8",
            )
    if b"\x00" in data:
        return binary_file(label, data[:SNIFF_BYTES])
    try:
        return normalise(data.decode("utf-8-sig"))
    except UnicodeDecodeError as exc:
        bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
        return bad_utf8(label, exc, bom)


def normalise(text: str) -> str:
    """LF line ends and NFC, so offsets and hashes do not depend on the editor.

    Lone surrogates (a JSON "\\ud800" escape, an undecodable byte in a file name)
    become U+FFFD: no UTF-8 encoder, hash or RDF serialiser accepts them.
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", no_surrogates(text))


def no_surrogates(text: str) -> str:
    """``text`` with each lone surrogate replaced by U+FFFD."""
    return _LONE_SURROGATE.sub("\ufffd", text)


def first_line(text: str) -> str:
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


__all__ = [
    "SNIFF_BYTES",
    "TITLE_CHARS",
    "UTF16_BOMS",
    "decode",
    "first_line",
    "no_surrogates",
    "normalise",
]
