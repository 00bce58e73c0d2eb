"""The city an article was filed from, stored as its place (issue 16, point 2).

A wire dateline ("LISBON, May 3 (Reuters) -") says where the reporter was: kg
resolves its city with the gazetteer of the events' places, keeps it on the
extraction (``Extraction.dateline``), writes it as ``kg:datelinePlace`` on the
article (the same place node an event in that city has), and reads it back as
``ArticleInfo.dateline``, so a map can place an event that names no place of
its own. The articles are written for these tests and run through the real
pipeline and a real Oxigraph store.
"""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from helpers.cli import kg
from rdflib import Graph, Literal
from rdflib.namespace import RDF, RDFS

from kg.analysis.eventrows import load_events
from kg.extraction import extract
from kg.extraction.batch import article_dateline
from kg.extraction.chunks import merge_entities
from kg.ingestion import ingest_extractions
from kg.rdf.iris import article_iri, entity_iri
from kg.rdf.mapping import extraction_to_graph
from kg.rdf.namespaces import KG, geonames_iri
from kg.rdf.validate import validate_graph
from kg.records import Article, Extraction

LISBON_ID = 2267057  # GeoNames: Lisbon, Portugal
TEXTS = {
    # the dateline city is also where the second event happens
    "iberia-water": "LISBON, May 3 (Reuters) - Portugal and Spain signed a "
    "water-sharing agreement on Saturday. Later, Spanish officials met "
    "Portuguese diplomats in Lisbon.",
    "no-dateline": "Portugal and Spain signed a water-sharing agreement on "
    "Saturday in Madrid.",
    # dated, so a dateline, but no gazetteer knows the town
    "unknown-town": "ZORVANIA FALLS, May 3 (Reuters) - Portugal and Spain signed "
    "a water-sharing agreement on Saturday.",
    "two-datelines": "OSLO, May 3 (Reuters) - Norway and Sweden agreed to share "
    "a fishing quota.\nHELSINKI, May 4 (Reuters) - Finland thanked Estonia for "
    "its help.",
}
VERSIONS = {"extractor_version": "test", "model": "test-model"}


@pytest.fixture(scope="module")
def extractions(nlp) -> dict[str, Extraction]:
    """Each test article, extracted once with the real pipeline."""
    articles = [
        Article(aid, text, title=aid, date=date(2025, 5, 3))
        for aid, text in TEXTS.items()
    ]
    return {x.article.id: x for x in extract(articles, nlp)}


def _graph(extraction: Extraction) -> Graph:
    return extraction_to_graph(extraction, **VERSIONS)


# --- extraction -------------------------------------------------------------------


def test_dateline_place_resolved_with_geonames_and_coordinates(extractions):
    place = extractions["iberia-water"].dateline
    assert place is not None
    assert (place.name, place.kind, place.country) == ("Lisbon", "location", "PRT")
    assert place.geonames_id == LISBON_ID
    assert place.latitude == pytest.approx(38.725, abs=0.01)
    assert place.longitude == pytest.approx(-9.150, abs=0.01)


def test_dateline_place_is_one_of_the_articles_entities(extractions):
    """The same record as the place the events use, not a copy of it."""
    done = extractions["iberia-water"]
    (met,) = [e for e in done.events if e.location is not None]
    assert done.dateline in done.entities
    assert met.location == done.dateline


def test_dateline_place_none_without_a_dateline(extractions):
    assert extractions["no-dateline"].dateline is None


def test_dateline_place_none_when_the_city_is_unknown(extractions):
    """A dateline whose town no gazetteer knows gives no place to map."""
    assert extractions["unknown-town"].dateline is None


def test_dateline_place_is_the_first_datelines_city(extractions):
    place = extractions["two-datelines"].dateline
    assert place is not None and (place.name, place.country) == ("Oslo", "NOR")


def test_dateline_place_is_the_merged_entity_of_a_long_article(extractions):
    """An article cut into pieces: the dateline is the city as merged across
    them, aliases from later pieces included, so it is described once."""
    first = extractions["iberia-water"].dateline
    assert first is not None
    later = replace(first, aliases=("Lisboa",), merges=())
    merged = merge_entities([(first,), (later,)])
    found = article_dateline(first, merged)
    assert found is merged[0]
    assert found is not None and set(found.aliases) == {"LISBON", "Lisboa"}


def test_dateline_place_adds_one_triple_to_the_article_graph(extractions):
    """The city is already among the article's places: the dateline links the
    article to it and changes nothing else of the graph."""
    done = extractions["iberia-water"]
    with_dateline = set(_graph(done))
    without = set(_graph(replace(done, dateline=None)))
    assert without < with_dateline
    ((subject, predicate, _),) = with_dateline - without
    assert (subject, predicate) == (article_iri(done.article), KG.datelinePlace)


# --- RDF --------------------------------------------------------------------------


def test_dateline_place_mapped_with_the_event_place_description(extractions):
    done = extractions["iberia-water"]
    graph = _graph(done)
    article = article_iri(done.article)
    assert done.dateline is not None
    place = entity_iri(done.dateline)
    assert graph.value(article, KG.datelinePlace) == place
    assert (place, RDF.type, KG.Place) in graph
    assert graph.value(place, RDFS.label) == Literal("Lisbon")
    assert graph.value(place, KG.countryCode) == Literal("PRT")
    assert graph.value(place, KG.geonamesId) == Literal(LISBON_ID)
    assert graph.value(place, KG.geonames) == geonames_iri(LISBON_ID)
    assert float(graph.value(place, KG.latitude)) == pytest.approx(38.725, abs=0.01)
    assert float(graph.value(place, KG.longitude)) == pytest.approx(-9.15, abs=0.01)
    assert (place, KG.mentionedIn, article) in graph


def test_dateline_place_and_event_place_are_one_node(extractions):
    done = extractions["iberia-water"]
    graph = _graph(done)
    (event_place,) = set(graph.objects(None, KG.place))
    assert graph.value(article_iri(done.article), KG.datelinePlace) == event_place
    assert set(graph.subjects(RDF.type, KG.Place)) == {event_place}
    assert len(set(graph.objects(event_place, RDFS.label))) == 1


@pytest.mark.parametrize("aid", ["no-dateline", "unknown-town"])
def test_dateline_place_no_triple_without_a_resolved_city(extractions, aid):
    assert not set(_graph(extractions[aid]).triples((None, KG.datelinePlace, None)))


def test_dateline_place_graph_conforms_to_the_shapes(extractions):
    result = validate_graph(_graph(extractions["iberia-water"]))
    assert result.conforms, result.text


def test_dateline_place_shape_refuses_a_place_that_is_not_a_place(extractions):
    """kg:datelinePlace must point at a kg:Place; a country actor is refused."""
    done = extractions["iberia-water"]
    graph = _graph(done)
    (spain,) = [e for e in done.entities if e.name == "Spain"]
    graph.add((article_iri(done.article), KG.datelinePlace, entity_iri(spain)))
    result = validate_graph(graph)
    assert not result.conforms
    assert any(v.path == KG.datelinePlace for v in result.violations)


# --- reading it back --------------------------------------------------------------


def test_dateline_place_read_back_as_article_info(extractions, store):
    chosen = [extractions[aid] for aid in ("iberia-water", "no-dateline")]
    ingest_extractions(chosen, store, model="test-model")
    rows = load_events(store)
    by_article = {r.article.iri.rsplit("/", 1)[-1]: r.article for r in rows}
    lisbon = by_article["iberia-water"].dateline
    assert lisbon is not None
    assert (lisbon.label, lisbon.country, lisbon.geonames_id) == (
        "Lisbon",
        "PRT",
        LISBON_ID,
    )
    assert lisbon.latitude == pytest.approx(38.725, abs=0.01)
    assert lisbon.longitude == pytest.approx(-9.15, abs=0.01)
    assert by_article["no-dateline"].dateline is None


def test_dateline_place_read_back_is_the_event_place_record(extractions, store):
    """One node, one record: an event in Lisbon and a Lisbon dateline meet."""
    ingest_extractions([extractions["iberia-water"]], store, model="test-model")
    rows = load_events(store)
    placed = [r for r in rows if r.place is not None]
    unplaced = [r for r in rows if r.place is None]
    assert placed and unplaced
    assert all(r.place is r.article.dateline for r in placed)
    assert all(r.article.dateline is placed[0].place for r in unplaced)


# --- output -----------------------------------------------------------------------


def test_dateline_place_in_kg_extract_jsonl(tmp_path: Path):
    path = tmp_path / "iberia-water.txt"
    path.write_text(f"Iberian water pact\n{TEXTS['iberia-water']}\n", "utf-8")
    result = kg("extract", str(path), "--format", "jsonl")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    (flagged,) = [x for x in lines if x.get("dateline")]
    assert flagged["article"] == "iberia-water"
    assert flagged["entity"]["name"] == "Lisbon"
    assert flagged["entity"]["geonames"]["id"] == LISBON_ID
    assert flagged["entity"]["geonames"]["lat"] == pytest.approx(38.725, abs=0.01)
    # the other lines are as before: events, and entities with no flag
    assert all("dateline" not in x for x in lines if x is not flagged)
