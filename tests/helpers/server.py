"""A small served store, an Endpoint in a background thread, and HTTP calls.

Shared by the server tests (test_server*, test_query_guard, test_worker_pool).
"""

from __future__ import annotations

import json
import socket
import threading
import urllib.error
import urllib.request
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from kg.rdf.iris import article_iri
from kg.rdf.mapping import extraction_to_graph
from kg.rdf.ontology import load_ontology
from kg.records import Article, Entity, Event, Extraction
from kg.serve.server import Endpoint, Settings
from kg.store import open_store

HOSTILE = '<script>alert("kg")</script> Brigade'
ZELENSKIY = Entity("Volodymyr Zelenskiy", "person", "UKR", ("Zelenskiy",), "President")
RUSSIA = Entity("Russia", "country", "RUS")
BRIGADE = Entity(HOSTILE, "group", "RUS")
KYIV = Entity("Kyiv", "location", "UKR")
# Four copies of every triple pattern over ~the whole store: far beyond 1 s.
EXPENSIVE = (
    "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i . ?j ?k ?l }"
)


def make_extraction(
    aid: str, events: list[tuple[str, Entity, Entity, str]]
) -> Extraction:
    text = " ".join(f"{s.name} {trigger} {t.name}." for _, s, t, trigger in events)
    article = Article(
        aid, text, title=f"Title {aid}", date=date(2019, 1, 24), source="Wikinews"
    )
    found, start = [], 0
    for code, source, target, trigger in events:
        sentence = f"{source.name} {trigger} {target.name}."
        found.append(
            Event(
                code,
                trigger,
                source,
                target,
                KYIV,
                "2019-01-21",
                sentence,
                start,
                start + len(sentence),
                0.8,
            )  # fmt: skip
        )
        start += len(sentence) + 1
    entities = tuple({e for _, s, t, _ in events for e in (s, t)} | {KYIV})
    return Extraction(article, entities, tuple(found))


SPEC = [
    (
        "a1",
        [("040", ZELENSKIY, RUSSIA, "talks"), ("190", RUSSIA, ZELENSKIY, "shelled")],
    ),
    ("a2", [("111", BRIGADE, ZELENSKIY, "criticised")]),
]


def make_store(path: Path) -> Path:
    """A store folder holding SPEC's articles and the ontology."""
    with open_store(path) as store:
        store.ensure_ontology(load_ontology())
        for aid, events in SPEC:
            extraction = make_extraction(aid, events)
            graph = extraction_to_graph(extraction, extractor_version="t", model="m")
            store.put_article(
                article_iri(extraction.article), graph, extraction.article.content_hash
            )
    return path


class Running:
    """An Endpoint serving in a background thread; .url is its base URL."""

    def __init__(self, settings: Settings) -> None:
        self.endpoint = Endpoint(settings).__enter__()
        self.thread = threading.Thread(
            target=self.endpoint.http.serve_forever, kwargs={"poll_interval": 0.1}
        )
        self.thread.start()
        self.url = self.endpoint.url
        self.sparql = self.url + "sparql"

    def stop(self) -> None:
        self.endpoint.http.shutdown()
        self.thread.join(10)
        self.endpoint.__exit__(None, None, None)


def http(
    url: str,
    data: bytes | None = None,
    headers: dict[str, str] | None = None,
    method: str | None = None,
) -> tuple[int, dict[str, str], bytes]:
    """Status, headers and body of one request, errors included."""
    request = urllib.request.Request(url, data, headers or {}, method=method)
    try:
        with urllib.request.urlopen(request, timeout=30) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as err:
        return err.code, dict(err.headers), err.read()


def get(base: str, query: str, accept: str | None = None) -> tuple[int, dict, bytes]:
    headers = {"Accept": accept} if accept else {}
    return http(f"{base}?{urlencode({'query': query})}", headers=headers)


def ask(base: str, query: str) -> tuple[int, dict, bytes]:
    """An ASK as JSON results; the body is b"true" or b"false" when answered.

    (ASK has no CSV form in the SPARQL 1.1 specs: text/csv gets 406.)
    """
    status, headers, body = get(base, query, "application/sparql-results+json")
    if status == 200:
        body = b"true" if json.loads(body)["boolean"] else b"false"
    return status, headers, body


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]
