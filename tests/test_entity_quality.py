"""Entity quality: which mentions are entities, what they are named, which are one.

Every case is a sentence written for these tests, run through the real model;
each checks one rule of ``kg.extraction.actors`` / ``kg.extraction.mentions``
that keeps a false entity out of the list or folds a stray name into its
referent.
"""

from __future__ import annotations

import pytest
from spacy.tokens import Span

from kg.extraction.gazetteer import resolve_place
from kg.extraction.mentions import (
    common_word_opening,
    not_an_actor,
    split_glued,
    stitch_spans,
)
from kg.records import Entity


def _entities(nlp, text: str) -> list[Entity]:
    return list(nlp(text)._.kg_entities)


def _names(entities: list[Entity]) -> set[str]:
    return {e.name for e in entities}


def _one(entities: list[Entity], name: str) -> Entity:
    hits = [e for e in entities if e.name == name]
    assert len(hits) == 1, [(e.name, e.kind, e.aliases) for e in entities]
    return hits[0]


# -- places ------------------------------------------------------------------


@pytest.mark.parametrize("state", ["Maryland", "Maine", "New Jersey"])
def test_us_state_is_not_a_town_listing_its_name(state):
    """GeoNames lists "Maryland" among the names of Maryland City; the state wins."""
    place = resolve_place(state, frozenset({"USA"}))
    assert place is not None
    assert (place.name, place.feature) == (state, "region")


def test_big_city_keeps_the_name_it_shares_with_its_state():
    place = resolve_place("New York", frozenset({"USA"}))
    assert place is not None and place.feature == "city"


def test_place_is_named_as_the_article_writes_it(nlp):
    """Linked through an alternate name (Derna → GeoNames "Darnah"), a place
    keeps the article's name; the GeoNames link is still there."""
    entities = _entities(nlp, "The talks in Derna ended without agreement.")
    derna = _one(entities, "Derna")
    assert derna.kind == "location" and derna.country == "LBY"
    assert derna.geonames_id is not None


def test_states_in_a_list_are_states(nlp):
    entities = _entities(
        nlp, "Governors from Maryland and New Jersey joined a lawsuit filed in Maine."
    )
    assert {"Maryland", "New Jersey", "Maine"} <= _names(entities)
    assert all(e.country == "USA" for e in entities)


# -- people ------------------------------------------------------------------


def test_surname_after_full_name_is_the_person_not_a_town(nlp):
    """ "Moro" is a town in GeoNames; after "Sergio Moro" it is the judge."""
    entities = _entities(
        nlp,
        "Judge Sergio Moro ruled on Tuesday. Later, Moro told reporters the "
        "ruling was final.",
    )
    moro = _one(entities, "Sergio Moro")
    assert "Moro" in moro.aliases
    assert [e for e in entities if e.kind == "location"] == []


def test_shorter_form_of_a_full_name_is_an_alias(nlp):
    entities = _entities(
        nlp,
        "The lawsuit names Pedro R. Pierluisi Urrutia. Pedro Pierluisi denied "
        "the claims.",
    )
    assert [e.name for e in entities if e.kind == "person"] == [
        "Pedro R. Pierluisi Urrutia"
    ]
    assert "Pedro Pierluisi" in entities[0].aliases


def test_shared_surname_goes_to_the_first_bearer(nlp):
    entities = _entities(
        nlp,
        "Former Vice President Joe Biden and his son Hunter Biden were named in "
        "the complaint. Biden denied any wrongdoing.",
    )
    assert "Biden" not in _names(entities)
    assert "Biden" in _one(entities, "Joe Biden").aliases


@pytest.mark.parametrize(
    ("text", "name"),
    [
        ("Professor Albrecht Penck lectured in Vienna.", "Albrecht Penck"),
        ("Voter Anna Kowalczyk said she was worried about prices.", "Anna Kowalczyk"),
    ],
)
def test_title_before_a_name_is_not_part_of_it(nlp, text, name):
    entities = _entities(nlp, text)
    assert name in _names(entities), _names(entities)
    assert not any(n.split()[0] in ("Professor", "Voter") for n in _names(entities))


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Opposition leader Marine Le Pen told supporters in Lyon that the "
            "vote was rigged.",
            "Marine Le Pen",
        ),
        (
            "Former Mexican President Enrique Peña Nieto testified before the "
            "court on Wednesday.",
            "Enrique Peña Nieto",
        ),
        (
            "Forces loyal to President Abd Rabbuh Mansur Hadi retook the port.",
            "Abd Rabbuh Mansur Hadi",
        ),
    ],
)
def test_name_cut_short_by_the_model_is_whole(nlp, text, name):
    persons = [e.name for e in _entities(nlp, text) if e.kind == "person"]
    assert persons == [name]


def test_state_glued_to_a_leader_is_two_entities(nlp):
    entities = _entities(
        nlp,
        "The delegation met the President of Burkina Faso Blaise Compaoré in the "
        "capital.",
    )
    assert _one(entities, "Blaise Compaoré").kind == "person"
    assert _one(entities, "Burkina Faso").kind == "country"


# -- bodies ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "full", "short"),
    [
        (
            "The Israeli Knesset voted on the bill. The Knesset then adjourned.",
            "Israeli Knesset",
            "Knesset",
        ),
        (
            "The Iranian Central Bank raised rates. The Central Bank said "
            "inflation was rising.",
            "Iranian Central Bank",
            "Central Bank",
        ),
    ],
)
def test_short_name_of_a_body_is_an_alias(nlp, text, full, short):
    entities = _entities(nlp, text)
    assert short not in _names(entities)
    assert short in _one(entities, full).aliases


def test_body_split_at_for_is_one_name(nlp):
    entities = _entities(
        nlp,
        "The Tunisian League for the Defence of Human Rights condemned the arrests.",
    )
    assert _names(entities) == {"Tunisian League for the Defence of Human Rights"}


def test_state_split_at_of_is_one_state(nlp):
    entities = _entities(
        nlp,
        "Gunmen raided a market near Beni, Democratic Republic of the Congo, on "
        "Sunday.",
    )
    congo = _one(entities, "Democratic Republic of the Congo")
    assert (congo.kind, congo.country) == ("country", "COD")
    assert "Democratic Republic" not in _names(entities)


def test_stitch_keeps_a_place_apart_from_a_person(nlp):
    """ "Mayor of Springfield Jane Doe": a place beside a person stays a place."""
    doc = nlp("The Mayor of Springfield Jane Doe opened the bridge.")
    place = Span(doc, 3, 4, label="GPE")
    person = Span(doc, 4, 6, label="PERSON")
    assert [s.text for s in stitch_spans([place, person])] == [
        "Springfield",
        "Jane Doe",
    ]


# -- no actors at all ----------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "UTC",
        "MYR",
        "COVID-19",
        "Mi-24",
        "Islam",
        "el cargo del",
        "National Security Advisor",
        "Libyan Field Marshal",
    ],
)
def test_not_an_actor(text):
    assert not_an_actor(text)


@pytest.mark.parametrize(
    "text", ["NATO", "G-20", "Islamic State", "Ministry of Defence", "Muslims", "FAA"]
)
def test_names_that_are_actors_are_kept(text):
    assert not not_an_actor(text)


def test_religion_is_no_entity(nlp):
    entities = _entities(
        nlp, "The protesters criticised Islam and Christianity in their speeches."
    )
    assert entities == []


def test_capitalised_common_word_opening_a_sentence(nlp):
    doc = nlp("Clashes erupt in the capital after the vote.")
    assert common_word_opening(Span(doc, 0, 1, label="PERSON"))
    doc = nlp("Tongans voted on Thursday.")
    assert not common_word_opening(Span(doc, 0, 1, label="NORP"))


# -- splitting glued spans --------------------------------------------------------


def test_two_places_joined_by_and_are_split(nlp):
    doc = nlp("Storms hit Crete and Cyprus overnight.")
    glued = Span(doc, 2, 5, label="ORG")
    assert [s.text for s in split_glued(glued)] == ["Crete", "Cyprus"]


@pytest.mark.parametrize(
    "text", ["Trinidad and Tobago", "Jammu and Kashmir", "Catholic Church in Thailand"]
)
def test_names_with_and_or_in_stay_whole(nlp, text):
    doc = nlp(f"Officials from {text} arrived.")
    span = Span(doc, 2, 2 + len(text.split()), label="GPE")
    assert [s.text for s in split_glued(span)] == [text]


def test_place_in_a_wider_region_is_split(nlp):
    doc = nlp("Protests spread to Omsk in Siberia on Sunday.")
    glued = Span(doc, 3, 6, label="ORG")
    assert [s.text for s in split_glued(glued)] == ["Omsk", "Siberia"]


# -- events stay consistent with entities ------------------------------------------


def test_event_actors_are_listed_entities(nlp):
    doc = nlp(
        "Judge Sergio Moro met Brazilian officials in Brasilia on Monday. "
        "Moro criticised the Senate."
    )
    names = {e.name for e in doc._.kg_entities}
    sources = {event.source.name for event in doc._.kg_events}
    assert sources == {"Sergio Moro"}  # "Moro" is the judge in both events
    for event in doc._.kg_events:
        assert event.source.name in names
        if event.target is not None:
            assert event.target.name in names


def test_name_in_a_script_without_case_is_kept() -> None:
    """Arabic or Chinese script has no capitals: only lower-case Latin text is
    dropped as not a name."""
    from kg.extraction.mentions import not_an_actor

    assert not not_an_actor("حماس")
    assert not not_an_actor("北京")
    assert not_an_actor("el cargo del")
