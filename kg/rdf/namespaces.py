"""Every IRI kg writes, in one place.

``KG`` is closed (``_fail = True``) so a typo in a term raises at import of the
caller instead of silently minting a new IRI; ``tests/test_namespaces.py`` keeps its
term list in sync with ``ontology/kg.ttl``.
"""

from __future__ import annotations

from collections.abc import Mapping

from rdflib import Namespace
from rdflib.namespace import (
    DCTERMS,
    OWL,
    PROV,
    RDF,
    RDFS,
    SDO,
    SH,
    SKOS,
    XSD,
    DefinedNamespace,
)
from rdflib.term import URIRef

ONTOLOGY_IRI = "https://w3id.org/kg-events/ontology"


class KG(DefinedNamespace):
    """The kg event ontology (``ontology/kg.ttl``)."""

    _NS = Namespace(ONTOLOGY_IRI + "#")
    _fail = True

    # Classes
    Article: URIRef  # a news article events were extracted from
    Actor: URIRef  # anything that acts or is acted upon
    Person: URIRef
    Organization: URIRef
    Country: URIRef
    Group: URIRef  # armed groups, movements, ethnic or religious groups
    Place: URIRef
    Event: URIRef  # one event mention, typed with CAMEO
    IngestRun: URIRef  # one run of kg that changed the store (ingest or remove)
    Revision: URIRef  # one article graph a run replaced: old and new content hash

    # Event properties
    eventType: URIRef  # -> skos:Concept in the CAMEO scheme
    sourceActor: URIRef
    targetActor: URIRef
    place: URIRef
    date: URIRef  # xsd:date the event happened on
    trigger: URIRef  # the words expressing the event
    sentence: URIRef  # the evidence sentence, verbatim
    sentenceStart: URIRef  # character offset of the sentence in the article text
    sentenceEnd: URIRef
    confidence: URIRef  # xsd:decimal in [0, 1]
    fromArticle: URIRef  # -> kg:Article the event was extracted from
    modality: URIRef  # asserted | negated | hypothetical | future

    # GDELT 2.0 event-export fields, on events loaded by kg.ingestion.gdelt
    gdeltEventId: URIRef  # GDELT GLOBALEVENTID, xsd:integer
    isRootEvent: URIRef  # xsd:boolean: GDELT found it in the lead paragraph
    numMentions: URIRef  # xsd:integer: mentions GDELT counted when first seen
    avgTone: URIRef  # xsd:decimal in [-100, 100]: tone of those mentions

    # Actor and place properties
    countryCode: URIRef  # ISO 3166-1 alpha-3
    role: URIRef  # title or role stripped from a person's name
    alias: URIRef  # another surface form of the same actor or place
    mentionedIn: URIRef  # actor/place -> article that names it
    actorCode: URIRef  # CAMEO-style actor code ("UKRGOV", "IGO...")
    mergeReason: URIRef  # "alias — reason" for each alias folded into the entity
    geonamesId: URIRef  # GeoNames id, xsd:integer
    geonames: URIRef  # -> the GeoNames feature IRI (see geonames_iri)
    latitude: URIRef  # WGS84 degrees, xsd:decimal in [-90, 90]
    longitude: URIRef  # WGS84 degrees, xsd:decimal in [-180, 180]

    # Article properties
    title: URIRef
    url: URIRef
    publisher: URIRef
    published: URIRef  # xsd:date
    datelinePlace: URIRef  # -> kg:Place the article was filed from (its dateline)
    contentHash: URIRef  # SHA-256 of the article as read
    origin: URIRef  # file (and line) it was read from
    metadata: URIRef  # further front-matter keys as "key: value" strings

    # Provenance of extraction
    extractorVersion: URIRef
    model: URIRef  # spaCy pipeline name and version
    coderVersion: URIRef  # version of the trained event coder's files

    # Runs (kg:IngestRun, each in its own named graph, see kg.store.provenance)
    added: URIRef  # run -> article whose graph it wrote for the first time
    replaced: URIRef  # run -> article whose changed graph it rewrote
    removed: URIRef  # run -> article whose graph it dropped
    revision: URIRef  # run -> kg:Revision, one per replaced article
    revisedArticle: URIRef  # kg:Revision -> the article replaced
    previousHash: URIRef  # kg:Revision -> content hash before (kg:contentHash after)
    addedCount: URIRef  # xsd:integer
    replacedCount: URIRef
    removedCount: URIRef
    unchangedCount: URIRef  # articles read but equal to the stored version
    failedCount: URIRef  # inputs not stored (unreadable, invalid, write failed)

    # CAMEO concept properties (on skos:Concept in ontology/cameo.ttl)
    quadClass: URIRef  # 1 verbal coop, 2 material coop, 3 verbal/4 material conflict
    goldstein: URIRef  # Goldstein scale value, xsd:decimal in [-10, 10]


#: Instances: articles, events, actors, places (deterministic, see kg.rdf.iris).
KGR = Namespace("https://w3id.org/kg-events/id/")

#: The CAMEO event-type concept scheme (``ontology/cameo.ttl``): ``CAMEO["04"]``.
CAMEO = Namespace("https://w3id.org/kg-events/cameo/")

#: The named graph that holds the ontology and the CAMEO scheme inside a store.
ONTOLOGY_GRAPH = URIRef(ONTOLOGY_IRI)

#: On a shared SPARQL server (kg.store.remote), the named graph that holds the union of
#: the article and ontology graphs; a server's own default graph is not ours to use.
UNION_GRAPH = KGR["graph/union"]

#: Simple Event Model, aligned to in the ontology.
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")

#: W3C Basic Geo (WGS84) vocabulary, aligned to by kg:latitude and kg:longitude.
#: (rdflib's ``WGS`` spells it with https, which is not the published IRI.)
WGS84 = Namespace("http://www.w3.org/2003/01/geo/wgs84_pos#")

#: GeoNames features, as GeoNames publishes them: https://sws.geonames.org/ID/
GEONAMES = Namespace("https://sws.geonames.org/")


def geonames_iri(geonameid: int) -> URIRef:
    """IRI of a GeoNames feature, with the trailing slash GeoNames uses."""
    return GEONAMES[f"{int(geonameid)}/"]


#: Prefixes bound on every graph and predeclared for every query.
PREFIXES: dict[str, Namespace | str] = {
    "kg": KG._NS,
    "kgr": KGR,
    "cameo": CAMEO,
    "rdf": RDF._NS,
    "rdfs": RDFS._NS,
    "owl": OWL._NS,
    "xsd": XSD._NS,
    "skos": SKOS._NS,
    "prov": PROV._NS,
    "dcterms": DCTERMS._NS,
    "schema": SDO._NS,
    "sem": SEM,
    "wgs": WGS84,
    "sh": SH._NS,
}


def bind_prefixes(graph) -> None:  # noqa: ANN001 - Graph or Dataset
    """Bind every kg prefix on ``graph`` so serialisations show no ``ns1:``."""
    for prefix, ns in PREFIXES.items():
        graph.bind(prefix, ns, override=True, replace=True)


def prefix_map() -> dict[str, str]:
    """Every kg prefix and its namespace IRI as strings, as pyoxigraph takes them.

    A new dict on each call, so a caller that adds a prefix changes only its own.
    """
    return {prefix: str(ns) for prefix, ns in PREFIXES.items()}


def sparql_prologue(prefixes: Mapping[str, str] | None = None) -> str:
    """PREFIX lines to prepend to a query: ``prefixes``, or every kg prefix."""
    chosen = prefix_map() if prefixes is None else prefixes
    return "".join(f"PREFIX {p}: <{ns}>\n" for p, ns in chosen.items())
