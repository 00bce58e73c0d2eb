"""End-to-end extraction with the real model on real text."""

from __future__ import annotations

import json

import pytest

from kg.extraction import extract
from kg.records import Article


def _extract_one(nlp, text: str, date=None):
    from datetime import date as Date

    anchor = Date.fromisoformat(date) if date else None
    return next(extract([Article(id="t", text=text, date=anchor)], nlp))


def _triples(extraction):
    return {
        (e.root, e.source.name, e.target.name if e.target else None)
        for e in extraction.events
    }


@pytest.mark.parametrize("alias", ["Zelenskiy"])
def test_extract_sample_one_zelenskiy_actor(sample_extraction, alias):
    people = [
        e
        for e in sample_extraction.entities
        if "Zelenskiy" in e.name or "Zelenskiy" in e.aliases
    ]
    assert len(people) == 1
    zelenskiy = people[0]
    assert zelenskiy.name == "Volodymyr Zelenskiy"
    assert zelenskiy.kind == "person"
    assert zelenskiy.country == "UKR"
    assert alias in zelenskiy.aliases


def test_extract_sample_consult_with_the_envoys_or_their_state(sample_extraction):
    """Zelenskiy's talks with the US envoys: the gold accepts Witkoff, Kushner or
    the United States as the target (the sentence names "senior United States
    representatives" first)."""
    consults = [
        e
        for e in sample_extraction.events
        if e.root == "04"
        and e.source.name == "Volodymyr Zelenskiy"
        and e.target is not None
        and e.target.name in ("Steve Witkoff", "Jared Kushner", "United States")
    ]
    assert consults, _triples(sample_extraction)
    event = consults[0]
    text = sample_extraction.article.text
    assert text[event.start : event.end] == event.sentence
    assert 0.0 <= event.confidence <= 1.0


@pytest.mark.parametrize(
    ("text", "date", "expected"),
    [
        (
            "The European Union imposed sanctions on Belarus on Tuesday.",
            "2024-05-09",
            ("16", "European Union", "Belarus"),
        ),
        (
            "Houthi rebels attacked a cargo ship in the Red Sea.",
            None,
            ("19", "Houthi movement", None),
        ),
        ("Egypt condemned Turkey for its drilling.", None, ("11", "Egypt", "Turkey")),
        (
            "Russian Foreign Minister Sergey Lavrov met his Turkish counterpart "
            "in Ankara.",
            None,
            ("04", "Sergey Lavrov", None),
        ),
        ("Japan pledged $50 million in aid to Sudan.", None, ("03", "Japan", "Sudan")),
        ("Police arrested dozens of protesters in Tbilisi on Monday.", None, None),
    ],
)
def test_extract_events_from_wire_sentences(rules_nlp, text, date, expected):
    """What the dependency rules (the coder's candidates) read off wire sentences."""
    extraction = _extract_one(rules_nlp, text, date)
    if expected is None:  # no named source: conservative coding drops it
        assert all(e.source.kind != "other" for e in extraction.events)
        return
    root, source, target = expected
    found = {(e.root, e.source.name) for e in extraction.events}
    assert (root, source) in found, _triples(extraction)
    if target is not None:
        assert (root, source, target) in _triples(extraction)


@pytest.mark.parametrize(
    ("text", "date", "place", "day"),
    [
        (
            "The Taliban met Zalmay Khalilzad, a US peace envoy, in Qatar on Monday.",
            "2019-01-24",
            "Qatar",
            "2019-01-21",
        ),
        (
            "Greece and Turkey held talks in Athens yesterday.",
            "2024-03-05",
            "Athens",
            "2024-03-04",
        ),
    ],
)
def test_extract_event_place_and_date(nlp, text, date, place, day):
    extraction = _extract_one(nlp, text, date)
    consult = [e for e in extraction.events if e.root == "04"]
    assert consult, _triples(extraction)
    assert consult[0].location is not None and consult[0].location.name == place
    assert consult[0].date == day


@pytest.mark.parametrize(
    ("text", "modality"),
    [
        ("Russia did not attack Ukraine.", "negated"),
        ("Russia could attack Ukraine if talks fail.", "hypothetical"),
        ("The United States urged Israel to sanction Iran.", "hypothetical"),
        ("Russia will attack Ukraine.", "future"),
    ],
)
def test_extract_unreal_events_flagged_and_left_out(nlp, text, modality):
    from kg.extraction.formats import jsonl_lines

    extraction = _extract_one(nlp, text)
    flagged = [e for e in extraction.events if e.root in ("19", "16")]
    assert flagged and {e.modality for e in flagged} == {modality}
    shown = [json.loads(x) for x in jsonl_lines(extraction) if '"type"' in x]
    assert all(x["modality"] == "asserted" for x in shown)
    everything = [json.loads(x) for x in jsonl_lines(extraction, True) if '"type"' in x]
    assert modality in {x["modality"] for x in everything}


@pytest.mark.parametrize(
    "text",
    ["Blinken and Lavrov will meet next week in Reykjavik."],
)
def test_extract_planned_meeting_is_intent_to_meet(nlp, text):
    extraction = _extract_one(nlp, text)
    assert [(e.cameo, e.modality) for e in extraction.events] == [("036", "asserted")]


@pytest.mark.parametrize(
    "text", ["", "   ", "<<<>>> {{}} \\\\ \u202e\u0301", "a " * 5000]
)
def test_extract_odd_text_does_not_crash(nlp, text):
    extraction = _extract_one(nlp, text)
    assert isinstance(extraction.events, tuple)


def _zone_articles(word: str) -> list[Article]:
    text = "Qarvelian envoy {}{} Vexmundo met Russian officials in Kyiv on Monday."
    return [Article(id=f"z{i}", text=text.format(word, i)) for i in range(5)]


@pytest.mark.parametrize("zone", [1, 2])
def test_extract_memory_zones_keep_output_and_drop_new_words(nlp, monkeypatch, zone):
    import kg.extraction

    articles = _zone_articles("Zorblat")
    whole = list(extract(articles, nlp))
    monkeypatch.setattr(kg.extraction, "ZONE_ARTICLES", zone)
    assert list(extract(iter(articles), nlp)) == whole
    word = f"Quxbarin{zone}x"
    assert len(list(extract(_zone_articles(word), nlp))) == 5
    # The first zone's words stay (it runs outside a zone); the others are dropped.
    kept = [f"{word}{i}" in nlp.vocab.strings for i in range(5)]
    assert kept == [True] * zone + [False] * (5 - zone)
