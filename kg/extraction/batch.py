"""Extraction of one batch of articles in one pipeline, as plain records.

The one loop every way of running shares: in this process (``extract``), in
worker processes (:mod:`kg.extraction.runtime.parallel`) and on Dask workers
(:mod:`kg.extraction.runtime.distributed`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from contextlib import nullcontext

from spacy.language import Language
from spacy.tokens import Doc

from kg.extraction.chunks import merge_entities, shift_event, split_text
from kg.records import Article, Entity, Event, Extraction

#: What travels beside each piece through ``nlp.pipe``: its article, its offset
#: in the article's text, and whether it is the article's last piece.
_Key = tuple[Article, int, bool]

#: Characters of text one ``nlp.pipe`` batch may hold. spaCy's memory follows
#: the characters in a batch, not the number of Docs (about 3 GB per million
#: characters of dense names, measured by benchmarks/hostile_memory.py): 32
#: pieces of up to 100,000 characters each could take 10 GB, while a budget of
#: 100,000 characters kept every case near 0.6 GB. Short news articles still
#: go 20 or more to a batch.
BATCH_CHARS = 100_000

#: Articles whose Docs share one spaCy memory zone (``Language.memory_zone``):
#: the strings and lexemes the model adds for them are dropped once their
#: extractions (plain records) are made, so a long run's vocabulary, and its
#: memory, stay flat instead of growing with every new word.
ZONE_ARTICLES = 64


def extract_batch(
    articles: list[Article],
    nlp: Language,
    *,
    batch_size: int = 32,
    zone: bool = True,
) -> list[Extraction]:
    """The extractions of a batch of articles, made inside a memory zone if asked.

    The first batch a pipeline sees should run outside a zone, so the
    tokenizer's cache (which a zone leaves unfilled) and the lexemes of common
    words are kept; every later one inside, so the strings and lexemes of its
    new words are dropped and a long run's memory stays flat. Worker processes
    (``--workers``, Dask) call this once per task for that reason.
    """
    with nlp.memory_zone() if zone else nullcontext():
        return list(_extract_chunk(articles, nlp, batch_size))


def _extract_chunk(
    articles: list[Article], nlp: Language, batch_size: int
) -> Iterator[Extraction]:
    """The extractions of some articles, in order, as plain records."""
    pieces = (
        (text, (article, offset, last))
        for article in articles
        for offset, text, last in _pieces(article)
    )
    docs = (
        parsed
        for group in _budgeted(pieces, batch_size, BATCH_CHARS)
        for parsed in nlp.pipe(
            ((_prepare(nlp, text, key[0]), key) for text, key in group),
            as_tuples=True,
            batch_size=len(group),
        )
    )
    entities: list[tuple[Entity, ...]] = []
    events: list[Event] = []
    first: Entity | None = None  # the city of the article's first dateline
    for doc, (article, offset, last) in docs:
        entities.append(tuple(doc._.kg_entities or ()))
        events.extend(shift_event(e, offset) for e in doc._.kg_events or ())
        first = first or doc._.kg_dateline_place
        if last:
            merged = merge_entities(entities)
            dateline = article_dateline(first, merged)
            yield Extraction(article, merged, tuple(events), dateline)
            entities, events, first = [], [], None


def _budgeted(
    pieces: Iterable[tuple[str, _Key]], most: int, budget: int
) -> Iterator[list[tuple[str, _Key]]]:
    """Consecutive groups of at most ``most`` pieces and ``budget`` characters.

    A piece longer than the budget (up to the chunker's 100,000) is a group of
    its own. Lazy, so a folder of any size streams.
    """
    group: list[tuple[str, _Key]] = []
    size = 0
    for piece in pieces:
        if group and (len(group) == most or size + len(piece[0]) > budget):
            yield group
            group, size = [], 0
        group.append(piece)
        size += len(piece[0])
    if group:
        yield group


def article_dateline(
    first: Entity | None, entities: tuple[Entity, ...]
) -> Entity | None:
    """The article's dateline place: its first dateline's city, when GeoNames knows it.

    ``first`` is the first dateline's city (None: no dateline), as the actor
    component resolved it with the gazetteer of the events' places. The entity
    returned is the one among ``entities`` (merged across the article's pieces),
    so the article graph describes the place once, whatever names it went by.

    Returns:
        None when there is no dateline or its city was not resolved: a map
        cannot place an article at a name without coordinates or an id.
    """
    if first is None or first.geonames_id is None:
        return None
    key = (first.kind, first.name, first.country)
    return next((e for e in entities if (e.kind, e.name, e.country) == key), first)


def _pieces(article: Article) -> list[tuple[int, str, bool]]:
    """The article's text in pieces the parser can take; the last one flagged."""
    parts = split_text(article.text)
    return [
        (offset, text, i == len(parts) - 1) for i, (offset, text) in enumerate(parts)
    ]


def _prepare(nlp: Language, text: str, article: Article) -> Doc:
    """Tokenise and attach the publication date the event component anchors on."""
    doc = nlp.make_doc(text)
    doc._.kg_anchor = article.date
    return doc
