"""Named, parameterised SPARQL queries: the questions analysts ask most.

Each query is a ``kg/queries/NAME.rq`` file whose leading comment block declares
it, one field per line (indented ``#`` lines continue the field above)::

    # title: Events involving an actor
    # description: Every event in which the actor acts or is acted upon.
    # param: actor (actor): Name of the actor, as its label or an alias.
    # param: from (date, optional): First day to include.
    # param: include_unasserted (boolean, default false): Also list ...
    # param: min_confidence (probability, optional): Only events at least this sure.

A parameter is ``name (type[, default VALUE | , optional][, range LOW..HIGH])``;
with neither default nor ``optional`` it is required. Its value binds the
variable of the same name. Values are checked by type and turned into RDF terms
(``str(term)`` is pyoxigraph's N-Triples spelling, escaped by the library), then
given to the query as a ``VALUES`` row placed right after the file's first
``WHERE {`` (usually the outer group; a query may leave out the outer ``WHERE``
keyword to bind its parameters in a subquery), so no user text is ever spliced
into SPARQL. An optional parameter left out is ``UNDEF`` (unbound), which the
queries test with ``BOUND``.
"""

from __future__ import annotations

import logging
import re
import textwrap
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import pyoxigraph as ox

from kg.errors import QueryError
from kg.rdf.namespaces import CAMEO, PREFIXES, prefix_map
from kg.rdf.terms import Term
from kg.store.sparql import blank_opaque

if TYPE_CHECKING:
    from kg.store import Store

logger = logging.getLogger(__name__)

QUERIES_DIR = Path(__file__).resolve().parent / "queries"
TYPES = (
    "iri", "actor", "string", "date", "integer", "cameo", "country", "boolean",
    "probability",
)  # fmt: skip
_XSD = "http://www.w3.org/2001/XMLSchema#"
_NAME = re.compile(r"[a-z][a-z0-9-]*")
_FIELD = re.compile(r"#\s?(title|description|param):\s*(.*)")
_PARAM = re.compile(r"([a-z_][a-z0-9_]*)\s*\(([^)]*)\):\s*(.*)")
_WHERE = re.compile(r"\bWHERE\s*\{", re.IGNORECASE)
_TRUE, _FALSE = ("true", "yes", "1"), ("false", "no", "0")


@dataclass(frozen=True)
class Param:
    """One declared parameter of a cookbook query.

    Attributes:
        name: the parameter, and the variable it binds.
        type: one of :data:`TYPES`; decides how the value is checked and typed.
        description: what it means, for ``kg query --list``.
        default: the value used when none is given (None: required or optional).
        optional: True if it may be left unbound.
        low, high: inclusive bounds of an integer, when declared.
    """

    name: str
    type: str
    description: str
    default: str | None = None
    optional: bool = False
    low: int | None = None
    high: int | None = None

    @property
    def required(self) -> bool:
        """True when the user must give a value."""
        return self.default is None and not self.optional


@dataclass(frozen=True)
class NamedQuery:
    """A cookbook query: its header and its SPARQL text."""

    name: str
    title: str
    description: str
    params: tuple[Param, ...]
    text: str


def is_named(text: str) -> bool:
    """True if ``text`` is the name of a shipped cookbook query."""
    return bool(_NAME.fullmatch(text)) and (QUERIES_DIR / f"{text}.rq").is_file()


def looks_like_name(text: str) -> bool:
    """True if ``text`` is a bare word: a query name, never SPARQL or a file."""
    return bool(_NAME.fullmatch(text)) and not Path(text).exists()


def list_queries() -> list[NamedQuery]:
    """Every shipped cookbook query, sorted by name.

    Raises:
        QueryError: a shipped query has a malformed header.
    """
    return [load_named(p.stem) for p in sorted(QUERIES_DIR.glob("*.rq"))]


def load_named(name: str) -> NamedQuery:
    """Read and parse one cookbook query.

    Raises:
        QueryError: no such query (listing those there are), or a bad header.
    """
    if not is_named(name):
        known = ", ".join(p.stem for p in sorted(QUERIES_DIR.glob("*.rq")))
        raise QueryError(
            f"There is no cookbook query {name!r}. Known queries: {known}. "
            "See `kg query --list`."
        )
    path = QUERIES_DIR / f"{name}.rq"
    return parse_query_file(name, path.read_text(encoding="utf-8"))


def parse_query_file(name: str, text: str) -> NamedQuery:
    """Parse the header comment block of a ``.rq`` file.

    Raises:
        QueryError: a field is malformed, or the title or WHERE clause is missing.
    """
    fields: list[list[str]] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.startswith("#"):
            break
        match = _FIELD.fullmatch(line.rstrip())
        if match:
            fields.append([match.group(1), match.group(2)])
        elif line.startswith("#  ") and fields:
            fields[-1][1] += " " + line[1:].strip()
        elif line.strip() != "#":
            _bad_header(name, number, "expected 'title:', 'description:' or 'param:'")
    values = {key: value for key, value in fields if key != "param"}
    if "title" not in values or _WHERE.search(blank_opaque(text)) is None:
        _bad_header(name, 1, "a query needs a '# title:' line and a WHERE clause")
    params = tuple(_parse_param(name, v) for k, v in fields if k == "param")
    return NamedQuery(
        name, values["title"], values.get("description", ""), params, text
    )


def _parse_param(query: str, spec: str) -> Param:
    match = _PARAM.fullmatch(spec)
    if match is None:
        _bad_header(query, 0, f"bad param {spec!r}; write 'name (type): description'")
    name, options, description = match.groups()
    kind, *rest = [o.strip() for o in options.split(",")]
    if kind not in TYPES:
        _bad_header(query, 0, f"param {name} has unknown type {kind!r}")
    extra: dict = {}
    for option in rest:
        word, _, value = option.partition(" ")
        if word == "default":
            extra["default"] = value.strip()
        elif word == "optional":
            extra["optional"] = True
        elif word == "range" and re.fullmatch(r"-?\d+\.\.-?\d+", value.strip()):
            low, high = value.strip().split("..")
            extra.update(low=int(low), high=int(high))
        else:
            _bad_header(query, 0, f"param {name} has unknown option {option!r}")
    return Param(name, kind, description, **extra)


def _bad_header(query: str, line: int, problem: str) -> NoReturn:
    where = f"{query}.rq" + (f" line {line}" if line else "")
    raise QueryError(
        f"The cookbook query {where} has a malformed header: {problem}. "
        "Fix the comment block at the top of the file (see kg/cookbook.py)."
    )


def bind_params(query: NamedQuery, given: dict[str, str]) -> dict[str, Term | None]:
    """Check each given value against its declared type and make it an RDF term.

    Returns:
        parameter name -> term, or None for an optional parameter left out.

    Raises:
        QueryError: an unknown or missing parameter, or a value of the wrong type.
    """
    declared = {p.name: p for p in query.params}
    unknown = sorted(set(given) - set(declared))
    if unknown:
        names = ", ".join(declared) or "none"
        raise QueryError(
            f"{query.name} has no parameter {unknown[0]!r}; its parameters are: "
            f"{names}. See `kg query --list`."
        )
    bound: dict[str, Term | None] = {}
    for param in query.params:
        value = given.get(param.name, param.default)
        if value is None and param.required:
            raise QueryError(
                f"{query.name} needs --param {param.name}=... ({param.type}): "
                f"{param.description}"
            )
        bound[param.name] = None if value is None else to_term(param, value)
    return bound


def to_term(param: Param, value: str) -> Term:
    """The RDF term for one parameter value, checked by the parameter's type.

    Raises:
        QueryError: saying what the value should look like.
    """
    text = value.strip()
    term = _CONVERTERS[param.type](text)
    if term is None:
        raise QueryError(
            f"--param {param.name}={value!r} is not a valid {param.type}: "
            f"{_EXPECTED[param.type]}."
        )
    if param.type == "integer" and param.low is not None and param.high is not None:
        if not param.low <= int(text) <= param.high:
            raise QueryError(
                f"--param {param.name}={value!r} is out of range: give a whole "
                f"number from {param.low} to {param.high}."
            )
    return term


def _iri(text: str) -> ox.NamedNode | None:
    prefix, colon, local = text.partition(":")
    if colon and prefix in PREFIXES and not local.startswith("//"):
        text = str(PREFIXES[prefix]) + local
    if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:\S+$", text):
        return None
    try:
        return ox.NamedNode(text)
    except ValueError:
        return None


def _name(text: str) -> ox.Literal | None:
    return ox.Literal(text) if text else None


def _date(text: str) -> ox.Literal | None:
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        return None
    try:
        return ox.Literal(date.fromisoformat(text).isoformat(), datatype=_xsd("date"))
    except ValueError:
        return None


#: The integers SPARQL engines compute with (Oxigraph's xsd:integer is an i64):
#: a larger value silently wrapped or compared wrong, so it is refused.
INT64 = (-(2**63), 2**63 - 1)


def _integer(text: str) -> ox.Literal | None:
    if not re.fullmatch(r"[+-]?[0-9]{1,19}", text):  # ASCII: not "٣" nor "1_000"
        return None
    if not INT64[0] <= int(text) <= INT64[1]:
        return None
    return ox.Literal(str(int(text)), datatype=_xsd("integer"))


def _cameo(text: str) -> ox.NamedNode | None:
    from kg.rdf.ontology import cameo_labels

    if not re.fullmatch(r"\d{2,4}", text) or text not in cameo_labels():
        return None
    return ox.NamedNode(str(CAMEO[text]))


def _country(text: str) -> ox.Literal | None:
    code = text.upper()
    return ox.Literal(code) if code in country_codes() else None


def _probability(text: str) -> ox.Literal | None:
    """xsd:decimal in [0, 1], compared with kg:confidence (an xsd:decimal).

    Plain decimal notation only, so nan, inf and 1e-1 never reach the query.
    """
    if not re.fullmatch(r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)", text):
        return None
    value = Decimal(text)
    if not 0 <= value <= 1:
        return None
    # copy_abs: "-0" is a valid decimal, but reads oddly in an error or a log.
    return ox.Literal(f"{value.normalize().copy_abs():f}", datatype=_xsd("decimal"))


def _boolean(text: str) -> ox.Literal | None:
    word = text.lower()
    if word not in _TRUE + _FALSE:
        return None
    return ox.Literal("true" if word in _TRUE else "false", datatype=_xsd("boolean"))


def _xsd(local: str) -> ox.NamedNode:
    return ox.NamedNode(_XSD + local)


@lru_cache(maxsize=1)
def country_codes() -> frozenset[str]:
    """ISO 3166-1 alpha-3 codes, plus the codes kg's extractor assigns (XKX)."""
    import pycountry

    codes = {c.alpha_3 for c in pycountry.countries}
    from kg.extraction.lexicon import data_rows

    codes.update(row["country"] for row in data_rows("countries.jsonl"))
    return frozenset(codes)


_CONVERTERS = {
    "iri": _iri,
    "actor": _name,
    "string": _name,
    "date": _date,
    "integer": _integer,
    "cameo": _cameo,
    "country": _country,
    "boolean": _boolean,
    "probability": _probability,
}
_EXPECTED = {
    "iri": "give an absolute IRI (https://...) or a prefixed name (kgr:country/UKR)",
    "actor": "give the actor's name, as its label or one of its aliases",
    "string": "give a non-empty text",
    "date": "give an ISO date, YYYY-MM-DD (2025-01-31)",
    "integer": f"give a whole number from {INT64[0]} to {INT64[1]} (30)",
    "cameo": "give a CAMEO code in the scheme: a root 01-20 or a finer code (043)",
    "country": "give an ISO 3166-1 alpha-3 country code (UKR, RUS, USA)",
    "boolean": "give true or false",
    "probability": "give a number from 0 to 1 (0.8)",
}


def values_clause(bound: dict[str, Term | None]) -> str:
    """A one-row VALUES block for the bound terms (UNDEF for None)."""
    if not bound:
        return ""
    names = " ".join(f"?{name}" for name in bound)
    row = " ".join("UNDEF" if t is None else str(t) for t in bound.values())
    return f"VALUES ({names}) {{ ({row}) }} "


def prepare(name: str, params: dict[str, str], store: Store | None = None) -> str:
    """The query text of a cookbook query with its parameters bound.

    Args:
        name: the cookbook query.
        params: parameter name -> value as typed by the user.
        store: if given, warn (log) when an actor name matches nothing in it.

    Raises:
        QueryError: unknown query, or a bad, unknown or missing parameter.
    """
    query = load_named(name)
    bound = bind_params(query, params)
    if store is not None:
        _warn_unknown_names(store, query, bound)
    where = _WHERE.search(blank_opaque(query.text))
    if where is None:  # parse_query_file refused such a file already
        _bad_header(name, 1, "a query needs a '# title:' line and a WHERE clause")
    # Same line as the "{", so syntax errors keep the .rq file's line numbers.
    return query.text[: where.end()] + values_clause(bound) + query.text[where.end() :]


def example(name: str) -> str:
    """The text of a cookbook query to edit by hand, e.g. on ``kg serve``'s page.

    As :func:`prepare` binds it, but on a line of its own after the first
    ``WHERE {``, and with every parameter in the ``VALUES`` row: defaults bound,
    the others ``UNDEF`` for the user to replace.

    Raises:
        QueryError: unknown query, or a default its type refuses.
    """
    query = load_named(name)
    bound = {
        p.name: None if p.default is None else to_term(p, p.default)
        for p in query.params
    }
    where = _WHERE.search(blank_opaque(query.text))
    if where is None:  # parse_query_file refused such a file already
        _bad_header(name, 1, "a query needs a '# title:' line and a WHERE clause")
    values = values_clause(bound).rstrip()
    head, tail = query.text[: where.end()], query.text[where.end() :]
    return head + (f"\n  {values}" if values else "") + tail


_NAMED = "ASK { ?x rdfs:label|kg:alias ?name }"


def _warn_unknown_names(store: Store, query: NamedQuery, bound: dict) -> None:
    """Log a warning for an actor name no label or alias matches (a likely typo)."""
    for param in query.params:
        term = bound.get(param.name)
        if param.type != "actor" or term is None:
            continue
        found = store.query(
            _NAMED, prefixes=prefix_map(), substitutions={ox.Variable("name"): term}
        )
        if not bool(found):
            logger.warning(
                "no actor is called %r (names match labels and aliases exactly, "
                "case included); list names with: kg query top-actors",
                term.value,
            )


def describe_queries(width: int = 88) -> str:
    """The text of ``kg query --list``: each query, its purpose and parameters."""
    blocks = []
    for query in list_queries():
        lines = [f"{query.name}: {query.title}"]
        lines += textwrap.wrap(
            query.description, width, initial_indent="    ", subsequent_indent="    "
        )
        for param in query.params:
            lines += textwrap.wrap(
                f"--param {param.name}=... ({_param_note(param)}) {param.description}",
                width,
                initial_indent="    ",
                subsequent_indent="        ",
            )
        blocks.append("\n".join(lines))
    footer = "Run one: kg query NAME --param name=value [--format csv]"
    return "\n\n".join(blocks) + f"\n\n{footer}\n"


def _param_note(param: Param) -> str:
    note = param.type
    if param.low is not None:
        note += f" {param.low}..{param.high}"
    if param.default is not None:
        return f"{note}, default {param.default}"
    return f"{note}, {'optional' if param.optional else 'required'}"


__all__ = [
    "NamedQuery",
    "Param",
    "bind_params",
    "country_codes",
    "describe_queries",
    "example",
    "is_named",
    "list_queries",
    "load_named",
    "looks_like_name",
    "parse_query_file",
    "prepare",
    "to_term",
    "values_clause",
]
