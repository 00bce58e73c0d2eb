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
# Control characters Python's str.splitlines() takes as line breaks: kept as
# breaks, so the words on either side stay apart and the title is the same line.
_BREAKS = re.compile("[\x0b\x0c\x1c-\x1e\x85]")
# Every other C0 control but tab and LF (CR is gone by then), DEL and C1.
_CONTROLS = re.compile("[\x00-\x08\x0e-\x1b\x1f\x7f-\x84\x86-\x9f]")


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
    become U+FFFD: no UTF-8 encoder, hash or RDF serialiser accepts them. Control
    characters are dropped (see :func:`no_controls`).
    """
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    return unicodedata.normalize("NFC", no_controls(no_surrogates(text)))


def no_controls(text: str) -> str:
    """``text`` without control characters, so every output format can hold it.

    XML 1.0 has no way to write a C0 control other than tab, LF and CR, not even
    as ``&#1;``: one ``\\x01`` in a title made SPARQL XML results and RDF/XML
    exports that no parser reads. So C0 controls are removed at reading, except
    tab and LF (CR is made LF first) and those :meth:`str.splitlines` counts as
    line breaks (VT, FF, the file/group/record separators, and NEL), which become
    LF so that the words around them stay apart. DEL and the C1 controls
    (U+0080-U+009F) go too: XML 1.0 only tolerates them, text in them is almost
    always cp1252 read as Latin-1, and a terminal runs U+009B as an escape.
    """
    if text.isprintable():  # a title or a field value, mostly: no copy
        return text
    return _CONTROLS.sub("", _BREAKS.sub("\n", text))


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
    "no_controls",
    "no_surrogates",
    "normalise",
]
