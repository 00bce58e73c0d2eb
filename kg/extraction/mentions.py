"""What the words of a mention say: names, titles, roles and their states.

Span-level rules that need no document state: cleaning a name, widening a
person's name the model cut short, reading "U.S. President Donald Trump" as a
role and a country, spotting untagged names after titles and datelines.
``kg.extraction.actors`` uses them to decide what each mention is.
"""

from __future__ import annotations

import re
from functools import lru_cache
from itertools import islice

from spacy.tokens import Doc, Span, Token

from kg.extraction import gazetteer

ROLE_NOUNS_EXTRA = frozenset("counterpart opponent rival successor predecessor".split())


TITLE_WORDS = frozenset(
    "president vice prime minister foreign defence defense interior secretary general "
    "chancellor king queen prince ambassador envoy special representative spokesperson "
    "spokesman spokeswoman speaker senator governor chief deputy leader adviser "
    "advisor senior commander gen lt col maj brig adm mr mrs ms dr sir premier sheikh "
    "emir mayor director head chairman minister-president affairs state peace".split()
)


ROLE_NOUNS = TITLE_WORDS | ROLE_NOUNS_EXTRA


#: Words that turn a body's name into the name of one of its meetings or terms
#: ("Arctic Council Ministerial", "AU Summit"): the actor is the body.
EVENT_SUFFIX = re.compile(
    r"(?<=\w)\s+(Ministerial|Chairmanship|Presidency|Summit|Meeting|Session|Talks)$"
)


def clean_surface(text: str) -> str:
    """Mention text without a leading "the", a trailing possessive or dangling words.

    NER spans sometimes end in "of" or an unclosed "(AfCFTA"; those are cut.
    """
    text = re.sub(r"^(the|The)\s+", "", " ".join(text.split()))
    text = re.sub(r"(['\u2019]s|['\u2019])$", "", text).strip()
    text = EVENT_SUFFIX.sub("", text)
    if text.count("(") > text.count(")"):
        text = text[: text.rindex("(")].strip()
    return re.sub(r"\s+(of|and|the|for|in|on)$", "", text).strip(" ,;:-–")


@lru_cache(maxsize=1 << 16)  # asked for every known person at every new mention
def surname_key(name: str) -> str:
    """Last name folded across transliterations: Zelenskiy = Zelensky = Zelenskyy."""
    last = gazetteer.normalise(name).split()[-1] if gazetteer.normalise(name) else ""
    return re.sub(r"(iy|yy|ii|y|i)$", "", last)


def drop_institution_word(span: Span) -> Span:
    """ "Speaker of the House Nancy Pelosi": a name never follows "the" directly,
    so a first word after a determiner belongs to the phrase before it."""
    after_det = span.start > 0 and span.doc[span.start - 1].pos_ == "DET"
    if span[0].pos_ == "DET":
        span, after_det = span[1:], True
    if after_det and len(span) >= 3:
        return span[1:]
    return span


def full_name(span: Span) -> Span:
    """Widen a person span over given names the model left out ("Antony J. Blinken").

    Only untagged proper nouns that modify the name's head and are not titles.
    """
    doc, start = span.doc, span.start
    while start > 0:
        token = doc[start - 1]
        before = doc[start - 2] if start > 1 else None
        if (
            token.pos_ != "PROPN"
            or token.ent_type_
            or token.dep_ != "compound"
            or token.head.i not in range(start, span.end)
            or token.text.lower().strip(".") in TITLE_WORDS
            or (before is not None and before.pos_ in ("DET", "ADP"))
        ):
            break
        start -= 1
    return doc[start : span.end]


def looks_like_person(span: Span, text: str) -> bool:
    """A name the model mislabelled as a place or body, told by its syntax.

    "his Greek counterpart Giorgos Gerapetritis", "Foreign Minister X": an
    apposition to a role noun, or a name right after a title, names a person
    when no gazetteer knows it as a country or city.
    """
    if span.label_ not in ("GPE", "LOC", "ORG", "NORP") or len(text.split()) < 2:
        return False
    if (
        gazetteer.country_by_name(text)
        or gazetteer.country_by_seat(text)
        or gazetteer.city_by_name(text)
    ):
        return False
    root = span.root
    if root.dep_ == "appos" and root.head.lemma_.lower() in ROLE_NOUNS:
        return True
    before = span.doc[span.start - 1] if span.start > 0 else None
    return before is not None and is_title(before)


def is_title(token: Token) -> bool:
    """ "President", "Presidents", "Minister": a word that precedes a person's name."""
    word = token.lower_.strip(".")
    if word in ("state", "affairs", "of", "foreign", "special", "senior"):
        return False
    return word in ROLE_NOUNS or (word.endswith("s") and word[:-1] in ROLE_NOUNS)


DATELINE_DASHES = frozenset({"-", "–", "—", "--"})


def dateline_places(doc: Doc) -> list[Span]:
    """ "Kyiv – …", "ATHENS, March 11 - …": a city opening a line before a dash.

    Wire datelines are often missed or misparsed by the model (as the subject
    of the first clause); a known city there is a place, whatever it was tagged.
    """
    found = []
    for sent in doc.sents:
        tokens = list(islice((t for t in sent if not t.is_space), 5))
        if len(tokens) < 3:
            continue
        end = next((t.i for t in tokens[:5] if t.text in DATELINE_DASHES | {","}), None)
        if end is None or end == tokens[0].i:
            continue
        span = doc[tokens[0].i : end]
        if all(t.is_title or t.is_upper for t in span):
            if gazetteer.city_by_name(span.text.title()) is not None:
                found.append(Span(doc, span.start, span.end, label="GPE"))
    return found


def part_of_title(span: Span) -> bool:
    """A one-word ORG that ends a title or department name ("Secretary of State")."""
    doc = span.doc
    if len(span) != 1 or span.start < 2 or doc[span.start - 1].lower_ != "of":
        return False
    head = doc[span.start - 2]
    return is_title(head) or head.lower_ in ("department", "ministry", "secretary")


def untagged_names(doc: Doc) -> list[Span]:
    """Names right after a title that the model did not tag at all.

    "Presidents Muhammadu Buhari of Nigeria": two or more capitalised proper
    nouns after a title word, outside any entity, are a person.
    """
    found = []
    for i in doc.to_array("IS_TITLE").nonzero()[0].tolist():  # title-case words
        token = doc[i]
        if not is_title(token):
            continue
        end = token.i + 1
        while (
            end < len(doc)
            and doc[end].pos_ == "PROPN"
            and doc[end].is_title
            and not doc[end].ent_type_
        ):
            end += 1
        if end - token.i - 1 >= 2:
            found.append(Span(doc, token.i + 1, end, label="PERSON"))
    return found


def names_people(span: Span, text: str) -> bool:
    """A NORP span that names a people or group ("Kurds", "Iranians", "Shiites"),
    or a country by its demonym; not a bare adjective ("African", "pan-Arab")."""
    if gazetteer.country_by_name(text) and gazetteer.is_demonym(text):
        return True
    if "-" in text:
        return False
    return span.root.tag_ in ("NNPS", "NNS") or span.root.dep_ in (
        "nsubj",
        "dobj",
        "pobj",
    )


def np_text(token: Token) -> str:
    left = min(
        (t.i for t in token.children if t.dep_ in ("amod", "compound", "det")),
        default=token.i,
    )
    return token.doc[left : token.i + 1].text


def describe_person(span: Span) -> tuple[str | None, str | None]:
    """Role and country from the words around a person's name.

    "U.S. President Donald Trump" → ("President", "USA"); "Zalmay Khalilzad, a US
    peace envoy" → ("peace envoy", "USA"); a possessor's country carries over
    ("Trump's special envoy Steve Witkoff" → USA).
    """
    doc = span.doc
    role_words: list[str] = []
    country: str | None = None
    i = span.start - 1
    while i >= 0 and doc[i].text.lower().strip(".") in TITLE_WORDS | {"of"}:
        role_words.insert(0, doc[i].text)
        i -= 1
    if i >= 0:
        country, i = _country_before(doc, i, country)
    for appos in (t for t in span.root.children if t.dep_ == "appos"):
        role_words = role_words or [
            t.text for t in appos.lefts if t.text.lower() in TITLE_WORDS
        ] + [appos.text]
        for t in appos.subtree:
            hit = gazetteer.country_by_name(t.text)
            if hit and country is None:
                country = hit.iso3
    country = country or _country_after(span) or _coordinated_country(span)
    while role_words and role_words[0].lower() == "of":
        role_words.pop(0)
    while role_words and role_words[-1].lower() == "of":
        role_words.pop()
    role = " ".join(role_words) or None  # "Secretary of State" keeps its "of"
    return role, country


def _country_after(span: Span) -> str | None:
    """ "President Muhammadu Buhari of Nigeria" → NGA."""
    for prep in (
        c for c in span.root.children if c.dep_ == "prep" and c.lower_ == "of"
    ):
        for pobj in (c for c in prep.children if c.dep_ == "pobj"):
            hit = gazetteer.country_by_name(pobj.text)
            if hit:
                return hit.iso3
    return None


def _coordinated_country(span: Span) -> str | None:
    """ "Trump's special envoy Steve Witkoff and senior adviser Jared Kushner":
    a titled name coordinated with another shares its state."""
    root = span.root
    if root.dep_ != "conj" or root.head.ent_type_ != "PERSON":
        return None
    head = root.head
    start = head.i
    while start > 0 and span.doc[start].ent_iob_ == "I":
        start -= 1
    return describe_person(span.doc[start : head.i + 1])[1]


def _country_before(doc: Doc, i: int, country: str | None) -> tuple[str | None, int]:
    token = doc[i]
    if token.text in ("'s", "\u2019s") and i > 0:
        owner = doc[i - 1]
        if owner.ent_type_ == "PERSON":
            start = owner.i
            while start > 0 and doc[start].ent_iob_ == "I":
                start -= 1
            _, owner_country = describe_person(doc[start : owner.i + 1])
            return owner_country, i
    for size in (3, 2, 1):
        if i - size + 1 < 0:
            continue
        hit = gazetteer.country_by_name(doc[i - size + 1 : i + 1].text)
        if hit:
            return hit.iso3, i - size
    return country, i
