"""Tests that stores know what extracted them (issue 13, point 4).

Each article graph records the kg version and the trained coder's version;
``kg ingest`` re-extracts an unchanged article whose recorded versions are not the
running ones (or are missing), and says how many. The end-to-end cases run the
real ``kg ingest`` with the real spaCy model on three short articles written for
these tests, with two small coder folders of different versions; the rest store
hand-made extractions, so they are exact and fast.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest
from helpers import cli
from rdflib import Literal
from rdflib.namespace import PROV

from kg import __version__
from kg.errors import ModelError
from kg.extraction.coder import CODER_ENV, coder_version
from kg.ingestion import REEXTRACTED, ingest_extractions
from kg.rdf.iris import article_iri
from kg.rdf.mapping import extraction_to_graph
from kg.rdf.namespaces import KG
from kg.rdf.validate import validate_graph
from kg.records import Article, Extraction
from kg.store import Stamp, open_store
from kg.store.provenance import read_runs, run_graph

ARTICLES = {
    "geneva-talks.txt": "Ministers Meet in Geneva\nGeneva - The foreign minister "
    "of Greece met the foreign minister of Turkey in Geneva on Monday to discuss "
    "maritime borders.\n",
    "japan-aid.txt": "Aid Reaches Sudan\nTokyo - Japan pledged emergency food aid "
    "to Sudan on Tuesday, the Japanese government said.\n",
    "tbilisi-protest.txt": "Protest in Tbilisi\nTbilisi - Thousands of protesters "
    "marched on the parliament in Tbilisi on Sunday, and police arrested dozens "
    "of them.\n",
}
N = len(ARTICLES)
REEXTRACTED_ALL = (
    f"0 added, {N} replaced ({N} re-extracted: extractor or model changed), "
    "0 unchanged, 0 failed;"
)
UNCHANGED_ALL = f"0 added, 0 replaced, {N} unchanged, 0 failed;"
VERSIONS_QUERY = (
    "SELECT DISTINCT ?v ?c WHERE { ?a a kg:Article ; kg:extractorVersion ?v ; "
    "kg:coderVersion ?c }"
)


def write_coder(folder: Path, threshold: float) -> Path:
    """A minimal trained-coder folder; another threshold gives another version."""
    folder.mkdir(parents=True)
    model = {"format": 1, "weights": {}, "bias": 0.0, "threshold": threshold}
    (folder / "model.json").write_text(json.dumps(model), encoding="utf-8")
    (folder / "lexicon.json").write_text('{"lemmas": {}}', encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def coders(tmp_path_factory) -> tuple[Path, Path]:
    """Two coder folders, A and B, with different versions."""
    root = tmp_path_factory.mktemp("coders")
    a, b = write_coder(root / "a", 0.5), write_coder(root / "b", 0.6)
    assert coder_version(a) != coder_version(b)
    return a, b


@pytest.fixture(scope="module")
def articles(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("articles")
    for name, text in ARTICLES.items():
        (folder / name).write_text(text, encoding="utf-8")
    return folder


def kg(*args: str, coder: Path | None = None) -> subprocess.CompletedProcess:
    """Run the real ``kg`` CLI, with KG_CODER_DIR set to ``coder`` (or unset)."""
    env = {k: v for k, v in os.environ.items() if k != CODER_ENV}
    if coder is not None:
        env[CODER_ENV] = str(coder)
    return cli.kg(*args, env=env)


def ingest_cli(articles: Path, store: Path, *args: str, coder: Path | None):
    result = kg("ingest", str(articles), "--store", str(store), *args, coder=coder)
    assert result.returncode == 0, result.stderr
    return result.stdout


def stored_versions(store: Path) -> set[tuple[str, str]]:
    """(kg version, coder version) pairs the store's articles record, by SPARQL."""
    result = kg("query", "--store", str(store), "--format", "csv", VERSIONS_QUERY)
    assert result.returncode == 0, result.stderr
    header, *rows = result.stdout.splitlines()
    assert header == "v,c"
    return {tuple(row.split(",")) for row in rows}


@pytest.fixture(scope="module")
def ingested_a(articles, coders, tmp_path_factory) -> tuple[Path, str]:
    """A closed store after one ``kg ingest`` with coder A, and what it printed.

    Made once; each test that starts from it works on a copy of its own.
    """
    store = tmp_path_factory.mktemp("ingested-a") / "store"
    return store, ingest_cli(articles, store, coder=coders[0])


def copy_of(ingested: tuple[Path, str], tmp_path: Path) -> Path:
    return Path(shutil.copytree(ingested[0], tmp_path / "store"))


def test_versions_new_coder_reextracts_unchanged_articles(
    articles, coders, ingested_a, tmp_path
):
    a, b = coders
    assert ingested_a[1].startswith(f"{N} added, 0 replaced")
    store = copy_of(ingested_a, tmp_path)
    again = ingest_cli(articles, store, coder=a)
    assert again.startswith(UNCHANGED_ALL) and "re-extracted" not in again
    assert stored_versions(store) == {(__version__, coder_version(a))}
    # --model-dir wins over KG_CODER_DIR, for this run only.
    assert ingest_cli(articles, store, "--model-dir", str(b), coder=a).startswith(
        REEXTRACTED_ALL
    )
    assert stored_versions(store) == {(__version__, coder_version(b))}
    assert ingest_cli(articles, store, coder=b).startswith(UNCHANGED_ALL)
    with open_store(store, read_only=True) as opened:
        runs = read_runs(opened)
    assert [r.coder_version for r in runs] == [coder_version(x) for x in (b, b, a, a)]
    replaced = runs[1].replaced
    assert len(replaced) == N and all(
        r.previous_hash == r.content_hash for r in replaced
    )


def test_versions_build_says_how_many_were_reextracted(articles, coders, tmp_path):
    a, b = coders
    out = str(tmp_path / "out")
    first = kg("build", str(articles), "--out", out, coder=a)
    assert first.returncode == 0 and "re-extracted" not in first.stdout
    again = kg("build", str(articles), "--out", out, "--model-dir", str(b))
    assert again.returncode == 0, again.stderr
    assert f"{N} re-extracted: extractor or model changed" in again.stdout


@pytest.mark.system  # starts worker processes, or a local Dask cluster
@pytest.mark.parametrize(
    "where", [("--workers", "2"), ("--dask", "local")], ids=["workers", "dask"]
)
def test_versions_parallel_ingest_reextracts_too(
    articles, coders, ingested_a, tmp_path, where
):
    """Worker processes inherit the coder folder the parent records."""
    if where[0] == "--dask":
        pytest.importorskip("distributed")
    a, b = coders
    store = copy_of(ingested_a, tmp_path)  # ingested with coder A
    assert ingest_cli(articles, store, *where, coder=b).startswith(REEXTRACTED_ALL)
    assert stored_versions(store) == {(__version__, coder_version(b))}


def test_versions_article_stored_without_versions_is_reextracted(
    articles, coders, ingested_a, tmp_path
):
    """A store written by a kg that recorded no coder version is brought up to date."""
    a, _ = coders
    store = copy_of(ingested_a, tmp_path)  # ingested with coder A
    coder = f"<{KG.coderVersion}>"
    with open_store(store) as opened:  # as an older kg wrote it
        opened.ox.update(
            f"DELETE WHERE {{ GRAPH ?g {{ ?a {coder} ?v }} }} ;"
            f"DELETE WHERE {{ ?a {coder} ?v }}"
        )
        stamps = {opened.article_stamp(iri) for iri in opened.articles()}
    assert len(stamps) == N and {s.coder_version for s in stamps} == {None}
    assert ingest_cli(articles, store, coder=a).startswith(REEXTRACTED_ALL)
    assert stored_versions(store) == {(__version__, coder_version(a))}


@pytest.mark.parametrize("command", ["ingest", "extract", "build", "evaluate"])
@pytest.mark.parametrize("problem", ["missing", "damaged"])
def test_versions_bad_model_dir_is_one_line_error(articles, tmp_path, command, problem):
    folder = tmp_path / "coder"
    if problem == "damaged":
        folder.mkdir()
        (folder / "model.json").write_text("{}", encoding="utf-8")  # no lexicon
    args = {
        "ingest": ["--store", str(tmp_path / "store")],
        "build": ["--out", str(tmp_path / "out")],
        "evaluate": [],
        "extract": [],
    }[command]
    paths = [str(tmp_path / "gold.jsonl")] if command == "evaluate" else []
    result = kg(command, *paths, str(articles), *args, "--model-dir", str(folder))
    assert result.returncode == 1
    assert result.stdout == ""
    (line,) = result.stderr.splitlines()
    assert line.startswith("kg: error: the trained event coder") and str(folder) in line
    assert not (tmp_path / "store").exists() and not (tmp_path / "out").exists()


# --- hand-made extractions: exact and fast --------------------------------------

V1, V2 = "a" * 12, "b" * 12


def extraction(aid: str, text: str = "Body of the article.") -> Extraction:
    return Extraction(Article(aid, text, title=f"Title {aid}", date=date(2019, 1, 24)))


def test_versions_store_stamp_holds_hash_and_versions(store):
    done = extraction("a1")
    ingest_extractions([done], store, model="m 1", coder_version=V1)
    stamp = store.article_stamp(article_iri("a1"))
    assert stamp == Stamp(done.article.content_hash, __version__, V1)
    assert store.article_stamp(article_iri("absent")) is None
    ingest_extractions([extraction("a2")], store, model="m 1")
    assert store.article_stamp(article_iri("a2")).coder_version is None


def test_versions_other_coder_counts_as_reextracted(store):
    seen: list[tuple[str, str]] = []
    first = ingest_extractions([extraction("a1")], store, model="m", coder_version=V1)
    same = ingest_extractions([extraction("a1")], store, model="m", coder_version=V1)
    other = ingest_extractions(
        [extraction("a1"), extraction("a2")],
        store,
        model="m",
        coder_version=V2,
        progress=lambda aid, status: seen.append((aid, status)),
    )
    assert (first.added, same.unchanged, same.reextracted) == (1, 1, 0)
    assert (other.added, other.replaced, other.reextracted) == (1, 1, 1)
    assert seen == [("a1", REEXTRACTED), ("a2", "added")]
    assert store.article_stamp(article_iri("a1")).coder_version == V2


def test_versions_changed_text_is_replaced_not_reextracted(store):
    ingest_extractions([extraction("a1")], store, model="m", coder_version=V1)
    report = ingest_extractions(
        [extraction("a1", "A new body.")], store, model="m", coder_version=V2
    )
    assert (report.replaced, report.reextracted) == (1, 0)


def test_versions_other_kg_version_counts_as_reextracted(store, monkeypatch):
    ingest_extractions([extraction("a1")], store, model="m", coder_version=V1)
    monkeypatch.setattr("kg.ingestion.__version__", "99.0.0")
    report = ingest_extractions([extraction("a1")], store, model="m", coder_version=V1)
    assert (report.replaced, report.reextracted) == (1, 1)
    assert store.article_stamp(article_iri("a1")).extractor_version == "99.0.0"


def test_versions_recorded_on_the_run(store):
    ingest_extractions([extraction("a1")], store, model="m", coder_version=V1)
    (run,) = read_runs(store)
    assert run.coder_version == V1
    graph = run_graph(run)
    assert graph.value(run.iri, KG.coderVersion) == Literal(V1)
    assert validate_graph(graph).conforms
    article = store.read_graph(article_iri("a1"))
    assert article.value(article_iri("a1"), PROV.wasGeneratedBy) == run.iri


@pytest.mark.parametrize("value, conforms", [(V1, True), ("not-a-version", False)])
def test_versions_shapes_check_coder_version(value, conforms):
    graph = extraction_to_graph(
        extraction("a1"), extractor_version="0.1.0", model="m 1", coder_version=value
    )
    assert graph.value(article_iri("a1"), KG.coderVersion) == Literal(value)
    result = validate_graph(graph)
    assert result.conforms is conforms
    if not conforms:
        assert [v.path for v in result.violations] == [KG.coderVersion]


def test_versions_dask_worker_with_other_coder_refuses(coders, monkeypatch):
    from kg.extraction.runtime.distributed import _check_coder

    a, b = coders
    monkeypatch.setenv(CODER_ENV, str(a))
    _check_coder(coder_version(a))
    with pytest.raises(ModelError, match=f"loads trained coder {coder_version(a)}"):
        _check_coder(coder_version(b))
