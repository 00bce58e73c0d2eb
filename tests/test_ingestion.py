"""Tests of kg.ingestion on a real Oxigraph store: runs, replacement, removal,
--validate.

Most cases store extractions built by hand (real records, real mapping, real
shapes), so they are exact and fast; the end-to-end cases run the real pipeline.
"""

from __future__ import annotations

from datetime import date, timezone

import pytest
from helpers.paths import SAMPLE
from rdflib import URIRef
from rdflib.namespace import PROV, RDFS

from kg.errors import InputError, KGError
from kg.ingestion import ingest, ingest_extractions, remove_articles
from kg.rdf.iris import article_iri, event_iri
from kg.rdf.namespaces import KG
from kg.records import Article, Entity, Event, Extraction
from kg.store import open_store
from kg.store.provenance import Revision, read_run, read_runs

MODEL = "en_test_model 1.0.0"
ZELENSKIY = Entity("Volodymyr Zelenskiy", "person", "UKR")
WITKOFF = Entity("Steve Witkoff", "person", "USA")
RUSSIA = Entity("Russia", "country", "RUS")
WAGNER = Entity("Wagner Group", "group", "RUS")


def make_extraction(
    aid: str,
    pairs: list[tuple[str, Entity, Entity | None]],
    text: str = "Body of the article.",
    confidence: float = 0.8,
) -> Extraction:
    """One article with an event per (CAMEO code, source, target)."""
    article = Article(
        aid, text, title=f"Title {aid}", date=date(2019, 1, 24), origin=f"{aid}.txt"
    )
    events = tuple(
        Event(
            code, "talks", src, tgt, None, "2019-01-21", text, 0, len(text), confidence
        )
        for code, src, tgt in pairs
    )
    entities = tuple(dict.fromkeys(e for _, s, t in pairs for e in (s, t) if e))
    return Extraction(article, entities, events)


def labels(store) -> set[str]:
    """Labels of the actors and places in the union (not the ontology's labels)."""
    union = store.read_graph()
    described = set(union.subjects(KG.mentionedIn, None))
    return {str(o) for s in described for o in union.objects(s, RDFS.label)}


@pytest.mark.parametrize("ids", [("a1", "a2")])
def test_ingestion_run_recorded_with_counts_and_times(store, ids):
    extractions = [make_extraction(aid, [("040", ZELENSKIY, WITKOFF)]) for aid in ids]
    report = ingest_extractions(extractions, store, model=MODEL)
    assert (report.added, report.replaced, report.unchanged, report.failed) == (
        2,
        0,
        0,
        0,
    )
    (run,) = read_runs(store)
    assert run.iri == report.run and run.command == "ingest"
    assert run.added == ids and run.replaced == () and run.removed == ()
    assert (run.unchanged, run.failed, run.model, run.status) == (
        0,
        0,
        MODEL,
        "finished",
    )
    assert run.started.tzinfo == timezone.utc and run.started <= run.ended
    for aid in ids:
        generated = set(
            store.read_graph(article_iri(aid)).objects(None, PROV.wasGeneratedBy)
        )
        assert generated == {report.run}
    # The record lives in its own graph, outside the union and the article list.
    assert store.runs() == [report.run]
    assert store.articles() == [article_iri(a) for a in ids]
    assert (report.run, None, None) not in store.read_graph()


@pytest.mark.parametrize("new_text", ["Edited body of the article."])
def test_ingestion_changed_article_is_recorded_as_replaced(store, new_text):
    old = make_extraction("a1", [("040", ZELENSKIY, WITKOFF)])
    new = make_extraction("a1", [("190", RUSSIA, None)], text=new_text)
    ingest_extractions([old], store, model=MODEL)
    report = ingest_extractions([new], store, model=MODEL)
    assert (report.added, report.replaced) == (0, 1)
    newest, first = read_runs(store)
    assert newest.iri == report.run and first.added == ("a1",)
    assert newest.replaced == (
        Revision("a1", old.article.content_hash, new.article.content_hash),
    )
    assert old.article.content_hash != new.article.content_hash
    # The whole graph was replaced: the old event and its actors are gone.
    graph = store.read_graph(article_iri("a1"))
    assert (event_iri(old.article, old.events[0]), None, None) not in graph
    assert (event_iri(new.article, new.events[0]), None, None) in graph
    assert labels(store) == {"Russia"}
    assert set(graph.objects(article_iri("a1"), PROV.wasGeneratedBy)) == {report.run}


@pytest.mark.parametrize("times", [2])
def test_ingestion_run_that_changes_nothing_is_recorded(store, times):
    extraction = make_extraction("a1", [("040", ZELENSKIY, WITKOFF)])
    for _ in range(times):
        report = ingest_extractions([extraction], store, model=MODEL)
    assert (report.added, report.replaced, report.unchanged) == (0, 0, 1)
    runs = read_runs(store)
    assert len(runs) == times
    assert (runs[0].added, runs[0].unchanged, runs[0].status) == ((), 1, "finished")
    # The article still points at the run that wrote it, not at the no-op run.
    graph = store.read_graph(article_iri("a1"))
    assert set(graph.objects(None, PROV.wasGeneratedBy)) == {runs[1].iri}


@pytest.mark.parametrize("removed, gone, kept", [("a2", "Wagner Group", "Russia")])
def test_ingestion_remove_drops_unshared_actors_keeps_shared(
    store, removed, gone, kept
):
    ingest_extractions(
        [
            make_extraction("a1", [("190", RUSSIA, None)]),
            make_extraction("a2", [("190", WAGNER, RUSSIA)]),
        ],
        store,
        model=MODEL,
    )
    assert {gone, kept} <= labels(store)
    report = remove_articles(store, [removed])
    assert report.removed == (removed,) and report.unknown == ()
    assert store.articles() == [article_iri("a1")]
    assert gone not in labels(store) and kept in labels(store)
    run = read_run(store, report.run)
    assert (run.command, run.removed, run.model, run.failed) == (
        "remove",
        (removed,),
        None,
        0,
    )


@pytest.mark.parametrize("ids", [("nope", "a1", "a1")])
def test_ingestion_remove_unknown_id_reported_others_removed(store, ids):
    ingest_extractions(
        [make_extraction("a1", [("190", RUSSIA, None)])], store, model=MODEL
    )
    errors: list[KGError] = []
    report = remove_articles(store, ids, on_error=errors.append)
    assert report.removed == ("a1",) and report.unknown == ("nope",)
    assert [str(e) for e in errors] == [
        "nope: no article with this id in the store at "
        f"{store.location}; nothing removed for it. List stored ids with: "
        'kg query "SELECT ?a WHERE { ?a a kg:Article }"'
    ]
    assert store.articles() == []
    assert read_run(store, report.run).failed == 1


@pytest.mark.parametrize(
    "validate, stored", [(True, ["good"]), (False, ["bad", "good"])]
)
def test_ingestion_validate_rejects_bad_article_stores_good(store, validate, stored):
    good = make_extraction("good", [("040", ZELENSKIY, WITKOFF)])
    bad = make_extraction("bad", [("040", ZELENSKIY, WITKOFF)], confidence=1.5)
    errors: list[KGError] = []
    report = ingest_extractions(
        [bad, good], store, model=MODEL, on_error=errors.append, validate=validate
    )
    assert store.articles() == [article_iri(a) for a in stored]
    assert (report.added, report.failed) == (len(stored), 2 - len(stored))
    if not validate:
        assert errors == []
        return
    (error,) = errors
    assert isinstance(error, InputError) and error.path == "bad.txt"
    message = str(error)
    assert message.startswith(
        "bad.txt: not stored: article 'bad' breaks 1 SHACL rule(s);"
    )
    assert (
        "kg:confidence: An event needs one kg:confidence, an xsd:decimal in [0, 1]."
        in message
    )
    assert "\n" not in message
    assert read_runs(store)[0].failed == 1


@pytest.mark.parametrize("missing", ["no-such-file.txt"])
def test_ingestion_run_stopped_by_error_is_recorded(store, nlp, tmp_path, missing):
    with pytest.raises(InputError):
        ingest([SAMPLE, tmp_path / missing], store, nlp=nlp)
    (run,) = read_runs(store)
    assert run.status == "stopped" and missing in run.error
    # Reading runs ahead of the model's batches, so nothing was stored yet.
    assert (run.added, run.failed, store.articles()) == ((), 1, [])


@pytest.mark.parametrize("article", ["ukraine-us-talks"])
def test_ingestion_real_pipeline_records_model_and_skips_unchanged(store, nlp, article):
    from kg.extraction.pipeline import model_label

    first = ingest([SAMPLE], store, nlp=nlp, validate=True)
    again = ingest([SAMPLE], store, nlp=nlp)
    assert (first.added, first.failed, first.events > 0) == (1, 0, True)
    assert (again.added, again.unchanged) == (0, 1)
    newest, oldest = read_runs(store)
    assert (oldest.added, oldest.model) == ((article,), model_label(nlp))
    assert (newest.added, newest.unchanged, newest.iri) == ((), 1, again.run)
    generated = store.read_graph(article_iri(article)).value(
        article_iri(article), PROV.wasGeneratedBy
    )
    assert generated == URIRef(first.run)


@pytest.mark.parametrize("article", ["ukraine-us-talks.txt"])
def test_ingestion_force_rewrites_unchanged_article(nlp, tmp_path, article):
    """--force re-extracts and really rewrites (e.g. after a model upgrade)."""
    from helpers.paths import DATA

    from kg.ingestion import ingest
    from kg.store import open_store

    with open_store(tmp_path / "store") as store:
        first = ingest([DATA / article], store, nlp=nlp)
        again = ingest([DATA / article], store, nlp=nlp)
        forced = ingest([DATA / article], store, nlp=nlp, force=True)
    assert (first.added, again.unchanged, forced.replaced) == (1, 1, 1)


@pytest.mark.parametrize("failing", [1])
def test_ingestion_without_on_error_stores_nothing_after_failed_article(store, failing):
    good = [make_extraction(f"a{i}", [("040", ZELENSKIY, WITKOFF)]) for i in range(4)]
    bad = make_extraction("bad", [("040", ZELENSKIY, WITKOFF)], confidence=1.5)
    extractions = good[:failing] + [bad] + good[failing:]
    with pytest.raises(InputError, match="bad.txt: not stored"):
        ingest_extractions(extractions, store, model=MODEL, validate=True)
    assert store.articles() == [article_iri(e.article) for e in good[:failing]]
    (run,) = read_runs(store)
    assert (run.status, run.added, run.failed) == ("stopped", ("a0",), 1)


@pytest.mark.parametrize(("ahead", "flush_every"), [(0, 1), (8, 2), (8, 200)])
def test_ingestion_writer_thread_keeps_order_and_content(
    tmp_path, monkeypatch, ahead, flush_every
):
    import kg.ingestion

    monkeypatch.setattr(kg.ingestion, "WRITE_AHEAD", ahead)
    monkeypatch.setattr(kg.ingestion, "FLUSH_EVERY", flush_every)
    pairs = [("040", ZELENSKIY, WITKOFF), ("190", RUSSIA, None)]
    extractions = [make_extraction(f"a{i:02d}", pairs[: 1 + i % 2]) for i in range(20)]
    extractions.insert(5, make_extraction("bad", pairs, confidence=1.5))
    seen: list[tuple[str, str]] = []
    errors: list[KGError] = []
    with open_store(tmp_path / "store") as store:
        report = ingest_extractions(
            extractions,
            store,
            model=MODEL,
            on_error=errors.append,
            progress=lambda aid, status: seen.append((aid, status)),
            validate=True,
        )
        stored = store.articles()
        union = store.triple_count()
    ids = [e.article.id for e in extractions]
    assert seen == [(aid, "failed" if aid == "bad" else "added") for aid in ids]
    assert stored == sorted(article_iri(aid) for aid in ids if aid != "bad")
    assert (report.added, report.failed, report.events, len(errors)) == (20, 1, 30, 1)
    assert union > 0
