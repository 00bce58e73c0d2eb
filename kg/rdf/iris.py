"""Deterministic IRIs, minted from content, never from counters or blank nodes.

Re-ingesting the same article gives the same IRIs, so the store does not grow and
Turtle output diffs cleanly; the same actor named in two articles is one node.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from urllib.parse import quote, unquote

from rdflib import URIRef

from kg.rdf.namespaces import KGR
from kg.records import Article, Entity, Event


def slug(text: str) -> str:
    """Lower-case ASCII slug: accents folded, every other run of characters → '-'.

    Used for the readable part of actor and place IRIs. Names that fold to nothing
    (all non-Latin script) fall back to a short hash so no two collide on "". The
    hash is of the NFC form, so a name typed decomposed (Hangul jamo, macOS file
    names) gets the same IRI as the composed one.
    """
    folded = unicodedata.normalize("NFKD", text)
    folded = "".join(c for c in folded if not unicodedata.combining(c))
    folded = folded.replace("\u2019", "'").lower()
    folded = re.sub(r"'s\b", "", folded)
    out = re.sub(r"[^a-z0-9]+", "-", folded).strip("-")
    composed = unicodedata.normalize("NFC", text)
    return out or "h" + hashlib.sha1(composed.encode("utf-8")).hexdigest()[:12]


def article_iri(article: Article | str) -> URIRef:
    """IRI of an article; also the name of the article's named graph."""
    aid = article if isinstance(article, str) else article.id
    return KGR[f"article/{quote(aid, safe='')}"]


def entity_iri(entity: Entity) -> URIRef:
    """IRI of an actor or place, shared across articles.

    Countries are keyed by ISO3 alone so "Ukraine", "Kyiv" (as the state) and
    "Ukrainian government" meet on one node; places by their GeoNames id when
    known (two Springfields stay two nodes, "Kiev" and "Kyiv" one); people by
    a transliteration-folded name (Zelenskiy, Zelensky and Zelenskyy in three
    articles are one node); others by kind, country and name.
    """
    if entity.kind == "country" and entity.country:
        return KGR[f"country/{entity.country}"]
    if entity.kind == "location" and entity.geonames_id is not None:
        return KGR[f"place/geonames/{entity.geonames_id}"]
    kind = "place" if entity.kind == "location" else entity.kind
    scope = f"{entity.country.lower()}/" if entity.country else ""
    key = person_key(entity.name) if entity.kind == "person" else slug(entity.name)
    return KGR[f"{kind}/{scope}{key}"]


def person_key(name: str) -> str:
    """Slug of a person's name with common transliteration endings folded.

    Romanisations of the same Cyrillic or Arabic name differ mostly in final
    -iy/-yy/-y/-ii ("Zelenskiy", "Zelenskyy", "Zelensky") and -ei/-ey
    ("Sergei", "Sergey"); one key for all.
    """
    return "-".join(_fold_ending(w) for w in slug(name).split("-"))


def _fold_ending(word: str) -> str:
    if len(word) <= 3:
        return word
    word = re.sub(r"(iy|yy|ii|yi)$", "y", word)
    return re.sub(r"ei$", "ey", word)


def event_iri(article: Article, event: Event) -> URIRef:
    """IRI of an event mention: article plus where and what in the text."""
    target = entity_iri(event.target) if event.target else ""
    key = (
        f"{event.start}:{event.trigger_start}:{event.trigger}:{event.cameo}:"
        f"{entity_iri(event.source)}:{target}"
    )
    digest = hashlib.sha1(key.encode("utf-8")).hexdigest()[:12]
    return KGR[f"event/{quote(article.id, safe='')}/{digest}"]


def run_iri(started_iso: str) -> URIRef:
    """IRI of one ingest run, keyed by its start time."""
    return KGR[f"run/{quote(started_iso, safe='')}"]


def revision_iri(run: URIRef, article_id: str) -> URIRef:
    """IRI of a run's replacement of one article (a kg:Revision), under the run."""
    return URIRef(f"{run}/revision/{quote(article_id, safe='')}")


def agent_iri(version: str) -> URIRef:
    """IRI of kg itself at one version, the prov:SoftwareAgent of its runs."""
    return KGR[f"agent/kg/{quote(version, safe='')}"]


def article_id(iri: URIRef | str) -> str | None:
    """The article id an article IRI was minted from; None for any other IRI."""
    prefix = str(KGR["article/"])
    text = str(iri)
    return unquote(text[len(prefix) :]) if text.startswith(prefix) else None


def is_run_iri(iri: URIRef | str) -> bool:
    """True for the IRI of a run (also the name of the run's graph)."""
    rest = str(iri).removeprefix(str(KGR["run/"]))
    return rest != str(iri) and "/" not in rest


def staging_iri(graph: URIRef | str) -> URIRef:
    """Name of the scratch graph a remote store fills before it swaps ``graph`` in.

    Keyed by a digest of the graph's name, so a retry reuses (and first drops) the
    scratch graph a failed write left behind.
    """
    digest = hashlib.sha1(str(graph).encode("utf-8")).hexdigest()[:16]
    return KGR[f"graph/staging/{digest}"]
