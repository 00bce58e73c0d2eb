"""HermiT, the OWL 2 DL reasoner shipped in owlready2, run on an rdflib graph.

HermiT is Java: without a ``java`` on the PATH the tests that need it are skipped,
saying how to get one, on a developer's machine, and fail in CI, where they must run
(``.ci/run`` installs Debian's headless JRE), as helpers.browser does for Chromium.
"""

from __future__ import annotations

import io
import os
import re
import shutil
from contextlib import redirect_stderr
from dataclasses import dataclass

import pytest
from rdflib import Graph

from kg.rdf.namespaces import ONTOLOGY_IRI

#: Set by ``.ci/run`` (and any CI): there a missing Java fails the tests.
REQUIRED = bool(os.environ.get("KG_REQUIRE_JAVA") or os.environ.get("CI"))

#: One line of HermiT's class, property or instance hierarchy, as it prints it.
_AXIOM = re.compile(r"^(\w+)\( <([^>]+)> <([^>]+)> \)$", re.MULTILINE)


def java() -> str:
    """The ``java`` HermiT runs on; skip (or fail in CI) when there is none."""
    found = shutil.which("java")
    if found is None:
        message = (
            "java not found: the HermiT tests need a Java runtime; install one "
            "with `apt-get install default-jre-headless`"
        )
        if REQUIRED:
            pytest.fail(message)
        pytest.skip(message)
    return found


@dataclass(frozen=True)
class Verdict:
    """What HermiT said about an ontology."""

    consistent: bool
    #: IRIs of the named classes HermiT found equivalent to owl:Nothing.
    unsatisfiable: list[str]
    #: HermiT's own report: the class, object and data property hierarchies and
    #: the type of each individual, one ``Kind( <sub> <super> )`` line each.
    output: str

    def axioms(self, kind: str) -> set[tuple[str, str]]:
        """The ``(sub, super)`` pairs of the report's ``kind`` lines (SubClassOf,
        SubObjectPropertyOf, SubDataPropertyOf, Type), closed under transitivity
        for the hierarchies, since HermiT prints direct subsumptions only."""
        pairs = {(a, b) for k, a, b in _AXIOM.findall(self.output) if k == kind}
        if kind == "Type":
            return pairs
        while True:
            longer = {(a, d) for a, b in pairs for c, d in pairs if b == c}
            if longer <= pairs:
                return pairs
            pairs |= longer


def hermit(graph: Graph) -> Verdict:
    """Load ``graph`` into a fresh owlready2 world and classify it with HermiT.

    The world is saved as N-Triples for HermiT by owlready2 itself, as
    ``sync_reasoner`` does for any user. HermiT's report is read from owlready2's
    debug output, the only place owlready2 shows it.
    """
    try:
        import owlready2
    except ImportError:
        pytest.fail(
            "owlready2 is missing: install the test extra, pip install -e '.[test]'"
        )
    owlready2.JAVA_EXE = java()
    world = owlready2.World()
    data = graph.serialize(format="nt", encoding="utf-8")
    world.get_ontology(ONTOLOGY_IRI).load(fileobj=io.BytesIO(data), format="ntriples")
    log = io.StringIO()
    try:
        with redirect_stderr(log):
            owlready2.sync_reasoner_hermit(world, debug=2)
    except owlready2.OwlReadyInconsistentOntologyError:
        return Verdict(False, [], log.getvalue())
    nothing = "http://www.w3.org/2002/07/owl#Nothing"
    unsatisfiable = sorted({c.iri for c in world.inconsistent_classes()} - {nothing})
    return Verdict(True, unsatisfiable, log.getvalue())
