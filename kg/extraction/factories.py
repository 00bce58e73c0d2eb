"""Every spaCy component kg registers, in one place (as spaCy does in factories.py).

Importing this module registers the factories and Doc extensions; it loads no
model and reads no file. ``kg.extraction.pipeline.build_pipeline`` imports it.
"""

from __future__ import annotations

from datetime import date

from spacy.language import Language
from spacy.tokens import Doc

from kg.extraction.actors import DocActors
from kg.extraction.coder import load_coder
from kg.extraction.coder.selection import code_events
from kg.extraction.events import EventFinder, find_triggers
from kg.extraction.triggers import TriggerMatcher

#: A sentence is cut after this many tokens; news sentences run 20-60.
MAX_SENTENCE_TOKENS = 150

for _name, _default in (
    ("kg_anchor", None),  # publication date: anchors "on Monday"
    ("kg_entities", None),  # list[Entity], set by kg_actors
    ("kg_entity_tokens", None),  # token index -> index into kg_entities
    ("kg_events", None),  # list[Event], set by kg_events
):
    if not Doc.has_extension(_name):
        Doc.set_extension(_name, default=_default)


class ActorResolver:
    """Classifies entity mentions and merges aliases into ``doc._.kg_entities``."""

    def __init__(self, nlp: Language, name: str) -> None:
        self.name = name

    def __call__(self, doc: Doc) -> Doc:
        actors = DocActors(doc)
        actors.resolve()
        actors.save()
        return doc


class EventExtractor:
    """Finds CAMEO-coded events and writes ``doc._.kg_events``.

    The dependency rules code every trigger first; the trained coder (see
    :mod:`kg.extraction.coder`) then chooses among all candidates, the rules'
    answers among its features. ``coder_dir`` "none" keeps the rules' events.

    Args:
        spans_key: where the trigger ``span_ruler`` put its matches.
        coder_dir: folder of trained coder files; "" for ``KG_CODER_DIR`` or
            the bundled model, "none" for rules alone.
    """

    def __init__(
        self, nlp: Language, name: str, *, spans_key: str, coder_dir: str = ""
    ) -> None:
        self.name = name
        self.spans_key = spans_key
        self.coder = None if coder_dir == "none" else load_coder(coder_dir or None)

    def __call__(self, doc: Doc) -> Doc:
        actors = DocActors.load(doc)
        anchor: date | None = doc._.kg_anchor
        triggers = find_triggers(doc, actors, self.spans_key)
        finder = EventFinder(doc, actors, anchor)
        if self.coder is None:
            events = list(finder.events(triggers))
        else:
            finder.find_readings(triggers)
            events = code_events(doc, actors, finder, triggers, self.coder)
        doc._.kg_events = events
        actors.save()
        return doc


@Language.component(
    "kg_line_breaks",
    assigns=["token.is_sent_start"],
)
def line_breaks(doc: Doc) -> Doc:
    """Start a sentence after every line break, after a dateline's dash, and
    after MAX_SENTENCE_TOKENS.

    Headlines and datelines have no full stop; without this the parser glues them
    to the first sentence and events pick up the wrong subject ("MOSCOW, June 18
    - Russia expelled …" parsed with MOSCOW as subject). Text without any
    punctuation can otherwise be one sentence of thousands of tokens: each event
    in it scans the whole sentence (quadratic time) and stores it as evidence.
    """
    from kg.extraction.mentions import dateline_leads, lead_body

    for lead in dateline_leads(doc):
        doc[lead].is_sent_start = True
        for i in lead_body(doc, lead, MAX_SENTENCE_TOKENS):
            doc[i].is_sent_start = False
    since = 0
    for token in doc[1:]:
        previous = doc[token.i - 1]
        since += 1
        if "\n" in previous.text or "\n" in previous.whitespace_:
            token.is_sent_start = True
        elif since >= MAX_SENTENCE_TOKENS:
            token.is_sent_start = True
        else:
            continue
        since = 0
    return doc


@Language.factory(
    "kg_triggers",
    default_config={"spans_key": "kg_triggers"},
    requires=["token.lemma", "token.pos"],
    assigns=["doc.spans"],
)
def make_trigger_matcher(nlp: Language, name: str, spans_key: str) -> TriggerMatcher:
    """Factory for :class:`TriggerMatcher` (fill it with ``add_patterns``)."""
    return TriggerMatcher(nlp, spans_key=spans_key)


@Language.factory(
    "kg_actors",
    requires=["doc.ents", "token.dep", "token.head"],
    assigns=["doc._.kg_entities", "doc._.kg_entity_tokens"],
)
def make_actor_resolver(nlp: Language, name: str) -> ActorResolver:
    """Factory for :class:`ActorResolver`."""
    return ActorResolver(nlp, name)


@Language.factory(
    "kg_events",
    default_config={"spans_key": "kg_triggers", "coder_dir": ""},
    requires=["doc._.kg_entities", "token.dep", "token.lemma"],
    assigns=["doc._.kg_events"],
)
def make_event_extractor(
    nlp: Language, name: str, spans_key: str, coder_dir: str
) -> EventExtractor:
    """Factory for :class:`EventExtractor`."""
    return EventExtractor(nlp, name, spans_key=spans_key, coder_dir=coder_dir)
