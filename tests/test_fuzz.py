"""Property-based tests: arbitrary and mutated input through the whole pipeline.

Hypothesis mutates the bundled sample articles (HTML and script tags, quotes,
braces, backslashes, control characters, right-to-left and combining marks,
random Unicode) and checks what must hold for any text: extraction with the real
model does not fail; the mapped graph exports as Turtle and JSON-LD that rdflib
and Oxigraph both parse back to the stored triples; and the HTML view carries
article text only escaped. Actor names and article ids go straight to
kg.rdf.iris too, and random bytes to kg.read.

Examples are few (the model is slow) and random on each run; no example database
is written, and a failure prints the example that reproduces it.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import tempfile
import unicodedata
from collections.abc import Iterator
from pathlib import Path

import pycountry
import pyoxigraph as ox
import pytest
from helpers.paths import DATA
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rdflib import Graph
from spacy.language import Language

from kg.errors import InputError
from kg.exports import export_text
from kg.extraction import extract
from kg.extraction.pipeline import model_label
from kg.rdf.iris import article_id, article_iri, entity_iri, event_iri
from kg.rdf.mapping import extraction_to_graph
from kg.rdf.ontology import load_ontology
from kg.read import iter_articles
from kg.records import Article, Entity, Event
from kg.store import Store, open_store
from kg.views.graph import render_html

pytestmark = pytest.mark.system

PIPELINE = settings(
    max_examples=40,
    deadline=None,
    database=None,
    print_blob=True,
    suppress_health_check=[HealthCheck.too_slow],
)
FAST = settings(max_examples=300, deadline=None, database=None, print_blob=True)

#: The bodies of the bundled sample articles (front matter removed).
SAMPLES = [article.text for article in iter_articles(sorted(DATA.glob("*.txt")))]
SCRIPT = "<script>window.__pwned=1</script>"
IMAGE = '<img src=x onerror="window.__pwned=1">'
PAYLOADS = (
    SCRIPT,
    IMAGE,
    '"',
    "'",
    "\\",
    "{",
    "}",
    "{{x}}",
    "<",
    ">",
    "&",
    "&amp;",
    "]]>",
    "-->",
    "`",
    "|^",
    "\n",
    "\r\n",
    "\t",
    "\x00",
    "\x0b",
    "\x1b[31m",
    "\x7f",
    "\x85",
    "\u2028",
    "\u202e",
    "\u200f",
    "\u200d",
    "\ufeff",
    "\u0301",
    "\u0303\u0308",
    "\U0001f680",
    "\u0645\u064f\u062d\u064e\u0645\u0651\u064e\u062f",
    "\u05d1\u05e0\u05d9\u05de\u05d9\u05df",
    "\u6771\u4eac",
)
# Control, format, combining, separators: the characters that break naive code.
ODD_CHARACTERS = st.characters(categories=("Cc", "Cf", "Mn", "Me", "Zl", "Zp", "Zs"))
INSERTS = st.one_of(
    st.sampled_from(PAYLOADS), st.text(max_size=12), st.text(ODD_CHARACTERS, max_size=4)
)
# (where, glued to the end of a capitalised word?, what)
EDITS = st.lists(st.tuples(st.integers(0, 10**6), st.booleans(), INSERTS), max_size=8)
KINDS = ("person", "organization", "country", "group", "location", "other")
ISO3 = sorted(country.alpha_3 for country in pycountry.countries)
URLS = (
    None,
    "https://example.org/a?b=1&c=<x>",
    'https://example.org/"><script>window.__pwned=1</script>',
    "javascript:window.__pwned=1",
    "data:text/html,<script>window.__pwned=1</script>",
)
# What kg.views.graph itself writes into a tooltip; all else must be escaped text.
OWN_MARKUP = re.compile(r'</?(?:b|i|br)>|<a href="https?://[^"<>]*">|</a>')


def mutate(text: str, edits: list[tuple[int, bool, str]]) -> str:
    """Insert each edit; a glued one goes right after a capitalised word (a name)."""
    for where, glued, insert in edits:
        ends = [m.end() for m in re.finditer(r"\b[A-Z][a-z]+", text)]
        at = ends[where % len(ends)] if glued and ends else where % (len(text) + 1)
        text = text[:at] + insert + text[at:]
    return text


@st.composite
def articles(draw: st.DrawFn) -> Article:
    """A sample article with hostile edits, or random text; hostile title and URL."""
    base = draw(st.sampled_from(SAMPLES))
    text = draw(st.one_of(st.builds(mutate, st.just(base), EDITS), st.text(min_size=1)))
    return Article(
        id="fuzz",
        text=text,
        title=draw(st.one_of(st.sampled_from(PAYLOADS), st.text(max_size=40))),
        date=dt.date(2019, 1, 24),
        source=draw(st.one_of(st.none(), st.sampled_from(PAYLOADS))),
        url=draw(st.sampled_from(URLS)),
    )


@pytest.fixture(scope="module")
def memory_store() -> Iterator[Store]:
    """One in-memory store with the ontology; each example replaces its article."""
    with open_store("memory") as opened:
        opened.ensure_ontology(load_ontology())
        yield opened


def ingest_one(article: Article, nlp: Language, store: Store) -> Graph:
    """Extract with the real model, map, and store the article; return its graph."""
    (extraction,) = extract([article], nlp)
    graph = extraction_to_graph(
        extraction, extractor_version="fuzz", model=model_label(nlp)
    )
    store.put_article(article_iri(article), graph, article.content_hash, force=True)
    return graph


# --- IRIs -------------------------------------------------------------------------


@FAST
@given(
    name=st.text(max_size=80),
    kind=st.sampled_from(KINDS),
    country=st.one_of(st.none(), st.sampled_from(ISO3)),
    geonames_id=st.one_of(st.none(), st.integers(1, 10**9)),
)
@example(name="\ud55c\uad6d", kind="person", country=None, geonames_id=None)  # Hangul
def test_fuzz_entity_iri_valid_and_deterministic(name, kind, country, geonames_id):
    entity = Entity(name, kind, country, geonames_id=geonames_id)
    iri = entity_iri(entity)
    assert ox.NamedNode(str(iri)).value == str(iri)  # Oxigraph checks the syntax
    assert re.fullmatch(r"https://w3id\.org/kg-events/id/[A-Za-z0-9/-]+", str(iri))
    assert entity_iri(Entity(name, kind, country, geonames_id=geonames_id)) == iri
    for form in ("NFC", "NFD"):
        same = Entity(unicodedata.normalize(form, name), kind, country)
        assert entity_iri(same) == entity_iri(Entity(name, kind, country))


@FAST
@given(aid=st.text(min_size=1, max_size=80), trigger=st.text(max_size=20))
def test_fuzz_article_and_event_iris_valid_and_reversible(aid, trigger):
    iri = article_iri(aid)
    assert ox.NamedNode(str(iri)).value == str(iri)
    assert article_id(iri) == aid
    actor = Entity(aid, "person")
    event = Event("040", trigger, actor, None, None, None, aid, 0, 1, 0.5)
    event_node = event_iri(Article(aid, "text"), event)
    assert ox.NamedNode(str(event_node)).value == str(event_node)


# --- reading ----------------------------------------------------------------------


def _front_matter(header: str, body: str) -> bytes:
    return f"---\n{header}\n---\n{body}".encode()


#: Headers PyYAML builds into something surprising: impossible dates, aliases,
#: Python tags, deep nesting, huge numbers, complex keys.
TRICKY_HEADERS = (
    "date: 2019-02-30",
    "date: 2019-13-01",
    "date: 2019-01-01 25:61:00",
    "date: [2019, 1, 2]",
    "title: {a: b}",
    "x: &a [1, 2]\ny: *a",
    "x: !!python/object/apply:os.system [ls]",
    "x: " + "[" * 5000,
    "id: " + "9" * 5000,
    "? [a, b]\n: c",
    "- just\n- a list",
    "id: ''\ntitle: ''",
)
# Any text JSON can carry, lone surrogates ("\ud800" escapes) included.
ANY_TEXT = st.text(st.characters(exclude_categories=()), max_size=40)
JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.floats() | st.integers() | ANY_TEXT,
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(("id", "text", "title", "date", "url", "x")),
            inner,
            max_size=6,
        )
    ),
    max_leaves=12,
)
RAW_INPUTS = st.one_of(
    st.tuples(st.binary(max_size=600), st.sampled_from((".txt", ".json", ".jsonl"))),
    st.tuples(
        st.builds(
            _front_matter,
            st.one_of(st.sampled_from(TRICKY_HEADERS), st.text(max_size=200)),
            st.text(max_size=50),
        ),
        st.just(".md"),
    ),
    st.tuples(
        st.builds(lambda value: json.dumps(value).encode(), JSON_VALUES),
        st.sampled_from((".json", ".jsonl")),
    ),
)


@FAST
@given(raw=RAW_INPUTS)
def test_fuzz_reading_yields_articles_or_input_errors(raw):
    data, suffix = raw
    errors: list[InputError] = []
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"in{suffix}"
        path.write_bytes(data)
        read = list(iter_articles([path], on_error=errors.append))
    for article in read:
        assert article.id and article.text.strip()
        assert article.content_hash  # every field encodes: no lone surrogates
        assert unicodedata.is_normalized("NFC", article.text)
        assert ox.NamedNode(str(article_iri(article)))
    for error in errors:
        assert str(error).startswith(str(path)) and "\n" not in str(error)


# --- extraction, RDF and exports --------------------------------------------------


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated")  # rdflib's own
@PIPELINE
@given(article=articles())
def test_fuzz_pipeline_exports_parse_back(nlp, memory_store, article):
    graph = ingest_one(article, nlp, memory_store)
    stored = {
        quad.triple
        for quad in memory_store.quads_for_pattern(
            None, None, None, ox.NamedNode(str(article_iri(article)))
        )
    }
    assert len(stored) == len(graph)
    turtle = export_text(memory_store, "turtle", include_ontology=False)
    jsonld = export_text(memory_store, "jsonld", include_ontology=False)
    from_turtle = {q.triple for q in ox.parse(turtle.encode(), ox.RdfFormat.TURTLE)}
    from_jsonld = {q.triple for q in ox.parse(jsonld.encode(), ox.RdfFormat.JSON_LD)}
    assert stored == from_turtle == from_jsonld
    rdflib_turtle = Graph().parse(data=turtle, format="turtle")
    rdflib_jsonld = Graph().parse(data=jsonld, format="json-ld")
    assert len(rdflib_turtle) == len(rdflib_jsonld) == len(from_turtle)


# --- HTML view --------------------------------------------------------------------


def data_set(page: str, name: str) -> tuple[list[dict], str]:
    """The JSON that the page hands vis.DataSet for ``name``, and its raw text."""
    start = page.index(f"{name} = new vis.DataSet(") + len(f"{name} = new vis.DataSet(")
    value, end = json.JSONDecoder().raw_decode(page, start)
    return value, page[start:end]


@PIPELINE
@given(article=articles())
def test_fuzz_view_never_carries_article_text_unescaped(nlp, memory_store, article):
    ingest_one(article, nlp, memory_store)
    with tempfile.TemporaryDirectory() as folder:
        out = Path(folder) / "view.html"
        render_html(memory_store, out)
        page = out.read_text(encoding="utf-8")
    assert SCRIPT not in page and IMAGE not in page
    nodes, raw_nodes = data_set(page, "nodes")
    edges, raw_edges = data_set(page, "edges")
    # In the page's own <script>, JSON with no < or > cannot close the element.
    assert not set("<>") & set(raw_nodes + raw_edges)
    for node in nodes:
        # kgTip is what the page parses as HTML: only kg's own tags may be in it.
        text = OWN_MARKUP.sub("", node["kgTip"])
        assert "<" not in text and ">" not in text, node["kgTip"]
        assert "title" not in node  # a title would be shown by pyvis as raw HTML
        assert isinstance(node["label"], str)  # drawn on the canvas, as text
    for edge in edges:
        assert "<" not in str(edge.get("title", ""))
