"""Extraction quality on the development corpus (only where ../shared exists).

Users do not have ../shared, so these tests skip cleanly without it; CI has it.
"""

from __future__ import annotations

import importlib.util

import pytest
from conftest import ROOT, SHARED

pytestmark = pytest.mark.skipif(
    not (SHARED / "corpus" / "score.py").is_file(),
    reason="the development corpus (../shared/corpus) is not present",
)


@pytest.fixture(scope="module")
def scores() -> dict[str, float]:
    path = ROOT / "benchmarks" / "dev_corpus.py"
    spec = importlib.util.spec_from_file_location("dev_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module.parse_scores(module.score(SHARED))


@pytest.mark.parametrize(
    ("metric", "floor"),
    [("events_f1", 0.20), ("entities_f1", 0.80)],
)
def test_dev_corpus_scores_at_least(scores, metric, floor):
    assert scores[metric] >= floor, scores
