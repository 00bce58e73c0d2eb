"""The triple store: one named graph per article, kept in one of two backends.

- :mod:`kg.store.base`: the :class:`Store` protocol every caller holds, and the
  shared names (:class:`Stamp`, :data:`PutResult`, :func:`is_remote`, ...).
- :mod:`kg.store.local`: :class:`LocalStore`, embedded Oxigraph in a folder or
  in memory (the default graph is the materialised union, see there).
- :mod:`kg.store.remote`: :class:`kg.store.remote.RemoteStore`, the same
  contract over SPARQL 1.1 HTTP (imported only when a URL asks for it).
- :mod:`kg.store.opening`: :func:`open_store` and :func:`open_read_only`.
- :mod:`kg.store.provenance`: the run history.

This module only re-exports, so ``from kg.store import ...`` is the one import
callers need.
"""

from __future__ import annotations

from kg.rdf.terms import canonical_triples, from_ox, to_ox
from kg.store.base import (
    MEMORY,
    REMOTE_SCHEMES,
    PutResult,
    Stamp,
    Store,
    is_remote,
)
from kg.store.local import LocalStore
from kg.store.opening import open_read_only, open_store

__all__ = [
    "MEMORY",
    "PutResult",
    "REMOTE_SCHEMES",
    "LocalStore",
    "Stamp",
    "Store",
    "canonical_triples",
    "from_ox",
    "is_remote",
    "open_read_only",
    "open_store",
    "to_ox",
]
