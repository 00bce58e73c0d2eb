"""Gold articles, events and names, and the reader of gold JSON Lines files.

The records carry every variant a correct output may take (aliases, ``alt_*``
fields, symmetric and optional events), so the matching rules need not know the
file format; :func:`load_gold` checks each line for what scoring needs.
"""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, replace
from functools import cached_property
from typing import Any

from kg.errors import InputError
from kg.evaluation.keys import article_key, cameo_root, loose_key, normalise


@dataclass(frozen=True)
class GoldName:
    """A gold actor, place or entity, with every name it may be written as.

    Attributes:
        name: the name as written in the article.
        canonical: the preferred name, shown in reports.
        kind: person, organization, country, group, location or other.
        country: ISO 3166 alpha-3 code, if any.
        aliases: other accepted surface forms.
        optional: for entities: finding it is neither rewarded nor penalised.
    """

    name: str
    canonical: str = ""
    kind: str | None = None
    country: str | None = None
    aliases: tuple[str, ...] = ()
    optional: bool = False

    @cached_property
    def _names(self) -> tuple[str, ...]:
        return tuple(n for n in (self.name, self.canonical, *self.aliases) if n)

    @cached_property
    def keys(self) -> frozenset[str]:
        """Primary keys of every accepted name."""
        return frozenset(k for k in map(normalise, self._names) if k)

    @cached_property
    def loose_keys(self) -> frozenset[str]:
        """Secondary keys (titles and demonyms dropped) of every accepted name."""
        return frozenset(k for k in map(loose_key, self._names) if k)

    def matches_name(self, name: str | None) -> bool:
        """Whether a system name is one of this item's names."""
        if not name:
            return False
        loose = loose_key(name)
        return normalise(name) in self.keys or bool(loose and loose in self.loose_keys)


@dataclass(frozen=True)
class GoldEvent:
    """One gold event and the variants a correct system output may take.

    Attributes:
        id: the gold's own id ("002-E03"), shown in reports.
        root: 2-digit CAMEO root.
        source, target, location: the gold actors and place (target/place optional).
        date: ISO date, or None when the text does not pin it.
        alt_roots: further roots accepted for the event.
        alt_sources, alt_targets: further actors accepted (joint or mutual actions).
        alt_dates: further dates accepted.
        symmetric: source and target may be swapped.
        optional: finding it is neither rewarded nor penalised.
    """

    id: str
    root: str
    source: GoldName
    target: GoldName | None = None
    location: GoldName | None = None
    date: str | None = None
    sentence: str = ""
    trigger: str = ""
    alt_roots: tuple[str, ...] = ()
    alt_sources: tuple[GoldName, ...] = ()
    alt_targets: tuple[GoldName, ...] = ()
    alt_dates: tuple[str, ...] = ()
    symmetric: bool = False
    optional: bool = False

    @property
    def roots(self) -> frozenset[str]:
        return frozenset((self.root, *self.alt_roots))

    @property
    def sources(self) -> tuple[GoldName, ...]:
        return (self.source, *self.alt_sources)

    @property
    def targets(self) -> tuple[GoldName, ...]:
        return (*((self.target,) if self.target else ()), *self.alt_targets)

    @property
    def joint(self) -> bool:
        """A joint or mutual action, which several system events may report."""
        return bool(self.alt_sources or self.alt_targets or self.symmetric)


@dataclass(frozen=True)
class GoldArticle:
    """The gold entities and events of one article.

    ``kind`` is the text kind the corpus gives (``text_kind``: "wikinews",
    "wikipedia_current_events", ...), for scores per kind; ``line`` is where the
    article's gold is in its file, for error messages.
    """

    id: str
    entities: tuple[GoldName, ...] = ()
    events: tuple[GoldEvent, ...] = ()
    kind: str | None = None
    line: int = 0


# --------------------------------------------------------------------- reading gold
class _Malformed(ValueError):
    """A gold line parses as JSON but lacks what scoring needs."""


def load_gold(path: str | os.PathLike[str]) -> dict[str, GoldArticle]:
    """Read a gold file: JSON Lines, one article object per line.

    Args:
        path: the gold ``.jsonl`` file (the corpus format).

    Returns:
        Articles keyed by :func:`article_key` of their id.

    Raises:
        InputError: the file cannot be read, a line is not JSON, a field scoring needs
            is missing or wrong, or an article id appears twice; names file and line.
    """
    label = os.fspath(path)
    try:
        with open(path, encoding="utf-8") as handle:
            lines = handle.read().split("\n")
    except (OSError, UnicodeError) as exc:
        raise InputError(
            label,
            f"cannot read the gold file ({exc}); check the path "
            "and that it is UTF-8 JSON Lines",
        ) from exc
    gold: dict[str, GoldArticle] = {}
    for number, line in enumerate(lines, 1):
        if line.strip():
            article = _parse_line(line, label, number)
            key = article_key(article.id)
            if key in gold:
                raise InputError(
                    label,
                    f"article {article.id!r} appears twice; keep one line per article",
                    number,
                )
            gold[key] = article
    return gold


def _parse_line(line: str, label: str, number: int) -> GoldArticle:
    """One gold line as a GoldArticle, or an InputError naming the line."""
    try:
        return replace(_gold_article(json.loads(line)), line=number)
    except json.JSONDecodeError as exc:
        problem = (
            f"not valid JSON ({exc.msg}, column {exc.colno}); each line must "
            "be one gold article object"
        )
        raise InputError(label, problem, number) from exc
    except _Malformed as exc:
        raise InputError(label, str(exc), number) from None


def _gold_article(obj: Any) -> GoldArticle:
    if not isinstance(obj, dict) or obj.get("id") in (None, ""):
        raise _Malformed(
            "no article 'id'; each line must be an object with id, entities and events"
        )
    for key in ("entities", "events"):
        if not isinstance(obj.get(key), list):
            raise _Malformed(
                f"article {obj['id']!r} has no '{key}' list; give it "
                f"'{key}': [] when there are none"
            )
    entities = (_gold_name(e, f"entity {n}") for n, e in enumerate(obj["entities"], 1))
    events = (_gold_event(e, n) for n, e in enumerate(obj["events"], 1))
    kind = obj.get("text_kind")
    return GoldArticle(
        str(obj["id"]),
        tuple(entities),
        tuple(events),
        kind=str(kind) if kind else None,
    )


def _gold_name(obj: Any, where: str) -> GoldName:
    name = obj.get("name") if isinstance(obj, dict) else None
    if not isinstance(name, str) or not name.strip():
        raise _Malformed(
            f"{where} has no 'name'; every gold actor, place and entity needs one"
        )
    return GoldName(
        name=name,
        canonical=str(obj.get("canonical") or name),
        kind=obj.get("kind"),
        country=obj.get("country"),
        aliases=tuple(a for a in obj.get("aliases") or () if isinstance(a, str)),
        optional=bool(obj.get("optional")),
    )


def _gold_event(obj: Any, number: int) -> GoldEvent:
    where = f"event {number}"
    if not isinstance(obj, dict) or any(not obj.get(k) for k in ("id", "type")):
        raise _Malformed(f"{where} needs 'id', 'type' and 'source'")
    where = f"event {obj['id']!r}"
    names = _gold_names(obj, where)
    return GoldEvent(
        id=str(obj["id"]),
        root=_gold_root(obj["type"], where),
        date=str(obj["date"]) if obj.get("date") else None,
        sentence=str(obj.get("sentence") or ""),
        trigger=str(obj.get("trigger") or ""),
        alt_roots=tuple(_gold_root(t, where) for t in obj.get("alt_types") or ()),
        alt_dates=tuple(str(d) for d in obj.get("alt_dates") or ()),
        symmetric=bool(obj.get("symmetric")),
        optional=bool(obj.get("optional")),
        **names,
    )


def _gold_names(obj: dict[str, Any], where: str) -> dict[str, Any]:
    """The actors and place of a gold event, by GoldEvent field name."""

    def one(key: str) -> GoldName | None:
        return _gold_name(obj[key], f"{where} {key}") if obj.get(key) else None

    def many(key: str) -> tuple[GoldName, ...]:
        return tuple(_gold_name(a, f"{where} {key}") for a in obj.get(key) or ())

    if not obj.get("source"):
        raise _Malformed(
            f"{where} has no 'source'; conservative coding needs a named source actor"
        )
    return {
        "source": one("source"),
        "target": one("target"),
        "location": one("location"),
        "alt_sources": many("alt_sources"),
        "alt_targets": many("alt_targets"),
    }


def _gold_root(code: Any, where: str) -> str:
    root = cameo_root(code)
    if root is None:
        raise _Malformed(
            f"{where}: type {code!r} is not a CAMEO code; use a root "
            'from "01" to "20" or a finer code such as "042"'
        )
    return root
