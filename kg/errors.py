"""The one exception hierarchy of kg.

Every message says what went wrong *and* what the user can do about it. Only the
CLI turns these into a one-line message and an exit status; library code raises.
"""

from __future__ import annotations

import re

#: C0/C1 control characters, and the invisible bidirectional marks, overrides and
#: isolates that can make a name display as another ("Trojan Source").
_CONTROL = re.compile("[\x00-\x1f\x7f-\x9f\u200e\u200f\u202a-\u202e\u2066-\u2069]")


class KGError(Exception):
    """Base class of every error kg raises on purpose."""

    exit_code = 1


class InputError(KGError):
    """An article file or stream cannot be read or parsed.

    Carries the path (and line, where there is one) so the CLI can name it.
    """

    def __init__(self, path: str, problem: str, line: int | None = None) -> None:
        self.path = path
        self.line = line
        self.problem = problem
        where = printable(path)
        where = f"{where}:{line}" if line is not None else where
        super().__init__(f"{where}: {problem}")


def printable(text: str) -> str:
    """``text`` with control characters escaped ("\\n", "\\x1b", "\\u202e").

    A file named with a newline or a terminal escape sequence would otherwise
    break the one-line message, or recolour (or rewrite) the user's terminal; a
    right-to-left override would show "evil\\u202etxt.md" as "evildm.txt".
    """
    return _CONTROL.sub(lambda match: repr(match.group())[1:-1], text)


class ModelError(KGError):
    """No usable spaCy pipeline could be loaded."""


class StoreError(KGError):
    """The triple store cannot be opened, read or written."""


class QueryError(KGError):
    """A SPARQL query is malformed or failed to run."""

    exit_code = 2


class OntologyError(KGError):
    """The bundled ontology files are missing or do not parse."""


class UsageError(KGError):
    """A command was called with options that do not fit together."""

    exit_code = 2
