"""Fixtures shared by the test modules: the real pipeline, samples, a built store."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT / "data" / "articles"
SAMPLE = DATA / "ukraine-us-talks.txt"
SHARED = ROOT.parent / "shared"


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
