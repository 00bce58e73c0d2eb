"""Long articles in pieces: split before the parser, stitch the results back.

spaCy refuses texts over ``nlp.max_length`` (1,000,000 characters) and its
parser's memory grows with document length. A long report is cut at paragraph
(else line, else word) boundaries into pieces of at most :data:`MAX_CHARS`;
events keep offsets into the whole article, and entities found in several
pieces are merged into one.
"""

from __future__ import annotations

from dataclasses import replace

from kg.records import Entity, Event

#: Characters per piece: far below spaCy's limit, large enough that a news
#: article is always one piece.
MAX_CHARS = 100_000


def split_text(text: str, limit: int = MAX_CHARS) -> list[tuple[int, str]]:
    """(offset, piece) pairs covering ``text`` in order, each ≤ ``limit`` chars."""
    pieces: list[tuple[int, str]] = []
    start = 0
    while len(text) - start > limit:
        end = start + _cut(text[start : start + limit], limit)
        pieces.append((start, text[start:end]))
        start = end
    pieces.append((start, text[start:]))
    return pieces


def _cut(window: str, limit: int) -> int:
    """Where to end a piece: after the last paragraph break in the second half
    of the window, else the last line break, else the last space, else hard."""
    for mark in ("\n\n", "\n", " "):
        at = window.rfind(mark)
        if at > limit // 2:
            return at + len(mark)
    return limit


def shift_event(event: Event, offset: int) -> Event:
    """An event found in a piece, with offsets into the whole article."""
    if not offset:
        return event
    return replace(
        event,
        start=event.start + offset,
        end=event.end + offset,
        trigger_start=event.trigger_start + offset,
    )


def merge_entities(groups: list[tuple[Entity, ...]]) -> tuple[Entity, ...]:
    """One entity per (kind, name, country) across pieces, aliases united."""
    merged: dict[tuple, Entity] = {}
    for entity in (e for group in groups for e in group):
        key = (entity.kind, entity.name, entity.country)
        known = merged.get(key)
        if known is None:
            merged[key] = entity
            continue
        aliases = tuple(dict.fromkeys(known.aliases + entity.aliases))
        merges = tuple(dict(known.merges + entity.merges).items())
        merged[key] = replace(
            known, aliases=aliases, merges=merges, role=known.role or entity.role
        )
    return tuple(merged.values())
