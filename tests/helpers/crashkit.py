"""Helpers shared by tests/test_crash.py and tests/test_concurrency.py.

A generated corpus, ``kg`` run as a real subprocess, and a store's content graph
by graph. Run records are left out of the content, and so are the article
graphs' ``prov:wasGeneratedBy`` links to them, since run IRIs are timestamps.
"""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from rdflib.namespace import PROV

from helpers.paths import ROOT
from kg.rdf.iris import is_run_iri
from kg.store import Store

GENERATED_BY = ox.NamedNode(str(PROV.wasGeneratedBy))
#: Key of the union default graph in :func:`store_content`.
UNION = "union"
#: Address-space cap of reader processes (kg query, kg serve) in these tests.
READER_MEMORY = 4 << 30
#: A graph's triples without blank nodes, and how many triples had one.
Content = tuple[frozenset, int]


def write_corpus(out: Path, n: int) -> Path:
    """Write ``n`` articles from benchmarks/corpus.py (seed 0) into ``out``."""
    spec = importlib.util.spec_from_file_location(
        "corpus", ROOT / "benchmarks" / "corpus.py"
    )
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    assert module.write_folder(module.generate(n), out) == n
    return out


def kg_argv(*args: str, memory: int | None = None) -> list[str]:
    """The command line of ``python -m kg ARGS``, optionally under a memory cap.

    The cap (an address-space limit, bytes) is for readers opened beside a
    writer: pyoxigraph calls that undefined, and a read that runs away then
    fails its test instead of exhausting the machine.
    """
    if memory is None:
        return [sys.executable, "-m", "kg", *args]
    code = (
        "import resource, runpy, sys; "
        f"resource.setrlimit(resource.RLIMIT_AS, ({memory}, {memory})); "
        "sys.argv[0] = 'kg'; runpy.run_module('kg', run_name='__main__')"
    )
    return [sys.executable, "-c", code, *args]


def kg(*args: str, memory: int | None = None) -> subprocess.Popen:
    """Start ``python -m kg ARGS`` with text pipes for stdout and stderr."""
    return subprocess.Popen(
        kg_argv(*args, memory=memory),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )


def graph_content(quads: Iterable[ox.Quad]) -> Content:
    """One graph's triples, less links to runs.

    The ontology's OWL lists use blank nodes, which each load labels afresh, so
    triples holding one are counted rather than compared.
    """
    kept, blank = set(), 0
    for q in quads:
        if q.predicate == GENERATED_BY:
            continue
        if isinstance(q.subject, ox.BlankNode) or isinstance(q.object, ox.BlankNode):
            blank += 1
            continue
        kept.add((q.subject, q.predicate, q.object))
    return frozenset(kept), blank


def store_content(store: Store) -> dict[str, Content]:
    """Every graph but the run records, by name, and the union under UNION."""
    content = {
        UNION: graph_content(
            store.quads_for_pattern(None, None, None, ox.DefaultGraph())
        )
    }
    for name in store.graph_names():
        if not is_run_iri(name.value):
            quads = store.quads_for_pattern(None, None, None, name)
            content[name.value] = graph_content(quads)
    return content


def union_is_set_union(store: Store) -> bool:
    """kg's invariant: the default graph is the set union of the non-run graphs."""
    union = {
        (q.subject, q.predicate, q.object)
        for q in store.quads_for_pattern(None, None, None, ox.DefaultGraph())
    }
    named = {
        (q.subject, q.predicate, q.object)
        for name in store.graph_names()
        if not is_run_iri(name.value)
        for q in store.quads_for_pattern(None, None, None, name)
    }
    return union == named


def broken_graphs(
    content: dict[str, Content], reference: dict[str, Content]
) -> dict[str, tuple[int, int]]:
    """Graphs that differ from a clean run's: name -> (triples missing, extra)."""
    return {
        name: (len(reference[name][0] - got[0]), len(got[0] - reference[name][0]))
        if name in reference
        else (0, len(got[0]))
        for name, got in content.items()
        if name != UNION and got != reference.get(name)
    }
