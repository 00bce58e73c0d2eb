"""Concurrent load on a real ``kg serve`` over the sample articles (loopback only).

Runs benchmarks/serve_load.py's load for KG_LOAD_SECONDS (60 by default, as in CI;
10 is enough locally) with 8 client threads, and prints the latency percentiles
so that the CI log shows them. Every request must get its correct answer.
"""

from __future__ import annotations

import importlib.util
import os
import sys

import pytest
from helpers.paths import ROOT

pytestmark = pytest.mark.system

THREADS = 8


@pytest.fixture(scope="module")
def serve_load():
    """benchmarks/serve_load.py as a module (it is a script, not part of kg)."""
    path = ROOT / "benchmarks" / "serve_load.py"
    spec = importlib.util.spec_from_file_location("serve_load", path)
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # its dataclasses look their module up
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def sample_store(serve_load, nlp, tmp_path_factory):
    return serve_load.build_store(tmp_path_factory.mktemp("load"), nlp=nlp)


@pytest.mark.parametrize("threads", [THREADS])
def test_serve_load_every_request_answered_correctly(serve_load, sample_store, threads):
    seconds = float(os.environ.get(serve_load.SECONDS_ENV, "60"))
    stats = serve_load.load_test(sample_store, seconds, threads)
    print(f"\nkg serve, {threads} clients on 127.0.0.1 for {stats.seconds:.1f} s")
    print(stats.report())
    assert stats.errors == []
    assert set(stats.latencies) == {
        "top-actors",
        "who-met-whom",
        "events-by-type",
        "actor-events",
        "construct",
        "view",
        "update",
        "update-path",
        "load",
    }
    assert min(len(v) for v in stats.latencies.values()) >= threads
