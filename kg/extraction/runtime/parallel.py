"""Extraction in worker processes: each loads the pipeline once, output in order.

spaCy's own ``nlp.pipe(n_process=N)`` sends Docs between processes as msgpack,
which cannot carry kg's Doc extensions (the publication date in
``doc._.kg_anchor``, the Entity and Event records in ``doc._.kg_entities`` /
``kg_events``), so it fails on the first article. Here whole articles go to the
workers and pickled :class:`~kg.records.Extraction` records come back; each
worker runs the same :func:`kg.extraction.extract` as a single process does, so
the output is the same. Workers are spawned, not forked: the caller may hold
threads (a progress bar, an open store) that a fork would copy half-way.
"""

from __future__ import annotations

import multiprocessing
from collections import deque
from collections.abc import Iterable, Iterator
from concurrent.futures import Future, ProcessPoolExecutor
from itertools import islice

from spacy.language import Language

from kg.records import Article, Extraction

#: Batches in flight per worker: enough to keep every worker busy, few enough
#: that memory does not grow with the corpus.
AHEAD = 2

_nlp: Language | None = None
_batch_size = 32
_tasks = 0


def extract_parallel(
    articles: Iterable[Article],
    *,
    model: str | None,
    n_process: int,
    batch_size: int = 32,
) -> Iterator[Extraction]:
    """Yield one Extraction per article, in input order, from ``n_process`` workers.

    Args:
        articles: consumed lazily, at most ``AHEAD * n_process`` batches ahead.
        model: spaCy pipeline name each worker builds (None: the default).
        n_process: worker processes.
        batch_size: articles per task, and documents per ``nlp.pipe`` batch.
    """
    context = multiprocessing.get_context("spawn")
    batches = _batched(articles, batch_size)
    with ProcessPoolExecutor(
        n_process, mp_context=context, initializer=_start, initargs=(model, batch_size)
    ) as pool:
        pending: deque[Future] = deque()
        try:
            for batch in batches:
                pending.append(pool.submit(_extract_batch, batch))
                if len(pending) >= AHEAD * n_process:
                    yield from pending.popleft().result()
            while pending:
                yield from pending.popleft().result()
        finally:
            pool.shutdown(cancel_futures=True)


def _batched(items: Iterable[Article], size: int) -> Iterator[list[Article]]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


def _start(model: str | None, batch_size: int) -> None:
    """Worker initialiser: build the pipeline once for the worker's lifetime."""
    global _nlp, _batch_size
    from kg.extraction.pipeline import build_pipeline

    _nlp = build_pipeline(model)
    _batch_size = batch_size


def _extract_batch(articles: list[Article]) -> list[Extraction]:
    """Worker task: the extractions of one batch of articles.

    The worker's first task runs outside a spaCy memory zone and every later
    one inside, as one process's run does, so a worker's memory stays flat.
    """
    global _tasks
    from kg.extraction.batch import extract_batch

    if _nlp is None:
        raise RuntimeError("extraction worker used before _start built its pipeline")
    _tasks += 1
    return extract_batch(articles, _nlp, batch_size=_batch_size, zone=_tasks > 1)
