"""Extraction: spaCy components that find actors, places, dates and CAMEO events.

``extract()`` is the API the CLI's ``kg extract`` and ``kg ingest`` wrap: it
streams articles through one pipeline with ``nlp.pipe`` and yields one
:class:`~kg.records.Extraction` per article, in input order.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator

from spacy.language import Language

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
        n_process: worker processes for ``nlp.pipe``.
    """
    from kg.extraction.pipeline import build_pipeline

    nlp = nlp or build_pipeline(model)
    pairs = ((_prepare(nlp, a), a) for a in articles)
    docs = nlp.pipe(pairs, as_tuples=True, batch_size=batch_size, n_process=n_process)
    for doc, article in docs:
        yield Extraction(
            article, tuple(doc._.kg_entities or ()), tuple(doc._.kg_events or ())
        )


def _prepare(nlp: Language, article: Article):  # noqa: ANN202 - spacy Doc
    """Tokenise and attach the publication date the event component anchors on."""
    doc = nlp.make_doc(article.text)
    doc._.kg_anchor = article.date
    return doc


__all__ = ["extract"]
