"""The ontology as OWL: kg.ttl + cameo.ttl are OWL 2 DL, and OWL 2 RL reads the data.

Three checks, from cheapest to most real:

- every term the ontology uses is declared as one kind of entity, and every
  datatype is in the OWL 2 datatype map (what OWL 2 DL asks of an RDF ontology
  before any reasoning; plain Python, so it runs everywhere);
- HermiT, via owlready2, finds the ontology consistent with no unsatisfiable class
  and reads every alignment of kg.ttl as the axiom it is meant to be (needs Java);
- owlrl's OWL 2 RL closure of the ontology plus a real export of the bundled
  sample makes every event a sem:Event and a schema:Event, and carries every
  subclass and subproperty alignment over to the data. The data keeps its
  xsd:date literals, which OWL 2 RL accepts and HermiT would refuse.
"""

from __future__ import annotations

import re
from pathlib import Path

import owlrl
import pytest
from helpers.cli import kg
from helpers.owl import Verdict, hermit
from helpers.paths import DATA
from owlrl.Namespaces import ERRNS
from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import OWL, PROV, RDF, RDFS, SDO, SKOS, XSD

from kg.rdf.namespaces import CAMEO, KG, KGR, SEM, WGS84
from kg.rdf.ontology import load_ontology

#: The OWL 2 datatype map (OWL 2 Structural Specification, section 4): the only
#: datatypes an OWL 2 DL ontology may use without defining them. xsd:date is not
#: among them.
DATATYPE_MAP = frozenset(
    [RDFS.Literal, RDF.PlainLiteral, RDF.XMLLiteral, OWL.real, OWL.rational]
    + [
        XSD[name]
        for name in (
            "decimal integer nonNegativeInteger nonPositiveInteger positiveInteger "
            "negativeInteger long int short byte unsignedLong unsignedInt "
            "unsignedShort unsignedByte double float string normalizedString token "
            "language Name NCName NMTOKEN boolean hexBinary base64Binary anyURI "
            "dateTime dateTimeStamp"
        ).split()
    ]
)
#: What OWL 2 has built in: annotation properties and the two named classes.
BUILT_IN = {
    "annotation property": {
        RDFS.label,
        RDFS.comment,
        RDFS.seeAlso,
        RDFS.isDefinedBy,
        OWL.deprecated,
        OWL.versionInfo,
        OWL.priorVersion,
        OWL.backwardCompatibleWith,
        OWL.incompatibleWith,
    },
    "class": {OWL.Thing, OWL.Nothing},
    "datatype": set(DATATYPE_MAP),
}
DECLARATIONS = {
    OWL.Class: "class",
    RDFS.Datatype: "datatype",
    OWL.ObjectProperty: "object property",
    OWL.DatatypeProperty: "data property",
    OWL.AnnotationProperty: "annotation property",
}
PROPERTY_KINDS = {"object property", "data property", "annotation property"}
#: The namespaces of OWL 2's reserved vocabulary.
RESERVED = (str(RDF), str(RDFS), str(OWL), str(XSD))
#: What an ontology header may say besides annotations.
HEADER = {RDF.type, OWL.imports, OWL.versionIRI}


def _kinds(graph: Graph) -> dict[URIRef, set[str]]:
    """Each IRI's declared kinds, built-ins included."""
    kinds: dict[URIRef, set[str]] = {}
    for kind, terms in BUILT_IN.items():
        for term in terms:
            kinds.setdefault(term, set()).add(kind)
    for declaration, kind in DECLARATIONS.items():
        for term in graph.subjects(RDF.type, declaration):
            if isinstance(term, URIRef):
                kinds.setdefault(term, set()).add(kind)
    return kinds


def _classes_used(graph: Graph) -> set[URIRef]:
    """Named classes the ontology uses as classes: types of individuals,
    subclass and superclass, domains, members of class unions."""
    used: set = set()
    for s, p, o in graph:
        if p == RDF.type and not str(o).startswith(RESERVED):
            used.add(o)
        elif p in (RDFS.subClassOf, OWL.equivalentClass, OWL.disjointWith):
            used |= {s, o}
        elif p == RDFS.domain:
            used.add(o)
        elif p == OWL.unionOf and (s, RDF.type, RDFS.Datatype) not in graph:
            used |= set(Collection(graph, o))
    return {term for term in used if isinstance(term, URIRef)}


def declaration_problems(graph: Graph) -> list[str]:
    """What keeps ``graph`` from being OWL 2 DL as far as declarations and
    datatypes go: one line per undeclared, doubly declared or misused term."""
    kinds = _kinds(graph)
    headers = set(graph.subjects(RDF.type, OWL.Ontology))
    problems: set[str] = set()

    def expect(term: URIRef, wanted: set[str], use: str) -> None:
        have = kinds.get(term, set())
        if not have & wanted:
            declared = ", ".join(sorted(have)) or "undeclared"
            problems.add(f"{term} is used as {use} but is {declared}")

    for term, have in kinds.items():
        if len(have) > 1:
            problems.add(f"{term} is declared as {' and '.join(sorted(have))}")
    for term in _classes_used(graph):
        expect(term, {"class"}, "a class")
    for prop, value in graph.subject_objects(RDFS.range):
        if "data property" not in kinds.get(prop, set()):
            if isinstance(value, URIRef):
                expect(value, {"class"}, f"the range of {prop}")
        elif value not in DATATYPE_MAP and (
            str(value).startswith(RESERVED) or "datatype" not in kinds.get(value, ())
        ):
            problems.add(f"{value}, the range of {prop}, is not an OWL 2 datatype")
    for sub, sup in graph.subject_objects(RDFS.subPropertyOf):
        have = kinds.get(sub, set()) & PROPERTY_KINDS
        expect(sup, have or PROPERTY_KINDS, f"a super-property of {sub}")
    for prop in graph.subjects(RDF.type, OWL.FunctionalProperty):
        expect(prop, {"object property", "data property"}, "a functional property")
    for subject, prop, value in graph:
        if subject in headers and prop not in HEADER:
            expect(prop, {"annotation property"}, "an annotation of the header")
        elif not str(prop).startswith(RESERVED) and subject not in headers:
            literal = isinstance(value, Literal)
            wanted = {"data property" if literal else "object property"}
            kind = "literal" if literal else "resource"
            expect(prop, wanted | {"annotation property"}, f"a {kind}-valued property")
    return sorted(problems)


@pytest.fixture(scope="module")
def ontology() -> Graph:
    return load_ontology()


# --- OWL 2 DL declarations --------------------------------------------------------


def test_owl_every_term_is_declared_once(ontology: Graph) -> None:
    assert declaration_problems(ontology) == []


def test_owl_declaration_check_names_what_breaks_dl() -> None:
    # Faults of the kinds kg.ttl had before it was OWL 2 DL: an undeclared class
    # (HermiT then guesses what it is), an xsd:date range, an undeclared property,
    # and one property both a data property's super-property and a header annotation.
    broken = Graph().parse(
        data="""
        @prefix ex: <https://example.org/onto#> .
        @prefix owl: <http://www.w3.org/2002/07/owl#> .
        @prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
        @prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
        @prefix dcterms: <http://purl.org/dc/terms/> .
        <https://example.org/onto> a owl:Ontology ; dcterms:title "An ontology" .
        ex:kind a owl:ObjectProperty ; rdfs:domain ex:Thing ; rdfs:range ex:Kind .
        ex:Thing a owl:Class .
        ex:day a owl:DatatypeProperty ; rdfs:domain ex:Thing ; rdfs:range xsd:date .
        ex:name a owl:DatatypeProperty ; rdfs:domain ex:Thing ;
            rdfs:range xsd:string ; rdfs:subPropertyOf dcterms:title .
        dcterms:title a owl:DatatypeProperty .
        ex:it a ex:Thing ; ex:code "T-1" .
        """,
        format="turtle",
    )
    assert declaration_problems(broken) == [
        "http://purl.org/dc/terms/title is used as an annotation of the header but "
        "is data property",
        "http://www.w3.org/2001/XMLSchema#date, the range of "
        "https://example.org/onto#day, is not an OWL 2 datatype",
        "https://example.org/onto#Kind is used as the range of "
        "https://example.org/onto#kind but is undeclared",
        "https://example.org/onto#code is used as a literal-valued property but is "
        "undeclared",
    ]


def test_owl_external_terms_are_declared(ontology: Graph) -> None:
    # The outside vocabularies kg aligns to, each with the kind kg uses it as.
    expected = {
        SKOS.Concept: OWL.Class,
        SEM.Event: OWL.Class,
        SDO.Event: OWL.Class,
        SEM.hasActor: OWL.ObjectProperty,
        SDO.url: OWL.DatatypeProperty,
        SDO.sameAs: OWL.ObjectProperty,
        SKOS.prefLabel: OWL.AnnotationProperty,
        PROV.wasDerivedFrom: OWL.ObjectProperty,
        WGS84.lat: OWL.DatatypeProperty,
    }
    for term, kind in expected.items():
        assert set(ontology.objects(term, RDF.type)) == {kind}, term


def test_owl_dates_are_literals_in_the_ontology(ontology: Graph) -> None:
    for prop in (KG.date, KG.published):
        assert ontology.value(prop, RDFS.range) == RDFS.Literal
    assert not set(ontology.subjects(RDFS.range, XSD.date))


# --- HermiT (OWL 2 DL) ------------------------------------------------------------


@pytest.fixture(scope="module")
def verdict(ontology: Graph) -> Verdict:
    return hermit(ontology)


def test_owl_hermit_finds_the_ontology_consistent(verdict: Verdict) -> None:
    assert verdict.consistent, verdict.output
    assert verdict.unsatisfiable == []


def _alignments(ontology: Graph, prop: URIRef) -> set[tuple[str, str]]:
    return {
        (str(s), str(o))
        for s, o in ontology.subject_objects(prop)
        if isinstance(s, URIRef) and isinstance(o, URIRef)
    }


def test_owl_hermit_reads_every_subclass_axiom(
    ontology: Graph, verdict: Verdict
) -> None:
    asserted = _alignments(ontology, RDFS.subClassOf)
    assert (str(KG.Event), str(SEM.Event)) in asserted
    assert asserted <= verdict.axioms("SubClassOf")


@pytest.mark.parametrize(
    ("kind", "line"),
    [
        (OWL.ObjectProperty, "SubObjectPropertyOf"),
        (OWL.DatatypeProperty, "SubDataPropertyOf"),
    ],
)
def test_owl_hermit_reads_every_subproperty_axiom(
    ontology: Graph, verdict: Verdict, kind: URIRef, line: str
) -> None:
    # An undeclared super-property is one HermiT guesses the kind of or drops: each
    # alignment must come back from HermiT as the kind of axiom kg.ttl means.
    props = set(ontology.subjects(RDF.type, kind))
    asserted = {
        (s, o)
        for s, o in _alignments(ontology, RDFS.subPropertyOf)
        if URIRef(s) in props
    }
    assert len(asserted) >= 8
    assert asserted <= verdict.axioms(line)


def test_owl_hermit_types_every_cameo_concept(
    ontology: Graph, verdict: Verdict
) -> None:
    types = verdict.axioms("Type")
    concepts = set(ontology.subjects(SKOS.inScheme, CAMEO.scheme))
    assert len(concepts) == 311
    for concept in concepts:
        assert (str(concept), str(SKOS.Concept)) in types, concept
    assert (str(CAMEO.scheme), str(SKOS.ConceptScheme)) in types


def test_owl_hermit_reports_an_unsatisfiable_class(ontology: Graph) -> None:
    # The check can fail: an event that may not be a SEM event has no instances.
    broken = ontology + Graph()
    broken.add((KG.Event, OWL.disjointWith, SEM.Event))
    result = hermit(broken)
    assert result.consistent
    assert result.unsatisfiable == [str(KG.Event)]


def test_owl_hermit_reports_an_inconsistency(ontology: Graph) -> None:
    broken = ontology + Graph()
    broken.add((KG.Event, OWL.disjointWith, SDO.Event))
    broken.add((KGR["event/control"], RDF.type, KG.Event))
    assert not hermit(broken).consistent


# --- owlrl (OWL 2 RL) over a real export ------------------------------------------


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Graph, int]:
    """The bundled sample built and exported as a user does, without the ontology,
    and the number of events ``kg build`` reported."""
    out: Path = tmp_path_factory.mktemp("owl") / "kg-out"
    built = kg("build", str(DATA), "--out", str(out))
    assert built.returncode == 0, built.stderr
    events = re.search(r"(\d+) events", built.stdout)
    assert events, built.stdout
    export = out / "sample.ttl"
    exported = kg(
        "export",
        "--store",
        str(out / "store"),
        "--format",
        "turtle",
        "--no-ontology",
        "-o",
        str(export),
    )
    assert exported.returncode == 0, exported.stderr
    return Graph().parse(export, format="turtle"), int(events.group(1))


@pytest.fixture(scope="module")
def closure(ontology: Graph, sample: tuple[Graph, int]) -> Graph:
    graph = ontology + sample[0]
    owlrl.DeductiveClosure(owlrl.OWLRL_Semantics).expand(graph)
    return graph


def test_owl_rl_makes_every_event_a_sem_and_schema_event(
    sample: tuple[Graph, int], closure: Graph
) -> None:
    data, reported = sample
    events = set(data.subjects(RDF.type, KG.Event))
    assert len(events) == reported > 0
    for event in events:
        for super_class in (SEM.Event, SDO.Event):
            assert (event, RDF.type, super_class) not in data  # inferred, not stated
            assert (event, RDF.type, super_class) in closure, event


def test_owl_rl_carries_every_alignment_to_the_data(
    ontology: Graph, sample: tuple[Graph, int], closure: Graph
) -> None:
    data = sample[0]
    used = 0
    for sub, sup in ontology.subject_objects(RDFS.subClassOf):
        if isinstance(sup, URIRef):
            for thing in data.subjects(RDF.type, sub):
                used += 1
                assert (thing, RDF.type, sup) in closure, (thing, sup)
    for sub, sup in ontology.subject_objects(RDFS.subPropertyOf):
        for s, o in data.subject_objects(sub):
            used += 1
            assert (s, sup, o) in closure, (s, sup, o)
    assert used > 500


def test_owl_rl_finds_no_inconsistency(closure: Graph) -> None:
    assert [str(m) for m in closure.objects(None, ERRNS.error)] == []
    assert set(closure.subjects(RDF.type, ERRNS.ErrorMessage)) == set()


def test_owl_rl_data_keeps_xsd_date(sample: tuple[Graph, int]) -> None:
    data = sample[0]
    dates = [o for prop in (KG.date, KG.published) for o in data.objects(None, prop)]
    assert dates
    assert {d.datatype for d in dates} == {XSD.date}
