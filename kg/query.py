"""Read-only SPARQL over the store, with kg prefixes predeclared.

Queries run against the union of all graphs (the store's default graph, see
kg.store). Because analysts paste queries from elsewhere, anything that could
reach the network (SERVICE) or change the store (updates, LOAD) is refused before
it runs, and user values travel as bindings, never pasted into the text.
"""

from __future__ import annotations

import csv
import io
import json
import logging
import re
from dataclasses import dataclass, field
from itertools import islice
from pathlib import Path
from typing import Literal as TypingLiteral

import pyoxigraph as ox
from rdflib.term import Node
from rich.console import Console
from rich.table import Table

from kg.errors import QueryError
from kg.rdf.namespaces import PREFIXES
from kg.store import Store, to_ox

logger = logging.getLogger(__name__)

Format = TypingLiteral["table", "csv", "json"]
Term = ox.NamedNode | ox.BlankNode | ox.Literal
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"

# Strings, IRIs and comments, blanked out before looking for forbidden keywords
# so that "SERVICE" inside a literal or an IRI does not trip the check.
_OPAQUE = re.compile(
    r'"""(?:[^"\\]|\\.|"(?!""))*"""|'
    r"'''(?:[^'\\]|\\.|'(?!''))*'''|"
    r'"(?:[^"\\\n]|\\.)*"|'
    r"'(?:[^'\\\n]|\\.)*'|"
    r"<[^<>\"{}|^`\\\s]*>|#[^\n]*",
)
_SERVICE = re.compile(r"(?<![\w:?$@-])SERVICE(?![\w:-])", re.IGNORECASE)
# After blanking, an update starts with one of these once PREFIX/BASE lines are gone.
_PROLOGUE = re.compile(r"\s*(?:(?:PREFIX\s+[\w.-]*:|BASE)\s*)*", re.IGNORECASE)
_UPDATE = re.compile(
    r"(INSERT|DELETE|LOAD|DROP|CLEAR|CREATE|ADD|MOVE|COPY|WITH)\b", re.IGNORECASE
)
_POSITION = re.compile(r"error at (\d+):(\d+): ?(.*)", re.DOTALL)


@dataclass(frozen=True)
class QueryResult:
    """What a query returned: rows (SELECT), a boolean (ASK) or triples.

    Attributes:
        kind: "select", "ask" or "graph" (CONSTRUCT and DESCRIBE).
        variables: column names of a SELECT, in order.
        rows: one tuple per solution; None where a variable is unbound.
        boolean: the answer of an ASK.
        triples: the triples of a CONSTRUCT or DESCRIBE.
    """

    kind: TypingLiteral["select", "ask", "graph"]
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = field(default=())


def load_query_text(arg: str | Path) -> str:
    """The query itself, or the contents of the .rq/.sparql file it names.

    Raises:
        QueryError: a file was named but cannot be read.
    """
    if isinstance(arg, str) and not _names_file(arg):
        return arg
    path = Path(arg)
    try:
        return path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as err:
        raise QueryError(
            f"Cannot read query file {path}: {err}. Check the path, or pass the "
            "query text itself."
        ) from err


def _names_file(arg: str) -> bool:
    if "\n" in arg or "{" in arg:
        return False
    return arg.strip().lower().endswith((".rq", ".sparql")) or Path(arg).is_file()


def check_read_only(text: str) -> None:
    """Refuse SERVICE, LOAD and updates before anything runs.

    Raises:
        QueryError: naming the keyword and where it is.
    """
    blank = _OPAQUE.sub(lambda m: re.sub(r"[^\n]", " ", m.group()), text)
    service = _SERVICE.search(blank)
    if service is not None:
        _refuse(text, service.start(), "SERVICE", "it would reach the network")
    start = _PROLOGUE.match(blank).end()
    update = _UPDATE.match(blank, start)
    if update is not None:
        word = update.group(1).upper()
        _refuse(text, start, word, "kg query only reads; updates are not allowed")


def _refuse(text: str, offset: int, word: str, why: str) -> None:
    line, col = _line_col(text, offset)
    raise QueryError(
        f"Query refused at line {line}, column {col}: {word} is not allowed ({why}). "
        "Use a SELECT, ASK, CONSTRUCT or DESCRIBE query over the local store."
    )


def execute(
    store: Store,
    text: str,
    *,
    bindings: dict[str, Node | Term] | None = None,
    limit: int | None = None,
) -> QueryResult:
    """Run a read-only query over the union of all graphs.

    Args:
        store: the open store.
        text: SPARQL query; kg prefixes (kg:, kgr:, cameo:, skos: ...) are declared.
        bindings: variable name (without "?") -> value, substituted safely by
            Oxigraph (SEP-0007); a bound variable must be in the SELECT clause.
        limit: keep at most this many rows or triples.

    Raises:
        QueryError: refused keyword, syntax error (with line and column) or failure.
    """
    check_read_only(text)
    try:
        raw = store.ox.query(
            text, prefixes=_prefixes(), substitutions=_substitutions(bindings)
        )
        return _collect(raw, limit)
    except SyntaxError as err:
        raise QueryError(_syntax_message(str(err))) from err
    except RuntimeError as err:
        if "SELECT projection" in str(err):
            raise QueryError(
                f"{err}: a bound variable must be selected; add it to the SELECT "
                "clause (or use SELECT *)."
            ) from err
        raise QueryError(f"The query failed to run: {err}. Check the query.") from err
    except (OSError, ValueError, TypeError) as err:
        raise QueryError(f"The query failed to run: {err}. Check the query.") from err


def run_query(
    store: Store,
    text: str,
    *,
    fmt: Format = "table",
    limit: int | None = None,
    bindings: dict[str, Node | Term] | None = None,
) -> str:
    """Run a query (text or .rq path) and format its result for output.

    Returns:
        SELECT/ASK as an aligned table or SPARQL 1.1 CSV / JSON results;
        CONSTRUCT/DESCRIBE as Turtle (table), N-Triples-like CSV or JSON-LD.
    """
    result = execute(store, load_query_text(text), bindings=bindings, limit=limit)
    return format_result(result, fmt)


def format_result(result: QueryResult, fmt: Format = "table") -> str:
    """Render a :class:`QueryResult` as "table", "csv" or "json"."""
    if fmt not in ("table", "csv", "json"):
        raise QueryError(f"Unknown format {fmt!r}: use table, csv or json.")
    if result.kind == "graph":
        return _format_graph(result, fmt)
    return {"table": format_table, "csv": format_csv, "json": format_json}[fmt](result)


def format_table(result: QueryResult, width: int = 120) -> str:
    """A readable aligned table, IRIs shortened to prefixed names (kg:Event)."""
    if result.kind == "ask":
        return "yes\n" if result.boolean else "no\n"
    table = Table(*result.variables, show_lines=False, header_style="bold")
    for row in result.rows:
        table.add_row(*(_display(term) for term in row))
    console = Console(
        file=io.StringIO(),
        width=width,
        no_color=True,
        highlight=False,
        emoji=False,
        markup=False,
    )
    console.print(table)
    n = len(result.rows)
    console.print(f"{n} row{'s' if n != 1 else ''}")
    return console.file.getvalue()


def format_csv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results CSV (values only); ASK as "true" or "false"."""
    if result.kind == "ask":
        return "true\r\n" if result.boolean else "false\r\n"
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(result.variables)
    for row in result.rows:
        writer.writerow(["" if t is None else _csv_value(t) for t in row])
    return out.getvalue()


def format_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON."""
    if result.kind == "ask":
        return json.dumps(
            {"head": {}, "boolean": bool(result.boolean)}, separators=(",", ":")
        )
    bindings = [
        {
            v: _json_term(t)
            for v, t in zip(result.variables, row, strict=True)
            if t is not None
        }
        for row in result.rows
    ]
    doc = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":"))


def shorten(iri: str) -> str:
    """Prefixed name for an IRI under a kg prefix, else the IRI in <>."""
    best = ("", "")
    for prefix, ns in PREFIXES.items():
        if iri.startswith(str(ns)) and len(str(ns)) > len(best[1]):
            best = (prefix, str(ns))
    local = iri[len(best[1]) :]
    # For reading, not parsing: "kgr:country/UKR" is clearer than the full IRI.
    if best[1] and re.fullmatch(r"[\w\-./%]*", local) and not local.endswith("."):
        return f"{best[0]}:{local}"
    return f"<{iri}>"


def _prefixes() -> dict[str, str]:
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def _substitutions(bindings: dict[str, Node | Term] | None) -> dict:
    subs = {}
    for name, value in (bindings or {}).items():
        term = value if isinstance(value, Term) else to_ox(value)
        subs[ox.Variable(name.lstrip("?$"))] = term
    return subs


def _collect(raw: object, limit: int | None) -> QueryResult:
    if isinstance(raw, ox.QueryBoolean):
        return QueryResult("ask", boolean=bool(raw))
    if isinstance(raw, ox.QuerySolutions):
        names = tuple(v.value for v in raw.variables)
        rows = tuple(tuple(s[n] for n in names) for s in islice(raw, limit))
        return QueryResult("select", variables=names, rows=rows)
    # CONSTRUCT is a set of triples; Oxigraph already yields each one once.
    return QueryResult("graph", triples=tuple(dict.fromkeys(islice(raw, limit))))


def _syntax_message(text: str) -> str:
    match = _POSITION.search(text)
    if match is None:
        return f"SPARQL syntax error: {text}. Check the query."
    line, col, detail = match.groups()
    if "Prefix not found" in detail:
        known = ", ".join(f"{p}:" for p in PREFIXES)
        detail = f"unknown prefix; declare it with PREFIX or use one of {known}"
    else:
        # The parser lists every character class it would accept; keep the gist.
        detail = detail.splitlines()[0].rstrip(" |,")[:160]
    # Oxigraph reports the furthest point the parser reached, hence "near".
    return (
        f"SPARQL syntax error near line {line}, column {col}: {detail}. "
        "Check the query around that position."
    )


def _line_col(text: str, offset: int) -> tuple[int, int]:
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


def _display(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    # Tables are for reading: the language tag of "Consult"@en is noise there.
    return term.value


def _csv_value(term: Term) -> str:
    return f"_:{term.value}" if isinstance(term, ox.BlankNode) else term.value


def _json_term(term: Term) -> dict[str, str]:
    if isinstance(term, ox.NamedNode):
        return {"type": "uri", "value": term.value}
    if isinstance(term, ox.BlankNode):
        return {"type": "bnode", "value": term.value}
    out = {"type": "literal", "value": term.value}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype.value != _XSD_STRING:
        out["datatype"] = term.datatype.value
    return out


def _format_graph(result: QueryResult, fmt: Format) -> str:
    if fmt == "csv":
        return format_csv(
            QueryResult(
                "select",
                variables=("subject", "predicate", "object"),
                rows=tuple((t.subject, t.predicate, t.object) for t in result.triples),
            )
        )
    rdf_format = ox.RdfFormat.JSON_LD if fmt == "json" else ox.RdfFormat.TURTLE
    data = ox.serialize(result.triples, format=rdf_format, prefixes=_prefixes())
    return data.decode("utf-8")
