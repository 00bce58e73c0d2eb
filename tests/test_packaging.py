"""The wheel a user installs carries the ontology and the extractor's data."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers.paths import ROOT


@pytest.fixture(scope="module")
def wheel(tmp_path_factory) -> Path:
    """A wheel built from this checkout (offline: hatchling is a test dependency)."""
    out = tmp_path_factory.mktemp("wheel")
    command = [
        sys.executable,
        "-m",
        "pip",
        "wheel",
        str(ROOT),
        "--no-deps",
        "--no-build-isolation",
        "-q",
        "-w",
        str(out),
    ]
    result = subprocess.run(command, capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stderr
    (built,) = out.glob("*.whl")
    return built


@pytest.mark.parametrize(
    "member",
    [
        "kg/_ontology/kg.ttl",
        "kg/_ontology/cameo.ttl",
        "kg/_ontology/shapes.ttl",
        "kg/_ontology/context.jsonld",
        "kg/extraction/data/triggers.jsonl",
        "kg/extraction/data/actors.jsonl",
        "kg/extraction/data/countries.jsonl",
        "kg/extraction/data/model_hashes.json",
        "kg/py.typed",
        "kg/query/queries/actor-events.rq",
        "kg/query/queries/coop-conflict-monthly.rq",
        "kg/query/queries/dyad-timeline.rq",
        "kg/query/queries/edge-evidence.rq",
        "kg/query/queries/events-at-place.rq",
        "kg/query/queries/events-by-type.rq",
        "kg/query/queries/top-actors.rq",
        "kg/query/queries/who-met-whom.rq",
        "kg/query/worker.py",
        "kg/serve/templates/query.html",
        "kg/serve/static/query.js",
        "kg/serve/static/query.css",
        "kg/serve/static/yasgui/yasgui.min.js",
        "kg/serve/static/yasgui/yasgui.min.css",
        "kg/serve/static/yasgui/LICENSE.txt",
        "kg/views/templates/map.html",
        "kg/views/static/map.js",
        "kg/views/static/vendor/leaflet/leaflet.js",
        "kg/views/static/vendor/leaflet/leaflet.css",
        "kg/views/static/vendor/leaflet/LICENSE",
        "kg/views/static/vendor/leaflet.markercluster/leaflet.markercluster.js",
        "kg/views/static/vendor/leaflet.markercluster/MIT-LICENCE.txt",
        "kg/views/static/vendor/topojson-client/topojson-client.min.js",
        "kg/views/static/vendor/topojson-client/LICENSE",
        "kg/views/static/vendor/world-atlas/countries-50m.json",
        "kg/views/static/vendor/world-atlas/LICENSE",
    ],
)
def test_packaging_wheel_carries_data(wheel, member):
    assert member in zipfile.ZipFile(wheel).namelist()


def test_packaging_installed_copy_loads_its_own_ontology(wheel, tmp_path):
    site = tmp_path / "site"
    zipfile.ZipFile(wheel).extractall(site)
    code = (
        "from kg.rdf.ontology import ontology_dir, load_ontology\n"
        "print(ontology_dir()); print(len(load_ontology()))"
    )
    env = {**os.environ, "PYTHONPATH": str(site)}
    result = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=tmp_path,
        timeout=120,
    )
    assert result.returncode == 0, result.stderr
    where, triples = result.stdout.split()
    assert Path(where) == site / "kg" / "_ontology"
    assert int(triples) > 2000
