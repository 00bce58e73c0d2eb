"""Long articles are split for the parser and stitched back with whole-text offsets."""

from __future__ import annotations

import pytest

from kg.extraction.chunks import MAX_CHARS, merge_entities, shift_event, split_text
from kg.records import Article, Entity, Event

PARAGRAPH = "Egypt condemned Turkey on Monday. Russian forces attacked Kharkiv.\n\n"


@pytest.mark.parametrize("limit", [50, 200, 1000])
def test_chunks_split_covers_text_in_order_within_limit(limit):
    text = PARAGRAPH * 40
    pieces = split_text(text, limit)
    assert "".join(piece for _, piece in pieces) == text
    assert all(len(piece) <= limit for _, piece in pieces)
    assert [offset for offset, _ in pieces] == [
        sum(len(p) for _, p in pieces[:i]) for i in range(len(pieces))
    ]


@pytest.mark.parametrize("limit", [200])
def test_chunks_split_prefers_paragraph_boundaries(limit):
    pieces = split_text(PARAGRAPH * 10, limit)
    assert all(piece.endswith("\n") for _, piece in pieces[:-1])


@pytest.mark.parametrize("text", ["", "short", "x" * 500])
def test_chunks_short_or_unbreakable_text(text):
    pieces = split_text(text, 200)
    assert "".join(p for _, p in pieces) == text


@pytest.mark.parametrize("offset", [0, 1234])
def test_chunks_shift_event_moves_all_offsets(offset):
    actor = Entity("Egypt", "country", "EGY")
    event = Event("111", "condemned", actor, None, None, None, "s", 5, 9, 0.5, 6)
    moved = shift_event(event, offset)
    assert (moved.start, moved.end, moved.trigger_start) == (
        5 + offset,
        9 + offset,
        6 + offset,
    )


@pytest.mark.parametrize("name", ["Volodymyr Zelensky"])
def test_chunks_merge_entities_unites_aliases_and_reasons(name):
    a = Entity(
        name,
        "person",
        "UKR",
        ("Zelensky",),
        "President",
        merges=(("Zelensky", "same surname"),),
    )
    b = Entity(
        name,
        "person",
        "UKR",
        ("the Ukrainian leader",),
        None,
        merges=(("the Ukrainian leader", "leader of UKR"),),
    )
    (merged,) = merge_entities([(a,), (b,)])
    assert merged.aliases == ("Zelensky", "the Ukrainian leader")
    assert dict(merged.merges) == {
        "Zelensky": "same surname",
        "the Ukrainian leader": "leader of UKR",
    }
    assert merged.role == "President"


@pytest.mark.parametrize("copies", [MAX_CHARS * 2 // len(PARAGRAPH) + 10])
def test_chunks_article_longer_than_a_piece_extracts_with_true_offsets(nlp, copies):
    """An article over MAX_CHARS (spaCy alone would reject one over 1,000,000)."""
    from kg.extraction import extract

    text = PARAGRAPH * copies
    extraction = next(extract([Article(id="long", text=text)], nlp))
    assert len(split_text(text)) >= 3
    assert len(extraction.events) >= copies  # at least the condemnations
    assert all(text[e.start : e.end] == e.sentence for e in extraction.events)
    assert len([e for e in extraction.entities if e.name == "Egypt"]) == 1
