"""Modality: asserted, negated, hypothetical and future event mentions."""

from __future__ import annotations

import pytest
import spacy
from spacy.tokens import Doc

from kg.extraction import extract
from kg.extraction.modality import (
    ASSERTED,
    FUTURE,
    HYPOTHETICAL,
    NEGATED,
    code_for,
    modality_of,
)
from kg.records import Article


@pytest.fixture(scope="module")
def vocab():
    return spacy.blank("en").vocab


@pytest.fixture(scope="module")
def nlp(rules_nlp):
    """The dependency rules alone: what they read off a parse is what this module
    tests. Their events are the trained coder's candidates and features; the
    coder's own choices are tested in test_coder.py."""
    return rules_nlp


def _token(nlp, text: str, word: str):
    doc = nlp(text)
    hits = [t for t in doc if t.text == word]
    assert hits, [t.text for t in doc]
    return hits[0]


def _coded(nlp, text: str) -> list[tuple[str, str]]:
    extraction = next(extract([Article(id="t", text=text)], nlp))
    return [(e.cameo, e.modality) for e in extraction.events]


@pytest.mark.parametrize(
    ("words", "pos", "deps", "heads", "head", "expected"),
    [
        # Russia attacked Ukraine
        (
            ["Russia", "attacked", "Ukraine"],
            ["PROPN", "VERB", "PROPN"],
            ["nsubj", "ROOT", "dobj"],
            [1, 1, 1],
            1,
            ASSERTED,
        ),
        # Russia did not attack Ukraine
        (
            ["Russia", "did", "not", "attack", "Ukraine"],
            ["PROPN", "AUX", "PART", "VERB", "PROPN"],
            ["nsubj", "aux", "neg", "ROOT", "dobj"],
            [3, 3, 3, 3, 3],
            3,
            NEGATED,
        ),
        # Russia could attack Ukraine
        (
            ["Russia", "could", "attack", "Ukraine"],
            ["PROPN", "AUX", "VERB", "PROPN"],
            ["nsubj", "aux", "ROOT", "dobj"],
            [2, 2, 2, 2],
            2,
            HYPOTHETICAL,
        ),
        # Russia will attack Ukraine
        (
            ["Russia", "will", "attack", "Ukraine"],
            ["PROPN", "AUX", "VERB", "PROPN"],
            ["nsubj", "aux", "ROOT", "dobj"],
            [2, 2, 2, 2],
            2,
            FUTURE,
        ),
        # if Russia attacks, NATO responds
        (
            ["if", "Russia", "attacks", ",", "NATO", "responds"],
            ["SCONJ", "PROPN", "VERB", "PUNCT", "PROPN", "VERB"],
            ["mark", "nsubj", "advcl", "punct", "nsubj", "ROOT"],
            [2, 2, 5, 5, 5, 5],
            2,
            HYPOTHETICAL,
        ),
    ],
)
def test_modality_of_auxiliaries_negation_and_conditions(
    vocab, words, pos, deps, heads, head, expected
):
    doc = Doc(vocab, words=words, pos=pos, deps=deps, heads=heads)
    assert modality_of(doc[head]) == expected


@pytest.mark.parametrize(
    ("governor", "expected"),
    [
        ("urge", HYPOTHETICAL),
        ("threaten", HYPOTHETICAL),
        ("refuse", NEGATED),
        ("fail", NEGATED),
        ("begin", ASSERTED),
    ],
)
def test_modality_of_complement_takes_governing_verb(vocab, governor, expected):
    # "France <governor>d Russia to withdraw": the to-clause is an xcomp
    words = ["France", governor, "Russia", "to", "withdraw"]
    doc = Doc(
        vocab,
        words=words,
        pos=["PROPN", "VERB", "PROPN", "PART", "VERB"],
        deps=["nsubj", "ROOT", "dobj", "aux", "xcomp"],
        heads=[1, 1, 1, 4, 1],
        lemmas=["France", governor, "Russia", "to", "withdraw"],
    )
    assert modality_of(doc[4]) == expected


@pytest.mark.parametrize(
    ("text", "word", "expected"),
    [
        ("Russia did not attack Ukraine.", "attack", NEGATED),
        ("Russia has never attacked Finland.", "attacked", NEGATED),
        ("Russia could attack Ukraine if talks fail.", "attack", HYPOTHETICAL),
        ("If Russia attacks Ukraine, NATO will respond.", "attacks", HYPOTHETICAL),
        ("The United States urged Israel to sanction Iran.", "sanction", HYPOTHETICAL),
        ("Russia refused to attack Ukraine.", "attack", NEGATED),
        ("Russia will attack Ukraine.", "attack", FUTURE),
        ("Russia attacked Ukraine on Monday.", "attacked", ASSERTED),
        ("Zelenskiy said Russia attacked Ukraine overnight.", "attacked", ASSERTED),
    ],
)
def test_modality_of_real_parses(nlp, text, word, expected):
    assert modality_of(_token(nlp, text, word)) == expected


@pytest.mark.parametrize(
    ("code", "modality", "expected"),
    [
        ("040", FUTURE, ("036", ASSERTED)),
        ("042", FUTURE, ("036", ASSERTED)),
        ("051", FUTURE, ("032", ASSERTED)),
        ("070", FUTURE, ("033", ASSERTED)),
        ("190", FUTURE, ("190", FUTURE)),  # a threat is not coded from "will attack"
        ("040", NEGATED, ("040", NEGATED)),
        ("040", HYPOTHETICAL, ("040", HYPOTHETICAL)),
        ("111", ASSERTED, ("111", ASSERTED)),
    ],
)
def test_modality_code_for_folds_planned_cooperation_into_intent(
    code, modality, expected
):
    assert code_for(code, modality) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Antony Blinken will meet Sergei Lavrov in Geneva.", [("036", ASSERTED)]),
        ("Egypt will hold talks with Israel next week.", [("036", ASSERTED)]),
        ("Russia will attack Ukraine.", [("190", FUTURE)]),
        ("Turkey did not condemn Russia.", [("111", NEGATED)]),
        pytest.param(
            "Germany will provide military aid to Ukraine.", [("033", ASSERTED)]
        ),
        pytest.param("Iran is going to attack Israel.", [("190", FUTURE)]),
    ],
)
def test_modality_events_carry_their_modality(nlp, text, expected):
    assert _coded(nlp, text) == expected
