"""The model's attribute ruler matched by lookup: same matches, same tokens.

The sentences are written for the project.
"""

from __future__ import annotations

import pytest
from helpers.paths import DATA
from spacy.attrs import LEMMA, MORPH, POS, TAG
from spacy.pipeline import AttributeRuler

from kg.extraction.attributes import LookupAttributeRuler
from kg.extraction.pipeline import load_model

TEXTS = [
    "Chile isn't gonna recall its envoy, and it's not what Peru wanted.",
    "Let's see: they'd ask whether the talks will go on, though nothin' is sure.",
    "Y'all know there are two ships; c'mon, it is what it is.",
    "The ministers, who had met in Lima, did not sign it.\n\n  Talks resume.",
]


@pytest.fixture(scope="module")
def model():
    """The spaCy model alone, with its own attribute ruler."""
    return load_model()


def _lookup_copy(ruler: AttributeRuler, vocab) -> LookupAttributeRuler:  # noqa: ANN001
    lookup = LookupAttributeRuler(vocab)
    lookup.from_bytes(ruler.to_bytes(exclude=["vocab"]), exclude=["vocab"])
    return lookup


def _before_ruler(model, text: str):  # noqa: ANN001, ANN202 - spaCy Doc
    """The text through the model's components up to its attribute ruler."""
    names = model.pipe_names
    with model.select_pipes(disable=names[names.index("attribute_ruler") :]):
        return model(text)


def _sample_texts() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(DATA.glob("*.txt"))]


def test_attributes_lookup_gives_the_matches_of_the_models_ruler(model):
    ruler = model.get_pipe("attribute_ruler")
    lookup = _lookup_copy(ruler, model.vocab)
    docs = [_before_ruler(model, t) for t in TEXTS + _sample_texts()]
    matched = 0
    for doc in docs:
        expected = ruler.match(doc)
        assert lookup.match(doc) == expected
        matched += len(expected)
    assert matched > sum(len(d) for d in docs) / 2  # most tokens meet a tag rule


def test_attributes_kg_pipeline_tokens_are_the_models(model, nlp):
    """kg's pipeline puts the lookup ruler in the model's place and its tokens
    get the same part of speech, tag, morphology and lemma."""
    assert isinstance(nlp.get_pipe("attribute_ruler"), LookupAttributeRuler)
    assert [n for n in nlp.pipe_names if n in model.pipe_names] == model.pipe_names
    for text in TEXTS:
        ours, theirs = nlp(text), model(text)
        assert [t.text for t in ours] == [t.text for t in theirs]
        columns = [POS, TAG, MORPH, LEMMA]
        assert ours.to_array(columns).tolist() == theirs.to_array(columns).tolist()
        assert [str(t.morph) for t in ours] == [str(t.morph) for t in theirs]


@pytest.mark.parametrize(
    "patterns",
    [
        [[{"LOWER": "talks"}]],
        [[{"TAG": {"IN": ["NNS", "NNP"]}, "LOWER": {"NOT_IN": ["talks"]}}]],
        [[{"LOWER": {"REGEX": "^re"}}]],
        [[{"DEP": {"NOT_IN": ["punct", ""]}}]],
        [[{"LOWER": "did"}, {"LOWER": "not"}]],
        [[{"LOWER": "the"}, {"IS_PUNCT": False, "TAG": {"IN": ["NNS", "NN"]}}]],
        [[{"LOWER": "talks"}], [{"LOWER": {"IN": ["talks", "resume"]}}]],
        # read by the Matcher only: a quantifier, a wildcard, a number test
        [[{"LOWER": "the"}, {"OP": "?"}, {"LOWER": "ministers"}]],
        [[{}, {"LOWER": "resume"}]],
        [[{"LENGTH": 5}]],
    ],
)
def test_attributes_lookup_matches_rules_of_every_shape(model, patterns):
    ruler = AttributeRuler(model.vocab)
    ruler.add(patterns=patterns, attrs={"NORM": "x"})
    ruler.add(patterns=[[{"TAG": "DT"}]], attrs={"NORM": "y"})
    lookup = _lookup_copy(ruler, model.vocab)
    for text in TEXTS:
        doc = _before_ruler(model, text)
        assert lookup.match(doc) == ruler.match(doc)
    # the rule under test (rule 0) meets some token of the texts
    assert any(m[0] == 0 for t in TEXTS for m in ruler.match(_before_ruler(model, t)))


def test_attributes_a_rule_added_after_matching_is_matched(model):
    lookup = _lookup_copy(model.get_pipe("attribute_ruler"), model.vocab)
    doc = _before_ruler(model, TEXTS[3])
    before = lookup.match(doc)
    lookup.add(patterns=[[{"LOWER": "lima"}]], attrs={"NORM": "lima"})
    added = [m for m in lookup.match(doc) if m not in before]
    assert [doc[start:end].text for _, _, start, end in added] == ["Lima"]
