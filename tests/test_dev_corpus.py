"""Extraction quality on the annotated corpus (only where ../shared exists).

Users do not have ../shared, so these tests skip cleanly without it; CI has it.
``dev/`` is measured only (nothing is tuned on it); ``train/`` is what models are
fitted and rules tuned on, so its scores (the bundled coder was fitted on it) are
optimistic; the honest training figure is the cross-validated one ``kg train``
prints. Each floor is the score measured when it was set minus
0.02, so a change that loses ground fails; raise the floors as scores improve
(``python benchmarks/dev_corpus.py`` prints both sets).
"""

from __future__ import annotations

import importlib.util

import pytest
from helpers.paths import ROOT, SHARED

pytestmark = pytest.mark.skipif(
    not (SHARED / "corpus" / "score.py").is_file(),
    reason="the annotated corpus (../shared/corpus) is not present",
)

#: Floors per set: measured scores minus 0.02 (coder 4db99ba2614f, kg 0.3.0:
#: dev 0.419 / 0.907 / 0.372, train in-sample 0.633 / 0.928 / 0.489; its
#: listwise ranker fits the training texts less closely than the pairwise one
#: did, 0.68 in-sample, while cross-validated it is better, 0.481 against 0.457).
FLOORS = {
    "dev": {"events_f1": 0.39, "entities_f1": 0.88, "strict_f1": 0.35},
    "train": {"events_f1": 0.60, "entities_f1": 0.90, "strict_f1": 0.45},
}


@pytest.fixture(scope="module")
def benchmark():
    path = ROOT / "benchmarks" / "dev_corpus.py"
    spec = importlib.util.spec_from_file_location("dev_corpus", path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module", params=sorted(FLOORS))
def scores(request, benchmark) -> tuple[str, dict[str, float]]:
    corpus_set = request.param
    return corpus_set, benchmark.parse_scores(
        benchmark.score(SHARED, corpus_set=corpus_set)
    )


@pytest.mark.parametrize("metric", ["events_f1", "entities_f1", "strict_f1"])
def test_dev_corpus_scores_at_least(scores, metric):
    corpus_set, measured = scores
    assert measured[metric] >= FLOORS[corpus_set][metric], (corpus_set, measured)
