"""Helpers the test modules share; fixtures built from them live in conftest.py.

- :mod:`helpers.paths`: the repository's folders and sample articles.
- :mod:`helpers.storefixture`: the hand-made three-article store (exact counts).
- :mod:`helpers.trigstore`: the hand-written store of ``tests/data/graphs``.
- :mod:`helpers.server`: a small served store, an in-thread endpoint, HTTP calls.
- :mod:`helpers.backends`: the store backends (embedded, Oxigraph server, Virtuoso).
- :mod:`helpers.browser`: Debian's Chromium driven by Playwright.
- :mod:`helpers.owl`: HermiT (owlready2, on Java) run on an rdflib graph.
- :mod:`helpers.crashkit`: generated corpora, ``kg`` subprocesses, store content.
- :mod:`helpers.cli`: ``kg`` run in a child process, as a user runs it.

Test modules import from here, never from one another.
"""
