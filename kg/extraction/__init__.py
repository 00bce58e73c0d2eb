"""Extraction: spaCy components that find actors, places, dates and CAMEO events.

``extract()`` is the API the CLI's ``kg extract`` and ``kg ingest`` wrap: it
streams articles through one pipeline with ``nlp.pipe`` and yields one
:class:`~kg.records.Extraction` per article, in input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from itertools import chain, islice

from spacy.language import Language

from kg.extraction.batch import ZONE_ARTICLES, extract_batch
from kg.records import Article, Extraction


def extract(
    articles: Iterable[Article],
    nlp: Language | None = None,
    *,
    model: str | None = None,
    batch_size: int = 32,
    n_process: int = 1,
) -> Iterator[Extraction]:
    """Run the pipeline over articles and yield their entities and events.

    Args:
        articles: any iterable; consumed lazily, so folders of any size stream.
        nlp: a pipeline from :func:`build_pipeline`; built from ``model`` if None.
        model: spaCy pipeline name when ``nlp`` is not given.
        batch_size: documents per ``nlp.pipe`` batch.
        n_process: worker processes; above 1, each builds its own pipeline from
            ``model`` (``nlp`` is not sent to them) and the output is the same as
            with one (see :mod:`kg.extraction.runtime.parallel`).
    """
    from kg.extraction.pipeline import build_pipeline

    if n_process > 1:
        from kg.extraction.runtime.parallel import extract_parallel

        yield from extract_parallel(
            articles, model=model, n_process=n_process, batch_size=batch_size
        )
        return
    remaining = iter(articles)
    first = next(remaining, None)
    if first is None:
        return  # nothing to extract: no model to load
    nlp = nlp or build_pipeline(model)
    remaining = chain([first], remaining)
    chunks = iter(lambda: list(islice(remaining, ZONE_ARTICLES)), [])
    for number, chunk in enumerate(chunks):
        # never yield from inside a zone: the caller may use nlp
        yield from extract_batch(chunk, nlp, batch_size=batch_size, zone=number > 0)


__all__ = ["ZONE_ARTICLES", "extract", "extract_batch"]
