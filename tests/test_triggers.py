"""Tests for kg.extraction.triggers: the lemma-indexed trigger matcher.

The matcher must give exactly what spaCy's ``span_ruler`` gives for the same
patterns (the events depend on the spans, their labels, ids and order), so each
test runs both on the same parsed documents and compares.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from kg.extraction.pipeline import TRIGGERS_KEY, trigger_patterns
from kg.extraction.triggers import TriggerMatcher
from kg.read import iter_articles

DATA = Path(__file__).resolve().parent.parent / "data" / "articles"

#: Sentences where the optional tokens of multi-word patterns take every path.
SENTENCES = [
    "Rebels claimed responsibility for the attack on Monday.",
    "The group took full responsibility, then denied any responsibility.",
    "Russia and Ukraine held talks in Istanbul; they held new peace talks later.",
    "The minister expressed his deepest condolences and held a phone call.",
    "Protesters marched and rallied; police arrested dozens after the riot.",
]


def _spans(doc, key: str) -> list[tuple[int, int, str, str]]:
    return [(s.start, s.end, s.label_, s.id_) for s in doc.spans.get(key, [])]


def _both(nlp, patterns: list[dict], texts: list[str]) -> list[tuple[list, list]]:
    """(span_ruler spans, TriggerMatcher spans) for each text."""
    ruler_nlp = nlp.__class__(nlp.vocab)
    ruler = ruler_nlp.add_pipe("span_ruler", config={"spans_key": "ruler"})
    ruler.add_patterns(patterns)
    ours = TriggerMatcher(nlp, spans_key="ours")
    ours.add_patterns(patterns)
    out = []
    for doc in nlp.pipe(texts):
        ruler(doc)
        ours(doc)
        out.append((_spans(doc, "ruler"), _spans(doc, "ours")))
    return out


@pytest.mark.parametrize("source", ["sentences", "sample articles"])
def test_triggers_match_span_ruler(nlp, source):
    texts = (
        SENTENCES if source == "sentences" else [a.text for a in iter_articles([DATA])]
    )
    results = _both(nlp, trigger_patterns(), texts)
    assert sum(len(ruler) for ruler, _ in results) > len(texts)
    for ruler, ours in results:
        assert ours == ruler


@pytest.mark.parametrize(
    "pattern",
    [
        [{"LEMMA": "hold"}, {"OP": "*"}, {"LEMMA": "talk"}],  # "*": not indexed
        [{"POS": "VERB"}, {"LOWER": "talks"}],  # no lemma first
        "peace talks",  # a phrase pattern
        [{"LEMMA": {"IN": ["hold", "take"]}}, {"OP": "?", "POS": "DET"}],
    ],
)
def test_triggers_other_patterns_match_span_ruler(nlp, pattern):
    patterns = [{"label": "040", "pattern": pattern, "id": "p"}]
    results = _both(nlp, patterns, SENTENCES)
    assert any(ruler for ruler, _ in results)
    for ruler, ours in results:
        assert ours == ruler


@pytest.mark.parametrize("key", [TRIGGERS_KEY])
def test_triggers_in_pipeline_fill_the_spans_key(nlp, key):
    doc = nlp("Russia and Ukraine held talks in Istanbul.")
    assert ("held talks", "040") in {(s.text, s.label_) for s in doc.spans[key]}


@pytest.mark.parametrize("text", ["They held talks."])
def test_triggers_refuse_docs_without_lemmas(text):
    import spacy

    from kg.errors import ModelError

    blank = spacy.blank("en")
    matcher = TriggerMatcher(blank, spans_key="k")
    matcher.add_patterns(trigger_patterns())
    with pytest.raises(ModelError, match="sets no LEMMA, POS on tokens"):
        matcher(blank(text))
    assert list(matcher(blank("")).spans["k"]) == []
