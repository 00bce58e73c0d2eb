"""Read news articles from files, folders and stdin into :class:`kg.records.Article`.

This is the pipeline's only door to the outside world, so it is strict about what it
lets in and forgiving about what it does next: every bad input becomes one
:class:`kg.errors.InputError` (path, line, what to do about it), and reading goes on
with the rest. Articles are produced one at a time; a folder is walked lazily and a
JSON Lines file or stream is read line by line, so nothing ever holds a whole corpus.

Accepted forms:

* ``.txt`` / ``.md`` / ``.markdown`` (and any file named explicitly): plain text with
  optional YAML front matter between ``---`` lines (keys ``id``, ``title``, ``date``,
  ``source``, ``url``; any other key is kept as metadata). Without a ``title`` the
  first non-empty line is the title, and it stays in the text.
* ``.json``: one object or an array of objects; ``.jsonl`` / ``.ndjson``: one object
  per line. The body is in ``text`` (or ``body`` / ``content``).
* ``-``: stdin, read as JSON Lines when it starts with ``{``, else as one text article.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from typing import BinaryIO, TextIO

from kg.errors import InputError
from kg.read.limits import (
    DEFAULT_MAX_CHARS,
    MAX_CHARS_ENV,
    article_char_limit,
    too_many_chars,
)
from kg.read.readers import (
    DEFAULT_MAX_BYTES,
    FOLDER_SUFFIXES,
    JSON_SUFFIXES,
    JSONL_SUFFIXES,
    STDIN,
    TEXT_SUFFIXES,
    read_path,
)
from kg.read.text import TITLE_CHARS
from kg.records import Article

__all__ = [
    "DEFAULT_MAX_BYTES",
    "DEFAULT_MAX_CHARS",
    "MAX_CHARS_ENV",
    "FOLDER_SUFFIXES",
    "JSON_SUFFIXES",
    "JSONL_SUFFIXES",
    "STDIN",
    "TEXT_SUFFIXES",
    "TITLE_CHARS",
    "iter_articles",
]


def iter_articles(
    paths: Iterable[str | os.PathLike[str]] | str | os.PathLike[str],
    *,
    on_error: Callable[[InputError], None] | None = None,
    stdin: TextIO | BinaryIO | None = None,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_chars: int | None = None,
) -> Iterator[Article]:
    """Yield every article found under ``paths``, in a deterministic order.

    Each bad input (missing path, empty/binary/non-UTF-8/oversized file, broken front
    matter, malformed JSON line, object without text, ...) is one InputError; with
    ``on_error`` it is reported and reading goes on with the next file or line, so
    one broken file does not cost an analyst the other thousand.

    A date that cannot be read is *not* an error: the text is still worth extracting,
    so the article is yielded with ``date=None`` and a warning is logged. Strings are
    read as ISO dates first, then by dateparser with relative words ("yesterday")
    and partial dates ("March 2019") refused, because a guessed date would silently
    misplace every "on Monday" in the text.

    Args:
        paths: files, folders (walked recursively in sorted order, hidden entries and
            unknown suffixes skipped, symlink loops cut) or ``"-"`` for stdin. A
            single path is accepted too.
        on_error: called with each InputError; when None the first one is raised.
        stdin: stream to read for ``"-"`` (default ``sys.stdin``).
        max_bytes: size limit of a file, of stdin, and of one JSON Lines record.
        max_chars: characters one article's text may have; a longer article is
            an InputError naming it, and the others are still read. None: the
            ``KG_MAX_ARTICLE_CHARS`` environment variable, else 200,000
            (:data:`DEFAULT_MAX_CHARS`). The model's memory grows with the
            length of one article (about 3 GB per million characters of dense
            names), so this bounds what one hostile file can cost.

    Returns:
        An iterator of articles; ids are not checked for duplicates.

    Raises:
        InputError: for the first bad input, when ``on_error`` is None.
        UsageError: ``KG_MAX_ARTICLE_CHARS`` is set to no positive number.
    """
    limit = article_char_limit() if max_chars is None else max_chars
    if isinstance(paths, (str, os.PathLike)):
        paths = [paths]
    for raw in paths:
        for item in read_path(os.fspath(raw), stdin, max_bytes):
            if isinstance(item, Article) and len(item.text) > limit:
                item = InputError(item.origin, too_many_chars(item, limit))
            if isinstance(item, Article):
                yield item
            elif on_error is None:
                raise item
            else:
                on_error(item)
