"""CAMEO trigger matching: the lexicon's ``span_ruler`` patterns, indexed by lemma.

spaCy's ``span_ruler`` steps every pattern's state machine over every token; with
the ~250 patterns of ``data/triggers.jsonl`` that took longer than the parser.
Every trigger pattern starts with a fixed lemma, so here that lemma indexes the
patterns: one pass over a document's lemma ids finds the few tokens where a
pattern can start, and only those are matched further. The result is what the
``span_ruler`` gives (the same spans, labels, ids and order in ``doc.spans``); a
pattern outside the subset matched here goes to a spaCy ``Matcher`` /
``PhraseMatcher``, so any ``span_ruler`` pattern still works.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from spacy.language import Language
from spacy.matcher import Matcher, PhraseMatcher
from spacy.strings import get_string_id
from spacy.tokens import Doc, Span

from kg.errors import ModelError

#: Token attributes the lemma index matches itself ("IN" lists or one value).
ATTRS: tuple[str, ...] = ("LEMMA", "LOWER", "ORTH", "POS", "TAG")

#: One token of a pattern: (column in ATTRS, allowed ids) pairs, and "?".
Step = tuple[tuple[tuple[int, frozenset[int]], ...], bool]


@dataclass(frozen=True)
class _Pattern:
    label: str
    span_id: str
    steps: tuple[Step, ...]


class TriggerMatcher:
    """Puts every trigger pattern match into ``doc.spans[spans_key]``.

    Args:
        nlp: the pipeline (its tokenizer reads phrase patterns).
        spans_key: the span group to fill, as the ``span_ruler`` would.
    """

    def __init__(self, nlp: Language, *, spans_key: str) -> None:
        self.spans_key = spans_key
        self._make_doc = nlp.make_doc
        self._patterns: list[_Pattern] = []
        self._by_lemma: dict[int, list[int]] = {}
        self._needs: set[str] = set()  # annotations the indexed patterns read
        self._other = Matcher(nlp.vocab)
        self._phrases = PhraseMatcher(nlp.vocab)
        self._other_labels: dict[int, tuple[str, str]] = {}

    def add_patterns(self, patterns: Iterable[dict]) -> None:
        """Add ``span_ruler`` JSONL patterns (``label``, ``pattern``, ``id``)."""
        for row in patterns:
            label, span_id = row["label"], row.get("id") or ""
            compiled = _compile(row["pattern"])
            if compiled is None:
                self._add_other(row["pattern"], label, span_id)
                continue
            self._needs |= {ATTRS[col] for step, _ in compiled for col, _ in step}
            first = dict(compiled[0][0])[ATTRS.index("LEMMA")]
            for lemma in first:
                self._by_lemma.setdefault(lemma, []).append(len(self._patterns))
            self._patterns.append(_Pattern(label, span_id, compiled))

    def _add_other(self, pattern: list | str, label: str, span_id: str) -> None:
        """A pattern the index cannot take: matched by spaCy's own matchers."""
        key = f"{label}\u0000{span_id}"
        self._other_labels[get_string_id(key)] = (label, span_id)
        if isinstance(pattern, str):
            self._phrases.add(key, [self._make_doc(pattern)])
        else:
            self._other.add(key, [pattern])

    def __call__(self, doc: Doc) -> Doc:
        """Add the matches to ``doc.spans``, sorted as the ``span_ruler`` sorts.

        Raises:
            ModelError: the pipeline sets no lemmas, tags or parts of speech,
                which the patterns read (the ``Matcher`` refuses such a Doc too).
        """
        self._check_annotations(doc)
        found = self._indexed(doc) | self._unindexed(doc)
        spans = list(doc.spans[self.spans_key]) if self.spans_key in doc.spans else []
        spans.extend(
            sorted(
                Span(doc, start, end, label=label, span_id=span_id)
                for start, end, label, span_id in found
            )
        )
        doc.spans[self.spans_key] = spans
        return doc

    def _check_annotations(self, doc: Doc) -> None:
        annotated = self._needs - {"LOWER", "ORTH"}  # the tokenizer sets these
        missing = [a for a in sorted(annotated) if not doc.has_annotation(a)]
        if missing and len(doc):
            raise ModelError(
                f"the pipeline sets no {', '.join(missing)} on tokens, which kg's "
                "trigger patterns match; use a model with a tagger, attribute "
                "ruler and lemmatizer (such as en_core_web_sm)"
            )

    def _indexed(self, doc: Doc) -> set[tuple[int, int, str, str]]:
        """Matches of the lemma-indexed patterns: (start, end, label, id)."""
        if not len(doc) or not self._by_lemma:
            return set()
        rows = [column.tolist() for column in doc.to_array(list(ATTRS)).T]
        starts = [i for i, lemma in enumerate(rows[0]) if lemma in self._by_lemma]
        found = set()
        for start in starts:
            for index in self._by_lemma[rows[0][start]]:
                pattern = self._patterns[index]
                for end in _ends(pattern.steps, rows, start, len(doc)):
                    if end != start:
                        found.add((start, end, pattern.label, pattern.span_id))
        return found

    def _unindexed(self, doc: Doc) -> set[tuple[int, int, str, str]]:
        if not self._other_labels:
            return set()
        matches = [*(self._other(doc) if len(self._other) else ())]
        matches += self._phrases(doc) if len(self._phrases) else ()
        return {
            (start, end, *self._other_labels[key])
            for key, start, end in matches
            if start != end
        }


def _ends(steps: tuple[Step, ...], rows: list[list[int]], start: int, n: int) -> set:
    """Every token index where a match of ``steps`` from ``start`` can end.

    Optional steps fork the frontier, as the Matcher's "?" does: every path
    counts, so one pattern can give several spans from one start.
    """
    frontier = {start}
    for constraints, optional in steps:
        after = set(frontier) if optional else set()
        for i in frontier:
            if i < n and all(rows[col][i] in ids for col, ids in constraints):
                after.add(i + 1)
        frontier = after
        if not frontier:
            break
    return frontier


def _compile(pattern: list | str) -> tuple[Step, ...] | None:
    """Steps of a token pattern the index can match, or None for any other.

    Taken: token dicts over :data:`ATTRS` with one value or an ``IN`` list, "?"
    as the only operator, and a first token that names its lemma.
    """
    if not isinstance(pattern, list) or not pattern:
        return None
    steps = []
    for token in pattern:
        step = _compile_token(token)
        if step is None:
            return None
        steps.append(step)
    lemma = ATTRS.index("LEMMA")
    first, optional = steps[0]
    if optional or lemma not in dict(first):
        return None
    return tuple(steps)


def _compile_token(token: object) -> Step | None:
    if not isinstance(token, dict):
        return None
    constraints = []
    for attr, value in token.items():
        if attr == "OP":
            continue
        if attr not in ATTRS:
            return None
        if isinstance(value, str):
            values = [value]
        elif isinstance(value, dict) and set(value) == {"IN"}:
            values = value["IN"]
        else:
            return None
        if not all(isinstance(v, str) for v in values):
            return None
        ids = frozenset(get_string_id(v) for v in values)
        constraints.append((ATTRS.index(attr), ids))
    if token.get("OP", "?") != "?" or not constraints:
        return None
    return tuple(constraints), "OP" in token
