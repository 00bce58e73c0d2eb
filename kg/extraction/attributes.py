"""The model's attribute ruler, with its rules matched by lookup.

spaCy's ``AttributeRuler`` maps tags to parts of speech and fixes a few words'
attributes by running every rule through the ``Matcher``: in the English models
that takes about a tenth of the whole model's time, though nearly every rule is
one token with exact values ("TAG is NNP", "LOWER is 'not' and TAG is RB").
:class:`LookupAttributeRuler` finds a rule's first token by dictionary lookup
on the token attributes, checks the rest of the rule directly, leaves any rule
it cannot read (quantifiers, other operators or attributes) to the ``Matcher``,
and hands the same matches, in the same order, to spaCy's own
``set_annotations``: the result is the same, token for token.
"""

from __future__ import annotations

import re
from collections import defaultdict
from dataclasses import dataclass
from itertools import product
from operator import itemgetter
from typing import Any, TypeVar

from spacy.attrs import IDS
from spacy.language import Language
from spacy.matcher import Matcher
from spacy.pipeline import AttributeRuler
from spacy.tokens import Doc
from spacy.vocab import Vocab

#: Token attributes a rule may test, as ``Doc.to_array`` gives them (POS is
#: left out: the array holds it as a part-of-speech number, not a string hash).
STRING_ATTRS = frozenset({"TAG", "LOWER", "ORTH", "DEP", "NORM", "LEMMA"})
FLAG_ATTRS = frozenset({"IS_SPACE", "IS_PUNCT", "IS_ALPHA", "IS_DIGIT"})

Match = tuple[int, int, int, int]  # (rule number, match id, start, end)
_T = TypeVar("_T")


@dataclass(frozen=True)
class _Test:
    """One attribute test of a token: its column and what it must (not) be."""

    column: int
    kind: str  # "in", "not_in" or "regex"
    values: frozenset[int] = frozenset()  # for "in" and "not_in"
    pattern: re.Pattern[str] | None = None  # for "regex"

    def passes(self, value: int, strings: Any) -> bool:
        if self.kind == "in":
            return value in self.values
        if self.kind == "not_in":
            return value not in self.values
        pattern = self.pattern
        return pattern is not None and pattern.search(strings[value]) is not None


@dataclass(frozen=True)
class _Rule:
    """A rule's pattern: the first token's keyed attributes are looked up; its
    other tests and the later tokens' are checked one by one."""

    rule: int
    match_id: int  # the Matcher's id of the rule: the hash of its number
    first: tuple[_Test, ...]  # the first token's tests that are not looked up
    later: tuple[tuple[_Test, ...], ...]


class LookupAttributeRuler(AttributeRuler):
    """An ``AttributeRuler`` that matches its rules by lookup (see the module
    docstring); given the model's own ruler's rules with ``from_bytes``."""

    def __init__(self, vocab: Vocab, name: str = "attribute_ruler") -> None:
        super().__init__(vocab, name, validate=False)
        self._built_for = -1
        self._columns: list[int] = []  # attribute ids, as Doc.to_array takes them
        #: (keyed column numbers, their values -> rules) per set of keyed columns;
        #: a single column's values are bare numbers, not 1-tuples
        self._tables: list[tuple[tuple[int, ...], dict[Any, list[_Rule]]]] = []
        self._scanned: list[_Rule] = []  # rules whose first token has no key
        self._rest: Matcher | None = None  # rules only the Matcher can read

    def add(self, patterns: Any, attrs: dict, index: int = 0) -> None:
        """Add a rule as spaCy's ruler does; the lookup tables are rebuilt."""
        super().add(patterns, attrs, index)
        self._built_for = -1

    def match(self, doc: Doc) -> list[Match]:
        """The matches spaCy's ``AttributeRuler.match`` gives, in its order."""
        if self._built_for != len(self.attrs):
            self._index()
        strings = self.vocab.strings
        found: set[Match] = set()
        # spaCy's stub wants list[int | str]; any list of attribute ids works
        columns = self._columns
        rows = (
            doc.to_array(columns).tolist()  # type: ignore[arg-type]
            if columns and len(doc)
            else []
        )
        if rows and not isinstance(rows[0], list):  # one column comes flat
            rows = [[value] for value in rows]
        for keyed, table in self._tables:
            key, get = itemgetter(*keyed), table.get  # one column: a bare value
            for i, row in enumerate(rows):
                rules = get(key(row))
                if rules:
                    for rule in rules:
                        self._extend(rule, rows, i, found, strings)
        for rule in self._scanned:
            for i in range(len(rows)):
                self._extend(rule, rows, i, found, strings)
        if self._rest is not None:
            for match_id, start, end in self._rest(doc, allow_missing=True):
                found.add((int(strings[match_id]), match_id, start, end))
        return sorted(found)

    @staticmethod
    def _extend(
        rule: _Rule, rows: list[list[int]], i: int, found: set[Match], strings: Any
    ) -> None:
        """Add the rule's match at token ``i`` if the rest of its tests pass."""
        if rule.first or rule.later:  # most rules are one looked-up token
            if i + len(rule.later) >= len(rows):
                return
            if not all(t.passes(rows[i][t.column], strings) for t in rule.first):
                return
            for k, tests in enumerate(rule.later, start=1):
                if not all(t.passes(rows[i + k][t.column], strings) for t in tests):
                    return
        found.add((rule.rule, rule.match_id, i, i + 1 + len(rule.later)))

    def _index(self) -> None:
        """Read every rule into lookup tables, or leave it to the Matcher."""
        columns: dict[int, int] = {}
        tables: dict[tuple[int, ...], dict[tuple, list[_Rule]]] = defaultdict(dict)
        scanned: list[_Rule] = []
        rest = Matcher(self.vocab)
        for rule in range(len(self.attrs)):
            key = str(rule)
            _, patterns = self.matcher.get(key)
            read = _all_or_none([_read(p, self.vocab, columns, rule) for p in patterns])
            if read is None:
                rest.add(key, patterns)
                continue
            for keyed, keys, compiled in read:
                if not keyed:
                    scanned.append(compiled)
                    continue
                for values in keys:
                    rules = tables[keyed].setdefault(values, [])
                    if compiled not in rules:
                        rules.append(compiled)
        self._columns = sorted(columns, key=columns.__getitem__)
        self._tables = [
            (k, t if len(k) > 1 else {v[0]: rules for v, rules in t.items()})
            for k, t in tables.items()
            if k
        ]
        self._scanned = scanned
        self._rest = rest if len(rest) else None
        self._built_for = len(self.attrs)


def _read(
    pattern: list[dict], vocab: Any, columns: dict[int, int], rule: int
) -> tuple[tuple[int, ...], list[tuple], _Rule] | None:
    """(keyed columns of the first token, every tuple of values they match, the
    rule's other tests), or None for a pattern only the Matcher can read."""
    tokens = _all_or_none([_tests(spec, vocab, columns) for spec in pattern])
    if not tokens:
        return None
    first = tokens[0]
    keyed = [t for t in first if t.kind == "in"]
    keyed.sort(key=lambda t: t.column)
    others = tuple(t for t in first if t.kind != "in")
    keys = list(product(*(sorted(t.values) for t in keyed)))
    later = tuple(tuple(t) for t in tokens[1:])
    compiled = _Rule(rule, vocab.strings[str(rule)], others, later)
    return tuple(t.column for t in keyed), keys, compiled


def _tests(spec: dict, vocab: Any, columns: dict[int, int]) -> list[_Test] | None:
    """The tests of one token of a pattern, or None if one is not readable."""
    if not spec:
        return None
    tests = []
    for raw_name, value in spec.items():
        name = str(raw_name).upper()
        if name not in STRING_ATTRS and name not in FLAG_ATTRS:
            return None
        column = columns.setdefault(IDS[name], len(columns))
        test = _test(name, value, vocab, column)
        if test is None:
            return None
        tests.append(test)
    return tests


def _test(name: str, value: Any, vocab: Any, column: int) -> _Test | None:
    """One attribute test: an exact value, ``IN``, ``NOT_IN`` or ``REGEX``."""

    def code(option: Any) -> int | None:
        if name in FLAG_ATTRS:
            return int(option) if isinstance(option, bool) else None
        return vocab.strings.add(option) if isinstance(option, str) else None

    if not isinstance(value, dict):
        value = {"IN": [value]}
    if len(value) != 1:
        return None
    ((operator, options),) = value.items()
    if operator == "REGEX" and name in STRING_ATTRS and isinstance(options, str):
        return _Test(column, "regex", pattern=re.compile(options))
    if operator not in ("IN", "NOT_IN") or not isinstance(options, list | tuple):
        return None
    codes = _all_or_none([code(o) for o in options])
    if codes is None:
        return None
    return _Test(column, operator.lower(), frozenset(codes))


def _all_or_none(items: list[_T | None]) -> list[_T] | None:
    """``items`` when none is None, else None: one unreadable part spoils the whole."""
    present = [item for item in items if item is not None]
    return present if len(present) == len(items) else None


@Language.factory("kg_attribute_ruler")
def make_lookup_attribute_ruler(nlp: Language, name: str) -> LookupAttributeRuler:
    return LookupAttributeRuler(nlp.vocab, name)


def speed_up_attribute_ruler(nlp: Language) -> None:
    """Put a :class:`LookupAttributeRuler` with the same rules in place of the
    model's ``attribute_ruler`` (a model without one is left as it is)."""
    if "attribute_ruler" not in nlp.pipe_names:
        return
    old = nlp.get_pipe("attribute_ruler")
    if type(old) is not AttributeRuler:
        return
    new = nlp.replace_pipe("attribute_ruler", "kg_attribute_ruler")
    if not isinstance(new, LookupAttributeRuler):  # spaCy types it as a callable
        raise TypeError(f"kg_attribute_ruler made a {type(new).__name__}")
    # the vocabulary is the same object: copy the rules alone
    new.from_bytes(old.to_bytes(exclude=["vocab"]), exclude=["vocab"])
