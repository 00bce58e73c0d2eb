"""Tests of extraction on a Dask cluster (kg ingest --dask).

One real local cluster (two worker processes of one thread each, on 127.0.0.1)
serves the module; its scheduler is reached by address, as a remote one is.
Stores are compared as in test_workers: every quad outside the run-history
graphs, less the ``prov:wasGeneratedBy`` link to the run.
"""

from __future__ import annotations

import os
import socket
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
from distributed import Client
from helpers.cli import kg
from helpers.paths import DATA
from rdflib.namespace import PROV

from kg.building import build
from kg.errors import ModelError
from kg.extraction import extract
from kg.extraction.formats import jsonl_lines
from kg.extraction.runtime.distributed import (
    AHEAD,
    TRIM_ENV,
    ClusterError,
    extract_distributed,
    local_cluster,
)
from kg.ingestion import ingest
from kg.rdf.iris import is_run_iri
from kg.read import iter_articles
from kg.store import open_store

pytestmark = pytest.mark.system

GENERATED_BY = ox.NamedNode(str(PROV.wasGeneratedBy))
WORKERS = 2


@pytest.fixture(scope="module")
def cluster() -> Iterator:
    """A local Dask cluster: 2 worker processes, 1 thread each, on 127.0.0.1."""
    with local_cluster(n_workers=WORKERS) as running:
        yield running


@pytest.fixture(scope="module")
def expected(nlp, tmp_path_factory) -> set[tuple]:
    """The sample articles ingested by one process, without Dask."""
    path = tmp_path_factory.mktemp("one") / "store"
    with open_store(path) as store:
        ingest([DATA], store, nlp=nlp)
    return content(path)


def content(path: Path) -> set[tuple]:
    """The store's quads, without run records and links to them.

    Quads with blank nodes (only the ontology's OWL lists have them) are counted
    rather than compared, since each load labels blank nodes afresh.
    """
    with open_store(path) as store:
        quads = list(store.ox.quads_for_pattern(None, None, None, None))
    blank = [q for q in quads if ox.BlankNode in (type(q.subject), type(q.object))]
    return {("blank nodes", len(blank))} | {
        (q.subject, q.predicate, q.object, q.graph_name)
        for q in quads
        if q not in blank
        and q.predicate != GENERATED_BY
        and not is_run_iri(getattr(q.graph_name, "value", ""))
    }


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def lines(extractions) -> list[str]:
    return [line for x in extractions for line in jsonl_lines(x, True)]


def test_distributed_ingest_same_store_as_one_process(cluster, expected, nlp, tmp_path):
    with open_store(tmp_path / "dask") as store:
        report = ingest([DATA], store, nlp=nlp, dask=cluster.scheduler_address)
    assert (report.added, report.failed) == (11, 0)
    assert content(tmp_path / "dask") == expected


@pytest.mark.parametrize("batch_size", [1])
def test_distributed_extract_in_input_order_few_batches_ahead(cluster, nlp, batch_size):
    articles = list(iter_articles([DATA]))
    pulled = 0

    def counted() -> Iterator:
        nonlocal pulled
        for article in articles:
            pulled += 1
            yield article

    ahead = []
    many = []
    for extraction in extract_distributed(
        counted(), cluster.scheduler_address, batch_size=batch_size
    ):
        ahead.append(pulled - len(many))
        many.append(extraction)
    assert [x.article.id for x in many] == [a.id for a in articles]
    assert lines(many) == lines(extract(articles, nlp))
    assert max(ahead) <= AHEAD * WORKERS * batch_size
    assert len(articles) > AHEAD * WORKERS * batch_size


def test_distributed_local_cluster_on_loopback_without_malloc_trim(cluster):
    with Client(cluster, set_as_default=False) as client:
        trim = client.run(lambda: os.environ.get(TRIM_ENV))
        nthreads = client.nthreads()
    assert cluster.scheduler_address.startswith("tcp://127.0.0.1:")
    assert all(a.startswith("tcp://127.0.0.1:") for a in trim)
    assert list(trim.values()) == [None] * WORKERS
    assert list(nthreads.values()) == [1] * WORKERS


@pytest.mark.parametrize("label", ["en_other_model 0.0.1"])
def test_distributed_worker_with_other_model_refuses(cluster, label):
    articles = iter_articles([DATA / "ukraine-us-talks.txt"])
    with pytest.raises(ModelError, match=f"this process '{label}'; install the same"):
        list(extract_distributed(articles, cluster.scheduler_address, label=label))


def test_distributed_nothing_to_extract_contacts_no_scheduler():
    address = f"tcp://127.0.0.1:{free_port()}"
    assert list(extract_distributed([], address)) == []


def test_distributed_unreachable_scheduler_is_one_line_error(tmp_path):
    address = f"tcp://127.0.0.1:{free_port()}"
    result = kg("ingest", str(DATA), "--dask", address, "--store", str(tmp_path / "s"))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"kg: error: cannot reach the Dask scheduler at {address} (Connection "
        "refused). Start one there with 'dask scheduler' and workers with 'dask "
        "worker ADDRESS', check the host, port and firewall, or use --dask local "
        "(see README.md, 'Running on a Dask cluster')."
    ]


@pytest.mark.parametrize("address", ["tcp://127.0.0.1:1"])
def test_distributed_unreachable_scheduler_raises_cluster_error(address):
    articles = iter_articles([DATA / "ukraine-us-talks.txt"])
    with pytest.raises(ClusterError, match=f"scheduler at {address} .*dask worker"):
        list(extract_distributed(articles, address))


@pytest.mark.parametrize(
    ("address", "problem"),
    [
        ("scheduler-host", "missing port number"),
        ("http://scheduler-host:8786", "unknown address scheme 'http'"),
    ],
)
def test_distributed_bad_address_is_usage_error(tmp_path, address, problem):
    result = kg("ingest", str(DATA), "--dask", address, "--store", str(tmp_path / "s"))
    assert result.returncode == 2
    assert result.stderr.startswith(
        f"kg: error: --dask {address!r} is not a Dask scheduler address ({problem}"
    )
    assert "tcp://HOST:8786" in result.stderr


@pytest.mark.parametrize("command", ["ingest", "build"])
def test_distributed_dask_with_workers_refused(tmp_path, command):
    target = ["--store", str(tmp_path / "s")] if command == "ingest" else []
    target = target or ["--out", str(tmp_path / "out")]
    result = kg(command, str(DATA), "--dask", "local", "--workers", "2", *target)
    assert result.returncode == 2
    assert result.stderr == (
        "kg: error: --dask local and --workers 2 both choose where extraction runs: "
        "drop --workers (with --dask local, Dask starts one worker per core).\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_distributed_cli_ingest_dask_local(expected, tmp_path):
    store = tmp_path / "store"
    result = kg("ingest", str(DATA), "--dask", "local", "--store", str(store))
    assert result.returncode == 0, result.stderr
    assert result.stdout.startswith("11 added, 0 replaced, 0 unchanged, 0 failed;")
    assert "INFO" not in result.stderr  # Dask's own chatter stays quiet
    assert content(store) == expected


def test_distributed_build_passes_dask_to_ingest(cluster, expected, tmp_path):
    report = build([DATA], tmp_path / "out", dask=cluster.scheduler_address)
    assert (report.ingest.added, report.ingest.failed) == (11, 0)
    assert content(report.store) == expected
