"""The read-only check: refuse SERVICE, LOAD and updates before a query runs.

pyoxigraph offers no switch to turn SERVICE off, and ``kg serve`` answers anyone:
a SERVICE that slipped through would make the server fetch internal URLs for an
unauthenticated client. So the check *fails closed*. It does not try to lex
SPARQL exactly as Oxigraph does (a lexer that misreads one IRI, comment or
escape is how the check was once bypassed); it refuses the keyword anywhere but
inside a string literal, and it reads the query several ways:

- as written, and with SPARQL's ``\\u``/``\\U`` escapes applied first (the
  grammar applies them before parsing; Oxigraph applies them inside IRIs and
  strings, so a ``#`` or a quote may appear only once they are decoded);
- with ``<…>`` read as an IRI wherever it could be one, and with ``<`` read as
  the less-than operator (``?a<'x>'`` is a comparison, not an IRI);
- and, when the word occurs at all (then only inside strings), by a real SPARQL
  parser (rdflib's), whose parse tree must hold no SERVICE and no LOAD.

A query is refused if any reading shows the keyword outside a string, or if the
parser cannot read it. Variables (``?service``) are the only names exempt: a
prefixed name or an IRI holding the word (``ex:serviceArea``) is refused too, and
the message says how to build such an IRI from a string instead.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

from kg.errors import QueryError

#: SERVICE is refused as a bare substring outside strings and variables: Oxigraph
#: reads ``trueSERVICE`` as ``true SERVICE``, and ``SERVICEex:x`` may name its IRI
#: without a space, so no word boundary can be trusted. LOAD cannot run in a
#: query at all (only in an update), so a word boundary is enough for it.
_FORBIDDEN = re.compile(r"(SERVICE)|\b(LOAD)\b", re.IGNORECASE)
#: Cheap pre-test: a query without these letters cannot hold the keywords.
_MENTIONS = re.compile(r"service|load", re.IGNORECASE)
_ESCAPE = re.compile(r"\\u([0-9A-Fa-f]{4})|\\U([0-9A-Fa-f]{8})")
_STRINGS = (
    r'"""(?:[^"\\]|\\.|"(?!""))*"""'
    r"|'''(?:[^'\\]|\\.|'(?!''))*'''"
    r'|"(?:[^"\\\n\r]|\\.)*"'
    r"|'(?:[^'\\\n\r]|\\.)*'"
)
_VARIABLE = r"[?$][\w\u00B7\u0300-\u036F\u203F\u2040]+"
_IRI = r"<[^<>\"{}|^`\\\x00-\x20]*>"
# One token at a time; only group "s" (a string) and "v" (a variable) are blanked.
# A comment is kept and scanned (it may hide nothing), and "\x" outside a string
# (a prefixed name's escape, such as ex:a\'b) is one token so its quote opens
# no string. A run of characters none of which can start a string, variable,
# IRI, comment or escape is one token too: the same text as one token per
# character, since no other token can begin inside the run (only faster).
_PLAIN = r"""[^"'?$<#\\]+"""
_WITH_IRIS = re.compile(
    rf"(?P<s>{_STRINGS})|(?P<v>{_VARIABLE})|{_IRI}|#[^\n\r]*|\\.|{_PLAIN}|.",
    re.DOTALL,
)
_WITHOUT_IRIS = re.compile(
    rf"(?P<s>{_STRINGS})|(?P<v>{_VARIABLE})|#[^\n\r]*|\\.|{_PLAIN}|.", re.DOTALL
)
# After the prologue (PREFIX and BASE declarations) an update starts with these.
_PROLOGUE = re.compile(
    r"\s*(?:(?:PREFIX\s+[\w.-]*:\s*<[^<>]*>|BASE\s*<[^<>]*>)\s*)*", re.IGNORECASE
)
_UPDATE = re.compile(
    r"(INSERT|DELETE|LOAD|DROP|CLEAR|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE
)
_AROUND = (
    "Use a SELECT, ASK, CONSTRUCT or DESCRIBE query over the local store; an IRI "
    'holding the word can be built from a string: BIND(IRI("http://…") AS ?x).'
)


def check_read_only(text: str) -> None:
    """Refuse SERVICE, LOAD and updates before anything runs.

    Raises:
        QueryError: naming the keyword and where it is, or saying the query
            could not be read well enough to be sure.
    """
    decoded = decode_escapes(text)
    for view, escaped in _views(text, decoded):
        _refuse_keyword(view, escaped)
        _refuse_update(view, escaped)
    if _MENTIONS.search(decoded):
        _confirm_by_parsing(decoded)


def check_no_service(text: str) -> None:
    """Refuse SERVICE and LOAD anywhere outside strings (for update requests).

    Raises:
        QueryError: naming the keyword and where it is.
    """
    for view, escaped in _views(text, decode_escapes(text)):
        _refuse_keyword(view, escaped)


def decode_escapes(text: str) -> str:
    """The query with ``\\uXXXX`` and ``\\UXXXXXXXX`` replaced by their characters.

    Raises:
        QueryError: an escape names no character (a surrogate, or past U+10FFFF).
    """

    def char(match: re.Match[str]) -> str:
        code = int(match.group(1) or match.group(2), 16)
        if code > 0x10FFFF or 0xD800 <= code <= 0xDFFF:
            where = _where(text, match.start())
            raise QueryError(
                f"Query refused: the escape {match.group()} at {where} names no "
                "character; write the character itself."
            )
        return chr(code)

    return _ESCAPE.sub(char, text)


def _views(text: str, decoded: str) -> Iterator[tuple[str, bool]]:
    """Each reading of the query with its strings and variables blanked."""
    for source, escaped in ((text, False), (decoded, True)):
        if escaped and source == text:
            continue
        for pattern in (_WITH_IRIS, _WITHOUT_IRIS):
            yield _blank(source, pattern), escaped


def _blank(text: str, pattern: re.Pattern[str]) -> str:
    """``text`` with the strings and variables that ``pattern`` finds blanked."""
    parts = []
    for match in pattern.finditer(text):
        piece = match.group()
        if match.lastgroup in ("s", "v"):  # blanked, keeping line breaks
            piece = re.sub(r"[^\n]", " ", piece) if "\n" in piece else " " * len(piece)
        parts.append(piece)
    return "".join(parts)


def _refuse_keyword(view: str, escaped: bool) -> None:
    found = _FORBIDDEN.search(view)
    if found is None:
        return
    word = (found.group(1) or found.group(2)).upper()
    why = "it would reach the network" if word == "SERVICE" else "it would load data"
    raise QueryError(
        f"Query refused at {_where(view, found.start(), escaped)}: {word} is not "
        f"allowed anywhere outside a string ({why}). {_AROUND}"
    )


def _refuse_update(view: str, escaped: bool) -> None:
    prologue = _PROLOGUE.match(view)  # always matches, maybe empty
    start = prologue.end() if prologue else 0
    update = _UPDATE.match(view, start)
    if update is not None:
        raise QueryError(
            f"Query refused at {_where(view, start, escaped)}: "
            f"{update.group(1).upper()} is not allowed (kg query only reads; "
            "updates are not allowed). Use a SELECT, ASK, CONSTRUCT or DESCRIBE "
            "query over the local store."
        )


def _confirm_by_parsing(decoded: str) -> None:
    """A real parse must agree that no SERVICE or LOAD is in the query.

    Only reached when the words occur inside strings; a query the parser cannot
    read is refused rather than trusted to the lexical check alone.
    """
    from pyparsing import ParseBaseException
    from rdflib.plugins.sparql.parser import parseQuery

    try:
        tree = parseQuery(decoded)
    except (ParseBaseException, ValueError, TypeError, RecursionError) as err:
        first = str(err).splitlines()[0] if str(err) else type(err).__name__
        raise QueryError(
            "Query refused: it mentions SERVICE or LOAD inside a string, and kg's "
            f"SPARQL parser could not read it to be sure none runs ({first}). "
            "Check its syntax, or leave the word out of the query."
        ) from err
    if re.search(r"ServiceGraphPattern|\bLoad\b", repr(tree)):
        raise QueryError(
            "Query refused: a SPARQL parser finds a SERVICE or LOAD in it (it would "
            f"reach the network). {_AROUND}"
        )


def _where(text: str, offset: int, escaped: bool = False) -> str:
    line = text.count("\n", 0, offset) + 1
    column = offset - (text.rfind("\n", 0, offset) + 1) + 1
    place = f"line {line}, column {column}"
    return place + (" (once its \\u escapes are read)" if escaped else "")


__all__ = ["check_no_service", "check_read_only", "decode_escapes"]
