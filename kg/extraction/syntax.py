"""Small dependency-tree walks shared by the event and modality rules."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from spacy.attrs import SENT_START
from spacy.tokens import Doc, Token

_STARTS_KEY = "kg_sentence_starts"  # Doc.user_data key of sentence_starts
T = TypeVar("T")


def governing_verb(token: Token, steps: int = 4) -> Token | None:
    """The nearest verb above a token ("held talks", "following a discussion").

    Args:
        token: usually an event noun.
        steps: how many heads up to look before giving up.
    """
    node = token
    for _ in range(steps):
        if node.head == node:
            return None
        node = node.head
        if node.pos_ in ("VERB", "AUX"):
            return node
    return None


def sentence_starts(doc: Doc) -> list[int]:
    """For every token, where its sentence starts (``token.sent.start``).

    ``token.sent`` walks the tokens back to the sentence start on every call;
    the coder asks it for every trigger and mention, so the answer for a whole
    Doc is worked out once, from the sentence-start flags, and kept with it.
    """
    return per_doc(doc, _STARTS_KEY, _sentence_starts)


def _sentence_starts(doc: Doc) -> list[int]:
    starts, current = [], 0
    for i, flag in enumerate(doc.to_array(SENT_START).tolist()):
        if flag == 1:
            current = i
        starts.append(current)
    return starts


def per_doc(doc: Doc, key: str, compute: Callable[[Doc], T]) -> T:
    """``compute(doc)``, worked out once per Doc and kept in its ``user_data``
    under ``key`` with the Doc's length (a Doc of another length, one that
    was cut or re-made, is worked out anew)."""
    cached = doc.user_data.get(key)
    if cached is not None and cached[0] == len(doc):
        return cached[1]
    value = compute(doc)
    doc.user_data[key] = (len(doc), value)
    return value
