"""HTTP replies of ``kg serve`` and the choice of their format.

A reply is built in a worker process or in the server and sent as is; it lives
here, below both the workers and the update handler, so that neither needs the
other to speak HTTP.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

from kg.query import QueryResult
from kg.query import serialize as serialize_result

if TYPE_CHECKING:
    from kg.serve.settings import Settings

# media type -> format name; the first of each tuple is the default answer.
RESULTS_TYPES = (
    ("application/sparql-results+json", "json"),
    ("application/sparql-results+xml", "xml"),
    ("text/csv", "csv"),
    ("text/tab-separated-values", "tsv"),
)
#: ASK answers: a boolean has no CSV or TSV form in the SPARQL 1.1 specs.
ASK_TYPES = RESULTS_TYPES[:2]
GRAPH_TYPES = (
    ("text/turtle", "turtle"),
    ("application/n-triples", "nt"),
    ("application/ld+json", "jsonld"),
    ("application/rdf+xml", "rdfxml"),
)
_FORMATS = dict(RESULTS_TYPES + GRAPH_TYPES)
# Names clients also send for the same formats (SPARQLWrapper asks for
# application/turtle; rdflib for application/sparql-results+xml or rdf+xml).
_ALIASES = {
    "application/json": ("application/sparql-results+json", "application/ld+json"),
    "application/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "text/xml": ("application/sparql-results+xml", "application/rdf+xml"),
    "application/turtle": ("text/turtle",),
    "application/x-turtle": ("text/turtle",),
    "text/plain": ("application/n-triples",),
}


@dataclass(frozen=True)
class Reply:
    """One HTTP answer, built in a worker or in the server, sent as is."""

    status: int
    content_type: str
    body: bytes
    headers: tuple[tuple[str, str], ...] = field(default=())


def error_reply(status: int, message: str, *headers: tuple[str, str]) -> Reply:
    """A plain-text error whose body is the message a user can act on."""
    return Reply(
        status, "text/plain; charset=utf-8", (message + "\n").encode(), headers
    )


# --- content negotiation ------------------------------------------------------


def negotiate(accept: str | None, kind: str) -> str | None:
    """The media type to answer with, or None when nothing acceptable is offered.

    Args:
        accept: the request's Accept header (None or empty: anything goes).
        kind: "select", "ask" or "graph" (CONSTRUCT and DESCRIBE).

    Returns:
        One of :data:`RESULTS_TYPES` (select), :data:`ASK_TYPES` (ask) or
        :data:`GRAPH_TYPES` (graph).
    """
    offers = [media for media, _ in offered(kind)]
    ranges = _parse_accept(accept or "*/*")
    best, best_q = None, 0.0
    for media in offers:
        q = _quality(media, ranges)
        if q > best_q:
            best, best_q = media, q
    return best


def offered(kind: str) -> tuple[tuple[str, str], ...]:
    """The media types (and format names) a result of this kind can be sent as."""
    return {"graph": GRAPH_TYPES, "ask": ASK_TYPES}.get(kind, RESULTS_TYPES)


def _parse_accept(accept: str) -> list[tuple[str, float]]:
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        q = 1.0
        for param in params:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    q = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    q = 0.0
        if media:
            ranges.append((media.lower(), q))
    return ranges


def _quality(media: str, ranges: list[tuple[str, float]]) -> float:
    """q of the most specific range matching ``media`` (RFC 9110, 12.5.1)."""
    names = {media} | {alias for alias, to in _ALIASES.items() if media in to}
    kind = media.split("/")[0]
    matches: dict[int, list[float]] = {2: [], 1: [], 0: []}
    for pattern, q in ranges:
        if pattern in names:
            matches[2].append(q)
        elif pattern == f"{kind}/*":
            matches[1].append(q)
        elif pattern == "*/*":
            matches[0].append(q)
    for level in (2, 1, 0):
        if matches[level]:
            return max(matches[level])
    return 0.0


def serialize(result: QueryResult, media: str) -> bytes:
    """Bytes of a query result in one of the offered media types.

    Written by :func:`kg.query.serialize`, the serialiser ``kg query`` prints.
    """
    return serialize_result(result, _FORMATS[media])


class Service(Protocol):
    """What the HTTP layer needs of the running service."""

    settings: Settings

    @property
    def writable(self) -> bool:
        """True when started with a write token (updates accepted at /update)."""
        ...

    def query(
        self,
        text: str,
        accept: str | None,
        base_iri: str | None = None,
        default_graph: list[str] | None = None,
        named_graphs: list[str] | None = None,
    ) -> Reply:
        """Answer one query (see :meth:`kg.serve.server.Endpoint.query`)."""
        ...

    def update(self, text: str) -> Reply:
        """Apply one authorised update."""
        ...

    def view(self) -> Reply:
        """The HTML view of the store."""
        ...

    def authorised(self, header: str | None) -> bool:
        """True if an Authorization header carries the write token."""
        ...
