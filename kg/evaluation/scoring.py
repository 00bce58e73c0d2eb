"""Score extractions against gold articles: :func:`evaluate`.

Groups the system output by article, matches it to each gold article with
:mod:`kg.evaluation.matching` and sums the per-article figures into one report.
"""

from __future__ import annotations

import logging
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from kg.errors import KGError
from kg.evaluation.gold import GoldArticle, GoldEvent
from kg.evaluation.keys import article_key, cameo_root, iso3, normalise
from kg.evaluation.matching import (
    Match,
    entity_match,
    lenient_match,
    match_items,
    place_matches,
    strict_match,
)
from kg.evaluation.scores import (
    ArticleResult,
    EvaluationReport,
    Geocoding,
    RootScore,
    Score,
)
from kg.records import Entity, Event, Extraction

logger = logging.getLogger(__name__)

ASSERTED = "asserted"


@dataclass
class _Output:
    """System events and entities grouped by article key."""

    events: defaultdict[str, list[Event]] = field(
        default_factory=lambda: defaultdict(list)
    )
    entities: defaultdict[str, list[Entity]] = field(
        default_factory=lambda: defaultdict(list)
    )
    flagged: int = 0


def evaluate(
    gold: Mapping[str, GoldArticle],
    extractions: Iterable[Extraction],
    *,
    include_flagged: bool = False,
    require_common: bool = False,
) -> EvaluationReport:
    """Score extractions against gold articles.

    Gold articles with no extraction count as entirely missed; extractions of
    articles not in the gold are reported in ``unknown_articles`` and not scored.

    Args:
        gold: from :func:`~kg.evaluation.load_gold`.
        extractions: e.g. ``extract(iter_articles(paths))``; consumed once.
        include_flagged: also score events whose modality is not "asserted".
        require_common: refuse to score when no extracted article is in the
            gold: every figure would be 0, which reads as a broken extractor
            rather than as the wrong articles (``kg evaluate``).

    Returns:
        The report; :func:`~kg.evaluation.format_report` prints it.

    Raises:
        KGError: ``require_common`` and no article in common (exit status 1).
    """
    output = _collect(extractions, include_flagged)
    derived = not any(output.entities.values())
    golds = {article_key(k): v for k, v in gold.items()}
    if require_common and not set(output.entities) & set(golds):
        raise KGError(_nothing_in_common(sorted(golds), sorted(output.entities)))
    results = tuple(
        _score_article(
            golds[key],
            output.events.get(key, []),
            _system_entities(output, key, derived),
        )
        for key in sorted(golds)
    )
    unknown = sorted((set(output.events) | set(output.entities)) - set(golds))
    if unknown:
        logger.warning(
            "%d article(s) not in the gold set, not scored: %s",
            len(unknown),
            ", ".join(unknown[:10]),
        )
    return _sum(results, output.flagged, derived, tuple(unknown))


def _nothing_in_common(golds: list[str], read: list[str]) -> str:
    """The one line that says the gold and the articles read share no id."""

    def some(keys: list[str]) -> str:
        return ", ".join(keys[:3]) + (", ..." if len(keys) > 3 else "") or "none"

    return (
        f"no article in common between the gold ({len(golds)}: {some(golds)}) and "
        f"the {len(read)} article(s) read ({some(read)}); articles are matched by "
        "id: the file name without its extension, or the 'id' key"
    )


def _collect(extractions: Iterable[Extraction], include_flagged: bool) -> _Output:
    output = _Output()
    for extraction in extractions:
        key = article_key(extraction.article.id)
        for event in extraction.events:
            if include_flagged or event.modality == ASSERTED:
                output.events[key].append(event)
            else:
                output.flagged += 1
        output.entities[key].extend(extraction.entities)
    return output


def _system_entities(output: _Output, key: str, derived: bool) -> list[Entity]:
    """An article's entities, one per primary key; from its events when derived."""
    if derived:
        found = [
            x
            for e in output.events.get(key, [])
            for x in (e.source, e.target, e.location)
            if x is not None and x.name
        ]
    else:
        found = output.entities.get(key, [])
    unique: dict[str, Entity] = {}
    for entity in found:
        unique.setdefault(normalise(entity.name), entity)
    unique.pop("", None)
    return list(unique.values())


def _score_article(
    gold: GoldArticle, events: list[Event], entities: list[Entity]
) -> ArticleResult:
    lenient = match_items(events, gold.events, lenient_match)
    strict = match_items(events, gold.events, strict_match)
    named = match_items(entities, gold.entities, entity_match)
    roots, invalid = _root_scores(events, gold.events, lenient)
    return ArticleResult(
        article=article_key(gold.id),
        entities=_score(named),
        events=_score(lenient),
        strict=_score(strict),
        ignored_events=lenient.ignored,
        ignored_entities=named.ignored,
        roots=roots,
        geocoding=_geocoding(events, gold.events, lenient),
        invalid_roots=invalid,
        missed_events=tuple(gold.events[j] for j in lenient.missed),
        false_events=tuple(events[i] for i in lenient.false),
        strict_misses=tuple(
            gold.events[j] for j in strict.missed if j not in lenient.missed
        ),
        missed_entities=tuple(gold.entities[j] for j in named.missed),
        false_entities=tuple(entities[i] for i in named.false),
        kind=gold.kind,
    )


def _score(match: Match) -> Score:
    return Score(len(match.pairs), len(match.false), match.required)


def _root_scores(
    events: Sequence[Event], gold: Sequence[GoldEvent], match: Match
) -> tuple[tuple[RootScore, ...], int]:
    """Per-root counts of one article, and its events without a valid root."""
    counts: defaultdict[str, Counter[str]] = defaultdict(Counter)
    for g in gold:
        if not g.optional:
            counts[g.root]["gold"] += 1
    for i, j in match.pairs:
        counts[gold[j].root]["tp_gold"] += 1
        # a matched event's root is one the gold accepts, so it is valid
        counts[str(cameo_root(events[i].cameo))].update(("tp_system", "system"))
    invalid = 0
    for i in match.false:
        root = cameo_root(events[i].cameo)
        if root is None:
            invalid += 1
        else:
            counts[root]["system"] += 1
    return tuple(RootScore(r, **c) for r, c in sorted(counts.items())), invalid


def _geocoding(
    events: Sequence[Event], gold: Sequence[GoldEvent], match: Match
) -> Geocoding:
    checked = country = place = 0
    for i, j in match.pairs:
        expected, found = gold[j].location, events[i].location
        if expected is None:
            continue
        place_ok = place_matches(found, expected)
        code = iso3(found.country) if found else None
        checked += 1
        place += place_ok
        country += place_ok or (code is not None and code == iso3(expected.country))
    return Geocoding(checked, country, place)


def _sum(
    results: tuple[ArticleResult, ...],
    flagged: int,
    derived: bool,
    unknown: tuple[str, ...],
) -> EvaluationReport:
    roots: dict[str, RootScore] = {}
    for result in results:
        for r in result.roots:
            roots[r.root] = roots.get(r.root, RootScore(r.root)) + r
    return EvaluationReport(
        entities=sum((r.entities for r in results), Score()),
        events=sum((r.events for r in results), Score()),
        strict=sum((r.strict for r in results), Score()),
        per_root=tuple(roots[k] for k in sorted(roots)),
        geocoding=sum((r.geocoding for r in results), Geocoding()),
        ignored_events=sum(r.ignored_events for r in results),
        ignored_entities=sum(r.ignored_entities for r in results),
        flagged=flagged,
        invalid_roots=sum(r.invalid_roots for r in results),
        entities_derived=derived,
        unknown_articles=unknown,
        articles=results,
    )
