"""Span-level mention rules: cleaning names, surnames, titles, roles and datelines."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from kg.extraction.mentions import (
    clean_surface,
    dateline_places,
    describe_person,
    is_title,
    names_people,
    part_of_title,
    surname_key,
)


@pytest.fixture(scope="module")
def vocab():
    """A blank English vocabulary for hand-built Docs (no model needed)."""
    return spacy.blank("en").vocab


def _person_span(doc: Doc, name: str):
    """The entity span whose text is ``name`` (fails loudly if the model missed it)."""
    spans = [e for e in doc.ents if e.text == name]
    assert spans, [(e.text, e.label_) for e in doc.ents]
    return spans[0]


@pytest.mark.parametrize(
    ("surface", "expected"),
    [
        ("the Kremlin", "Kremlin"),
        ("Russia's", "Russia"),
        ("Ukraine\u2019s", "Ukraine"),
        ("Arctic Council Ministerial", "Arctic Council"),
        ("African Union Summit", "African Union"),
        (
            "Southern African Development Community (SADC",
            "Southern African Development Community",
        ),
        ("Ministry of", "Ministry"),
        ("  European\n Union  ", "European Union"),
    ],
)
def test_mentions_clean_surface_trims_determiners_and_dangling_words(surface, expected):
    assert clean_surface(surface) == expected


@pytest.mark.parametrize(
    "variant",
    ["Zelensky", "Zelenskyy", "Zelenskii", "Volodymyr Zelenskiy", "Volodymyr Zelensky"],
)
def test_mentions_surname_key_folds_transliterations(variant):
    assert surname_key(variant) == surname_key("Zelenskiy")


@pytest.mark.parametrize(
    ("one", "other"),
    [("Donald Trump", "Donald Tusk"), ("Sergei Lavrov", "Sergei Shoigu")],
)
def test_mentions_surname_key_keeps_different_surnames_apart(one, other):
    assert surname_key(one) != surname_key(other)


@pytest.mark.parametrize(
    ("word", "expected"),
    [
        ("President", True),
        ("Presidents", True),
        ("Minister", True),
        pytest.param("Gen.", True),
        pytest.param("Dr.", True),
        ("Foreign", False),  # only a title together with "Minister"
        ("State", False),
        ("Reuters", False),
    ],
)
def test_mentions_is_title_recognises_words_before_a_name(vocab, word, expected):
    doc = Doc(vocab, words=[word, "Smith"])
    assert is_title(doc[0]) is expected


@pytest.mark.parametrize(
    ("words", "tags", "deps", "heads", "expected"),
    [
        # "African trade": an adjective on a noun, not a people
        (["African", "trade"], ["JJ", "NN"], ["amod", "ROOT"], [1, 1], False),
        # "Iranians protested": a demonym plural naming the people of a state
        (["Iranians", "protested"], ["NNPS", "VBD"], ["nsubj", "ROOT"], [1, 1], True),
        # "Kurds fled": a people, not a state
        (["Kurds", "fled"], ["NNPS", "VBD"], ["nsubj", "ROOT"], [1, 1], True),
    ],
)
def test_mentions_names_people_tells_peoples_from_adjectives(
    vocab, words, tags, deps, heads, expected
):
    doc = Doc(
        vocab,
        words=words,
        tags=tags,
        deps=deps,
        heads=heads,
        ents=["B-NORP", "O"],
    )
    span = doc.ents[0]
    assert names_people(span, span.text) is expected


@pytest.mark.parametrize(
    ("text", "name", "role", "country"),
    [
        (
            "U.S. President Donald Trump met Russian President Vladimir Putin "
            "in Helsinki.",
            "Donald Trump",
            "President",
            "USA",
        ),
        (
            "Russian Foreign Minister Sergei Lavrov met Chinese Foreign Minister "
            "Wang Yi in Beijing.",
            "Wang Yi",
            "Foreign Minister",
            "CHN",
        ),
        (
            "The Taliban met Zalmay Khalilzad, a US peace envoy, in Doha.",
            "Zalmay Khalilzad",
            "peace envoy",
            "USA",
        ),
        (
            "President Muhammadu Buhari of Nigeria visited Niger on Tuesday.",
            "Muhammadu Buhari",
            "President",
            "NGA",
        ),
        (
            "U.S. President Donald Trump's special envoy Steve Witkoff and senior "
            "adviser Jared Kushner met Russian President Vladimir Putin in Moscow.",
            "Steve Witkoff",
            "special envoy",
            "USA",  # the possessor's state
        ),
        (
            "U.S. President Donald Trump's special envoy Steve Witkoff and senior "
            "adviser Jared Kushner met Russian President Vladimir Putin in Moscow.",
            "Jared Kushner",
            "senior adviser",
            "USA",  # shares the state of the name it is coordinated with
        ),
    ],
)
def test_mentions_describe_person_reads_role_and_state(nlp, text, name, role, country):
    span = _person_span(nlp(text), name)
    assert describe_person(span) == (role, country)


@pytest.mark.parametrize(
    ("text", "name", "role"),
    [
        (
            "Iraqi Prime Minister Mohammed Shia al-Sudani met US Secretary of State "
            "Antony Blinken in Baghdad.",
            "Antony Blinken",
            "Secretary of State",
        )
    ],
)
def test_mentions_describe_person_keeps_of_inside_a_title(nlp, text, name, role):
    span = _person_span(nlp(text), name)
    assert describe_person(span)[0] == role


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "KYIV, March 3 - Ukraine's foreign minister met his Polish counterpart.",
            ["KYIV"],
        ),
        ("Officials in Kyiv said the talks would resume.", []),
    ],
)
def test_mentions_dateline_places_finds_the_opening_city(nlp, text, expected):
    doc = nlp(text)
    found = dateline_places(doc)
    assert [s.text for s in found] == expected
    assert all(s.label_ == "GPE" for s in found)


@pytest.mark.parametrize(
    ("words", "index", "expected"),
    [
        (["Secretary", "of", "State", "Antony", "Blinken"], 2, True),
        (["Department", "of", "Transportation", "said"], 2, True),
        (["the", "people", "of", "Ukraine"], 3, False),
    ],
)
def test_mentions_part_of_title_spots_one_word_orgs_ending_a_title(
    vocab, words, index, expected
):
    ents = ["O"] * len(words)
    ents[index] = "B-ORG"
    doc = Doc(vocab, words=words, ents=ents)
    assert part_of_title(doc.ents[0]) is expected
