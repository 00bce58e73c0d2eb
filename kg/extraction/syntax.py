"""Small dependency-tree walks shared by the event and modality rules."""

from __future__ import annotations

from spacy.tokens import Token


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
