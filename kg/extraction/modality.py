"""Did the event happen? Asserted, negated, hypothetical or future mentions.

Analysts code what happened. "Russia did not attack", "Russia could attack",
"urged Russia to withdraw" and "will attack" are flagged, not silently dropped;
``kg extract`` leaves them out unless asked. An announced future meeting or aid
delivery is itself an event under CAMEO: an expressed intent (03x), asserted.
"""

from __future__ import annotations

from spacy.tokens import Token

from kg.extraction.syntax import governing_verb

ASSERTED, NEGATED, HYPOTHETICAL, FUTURE = (
    "asserted",
    "negated",
    "hypothetical",
    "future",
)
MODALITIES = (ASSERTED, NEGATED, HYPOTHETICAL, FUTURE)

HYPOTHETICAL_AUX = frozenset({"could", "might", "may", "would", "should", "must"})
FUTURE_AUX = frozenset({"will", "shall", "'ll"})
CONDITIONAL_MARKS = frozenset({"if", "unless", "whether"})
#: Verbs whose complement clause states what did not happen (yet): the appeal,
#: demand, threat or plan is the event; its content is not.
IRREALIS_VERBS = frozenset(
    "call urge ask demand request appeal press want wish hope seek aim try plan "
    "intend expect propose threaten warn vow pledge promise offer agree decide "
    "consider prepare refuse decline reject fail order allow invite encourage "
    "push need".split()
)
NEGATING_VERBS = frozenset({"refuse", "decline", "fail", "reject"})
#: CAMEO code for announcing, as a plan, an event of each cooperative root.
INTENT_CODES = {"04": "036", "05": "032", "06": "031", "07": "033", "08": "035"}


def modality_of(head: Token) -> str:
    """The modality of an event mention whose trigger head is ``head``.

    An event noun takes the modality of the verb that carries it ("will provide
    aid", "did not hold talks").
    """
    own = _own_modality(head)
    if own != ASSERTED or head.pos_ in ("VERB", "AUX"):
        return own
    verb = governing_verb(head, steps=3)
    return _own_modality(verb) if verb is not None else ASSERTED


def _own_modality(head: Token) -> str:
    for child in head.children:
        if child.dep_ == "neg":
            return NEGATED
        if child.dep_ == "mark" and child.lower_ in CONDITIONAL_MARKS:
            return HYPOTHETICAL
        if child.dep_ == "aux" and child.lower_ in HYPOTHETICAL_AUX:
            return HYPOTHETICAL
        if child.dep_ == "aux" and child.lower_ in FUTURE_AUX:
            return FUTURE
    return _governed_modality(head)


def _governed_modality(head: Token) -> str:
    """Modality a complement clause takes from the verb it depends on."""
    clause = head if head.pos_ in ("VERB", "AUX") else head.head
    if clause.dep_ not in ("xcomp", "ccomp") or clause.head == clause:
        return ASSERTED
    governor = clause.head.lemma_.lower()
    if governor == "go" and clause.head.tag_ == "VBG":
        return FUTURE  # "is going to attack"
    if governor in NEGATING_VERBS:
        return NEGATED
    if governor in IRREALIS_VERBS:
        return HYPOTHETICAL
    return ASSERTED


def code_for(code: str, modality: str) -> tuple[str, str]:
    """(CAMEO code, modality) after folding a planned cooperative act into intent.

    "They will meet next week" is CAMEO 036 (express intent to meet), asserted.
    """
    intent = INTENT_CODES.get(code[:2])
    if modality == FUTURE and intent is not None:
        return intent, ASSERTED
    return code, modality
