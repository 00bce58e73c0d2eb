"""The bundled ontology files and kg.rdf.ontology, which finds and loads them."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from decimal import Decimal
from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import OWL, RDF, SKOS

import kg
from kg.rdf.namespaces import CAMEO, KG, ONTOLOGY_GRAPH
from kg.rdf.ontology import (
    CAMEO_FILE,
    ONTOLOGY_FILE,
    SHAPES_FILE,
    cameo_labels,
    load_ontology,
    load_shapes,
    ontology_dir,
)

SOURCE_TREE = Path(__file__).resolve().parent.parent / "ontology"
ROOTS = {
    "01": "Make public statement",
    "02": "Appeal",
    "03": "Express intent to cooperate",
    "04": "Consult",
    "05": "Engage in diplomatic cooperation",
    "06": "Engage in material cooperation",
    "07": "Provide aid",
    "08": "Yield",
    "09": "Investigate",
    "10": "Demand",
    "11": "Disapprove",
    "12": "Reject",
    "13": "Threaten",
    "14": "Protest",
    "15": "Exhibit force posture",
    "16": "Reduce relations",
    "17": "Coerce",
    "18": "Assault",
    "19": "Fight",
    "20": "Use unconventional mass violence",
}
QUAD = {
    1: "01 02 03 04",
    2: "05 06 07 08",
    3: "09 10 11 12 13",
    4: "14 15 16 17 18 19 20",
}


@pytest.fixture(scope="module")
def cameo() -> Graph:
    return Graph().parse(ontology_dir() / CAMEO_FILE, format="turtle")


def _concepts(graph: Graph) -> list[URIRef]:
    return sorted(c for c in graph.subjects(SKOS.inScheme, CAMEO.scheme))


@pytest.mark.parametrize("name", [ONTOLOGY_FILE, CAMEO_FILE, SHAPES_FILE])
def test_ontology_files_parse(name: str) -> None:
    graph = Graph().parse(ontology_dir() / name, format="turtle")
    assert len(graph) > 50


def test_ontology_dir_finds_source_tree() -> None:
    assert ontology_dir() == SOURCE_TREE


@pytest.mark.parametrize(("code", "name"), sorted(ROOTS.items()))
def test_ontology_cameo_roots(cameo: Graph, code: str, name: str) -> None:
    root = CAMEO[code]
    assert (root, SKOS.topConceptOf, CAMEO.scheme) in cameo
    assert (CAMEO.scheme, SKOS.hasTopConcept, root) in cameo
    assert cameo.value(root, SKOS.notation) == Literal(code)
    assert cameo.value(root, SKOS.prefLabel) == Literal(name, lang="en")
    assert cameo.value(root, SKOS.broader) is None


def test_ontology_cameo_has_exactly_twenty_roots(cameo: Graph) -> None:
    assert sorted(
        str(n) for n in cameo.objects(CAMEO.scheme, SKOS.hasTopConcept)
    ) == sorted(str(CAMEO[c]) for c in ROOTS)


@pytest.mark.parametrize(("quad", "codes"), sorted(QUAD.items()))
def test_ontology_cameo_root_quad_class(cameo: Graph, quad: int, codes: str) -> None:
    for code in codes.split():
        assert cameo.value(CAMEO[code], KG.quadClass) == Literal(quad)


def test_ontology_cameo_every_code_reaches_a_root(cameo: Graph) -> None:
    for concept in _concepts(cameo):
        notation = str(cameo.value(concept, SKOS.notation))
        assert concept == CAMEO[notation]
        chain, node = [], concept
        while (node, SKOS.topConceptOf, CAMEO.scheme) not in cameo:
            parents = list(cameo.objects(node, SKOS.broader))
            assert len(parents) == 1, f"{node} needs one skos:broader"
            node = parents[0]
            chain.append(node)
            assert len(chain) <= 2, f"{concept} is deeper than root/3-digit/4-digit"
        assert str(node)[-2:] == notation[:2]
        if chain:
            assert (
                str(cameo.value(chain[0], SKOS.notation)) == notation[:-1]
                or len(notation) == 3
            )


@pytest.mark.parametrize(
    ("code", "label", "goldstein"),
    [
        ("010", "Make statement, not specified below", "0.0"),
        ("0311", "Express intent to cooperate economically", "5.2"),
        ("044", "Meet at a 'third' location", "2.5"),
        ("1041", "Demand change in leadership", "-5.0"),
        ("1382", "Threaten occupation", "-7.0"),
        ("1711", "Confiscate property", "-9.2"),
        ("204", "Use weapons of mass destruction, not specified below", "-10.0"),
        ("2042", "Detonate nuclear weapons", "-10.0"),
    ],
)
def test_ontology_cameo_codes(
    cameo: Graph, code: str, label: str, goldstein: str
) -> None:
    assert cameo.value(CAMEO[code], SKOS.prefLabel) == Literal(label, lang="en")
    assert Decimal(str(cameo.value(CAMEO[code], KG.goldstein))) == Decimal(goldstein)


def test_ontology_cameo_complete(cameo: Graph) -> None:
    notations = [str(cameo.value(c, SKOS.notation)) for c in _concepts(cameo)]
    assert len(notations) == len(set(notations)) == 311
    assert sum(len(n) == 3 for n in notations) == 147
    assert sum(len(n) == 4 for n in notations) == 144
    for concept in _concepts(cameo):
        goldstein = cameo.value(concept, KG.goldstein).toPython()
        assert -10 <= goldstein <= 10, concept


def test_ontology_load_ontology_merges_both_files() -> None:
    graph = load_ontology()
    assert (URIRef(str(ONTOLOGY_GRAPH)), RDF.type, OWL.Ontology) in graph
    assert (
        KG.Person,
        URIRef("http://www.w3.org/2000/01/rdf-schema#subClassOf"),
        KG.Actor,
    ) in graph
    assert (CAMEO["04"], SKOS.topConceptOf, CAMEO.scheme) in graph
    assert dict(graph.namespaces())["cameo"] == URIRef(str(CAMEO))


def test_ontology_load_shapes_has_node_shapes() -> None:
    shapes = load_shapes()
    node_shape = URIRef("http://www.w3.org/ns/shacl#NodeShape")
    assert len(set(shapes.subjects(RDF.type, node_shape))) >= 4


@pytest.mark.parametrize(
    ("code", "label"), [("04", "Consult"), ("040", "Consult, not specified below")]
)
def test_ontology_cameo_labels(code: str, label: str) -> None:
    labels = cameo_labels()
    assert labels[code] == label
    assert cameo_labels() is labels  # cached
    assert len(labels) == 311


def _run_isolated(root: Path) -> subprocess.CompletedProcess[str]:
    """Import kg from a copied tree under ``root`` and print ontology_dir()."""
    code = (
        "from kg.rdf.ontology import ontology_dir\n"
        "from kg.errors import OntologyError\n"
        "try:\n    print(ontology_dir())\n"
        "except OntologyError as e:\n    print('ERROR', e)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run(
        [sys.executable, "-c", code],
        cwd=root,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )


def _copy_package(root: Path) -> Path:
    package = Path(kg.__file__).resolve().parent
    return Path(
        shutil.copytree(
            package, root / "kg", ignore=shutil.ignore_patterns("__pycache__")
        )
    )


@pytest.mark.parametrize("also_source_tree", [False, True])
def test_ontology_dir_prefers_installed_copy(
    tmp_path: Path, also_source_tree: bool
) -> None:
    # Lays out a copy like the wheel does (ontology/ shipped as kg/_ontology).
    package = _copy_package(tmp_path)
    shutil.copytree(SOURCE_TREE, package / "_ontology")
    if also_source_tree:
        shutil.copytree(SOURCE_TREE, tmp_path / "ontology")
    out = _run_isolated(tmp_path).stdout.strip()
    assert Path(out) == (package / "_ontology").resolve()


def test_ontology_dir_missing_names_fix(tmp_path: Path) -> None:
    _copy_package(tmp_path)
    out = _run_isolated(tmp_path).stdout.strip()
    assert out.startswith("ERROR kg's ontology files are missing")
    assert "pip install --force-reinstall kg-events" in out
