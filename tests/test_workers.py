"""Tests of parallel extraction (--workers) and of resuming an interrupted ingest.

Both compare whole stores: every quad outside the run-history graphs, less the
``prov:wasGeneratedBy`` link to the run (its IRI is a timestamp).
"""

from __future__ import annotations

import importlib.util
import signal
import subprocess
import sys
from pathlib import Path

import pyoxigraph as ox
import pytest
from helpers.paths import DATA, ROOT
from rdflib.namespace import PROV

from kg.errors import ModelError
from kg.extraction import extract
from kg.extraction.formats import jsonl_lines
from kg.extraction.pipeline import build_pipeline, installed_model, model_label
from kg.ingestion import ingest
from kg.rdf.iris import is_run_iri
from kg.read import iter_articles
from kg.records import Article
from kg.store import open_store
from kg.store.provenance import read_runs

pytestmark = pytest.mark.system

GENERATED_BY = ox.NamedNode(str(PROV.wasGeneratedBy))


def load_corpus_module():
    """benchmarks/corpus.py, the generator the benchmarks use."""
    spec = importlib.util.spec_from_file_location(
        "corpus", ROOT / "benchmarks" / "corpus.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def content(path: Path) -> set[tuple]:
    """The store's quads, without run records and links to them.

    Quads with blank nodes (only the ontology's OWL lists have them) are counted
    rather than compared, since each load labels blank nodes afresh.
    """
    with open_store(path) as store:
        quads = list(store.ox.quads_for_pattern(None, None, None, None))
        blank = sum(isinstance(q.subject, ox.BlankNode) for q in quads)
        blank += sum(isinstance(q.object, ox.BlankNode) for q in quads)
        return {("blank nodes", blank)} | {
            (q.subject, q.predicate, q.object, q.graph_name)
            for q in quads
            if q.predicate != GENERATED_BY
            and not isinstance(q.subject, ox.BlankNode)
            and not isinstance(q.object, ox.BlankNode)
            and not is_run_iri(getattr(q.graph_name, "value", ""))
        }


def ingest_clean(paths: list[Path], store_path: Path, nlp) -> set[tuple]:
    with open_store(store_path) as store:
        ingest(paths, store, nlp=nlp)
    return content(store_path)


def kg(*args: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "kg", *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


@pytest.fixture(scope="module")
def corpus(tmp_path_factory) -> Path:
    """30 generated articles in a folder."""
    out = tmp_path_factory.mktemp("corpus") / "articles"
    module = load_corpus_module()
    assert module.write_folder(module.generate(30), out) == 30
    return out


@pytest.mark.parametrize("workers", [2])
def test_workers_ingest_same_store_as_one_worker(nlp, tmp_path, workers):
    expected = ingest_clean([DATA], tmp_path / "one", nlp)
    process = kg("ingest", str(DATA), "--store", str(tmp_path / "many"),
                 "--workers", str(workers))  # fmt: skip
    out, err = process.communicate(timeout=300)
    assert process.returncode == 0, err
    assert "0 failed" in out
    assert content(tmp_path / "many") == expected
    # The parent no longer builds a pipeline, yet records the workers' model.
    with open_store(tmp_path / "many") as store:
        assert [run.model for run in read_runs(store)] == [model_label(nlp)]


def test_workers_installed_model_reads_the_label_without_loading(nlp):
    name, label = installed_model()
    assert label == model_label(nlp)
    assert installed_model(name) == (name, label)


@pytest.mark.parametrize("pipes", [[], ["sentencizer"], ["ner"]])
def test_workers_installed_model_refuses_pipeline_without_parser_or_ner(
    tmp_path, pipes
):
    import spacy

    blank = spacy.blank("en")
    for pipe in pipes:
        blank.add_pipe(pipe)
    blank.initialize()
    blank.to_disk(tmp_path / "blank")
    missing = sorted({"parser", "ner"} - set(pipes))
    message = f"has no {', '.join(missing)}; kg needs a parser"
    with pytest.raises(ModelError, match=message):
        installed_model(str(tmp_path / "blank"))
    with pytest.raises(ModelError, match=message):  # the same as building it
        build_pipeline(str(tmp_path / "blank"))


@pytest.mark.parametrize("name", ["no_such_pipeline_installed"])
def test_workers_installed_model_missing_says_how_to_install(name):
    with pytest.raises(ModelError, match=f"tried {name}.*pip install"):
        installed_model(name)


@pytest.mark.parametrize("workers", [2])
def test_workers_extract_same_jsonl_as_one_worker(nlp, workers):
    articles = list(iter_articles([DATA]))
    one = [line for x in extract(articles, nlp) for line in jsonl_lines(x, True)]
    many = [
        line
        for x in extract(articles, n_process=workers)
        for line in jsonl_lines(x, True)
    ]
    assert len(one) > 50
    assert many == one


@pytest.mark.parametrize("stored_before_kill", [3])
def test_workers_interrupted_ingest_resumes_without_duplicates(
    nlp, corpus, tmp_path, stored_before_kill
):
    expected = ingest_clean([corpus], tmp_path / "clean", nlp)
    store_path = tmp_path / "resumed"
    process = kg("-vv", "ingest", str(corpus), "--store", str(store_path))
    stored = 0
    for line in process.stderr:
        stored += "DEBUG: added " in line
        if stored == stored_before_kill:
            process.send_signal(signal.SIGKILL)
            break
    process.wait(timeout=60)
    assert process.returncode == -signal.SIGKILL
    with open_store(store_path) as store:
        already = len(store.articles())
        report = ingest([corpus], store, nlp=nlp)
    assert stored_before_kill <= already < 30
    assert (report.unchanged, report.added, report.failed) == (already, 30 - already, 0)
    assert content(store_path) == expected


def _unseen_articles(batch: int, size: int = 4) -> list[Article]:
    """Articles full of words no pipeline has seen, new ones in every batch."""
    return [
        Article(
            id=f"zone-{batch}-{i}",
            text=f"Prime Minister Zorvath{batch}x{i} met Quellian{batch}y{i} officials "
            f"in Brastovia{batch}z{i} on Monday and signed a trade agreement.",
        )
        for i in range(size)
    ]


@pytest.mark.parametrize("batches", [4])
def test_workers_later_tasks_keep_the_vocabulary_flat(nlp, monkeypatch, batches):
    # What a --workers process does per task: the first one outside a memory
    # zone, every later one inside, so new words do not pile up over a long run.
    from kg.extraction import extract_batch
    from kg.extraction.runtime import parallel

    monkeypatch.setattr(parallel, "_nlp", nlp)
    monkeypatch.setattr(parallel, "_tasks", 0)
    parallel._extract_batch(_unseen_articles(0))
    flat = len(nlp.vocab.strings)
    for batch in range(1, batches):
        assert parallel._extract_batch(_unseen_articles(batch))
        assert len(nlp.vocab.strings) == flat
    extract_batch(_unseen_articles(batches), nlp, zone=False)  # the check can fail
    assert len(nlp.vocab.strings) > flat


@pytest.mark.parametrize("batches", [4])
def test_workers_dask_tasks_keep_the_vocabulary_flat(nlp, monkeypatch, batches):
    from kg.extraction.runtime import distributed

    monkeypatch.setattr(distributed, "_local", type(distributed._local)())
    distributed._local.pipelines = {None: nlp}
    label = model_label(nlp)
    distributed._extract_batch(
        _unseen_articles(0), model=None, batch_size=32, label=label
    )
    flat = len(nlp.vocab.strings)
    for batch in range(1, batches):
        out = distributed._extract_batch(
            _unseen_articles(batch), model=None, batch_size=32, label=label
        )
        assert [x.article.id for x in out] == [f"zone-{batch}-{i}" for i in range(4)]
        assert len(nlp.vocab.strings) == flat


def test_workers_model_loads_only_when_there_is_something_to_extract(tmp_path):
    # A run of unreadable or already stored inputs does not pay for the model.
    store = str(tmp_path / "store")
    (tmp_path / "empty.txt").write_bytes(b"")
    loading = "kg: INFO: loading the spaCy pipeline"

    def run(*paths: Path) -> tuple[int, str, str]:
        process = kg("-v", "ingest", *map(str, paths), "--store", store)
        out, err = process.communicate(timeout=300)
        return process.returncode, out, err

    code, out, err = run(tmp_path / "empty.txt")
    assert code == 1 and "empty.txt" in err
    assert loading not in err
    code, out, err = run(DATA)
    assert code == 0 and err.count(loading) == 1
    added = int(out.split()[0])
    assert added >= 1
    code, out, err = run(DATA)
    assert code == 0 and out.startswith(f"0 added, 0 replaced, {added} unchanged")
    assert loading not in err
