"""What the words of a mention say: names, titles, roles and their states.

Span-level rules that need no document state: cleaning a name, widening a
person's name the model cut short, reading "U.S. President Donald Trump" as a
role and a country, spotting untagged names after titles and datelines.
``kg.extraction.actors`` uses them to decide what each mention is.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from spacy.tokens import Doc, Span, Token

from kg.extraction import gazetteer
from kg.extraction.dates import WEEKDAYS
from kg.extraction.people import known_person
from kg.extraction.syntax import per_doc

ROLE_NOUNS_EXTRA = frozenset("counterpart opponent rival successor predecessor".split())


TITLE_WORDS = frozenset(
    "president vice prime minister foreign defence defense interior secretary general "
    "chancellor king queen prince ambassador envoy special representative spokesperson "
    "spokesman spokeswoman speaker senator governor chief deputy leader adviser "
    "advisor senior commander gen lt col maj brig adm mr mrs ms dr sir premier sheikh "
    "emir mayor director head chairman minister-president affairs state peace".split()
)


ROLE_NOUNS = TITLE_WORDS | ROLE_NOUNS_EXTRA

#: Words of office, rank, calling or standing that come before a name but are
#: no part of it ("Professor Albrecht Penck", "Senators John McCain", "bishop
#: David Vunagi", "Voter Kitty Mak"); the model tags them as proper nouns.
HONORIFICS = TITLE_WORDS | frozenset(
    "professor prof superintendent inspector sergeant sgt captain capt colonel "
    "general admiral marshal field major lieutenant corporal private officer "
    "attorney attorney-general solicitor judge justice magistrate prosecutor "
    "bishop archbishop cardinal pope patriarch rabbi imam ayatollah cleric "
    "reverend rev "
    "congressman congresswoman councillor councilor commissioner sen rep gov "
    "voter activist journalist lawyer candidate executive chair chairwoman "
    "chairperson mp taoiseach tanaiste emperor empress sultan crown "
    "rights human former late then-president acting interim".split()
)
#: Words a person's title is made of, read backwards from the name:
#: "Philippine Foreign Secretary", "his Greek counterpart", "Secretary of State".
TITLE_CHAIN = ROLE_NOUNS | {"of"}


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

    Only untagged proper nouns that modify the name's head and are not titles
    nor the end of a state's name ("the President of Sierra Leone Julius Maada
    Bio": "Leone" ends the state, not a given name).
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
            or is_honorific(token)
            or (before is not None and before.pos_ in ("DET", "ADP"))
            or _ends_state_name(doc, start)
        ):
            break
        start -= 1
    return doc[start : span.end]


def _ends_state_name(doc: Doc, end: int) -> bool:
    """Whether the one to three words before ``end`` are a state's name."""
    return any(state_name(doc[start:end].text) for start in range(max(end - 3, 0), end))


def is_honorific(token: Token) -> bool:
    """ "Professor", "Senators", "bishop": a word before a name, not of it."""
    word = token.lower_.strip(".")
    return word in HONORIFICS or (word.endswith("s") and word[:-1] in HONORIFICS)


def strip_honorifics(span: Span) -> Span:
    """A person's span without the titles the model took into it ("Taoiseach
    Enda Kenny" → "Enda Kenny"); at least one word stays."""
    start = span.start
    while start < span.end - 1 and is_honorific(span.doc[start]):
        start += 1
    return span.doc[start : span.end]


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


#: Wire services that credit a dateline: "MOSCOW, June 18 (Reuters) -". Inside
#: a dateline any parenthesised credit is dropped; this list only vouches for a
#: dateline that has a credit but no date ("Kyiv (AP) —").
WIRE_AGENCIES = frozenset(
    gazetteer.normalise(name)
    for name in (
        "Reuters",
        "AP",
        "Associated Press",
        "AFP",
        "Agence France-Presse",
        "Xinhua",
        "TASS",
        "Anadolu",
        "Anadolu Agency",
        "EFE",
        "dpa",
        "UPI",
        "Bloomberg",
        "Kyodo",
        "Yonhap",
        "ANI",
        "PTI",
        "IANS",
        "Bernama",
        "IRNA",
        "Interfax",
        "RIA Novosti",
        "WAFA",
        "KUNA",
        "MENA",
        "CNN",
        "BBC",
    )
)

_MONTH = (
    r"(?i:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WORD = r"[A-Z\u00c0-\u00de][\w'\u2019.-]*"
#: "CITY[/CITY2][, Region][, Month DD[, YYYY]][ (Agency)] -" at a line's start.
_DATELINE = re.compile(
    rf"[ \t]*(?P<city>{_WORD}(?: {_WORD}){{0,3}})(?:/{_WORD}(?: {_WORD}){{0,3}})*"
    rf"(?:,[ \t]*(?!{_MONTH}[ \t])(?P<region>{_WORD}(?: {_WORD})?))?"
    rf"(?:,[ \t]*(?P<date>(?:{_MONTH}[ \t]+\d{{1,2}}|\d{{1,2}}[ \t]+{_MONTH})"
    rf"(?:,?[ \t]+\d{{4}})?))?"
    rf"(?:[ \t]*\((?P<credit>[^()\n]{{1,40}})\))?"
    rf"[ \t]*(?P<dash>---?|\u2014|\u2013|-)(?=\s)"
)

#: The groups of :data:`_DATELINE` a dateline keeps, in this order.
_PARTS = ("city", "dash", "date", "credit")
_DATELINES_KEY = "kg_datelines"  # Doc.user_data key of the datelines' offsets

SENTENCE_ENDS = frozenset({".", "!", "?"})


@dataclass(frozen=True)
class Dateline:
    """A wire dateline opening a line: "MOSCOW, June 18 (Reuters) -".

    It names where (and when) the story was filed, not who did anything: its
    city is the article's place, its day the filing day, its credit the wire
    service. ``span`` runs from the city to the dash; the lead starts after it.
    """

    span: Span
    city: Span
    date: Span | None
    credit: Span | None


def find_datelines(doc: Doc) -> list[Dateline]:
    """Every dateline that opens a line of the text, in order.

    Needs only tokens, so it runs before the parser (to cut the sentence at the
    dash) and again after it (to keep the dateline out of the actors); the
    text is searched once per Doc.
    """
    found = []
    for parts in per_doc(doc, _DATELINES_KEY, _dateline_parts):
        dateline = _dateline_spans(doc, parts)
        if dateline is not None:
            found.append(dateline)
    return found


def _dateline_parts(doc: Doc) -> list[list[tuple[int, int] | None]]:
    """Character offsets of each credible dateline's city, dash, date and credit.

    Plain numbers, not Spans: ``Doc.to_bytes`` packs ``user_data``, where
    they are kept.
    """
    found = []
    text = doc.text
    for match in re.finditer(r"(?:^|\n)", text):
        hit = _DATELINE.match(text, match.end())
        if hit is not None and _credible_dateline(hit):
            found.append([None if hit[g] is None else hit.span(g) for g in _PARTS])
    return found


def _credible_dateline(hit: re.Match[str]) -> bool:
    """A dated or credited opener, or a known city that is not a state name.

    "Ukraine - US talks" opens a headline, not a dateline; "Kyiv - …" and
    "ANYTOWN, June 18 -" are datelines.
    """
    city, credit = hit["city"], hit["credit"]
    if city.lower() in WEEKDAYS:
        return False  # "Tuesday, June 18 - …": a date line, no place
    if hit["date"]:
        return True
    if credit and (city.isupper() or gazetteer.normalise(credit) in WIRE_AGENCIES):
        return True
    if gazetteer.country_by_name(city) is not None:
        return False
    return gazetteer.city_by_name(city.title()) is not None


def _dateline_spans(doc: Doc, parts: list[tuple[int, int] | None]) -> Dateline | None:
    """Token spans of a dateline's parts (:data:`_PARTS`), or None if they cut
    through tokens."""
    city, dash, date, credit = (
        None if at is None else doc.char_span(*at, alignment_mode="expand")
        for at in parts
    )
    if city is None or dash is None:
        return None
    return Dateline(
        doc[city.start : dash.end],
        Span(doc, city.start, city.end, label="GPE"),
        date,
        credit,
    )


def dateline_places(doc: Doc) -> list[Span]:
    """ "Kyiv – …", "ATHENS, March 11 - …": the city of each dateline, as GPE.

    Wire datelines are often missed or misparsed by the model (as the subject
    of the first clause); the city there is a place, whatever it was tagged.
    """
    return [d.city for d in find_datelines(doc)]


def dateline_leads(doc: Doc) -> list[int]:
    """Index of the first word after each dateline's dash: a sentence start.

    Glued to its dateline, the lead's first clause is misparsed ("MOSCOW" as its
    subject) and tagged ("June 18 - Russia" as one DATE), and its event is lost.
    """
    leads = []
    for dateline in find_datelines(doc):
        i = dateline.span.end
        while i < len(doc) and doc[i].is_space:
            i += 1
        if i < len(doc):
            leads.append(i)
    return leads


def lead_body(doc: Doc, lead: int, limit: int) -> range:
    """Tokens of a lead's first sentence after its first word: none starts one.

    Cut from its dateline, a lead still gets split by the parser after its
    first word ("Egypt | and Sudan signed …"); its first sentence runs to the
    first full stop, line break or ``limit`` tokens.
    """
    end = min(lead + limit, len(doc))
    for i in range(lead + 1, end):
        before = doc[i - 1]
        if before.text in SENTENCE_ENDS or "\n" in before.text_with_ws:
            return range(lead + 1, i)
    return range(lead + 1, end)


def part_of_title(span: Span) -> bool:
    """A one-word ORG that ends a title or department name ("Secretary of
    State"), or the "State for Defence" of "Secretary of State for Defence".

    A state's own name after a title ("the President of Chile", "leaders of
    Peru") is the state, which the text names: it is an entity, not a piece
    of the title.
    """
    doc = span.doc
    of_office = len(span) > 2 and span[0].lower_ == "state" and span[1].lower_ == "for"
    if (len(span) != 1 and not of_office) or span.start < 2:
        return False
    if doc[span.start - 1].lower_ != "of":
        return False
    if state_name(span.text):
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
        while end < len(doc) and _untagged_name(doc[end]):
            end += 1
        if end - token.i - 1 >= 2:
            found.append(Span(doc, token.i + 1, end, label="PERSON"))
    return found


def untagged_subjects(doc: Doc) -> list[Span]:
    """Names the model did not tag at all that are the subject of a clause.

    "Recep Tayyip Erdogan accused …": two or three capitalised proper nouns,
    outside any entity, standing as a verb's subject, are a person unless a
    word of them is a title, a body's word or a place ("Hong Kong Police").
    """
    found = []
    for token in doc:
        if token.dep_ not in ("nsubj", "nsubjpass") or not _untagged_name(token):
            continue
        start = token.i
        while start > 0 and _untagged_name(doc[start - 1]) and token.i - start < 2:
            start -= 1
        words = doc[start : token.i + 1]
        if len(words) < 2 or any(_not_a_person_word(t) for t in words):
            continue
        if gazetteer.resolve_place(words.text) or state_name(words.text):
            continue
        found.append(Span(doc, start, token.i + 1, label="PERSON"))
    return found


def _untagged_name(token: Token) -> bool:
    """A capitalised proper noun outside every entity the model found."""
    return token.pos_ == "PROPN" and token.is_title and not token.ent_type_


#: Words that end the name of a programme, a law or a gathering, not a person.
NAMED_THING_HEADS = frozenset(
    "program programme convention directive unit units fund foundation conference "
    "summit festival act treaty agreement accord initiative plan project campaign "
    "operation".split()
)


def _not_a_person_word(token: Token) -> bool:
    """A word no person's name holds: a title, a body's or a thing's head word,
    a state's name or its demonym."""
    word = token.lower_
    return (
        is_title(token)
        or word in BODY_HEADS
        or word in NAMED_THING_HEADS
        or state_name(token.text)
        or gazetteer.is_demonym(token.text)
    )


def titled_state_persons(doc: Doc, spans: list[Span]) -> list[Span]:
    """ "the Prime Minister of Norway Jonas Støre": after a title and "of", a
    state's name then a person's name, however the model cut them.

    The model often misses the name after such a title, or glues the state
    to the name's first words as a body ("Norway Jonas" ORG + "Støre"
    PERSON), or leaves the state to the title. The state is read off the
    gazetteer (its longest name right after "of" or "of the"), the name is
    the run of two or more capitalised words after it, up to a title word, a
    body word or a state; the model's spans over those words give way to a
    state (GPE) and a person (PERSON). Spans reaching past the name are left
    as the model made them.
    """
    claimed: list[tuple[int, int]] = []
    added: list[Span] = []
    for token in doc:
        if token.lower_ != "of" or not _after_title(token):
            continue
        start = token.i + 1
        if start < len(doc) and doc[start].lower_ == "the":
            start += 1
        cut = _state_end(doc, start)
        if cut is None:
            continue
        end = cut
        while end < len(doc) and _name_word(doc[end]):
            end += 1
        if end - cut < 2:
            continue
        if any(s.start < end and s.end > end for s in spans):
            continue  # a longer name the model saw: left alone
        claimed.append((start, end))
        added += [
            Span(doc, start, cut, label="GPE"),
            Span(doc, cut, end, label="PERSON"),
        ]
    if not added:
        return spans
    kept = [s for s in spans if not any(s.start < b and s.end > a for a, b in claimed)]
    return sorted(kept + added, key=lambda s: s.start)


def _after_title(of: Token) -> bool:
    """ "President of", "Minister of Defence of": the "of" follows a title,
    maybe through capitalised words of a department."""
    doc = of.doc
    for k in range(of.i - 1, max(of.i - 6, -1), -1):
        word = doc[k]
        if is_title(word):
            return True
        if not (word.is_title or word.lower_ in ("of", "and", "for")):
            return False
    return False


def _state_end(doc: Doc, start: int) -> int | None:
    """The end of the longest state name (not a demonym) that starts here."""
    for end in range(min(start + 4, len(doc)), start, -1):
        words = doc[start:end]
        if all(t.is_title or t.is_upper for t in words) and state_name(words.text):
            return end
    return None


def _name_word(token: Token) -> bool:
    """A word of a person's name: capitalised, no title, body or state word."""
    word = token.lower_
    return (
        (token.is_alpha or "'" in token.text or "-" in token.text)
        and (
            token.is_title
            or (token.is_upper and len(token) > 1 and set(word) <= set("ivx"))
        )
        and not (
            is_title(token)
            or word in BODY_HEADS
            or word in ("of", "and", "the")
            or gazetteer.country_by_name(token.text)
        )
    )


#: Entity labels of names that are no actor (products, works, laws, events,
#: languages); the model sometimes gives a state's name one of them.
NON_ACTOR_NAME_LABELS = frozenset(
    {"PRODUCT", "WORK_OF_ART", "LAW", "EVENT", "LANGUAGE"}
)


def untagged_states(doc: Doc) -> list[Span]:
    """State names the model did not tag at all, as GPE spans.

    Sentence-initial names after a dateline are often missed ("China accused
    the Philippines …", "Japan pledged …"): proper nouns outside any entity
    that end a state's name (not its demonym) name that state ("DR Congo"),
    unless they modify another name ("China Daily").
    """
    found = []
    pos = doc.to_array("POS").tolist()
    propn = doc.vocab.strings["PROPN"]
    for i in (i for i, p in enumerate(pos) if p == propn):
        token = doc[i]
        if token.dep_ == "compound" and token.head.pos_ == "PROPN":
            continue
        for start in range(max(i - 2, 0), i + 1):
            words = doc[start : i + 1]
            if all(
                pos[t.i] == propn and not t.ent_type_ and (t.is_title or t.is_upper)
                for t in words
            ) and state_name(words.text):
                found.append(Span(doc, start, i + 1, label="GPE"))
                break
    return found


def mislabelled_states(doc: Doc) -> list[Span]:
    """State names the model tagged as something no actor is (a product, a work
    of art, a law: "asked Cyprus to consider …"), as GPE spans."""
    return [
        Span(doc, ent.start, ent.end, label="GPE")
        for ent in doc.ents
        if ent.label_ in NON_ACTOR_NAME_LABELS and state_name(ent.text)
    ]


def listed_people(doc: Doc, spans: list[Span]) -> list[Span]:
    """``spans`` with the known people (``data/people.jsonl``) the model
    mistook or missed made persons: "Trump" tagged ORG, "Honcharuk" tagged
    GPE, "Nicolás Maduro" tagged a work of art, an untagged "Mitsotakis".

    A state's own name is never taken for a person, nor is a listed actor.
    """
    out = [_as_person(span) if _listed(span) else span for span in spans]
    taken = {t for span in out for t in range(span.start, span.end)}
    extra = [
        _as_person(ent)
        for ent in doc.ents
        if ent.label_ in NON_ACTOR_NAME_LABELS and _listed(ent)
    ]
    extra += [_as_person(run) for run in _untagged_runs(doc) if _listed(run)]
    return out + [s for s in extra if not taken & set(range(s.start, s.end))]


def _listed(span: Span) -> bool:
    return (
        span.label_ not in ("PERSON", "KG_ACTOR")
        and not state_name(span.text)
        and known_person(span.text) is not None
    )


def _as_person(span: Span) -> Span:
    return Span(span.doc, span.start, span.end, label="PERSON")


def _untagged_runs(doc: Doc) -> list[Span]:
    """Every longest run of capitalised proper nouns outside the model's entities."""
    runs: list[Span] = []
    start: int | None = None
    for token in [*doc, None]:
        if token is not None and _untagged_name(token):
            start = token.i if start is None else start
        elif start is not None:
            end = token.i if token is not None else len(doc)
            runs.append(Span(doc, start, end))
            start = None
    return runs


def state_name(text: str) -> bool:
    """A state's name or short name, not its demonym ("Congo", not "Congolese")."""
    return gazetteer.country_by_name(text) is not None and not gazetteer.is_demonym(
        text
    )


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
    while i >= 0 and doc[i].text.lower().strip(".") in TITLE_CHAIN:
        role_words.insert(0, doc[i].text)
        i -= 1
    if i >= 0:
        country, i = _country_before(doc, i, country)
    apposed_words, apposed_country = _apposed_title(span)
    role_words = role_words or apposed_words
    country = country or apposed_country
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


def _apposed_title(span: Span) -> tuple[list[str], str | None]:
    """The title a name stands in apposition to, and the state it names.

    "the Foreign Minister of Kenya, Musalia Mudavadi" → (["Foreign",
    "Minister"], KEN); only the title's own modifiers and its "of" phrases
    count, not "the envoy to Kenya".
    """
    root = span.root
    head = root.head
    if root.dep_ != "appos" or head.i >= span.start or not is_title(head):
        return [], None
    words = [
        t.text
        for t in head.lefts
        if t.dep_ in ("compound", "amod") and t.lower_.strip(".") in TITLE_WORDS
    ]
    places = [t for t in head.lefts if t.dep_ in ("amod", "compound", "poss", "nmod")]
    places += _of_objects(head)
    for token in places:
        hit = gazetteer.country_by_name(
            token.doc[token.left_edge.i : token.i + 1].text
        ) or gazetteer.country_by_name(token.text)
        if hit is not None:
            return [*words, head.text], hit.iso3
    return [*words, head.text], None


def _of_objects(token: Token, depth: int = 2) -> list[Token]:
    """Objects of the "of" phrases under a title: "Minister of Foreign Affairs
    of Kenya" → Affairs, Kenya."""
    found = []
    for prep in (c for c in token.children if c.dep_ == "prep" and c.lower_ == "of"):
        for pobj in (c for c in prep.children if c.dep_ == "pobj"):
            found.append(pobj)
            if depth > 1:
                found += _of_objects(pobj, depth - 1)
    return found


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
    return _body_country(doc, i) or country, i


def _body_country(doc: Doc, i: int) -> str | None:
    """The state in the name of a body that ends right before a title:
    "Chinese Foreign Ministry spokesperson Lin Jian" → CHN (tagged as one
    body, or as "Chinese" and "Foreign Ministry")."""
    if doc[i].ent_type_ != "ORG":
        return None
    stop = max(i - 6, -1)
    while i > stop and doc[i].ent_type_ in ("ORG", "NORP", "GPE"):
        hit = gazetteer.country_by_name(doc[i].text)
        if hit is not None:
            return hit.iso3
        i -= 1
    return None


def title_fragment(span: Span) -> bool:
    """ "Philippine Foreign" tagged as a body in "Philippine Foreign Secretary
    Enrique Manalo": it ends in a title word and runs into a title, so it is
    the start of a person's title, not an actor."""
    after = span.doc[span.end] if span.end < len(span.doc) else None
    return (
        after is not None
        and span[-1].lower_.strip(".") in TITLE_WORDS
        and (is_title(after) or after.lower_ in TITLE_WORDS)
    )


def split_glued(span: Span, context: frozenset[str] = frozenset()) -> list[Span]:
    """The mentions a span the model glued together is made of, else the span.

    - "President of Burkina Faso Blaise Compaoré", "Chief Executive of Hong
      Kong Carrie Lam": after "of", a state's name runs into a person's name;
      the two are a state (GPE) and a person (PERSON).
    - "Crete and Cyprus", "Badr and Tiji": two places joined by "and", when the
      whole is no state ("Trinidad and Tobago") and one side is a state, or
      both are places GeoNames knows (not "Jammu and Kashmir", a region).
    - "Omsk in Siberia": a known place "in" a wider one ("Catholic Church in
      Thailand" is a body, and stays whole).
    """
    if span.label_ == "KG_ACTOR" or len(span) < 3:
        return [span]
    doc = span.doc
    words = doc[span.start + 1 : span.end] if span[0].pos_ == "DET" else span
    if len(words) >= 3:
        parts = _state_then_person(words) or _joined_places(words, context)
        if parts:
            return parts
    return [span]


def _state_then_person(span: Span) -> list[Span] | None:
    doc = span.doc
    before = doc[span.start - 1] if span.start > 0 else None
    if before is not None and before.pos_ == "DET" and span.start > 1:
        before = doc[span.start - 2]
    if before is None or before.lower_ != "of":
        return None
    for cut in range(span.start + 1, span.end - 1):
        state, name = doc[span.start : cut], doc[cut : span.end]
        if gazetteer.country_by_name(state.text) is None or gazetteer.is_demonym(
            state.text
        ):
            continue
        if all(t.pos_ == "PROPN" and t.text[:1].isupper() for t in name) and not (
            is_honorific(name[0])
            or name[-1].lower_ in BODY_HEADS
            or gazetteer.country_by_name(name.text)
        ):
            return [
                Span(doc, span.start, cut, label="GPE"),
                Span(doc, cut, span.end, label="PERSON"),
            ]
    return None


#: Nouns that end the name of a body or a place, never a person's name: after
#: "of the U.S.", "District Court" is a court.
BODY_HEADS = frozenset(
    "court council party ministry department assembly parliament senate house "
    "committee commission office agency army navy force forces police guard bank "
    "university league union front movement organization organisation authority "
    "government administration service company group corporation institute "
    "centre center association federation alliance coalition district province "
    "state region city county airport port square street bridge".split()
)


def _joined_places(span: Span, context: frozenset[str]) -> list[Span] | None:
    doc = span.doc
    for token in span[1:-1]:
        if token.lower_ not in ("and", "in", "&"):
            continue
        left, right = doc[span.start : token.i], doc[token.i + 1 : span.end]
        if not (left[0].text[:1].isupper() and right[0].text[:1].isupper()):
            continue
        if gazetteer.country_by_name(span.text) or gazetteer.resolve_place(
            span.text, context
        ):
            return None  # "Trinidad and Tobago", "Bosnia and Herzegovina"
        known = [_place_like(part, context) for part in (left, right)]
        if token.lower_ == "in":
            ok = known[0] is not None and right.text[:1].isupper()
        else:
            names = all(t.pos_ == "PROPN" for t in [*left, *right])
            ok = ("state" in known and names) or known == ["place", "place"]
        if ok:
            return [
                Span(doc, left.start, left.end, label="GPE"),
                Span(doc, right.start, right.end, label="GPE"),
            ]
    return None


def _place_like(part: Span, context: frozenset[str]) -> str | None:
    """ "state" for a state's name, "place" for a place GeoNames knows, else None."""
    text = part.text
    if gazetteer.is_demonym(text):
        return None
    if gazetteer.country_by_name(text) is not None:
        return "state"
    return "place" if gazetteer.resolve_place(text, context) is not None else None


#: Words that end a person's title, never a body's name: a span ending in one
#: ("National Security Advisor", "Libyan Field Marshal") is the title before a
#: name, cut off by the model. ("Islamic State", "Trade Representative" and
#: "Ministry of Defence" end otherwise, so they are not here.)
TITLE_ENDS = frozenset(
    "president minister secretary chancellor king queen prince ambassador envoy "
    "spokesperson spokesman spokeswoman speaker senator governor chief deputy "
    "adviser advisor commander lt col maj gen brig adm premier sheikh emir mayor "
    "director chairman chairwoman chairperson marshal professor lieutenant colonel "
    "captain commissioner judge".split()
)

#: Time zones and other codes the model tags as bodies ("10:00 UTC").
_CODES = frozenset(
    "UTC GMT BST CET CEST EET EEST WET EST EDT CST CDT MST MDT PST PDT "
    "IST JST KST AEST AEDT MSK".split()
)

#: Designations of weapons and diseases ("Mi-24", "F-16", "COVID-19"), which
#: the model tags as bodies or persons; groups of states ("G-20") are kept.
_DESIGNATION = re.compile(r"(?!G-)[A-Z][A-Za-z]{0,4}-\d+[A-Za-z]?")


def not_an_actor(text: str) -> bool:
    """A name that can be neither an actor nor a place, whatever its label.

    Time zones, currency codes ("MYR"), weapon and disease designations,
    faiths ("Islam"), a title cut off before its holder's name, and words in a
    cased script with no capital letter at all ("el cargo del" in a quoted
    Spanish ruling, "mosques"): English news capitalises every proper name.
    A name in a script without case (Arabic, Chinese) is kept.
    """
    if text.lower() in RELIGIONS:
        return True
    if any(c.islower() for c in text) and not any(c.isupper() for c in text):
        return True
    if text in _CODES or _DESIGNATION.fullmatch(text):
        return True
    if text.isupper() and len(text) == 3 and _is_currency(text):
        return True
    words = text.split()
    if len(words) > 1 and words[-1].lower() in HAPPENING_ENDS:
        return not any(w in ("of", "for") for w in words)  # "Study of War": a body
    return len(words) > 1 and words[-1].lower().strip(".") in TITLE_ENDS


#: Last words of the name of a happening, not of an actor: a war ("Second
#: Sudanese Civil War"), a crisis ("Debt Crisis"), an observance ("Peace
#: Week"), an uprising. With "of" or "for" in the name it is a body named
#: after one ("Institute for the Study of War").
HAPPENING_ENDS = frozenset("war crisis week uprising insurgency".split())


@lru_cache(maxsize=1)
def _currencies() -> frozenset[str]:
    import pycountry  # deferred: read once, on the first three-capital name

    return frozenset(c.alpha_3 for c in pycountry.currencies)


def _is_currency(code: str) -> bool:
    """An ISO 4217 code ("MYR", "USD") that is not also a state's code."""
    return code in _currencies() and gazetteer.country_by_code(code) is None


def stitch_spans(spans: list[Span]) -> list[Span]:
    """Entity spans the model cut out of one name, joined again.

    - Side by side, the first modifying a word of the second ("Abd Rabbuh" +
      "Mansur Hadi", "the U.S." + "District Court"), with the same label or
      one a body and neither a person: one name, a body if either part was
      tagged as one. ("New York City" + "Bill de Blasio" stay two.)
    - A body, "for" and another name ("District Court" for "Northern
      District"; "Tunisian League" for "the Defence of Human Rights"), with an
      "of" phrase after it ("of California"): one body.
    - Names joined by "of" that together name a state ("Democratic Republic"
      of "the Congo").
    Spans must be in document order; the result is too.
    """
    out: list[Span] = []
    for span in sorted(spans, key=lambda s: s.start):
        if out:
            joined = _join(out[-1], span)
            if joined is not None:
                out[-1] = joined
                continue
        out.append(span)
    return out


def _join(first: Span, second: Span) -> Span | None:
    doc = first.doc
    if second.start < first.end or "KG_ACTOR" in (first.label_, second.label_):
        return None  # a listed actor's name is already whole
    if second.start == first.end:
        last = first[-1]
        labels = (first.label_, second.label_)
        if (
            "NORP" not in labels  # "Belarusian" KGB: the body's state, not its name
            and (labels[0] == labels[1] or ("ORG" in labels and "PERSON" not in labels))
            and last.dep_ == "compound"
            and second.start <= last.head.i < second.end
        ):
            label = "ORG" if "ORG" in (first.label_, second.label_) else second.label_
            return Span(doc, first.start, second.end, label=label)
        return None
    between = doc[first.end : second.start]
    words = [t.lower_ for t in between]
    if words not in (["for"], ["for", "the"], ["of"], ["of", "the"]):
        return None
    if between[0].dep_ != "prep" or not first.start <= between[0].head.i < first.end:
        return None
    whole = Span(doc, first.start, second.end, label=first.label_)
    if gazetteer.country_by_name(whole.text) is not None:
        return Span(doc, first.start, second.end, label="GPE")
    if words[0] == "for" and first.label_ == "ORG":
        return Span(doc, first.start, second.end, label="ORG")
    if words == ["of"] and first.label_ == "ORG" and " for " in first.text:
        return Span(doc, first.start, second.end, label="ORG")  # "… of California"
    return None


def widen_person_right(span: Span) -> Span:
    """A person's span over the rest of the name the model left out:
    "Marine Le" + "Pen", "Enrique Peña" + "Nieto", "Moon Jae" + "-in".

    A following proper noun joins when the name's last word modifies it (a
    compound, as in every part of a name but the last); a hyphenated ending
    joins when written without spaces.
    """
    doc, end = span.doc, span.end
    while end < len(doc):
        last, token = doc[end - 1], doc[end]
        if (
            token.text == "-"
            and not last.whitespace_
            and not token.whitespace_
            and end + 1 < len(doc)
            and doc[end + 1].is_lower
            and doc[end + 1].pos_ == "PROPN"  # "Jae-in", not "Hadi-led"
        ):
            end += 2
            continue
        if (
            token.pos_ == "PROPN"
            and token.text[:1].isupper()
            and token.ent_type_ in ("", "PERSON")
            and last.dep_ == "compound"
            and last.head.i >= end
            and not is_honorific(token)
        ):
            end += 1
            continue
        break
    return doc[span.start : end]


#: Faiths, which the model tags as groups or bodies: a belief is no actor
#: (its believers, "Muslims", "Catholics", can be, and are kept).
RELIGIONS = frozenset(
    "islam christianity judaism hinduism buddhism sikhism christendom "
    "catholicism protestantism".split()
)


def common_word_opening(span: Span) -> bool:
    """ "Clashes erupt …", "Defeated …", "Files show …": one common noun or
    verb, capitalised only because it opens a sentence or headline, that the
    model tagged as a name. A state's name or demonym ("Tongans") is kept."""
    if len(span) != 1 or span.label_ == "NORP":
        return False  # "Tongans", "Kurds": peoples, whatever their tag
    token = span[0]
    return (
        token.is_sent_start is True
        and token.pos_ in ("NOUN", "VERB")
        and token.is_title
        and gazetteer.country_by_name(token.text) is None
        and gazetteer.country_by_name(token.text.removesuffix("s")) is None
    )


def join_comma_places(spans: list[Span]) -> list[Span]:
    """ "Washington, D.C.": a place and the part after its comma, one place
    when GeoNames knows the pair as one name.

    The model tags each side apart, and the second ("D.C.") alone is no place
    it can link, so it became an entity of its own. Ordinary "City, Region"
    pairs ("Portland, Oregon") are no name GeoNames has: the region stays a
    place of its own, as readers (and annotators) count it.
    Spans must be in document order; the result is too.
    """
    out: list[Span] = []
    for span in spans:
        if out and _one_place(out[-1], span):
            first = out[-1]
            out[-1] = Span(span.doc, first.start, span.end, label=first.label_)
            continue
        out.append(span)
    return out


def _one_place(first: Span, second: Span) -> bool:
    doc = first.doc
    if first.label_ not in ("GPE", "LOC") or second.label_ not in ("GPE", "LOC"):
        return False
    if second.start != first.end + 1 or doc[first.end].text != ",":
        return False
    if gazetteer.country_by_name(second.text) is not None:
        return False  # "Kyiv, Ukraine": the state is an actor of its own
    return gazetteer.resolve_place(f"{first.text}, {second.text}") is not None


#: An acronym as written: capitals (with digits, "&" or a hyphen), dots allowed
#: ("NATO", "U.N.", "FARC-EP", "P5"); two letters at least.
_ACRONYM = re.compile(r"[A-Z](?:[A-Z0-9&-]|\.(?=[A-Z]))+\.?")

#: Words an acronym leaves out of its long form.
ACRONYM_SKIPS = frozenset("of the and for on in to at & de du des la le el al".split())


def is_acronym(text: str) -> bool:
    """ "PKK", "FAA", "U.N.": a short name of capitals standing for a longer one."""
    letters = [c for c in text if c.isalpha()]
    return (
        bool(_ACRONYM.fullmatch(text))
        and 2 <= len(letters) <= 8
        and all(c.isupper() for c in letters)
    )


def acronym_letters(text: str) -> str:
    """An acronym's letters, without its dots: "U.N." → "UN"."""
    return "".join(c for c in text if c.isalnum())


def initials(name: str) -> set[str]:
    """The acronyms a long name can have: the capitals of its content words.

    "North Atlantic Treaty Organization" → NATO, "Organization of the Petroleum
    Exporting Countries" → OPEC (of/the/and/for left out), "Agence
    France-Presse" → AFP (each part of a hyphenated word, or the word once);
    a leading state ("U.S. Federal Aviation Administration", "Iraqi National
    Congress") may be left out, as the short form usually does.
    """
    words = [w for w in re.split(r"[\s/]+", name) if w]
    words = [w for w in words if w.lower().strip(".,'\u2019") not in ACRONYM_SKIPS]
    if not words:
        return set()
    split = "".join(p[0] for w in words for p in w.split("-") if p and p[0].isalnum())
    whole = "".join(w[0] for w in words if w[0].isalnum())
    found = {split.upper(), whole.upper()}
    first = words[0].strip(".,")
    if len(words) > 2 and (
        gazetteer.country_by_name(first) or gazetteer.country_by_name(words[0])
    ):
        found |= {f[1:] for f in found}
    return {f for f in found if len(f) >= 2}
