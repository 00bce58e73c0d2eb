"""The hand-written store of tests/data/graphs/events.trig, and its IRIs.

test_graphs, test_network and test_exports all read it.
"""

from __future__ import annotations

from rdflib import Dataset

from helpers.paths import ROOT
from kg.rdf.namespaces import KG
from kg.rdf.ontology import load_ontology
from kg.store import Store

FIXTURE = ROOT / "tests" / "data" / "graphs" / "events.trig"
ID = "https://w3id.org/kg-events/id/"
UKR, RUS, USA, POL = (f"{ID}country/{c}" for c in ("UKR", "RUS", "USA", "POL"))
ZEL = f"{ID}person/ukr/volodymyr-zelenskiy"
UN = f"{ID}organization/united-nations"
WAGNER = f"{ID}group/rus/wagner-group"
KYIV, WARSAW = f"{ID}place/geonames/703448", f"{ID}place/geonames/756135"
# Asserted events (e1, e2, e4-e9) by date; e5 has no kg:date and takes its
# article's, 2019-02-10. e3 is negated, e10 hypothetical.
ASSERTED_ORDER = ["e1", "e2", "e4", "e5", "e6", "e8", "e7", "e9"]


def fill_store(store: Store, *, ontology: bool = True) -> Store:
    """Load the fixture's article graphs (and the real ontology) into a store."""
    dataset = Dataset()
    dataset.parse(FIXTURE, format="trig")
    for graph in dataset.graphs():
        if len(graph):
            digest = str(graph.value(graph.identifier, KG.contentHash))
            store.put_article(graph.identifier, graph, digest)
    if ontology:
        store.ensure_ontology(load_ontology())
    return store
