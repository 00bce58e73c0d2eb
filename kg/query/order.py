"""``SELECT *`` columns in the order the query names its variables.

Oxigraph projects ``SELECT *`` in alphabetical order (``?a ?m ?z`` for
``{ ?z ?m ?a }``). The SPARQL spec leaves that order open, but an analyst reads a
table in the order the query was written, as most engines give it; kg therefore
puts the columns in order of each variable's first appearance in the query, in
every output format (the table, CSV, TSV, JSON, XML, and kg serve's answers).
An explicit projection (``SELECT ?z ?a``) is left as the engine gives it.
"""

from __future__ import annotations

import re

from kg.store.sparql import blank_opaque

_SELECT_STAR = re.compile(r"\bSELECT\s+(?:(?:DISTINCT|REDUCED)\s+)?\*", re.IGNORECASE)
_SELECT = re.compile(r"\bSELECT\b", re.IGNORECASE)
_VARIABLE = re.compile(r"[?$]([A-Za-z0-9_\u00b7\u00c0-\uffff]+)")


def query_order(text: str, variables: tuple[str, ...]) -> tuple[str, ...]:
    """``variables`` in the order the query first names them, for ``SELECT *``.

    Args:
        text: the SPARQL query as run.
        variables: the result's columns as the engine gave them.

    Returns:
        The same names, reordered when the query's outer SELECT is ``*``; a
        column the text never names (none should) keeps its place at the end.
    """
    blank = blank_opaque(text)
    first = _SELECT.search(blank)
    star = _SELECT_STAR.search(blank)
    if first is None or star is None or star.start() != first.start():
        return variables  # not SELECT *, or only a subquery's is
    wanted = set(variables)
    seen = dict.fromkeys(
        name for name in _VARIABLE.findall(blank, star.end()) if name in wanted
    )
    return (*seen, *(name for name in variables if name not in seen))
