"""Print extractions: JSON Lines in the corpus scorer's schema, or a readable table."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from kg.records import Entity, Event, Extraction


def entity_json(entity: Entity | None) -> dict[str, Any] | None:
    """An actor or place as the scorer reads it (name, kind, country, aliases)."""
    if entity is None:
        return None
    out: dict[str, Any] = {
        "name": entity.name,
        "kind": entity.kind,
        "country": entity.country,
    }
    if entity.aliases:
        out["aliases"] = list(entity.aliases)
    if entity.role:
        out["role"] = entity.role
    if entity.code:
        out["code"] = entity.code
    if entity.merges:
        out["merges"] = [list(pair) for pair in entity.merges]
    if entity.geonames_id is not None:
        out["geonames"] = {
            "id": entity.geonames_id,
            "lat": entity.latitude,
            "lon": entity.longitude,
        }
    return out


def event_json(article_id: str, event: Event) -> dict[str, Any]:
    """One event line; ``type`` is the root, ``code`` the finer CAMEO code."""
    return {
        "article": article_id,
        "type": event.root,
        "code": event.cameo,
        "trigger": event.trigger,
        "source": entity_json(event.source),
        "target": entity_json(event.target),
        "location": entity_json(event.location),
        "date": event.date,
        "sentence": event.sentence,
        "start": event.start,
        "end": event.end,
        "confidence": event.confidence,
        "modality": event.modality,
    }


def shown_events(extraction: Extraction, include_flagged: bool) -> list[Event]:
    """Asserted events, plus negated/hypothetical/future ones when asked for."""
    return [e for e in extraction.events if include_flagged or e.modality == "asserted"]


def jsonl_lines(extraction: Extraction, include_flagged: bool = False) -> Iterable[str]:
    """Per article: one line per event, then one per distinct entity.

    Negated, hypothetical and future mentions are left out unless
    ``include_flagged``; their ``modality`` field says which they are. The
    place the article was filed from is its entity line with ``"dateline":
    true`` beside ``entity``: a scorer reading only ``entity`` sees the same
    lines as before.
    """
    aid = extraction.article.id
    for event in shown_events(extraction, include_flagged):
        yield json.dumps(event_json(aid, event), ensure_ascii=False)
    entities = extraction.entities
    if extraction.dateline is not None and extraction.dateline not in entities:
        entities += (extraction.dateline,)
    for entity in entities:
        line: dict[str, Any] = {"article": aid, "entity": entity_json(entity)}
        if entity == extraction.dateline:
            line["dateline"] = True
        yield json.dumps(line, ensure_ascii=False)


def table_rows(
    extraction: Extraction, include_flagged: bool = False
) -> Iterable[tuple[str, ...]]:
    """Rows for ``--format table``: article, code, actors, trigger, place, date."""
    for e in shown_events(extraction, include_flagged):
        yield (
            extraction.article.id,
            e.cameo,
            e.source.name,
            e.trigger,
            e.target.name if e.target else "",
            e.location.name if e.location else "",
            e.date or "",
            f"{e.confidence:.2f}",
        )
