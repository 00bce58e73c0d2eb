"""JSON-LD compacted with kg's published context, so keys read ``sourceActor``.

The context is the bundled ``ontology/context.jsonld``, embedded whole in every
document so the file parses offline; a value that its key's coercion would change
is written as an explicit value object, so the triples come back unchanged.
``kg export --format jsonld``, ``kg query --format jsonld`` and ``kg serve``'s
JSON-LD answers all go through here, so they read the same way.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from functools import lru_cache
from typing import Any

import pyoxigraph as ox
from rdflib.namespace import RDF, XSD

from kg.errors import OntologyError, StoreError

#: Where the JSON-LD context is published; exports embed the same document.
CONTEXT_URL = "https://w3id.org/kg-events/context.jsonld"
CONTEXT_FILE = "context.jsonld"

#: A JSON object as :mod:`json` reads and writes it.
JsonObject = dict[str, Any]
#: What a triple's subject may be (RDF-star adds quoted triples to IRIs and blanks).
Resource = ox.NamedNode | ox.BlankNode | ox.Triple
#: What a triple's object may be.
Value = Resource | ox.Literal

_XSD_STRING = str(XSD.string)
_RDF_TYPE = str(RDF.type)


@lru_cache(maxsize=1)
def load_context() -> JsonObject:
    """The inner ``@context`` object of the bundled ``ontology/context.jsonld``.

    Raises:
        OntologyError: the file is missing or is not a JSON-LD context document.
    """
    from kg.rdf.ontology import ontology_dir

    path = ontology_dir() / CONTEXT_FILE
    try:
        context = json.loads(path.read_text(encoding="utf-8"))["@context"]
    except (OSError, ValueError, KeyError, TypeError) as err:
        raise OntologyError(
            f"{path} is not a readable JSON-LD context ({err}). Restore it from git "
            "or reinstall kg-events."
        ) from err
    return context


def jsonld_document(triples: list[ox.Triple], context: JsonObject) -> JsonObject:
    """Compacted JSON-LD of sorted triples: one node object per subject.

    The full context is embedded, so the file parses offline. A value whose
    datatype differs from its key's coercion is written as an explicit value
    object, which JSON-LD never coerces, so the triples come back unchanged.
    """
    compactor = _Compactor(context)
    nodes: list[JsonObject] = []
    for triple in triples:
        subject = compactor.ref(triple.subject)
        if not nodes or nodes[-1]["@id"] != subject:
            nodes.append({"@id": subject})
        key, value = compactor.entry(triple.predicate, triple.object)
        node = nodes[-1]
        if key not in node:
            node[key] = value
        elif isinstance(node[key], list):
            node[key].append(value)
        else:
            node[key] = [node[key], value]
    return {"@context": context, "@graph": nodes}


def compacted(triples: Iterable[ox.Triple]) -> bytes:
    """Triples as compacted JSON-LD bytes, subjects and keys in a stable order.

    The order is the export's (subject, then ``rdf:type`` first, then predicate
    and object), so the same triples always give the same bytes.
    """
    items = sorted(triples, key=_triple_key)
    return json_bytes(jsonld_document(items, load_context()))


def _triple_key(triple: ox.Triple) -> tuple[str, bool, str, str]:
    predicate = triple.predicate.value
    return (str(triple.subject), predicate != _RDF_TYPE, predicate, str(triple.object))


def json_bytes(document: JsonObject) -> bytes:
    """The document as indented UTF-8 JSON ending in a newline."""
    return (json.dumps(document, indent=2, ensure_ascii=False) + "\n").encode("utf-8")


class _Compactor:
    """Turns IRIs and literals into the short forms a JSON-LD context allows."""

    def __init__(self, context: JsonObject) -> None:
        self.prefixes: list[tuple[str, str]] = sorted(
            ((k, v) for k, v in context.items() if _is_prefix(v)),
            key=lambda kv: -len(kv[1]),
        )
        self.keys: dict[str, tuple[str, str | None]] = {}
        self.types: dict[str, str] = {}
        for term, definition in context.items():
            if term.startswith("@") or _is_prefix(definition):
                continue
            iri, coercion = _definition(definition)
            self.keys.setdefault(self.expand(iri), (term, self._coercion(coercion)))
            if isinstance(definition, str):
                self.types.setdefault(self.expand(iri), term)

    def expand(self, value: str) -> str:
        prefix, _, rest = value.partition(":")
        for name, iri in self.prefixes:
            if name == prefix:
                return iri + rest
        return value

    def compact(self, iri: str) -> str:
        for name, ns in self.prefixes:
            rest = iri[len(ns) :]
            if iri.startswith(ns) and rest and not rest.startswith("//"):
                return f"{name}:{rest}"
        return iri

    def ref(self, term: Resource) -> str:
        node = _node(term)
        if isinstance(node, ox.BlankNode):
            return f"_:{node.value}"
        return self.compact(node.value)

    def entry(self, predicate: ox.NamedNode, obj: Value) -> tuple[str, object]:
        if predicate.value == str(RDF.type) and not isinstance(obj, ox.Literal):
            node = _node(obj)
            return "@type", self.types.get(node.value) or self.ref(node)
        key, coercion = self.keys.get(
            predicate.value, (self.compact(predicate.value), None)
        )
        return key, self.value(obj, coercion)

    def value(self, obj: Value, coercion: str | None) -> object:
        if not isinstance(obj, ox.Literal):
            return self.ref(obj) if coercion == "@id" else {"@id": self.ref(obj)}
        if obj.language:
            return {"@value": obj.value, "@language": obj.language}
        datatype = obj.datatype.value
        if datatype == (coercion or _XSD_STRING):
            return obj.value
        if datatype == _XSD_STRING:
            return {"@value": obj.value}
        return {"@value": obj.value, "@type": self.compact(datatype)}

    def _coercion(self, coercion: str | None) -> str | None:
        if coercion is None or coercion == "@id":
            return coercion
        return self.expand(coercion)


def _node(term: Resource) -> ox.NamedNode | ox.BlankNode:
    """An IRI or blank node; JSON-LD 1.1 has no form for an RDF-star quoted triple.

    kg never stores one, but Oxigraph's types allow it, so say so if it happens.

    Raises:
        StoreError: ``term`` is a quoted triple.
    """
    if isinstance(term, ox.Triple):
        raise StoreError(
            f"The store holds the quoted triple {term}, which JSON-LD cannot "
            "express; export as N-Triples or Turtle instead."
        )
    return term


def _is_prefix(definition: object) -> bool:
    return isinstance(definition, str) and definition.endswith(("#", "/"))


def _definition(definition: str | JsonObject) -> tuple[str, str | None]:
    if isinstance(definition, str):
        return definition, None
    return definition["@id"], definition.get("@type")


__all__ = [
    "CONTEXT_FILE",
    "CONTEXT_URL",
    "compacted",
    "json_bytes",
    "jsonld_document",
    "load_context",
]
