"""A query's result and its formats: the one serialiser of kg query and kg serve.

:class:`QueryResult` is what :func:`kg.query.execute` returns: plain tuples, so
a worker process can send it back. :func:`serialize` gives the bytes of a result
in a SPARQL results format or an RDF syntax (``kg serve`` sends them as they are,
``kg query`` prints them); :func:`format_table` is the readable table of
``kg query``.
"""

from __future__ import annotations

import io
import json
import re
from dataclasses import dataclass, field
from typing import TYPE_CHECKING
from typing import Literal as TypingLiteral

import pyoxigraph as ox

from kg.rdf.jsonld import compacted
from kg.rdf.namespaces import prefix_map
from kg.rdf.terms import Term

if TYPE_CHECKING:
    from rich.console import Console

ResultKind = TypingLiteral["select", "ask", "graph"]
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"
_NATIVE = {
    "csv": ox.QueryResultsFormat.CSV,
    "tsv": ox.QueryResultsFormat.TSV,
    "xml": ox.QueryResultsFormat.XML,
}
_RDF = {
    "turtle": ox.RdfFormat.TURTLE,
    "jsonld": ox.RdfFormat.JSON_LD,
    "nt": ox.RdfFormat.N_TRIPLES,
    "rdfxml": ox.RdfFormat.RDF_XML,  # for kg serve's clients (rdflib asks for it)
}


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

    kind: ResultKind
    variables: tuple[str, ...] = ()
    rows: tuple[tuple[Term | None, ...], ...] = ()
    boolean: bool | None = None
    triples: tuple[ox.Triple, ...] = field(default=())


def format_table(result: QueryResult, width: int = 120) -> str:
    """A readable aligned table, IRIs shortened to prefixed names (kg:Event)."""
    from rich.table import Table

    if result.kind == "ask":
        return "yes\n" if result.boolean else "no\n"
    table = Table(*result.variables, show_lines=False, header_style="bold")
    for row in result.rows:
        table.add_row(*(_display(term) for term in row))
    buffer = io.StringIO()
    console = plain_console(buffer, width)
    console.print(table)
    n = len(result.rows)
    console.print(f"{n} row{'s' if n != 1 else ''}")
    return buffer.getvalue()


def plain_console(buffer: io.StringIO, width: int) -> Console:
    """A rich Console writing plain text into ``buffer``: tables for reading.

    No colour, highlighting, emoji or markup, so what an article says ("[bold]",
    ":flag:") is printed as it is, and the text is the same on every terminal.
    """
    from rich.console import Console

    return Console(
        file=buffer,
        width=width,
        no_color=True,
        highlight=False,
        emoji=False,
        markup=False,
    )


def format_csv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results CSV (values only); ASK as "true" or "false"."""
    return _format_native(result, "csv")


def format_tsv(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results TSV (terms in Turtle syntax)."""
    return _format_native(result, "tsv")


def format_xml(result: QueryResult) -> str:
    """SPARQL Query Results XML."""
    return _format_native(result, "xml")


def format_json(result: QueryResult) -> str:
    """SPARQL 1.1 Query Results JSON, one line."""
    if result.kind == "ask":
        doc = {"head": {}, "boolean": bool(result.boolean)}
        return json.dumps(doc, separators=(",", ":")) + "\n"
    bindings = [
        {
            v: _json_term(t)
            for v, t in zip(result.variables, row, strict=True)
            if t is not None
        }
        for row in result.rows
    ]
    doc = {"head": {"vars": list(result.variables)}, "results": {"bindings": bindings}}
    return json.dumps(doc, ensure_ascii=False, separators=(",", ":")) + "\n"


def shorten(iri: str) -> str:
    """Prefixed name for an IRI under a kg prefix, else the IRI in <>."""
    best = ("", "")
    for prefix, ns in prefix_map().items():
        if iri.startswith(ns) and len(ns) > len(best[1]):
            best = (prefix, ns)
    local = iri[len(best[1]) :]
    # For reading, not parsing: "kgr:country/UKR" is clearer than the full IRI.
    if best[1] and re.fullmatch(r"[\w\-./%]*", local) and not local.endswith("."):
        return f"{best[0]}:{local}"
    return f"<{iri}>"


def _display(term: Term | None) -> str:
    if term is None:
        return ""
    if isinstance(term, ox.NamedNode):
        return shorten(term.value)
    if isinstance(term, ox.BlankNode):
        return f"_:{term.value}"
    # Tables are for reading: the language tag of "Consult"@en is noise there.
    return term.value


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


def serialize(result: QueryResult, fmt: str) -> bytes:
    """The bytes of a result as its writer gives them: what ``kg serve`` sends.

    The one serialiser of results: ``kg query`` prints these bytes (with a final
    newline), the server sends them as they are. SELECT and ASK go through
    :func:`format_json` (same terms) and, for XML, CSV and TSV, through
    Oxigraph's own results writers.

    Args:
        result: what :func:`execute` returned.
        fmt: json, xml, csv or tsv for SELECT/ASK; turtle, nt, jsonld or rdfxml
            for CONSTRUCT/DESCRIBE (the caller has checked that it fits).
    """
    out: bytes | None
    if result.kind == "graph" and fmt == "jsonld":
        out = compacted(result.triples)  # kg export's form, not the expanded one
    elif result.kind == "graph":
        out = ox.serialize(result.triples, format=_RDF[fmt], prefixes=prefix_map())
    elif fmt == "json":
        out = format_json(result).encode("utf-8")
    else:
        parsed = ox.parse_query_results(
            format_json(result), format=ox.QueryResultsFormat.JSON
        )
        out = parsed.serialize(format=_NATIVE[fmt])
    return out or b""  # None only when written to a file, which is not asked


def _format_native(result: QueryResult, fmt: str) -> str:
    """CSV, TSV or XML written by pyoxigraph from our JSON (one serializer each)."""
    return _text(serialize(result, fmt))


def _format_graph(result: QueryResult, fmt: str) -> str:
    return _text(serialize(result, fmt))


def _text(data: bytes) -> str:
    """Serialised bytes as printed text, ending in a newline."""
    text = data.decode("utf-8")
    return text if text.endswith("\n") else text + "\n"
