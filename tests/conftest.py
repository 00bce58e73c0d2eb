"""Fixtures shared by the test modules: the real pipeline, samples, built stores.

Expensive artefacts (the spaCy pipelines, stores built by ingesting or from the
hand-written fixtures) are session-scoped and built once; tests that only read
them share them. Helpers the fixtures are built from live in ``tests/helpers``.

- ``nlp``, ``rules_nlp``: the real pipeline, with and without the trained coder.
- ``sample_extraction``, ``built_store``: the sample article(s), extracted/ingested.
- ``store``: an empty embedded store of the test's own.
- ``filled_store``: helpers.storefixture's three articles, shared read-only.
- ``trig_store`` / ``trig_store_path``: tests/data/graphs, shared, never written.
- ``backend_store``: an empty store on each backend of helpers.backends.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from helpers.backends import BACKENDS
from helpers.paths import DATA, ROOT, SAMPLE, SHARED

#: Still importable from here; new code imports them from helpers.paths.
__all__ = ["DATA", "ROOT", "SAMPLE", "SHARED"]


@pytest.fixture(scope="session")
def nlp():
    """The real spaCy model with kg's components, built once per test session."""
    from kg.extraction.pipeline import build_pipeline

    return build_pipeline()


@pytest.fixture(scope="session")
def rules_nlp():
    """The same pipeline with the dependency rules alone, no trained coder.

    The rules' events are the coder's candidates and features; tests of what the
    rules read off a parse use this, tests of the output use ``nlp``.
    """
    from kg.extraction.pipeline import build_pipeline

    return build_pipeline(coder_dir="none")


@pytest.fixture(scope="session")
def sample_extraction(nlp):
    """The user's sample article, extracted with the real model."""
    from kg.extraction import extract
    from kg.read import iter_articles

    return next(extract(iter_articles([SAMPLE]), nlp))


@pytest.fixture(scope="session")
def built_store(nlp, tmp_path_factory) -> Iterator:
    """A persistent Oxigraph store holding every bundled sample article."""
    from kg.ingestion import ingest
    from kg.store import open_store

    path = tmp_path_factory.mktemp("store") / "store"
    with open_store(path) as store:
        ingest([DATA], store, nlp=nlp)
        yield store


# --- stores -----------------------------------------------------------------------


@pytest.fixture
def store(tmp_path) -> Iterator:
    """An empty embedded store of the test's own."""
    from kg.store import open_store

    with open_store(tmp_path / "store") as opened:
        yield opened


@pytest.fixture(scope="session")
def filled_store_path(tmp_path_factory) -> Path:
    """A closed store holding helpers.storefixture's three articles, built once."""
    from helpers.storefixture import fill

    from kg.store import open_store

    path = tmp_path_factory.mktemp("filled") / "store"
    with open_store(path) as opened:
        fill(opened)
    return path


@pytest.fixture(scope="module")
def filled_store(filled_store_path) -> Iterator:
    """That store opened read-only: tests share it, and none can change it."""
    from kg.store import open_store

    with open_store(filled_store_path, read_only=True) as opened:
        yield opened


@pytest.fixture(scope="session")
def trig_store_path(tmp_path_factory) -> Path:
    """A closed store of tests/data/graphs/events.trig and the ontology.

    Shared by every test that reads it; none may write to it.
    """
    from helpers.trigstore import fill_store

    from kg.store import open_store

    path = tmp_path_factory.mktemp("trig") / "store"
    with open_store(path) as opened:
        fill_store(opened)
    return path


@pytest.fixture
def trig_store(trig_store_path) -> Iterator:
    """The trig store, opened for one test (and closed for child processes)."""
    from kg.store import open_store

    with open_store(trig_store_path) as opened:
        yield opened


@pytest.fixture(params=BACKENDS)
def backend_store(request, tmp_path) -> Iterator:
    """An empty store on each backend of helpers.backends (servers when set)."""
    from helpers.backends import open_backend

    with open_backend(request.param, tmp_path) as opened:
        yield opened
