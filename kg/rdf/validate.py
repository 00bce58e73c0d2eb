"""Check graphs against the SHACL shapes, and explain failures in analyst terms.

pyshacl's own report names blank nodes and shape IRIs; :func:`format_report` names
the article each problem came from, so a user can go back to the source file.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from functools import lru_cache
from typing import NamedTuple

from pyshacl import validate
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import RDF, SH, XSD
from rdflib.term import Node

from kg.rdf.namespaces import KG, PREFIXES
from kg.rdf.ontology import load_ontology, load_shapes

logger = logging.getLogger(__name__)

#: Namespace of the shapes in ontology/shapes.ttl (kgsh: there).
SHAPES_NS = "https://w3id.org/kg-events/shapes#"


class Violation(NamedTuple):
    """One SHACL result: which node, which property, what is wrong, how bad.

    ``value`` (the offending value, when the result names one) and ``shape``
    (the shape that failed) let a refusal say exactly what to change, as the
    server's /update does in one line.
    """

    focus: Node
    path: Node | None
    message: str
    severity: URIRef
    value: Node | None = None
    shape: Node | None = None


@dataclass(frozen=True)
class ValidationResult:
    """Outcome of :func:`validate_graph`.

    Attributes:
        conforms: True when no shape reported a violation.
        violations: every result, sorted so reports are stable between runs.
        text: pyshacl's own report text.
    """

    conforms: bool
    violations: tuple[Violation, ...]
    text: str


@lru_cache(maxsize=1)
def _shapes_and_ontology() -> tuple[Graph, Graph]:
    """Shapes and ontology, parsed once; only ever read."""
    return load_shapes(), load_ontology()


def validate_graph(data: Graph) -> ValidationResult:
    """Validate ``data`` against kg's shapes, with the ontology merged in.

    The shapes need the CAMEO concepts (``sh:class skos:Concept``) and the
    subclasses of kg:Actor. pyshacl's ``ont_graph`` copies only RDFS/OWL axioms,
    not SKOS concepts, so the ontology is merged into a copy of ``data`` here
    instead. No inference runs, and ``data`` itself is not modified.

    Args:
        data: one article's graph, or several merged.

    Returns:
        The conformance flag, the violations and pyshacl's report text.

    Raises:
        OntologyError: the shapes or ontology files are missing or broken.
    """
    shapes, ontology = _shapes_and_ontology()
    merged = Graph()
    merged += data
    merged += ontology
    conforms, report, text = validate(
        merged,
        shacl_graph=shapes,
        inference="none",
        abort_on_first=False,
        allow_warnings=True,
        meta_shacl=False,
        advanced=False,
    )
    return ValidationResult(bool(conforms), _violations(report), str(text))


def _violations(report: Graph) -> tuple[Violation, ...]:
    """Read every sh:ValidationResult of a pyshacl report graph."""
    found = [
        _violation(report, result)
        for result in report.subjects(RDF.type, SH.ValidationResult)
    ]
    return tuple(sorted(found, key=lambda v: (str(v.focus), str(v.path), v.message)))


def _violation(report: Graph, result: Node) -> Violation:
    """One sh:ValidationResult; SHACL requires its focus node, pyshacl its severity.

    Raises:
        ValueError: the result names no focus node (not a SHACL report).
    """
    focus = report.value(result, SH.focusNode)
    if focus is None:
        raise ValueError(f"SHACL result {result} names no sh:focusNode")
    severity = report.value(result, SH.resultSeverity)
    return Violation(
        focus=focus,
        path=report.value(result, SH.resultPath),
        message=str(report.value(result, SH.resultMessage) or ""),
        severity=severity if isinstance(severity, URIRef) else SH.Violation,
        value=report.value(result, SH.value),
        shape=report.value(result, SH.sourceShape),
    )


def describe_violation(violation: Violation) -> str:
    """One line naming the shape, the record, the property and the value.

    A shape without a name (a blank node inside another shape) is named by its
    property path instead, which is what a user edits anyway.
    """
    shape = violation.shape
    name = "the shape"
    if isinstance(shape, URIRef):
        name = _short(shape).replace(f"<{SHAPES_NS}", "kgsh:").rstrip(">")
    path = _short(violation.path) if violation.path is not None else None
    where = f"{_short(violation.focus)}" + (f" {path}" if path else "")
    value = f" {_value(violation.value)}" if violation.value is not None else ""
    message = " ".join(violation.message.split()).rstrip(".") or "not met"
    return f"{name} fails on {where}{value}: {message}"


def _value(term: Node) -> str:
    """A value as a user would write it: 9, "x", "2019-01-01"^^xsd:date, kgr:a."""
    if isinstance(term, Literal):
        if term.datatype in (XSD.integer, XSD.decimal, XSD.boolean, None, XSD.string):
            return term.n3() if term.language else _plain(term)
        return f'"{term}"^^{_short(term.datatype)}'
    return _short(term)


def _plain(term: Literal) -> str:
    """A number or boolean as is; a string quoted (cut to 60 characters)."""
    if term.datatype in (XSD.integer, XSD.decimal, XSD.boolean):
        return str(term)
    text = str(term)
    return repr(text if len(text) <= 60 else text[:57] + "...")


def format_report(result: ValidationResult, graph: Graph) -> str:
    """A readable report: one line per violation, naming its article and record.

    Args:
        result: what :func:`validate_graph` returned for ``graph``.
        graph: the graph that was validated, used to find each record's article.

    Returns:
        Plain text, ending without a newline.
    """
    if result.conforms:
        return "Conforms: every record matches kg's shapes."
    lines = [f"Does not conform: {len(result.violations)} problem(s)."]
    for violation in result.violations:
        lines.append(_format_violation(violation, graph))
    return "\n".join(lines)


def _format_violation(violation: Violation, graph: Graph) -> str:
    """``- [Violation] article <a> ("title"), record <r>, kg:path: message``."""
    severity = str(violation.severity).rsplit("#", 1)[-1]
    path = _short(violation.path) if violation.path is not None else "-"
    record = _short(violation.focus)
    return (
        f"- [{severity}] {_describe_article(violation.focus, graph)}, "
        f"record {record}, {path}: {violation.message}"
    )


def _describe_article(focus: Node, graph: Graph) -> str:
    """The article(s) a record belongs to, with title and origin when known."""
    articles = _articles_of(focus, graph)
    if not articles:
        return "article unknown"
    parts = []
    for article in articles:
        title = graph.value(article, KG.title)
        origin = graph.value(article, KG.origin)
        detail = ", ".join(
            f"{label} {str(value)!r}"
            for label, value in (("title", title), ("from", origin))
            if value is not None
        )
        parts.append(_short(article) + (f" ({detail})" if detail else ""))
    return "article " + "; ".join(parts)


def _articles_of(focus: Node, graph: Graph) -> list[Node]:
    """Articles a node came from: itself, its kg:fromArticle, or kg:mentionedIn."""
    if (focus, RDF.type, KG.Article) in graph:
        return [focus]
    found = list(graph.objects(focus, KG.fromArticle))
    found = found or list(graph.objects(focus, KG.mentionedIn))
    return sorted(found, key=str)


def _short(node: Node) -> str:
    """``prefix:rest`` when a kg prefix covers the node, else its N3 form.

    For reading only: ``rest`` may hold characters a prefixed name may not.
    """
    text = str(node)
    if isinstance(node, URIRef):
        matches = [
            (p, str(ns)) for p, ns in PREFIXES.items() if text.startswith(str(ns))
        ]
        if matches:
            prefix, ns = max(matches, key=lambda m: len(m[1]))
            return f"{prefix}:{text[len(ns) :]}"
    return node.n3()
