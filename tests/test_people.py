"""Known people give a bare name its state (kg/extraction/data/people.jsonl).

Sentences are written for the project; the people are real office holders.
"""

from __future__ import annotations

import json
from datetime import date
from importlib import resources

import pycountry
import pytest
from spacy.tokens import Doc

from kg.extraction.people import known_person
from kg.records import Entity


def _entities(nlp, text: str, anchor: str | None = None) -> list[Entity]:
    doc: Doc = nlp.make_doc(text)
    doc._.kg_anchor = date.fromisoformat(anchor) if anchor else None
    return list(nlp(doc)._.kg_entities)


def _person(entities: list[Entity], name: str) -> Entity:
    hits = [e for e in entities if e.name == name and e.kind == "person"]
    assert len(hits) == 1, [(e.name, e.kind, e.country) for e in entities]
    return hits[0]


def test_a_bare_leader_gets_the_state_from_the_table(nlp):
    entities = _entities(nlp, "Angela Merkel and Emmanuel Macron spoke by phone.")
    assert _person(entities, "Angela Merkel").country == "DEU"
    assert _person(entities, "Emmanuel Macron").country == "FRA"


def test_the_office_is_the_one_held_on_the_article_date(nlp):
    text = "Boris Johnson criticised the decision."
    assert _person(_entities(nlp, text, "2020-03-01"), "Boris Johnson").role == (
        "Prime Minister"
    )
    assert _person(_entities(nlp, text, "2017-03-01"), "Boris Johnson").role == (
        "Foreign Secretary"
    )
    undated = _person(_entities(nlp, text), "Boris Johnson")
    assert (undated.country, undated.role) == ("GBR", None)


def test_the_head_of_a_body_of_states_acts_for_no_state(nlp):
    """As GDELT/ICEWS code them: the UN's chief speaks for the UN, not for the
    state he once governed."""
    text = "Antonio Guterres urged both sides to talk."
    assert (
        _person(_entities(nlp, text, "2023-05-01"), "Antonio Guterres").country is None
    )
    assert _person(_entities(nlp, text, "2001-05-01"), "Antonio Guterres").country == (
        "PRT"
    )


def test_the_article_title_wins_over_the_table(nlp):
    """What the text says of a person is local evidence; the table only fills gaps."""
    entities = _entities(nlp, "Brazilian envoy Boris Johnson arrived on Monday.")
    assert _person(entities, "Boris Johnson").country == "BRA"


def test_an_event_of_a_bare_leader_is_coded_for_the_state(nlp):
    doc = nlp("Erdogan accused Israel of war crimes on Tuesday.")
    events = doc._.kg_events
    assert [(e.root, e.source.country, e.target.country) for e in events] == [
        ("11", "TUR", "ISR")
    ]


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        ("Honcharuk resigned on Friday.", "Honcharuk", "UKR"),  # tagged GPE
        ("The strike was ordered by Trump.", "Trump", "USA"),  # tagged ORG
        ("Mitsotakis met Erdogan in Athens.", "Mitsotakis", "GRC"),  # untagged
    ],
)
def test_a_known_person_the_model_mistook_or_missed_is_a_person(
    nlp, text, name, country
):
    assert _person(_entities(nlp, text), name).country == country


@pytest.mark.parametrize(
    ("name", "country"),
    [
        ("Antony J. Blinken", "USA"),  # middle initial dropped
        ("Volodymyr Zelenskyy", "UKR"),  # a transliteration
        ("Recep Tayyip Erdoğan", "TUR"),  # diacritics
        ("Lula", "BRA"),  # a listed short form
        ("Pedro Sanchez", "ESP"),  # a listed name beats another's shortened one
    ],
)
def test_name_forms_of_a_listed_person(name, country):
    person = known_person(name)
    assert person is not None and person.country == country


@pytest.mark.parametrize(
    "name",
    [
        "Johnson",
        "Smith",
        "Paris",
        "John",
        "Mohamed Bilal",  # shortened from two listed names of different states
    ],
)
def test_a_bare_common_name_is_nobody_in_particular(name):
    assert known_person(name) is None


def test_every_row_of_the_table_is_well_formed():
    codes = {c.alpha_3 for c in pycountry.countries} | {"XKX"}
    text = (
        resources.files("kg.extraction")
        .joinpath("data/people.jsonl")
        .read_text("utf-8")
    )
    rows = [json.loads(line) for line in text.splitlines()]
    assert len(rows) > 1000
    for row in rows:
        assert row["country"] in codes, row["name"]
        assert row["roles"], row["name"]
        for office in row["roles"]:
            assert 1900 <= office["from"] <= 2026, row["name"]
            assert office["to"] is None or office["from"] <= office["to"], row["name"]
