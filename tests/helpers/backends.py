"""The store backends the store tests run on: embedded, Oxigraph server, Virtuoso.

A server backend runs when its URL is in the environment (``.ci/run`` starts both
servers and sets the variables). Locally a missing URL skips that backend with the
reason; with KG_REQUIRE_SERVERS=1 (set by ``.ci/run``) it fails instead, and a URL
that is set but does not answer always fails: no skip can hide a broken server.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from kg.errors import StoreError
from kg.store import Store, open_store

#: backend name -> environment variable holding its ``sparql+http://`` URL.
SERVERS = {
    "oxigraph-server": "KG_TEST_OXIGRAPH_URL",
    "virtuoso": "KG_TEST_VIRTUOSO_URL",
}
EXAMPLES = {
    "oxigraph-server": "sparql+http://127.0.0.1:7878",
    "virtuoso": "sparql+http://127.0.0.1:8890/sparql",
}
BACKENDS = ["embedded", *SERVERS]
REQUIRE_ENV = "KG_REQUIRE_SERVERS"


def server_url(backend: str) -> str:
    """The URL of a server backend, or skip (fail when servers are required)."""
    name = SERVERS[backend]
    url = os.environ.get(name)
    if url:
        return url
    why = (
        f"{name} is not set, so the {backend} backend cannot be tested; start the "
        f"server as .ci/run does and set {name} to its URL, e.g. {EXAMPLES[backend]}"
    )
    if os.environ.get(REQUIRE_ENV) == "1":
        pytest.fail(f"{why} ({REQUIRE_ENV}=1 requires every server)")
    pytest.skip(why)


def open_backend(backend: str, tmp_path: Path) -> Store:
    """An empty store on ``backend`` (a server's kg graphs are dropped first)."""
    if backend == "embedded":
        return open_store(tmp_path / "store")
    url = server_url(backend)
    try:
        store = open_store(url)
    except StoreError as err:
        pytest.fail(f"{SERVERS[backend]}={url} is set but the server fails: {err}")
    store.clear()
    return store
