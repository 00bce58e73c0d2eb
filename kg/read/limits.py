"""Size limits that can be changed without code: a default, overridable by env var.

Each limit on hostile input (characters per article, bytes per GDELT line, ...)
has a documented default, and an environment variable so that a user with a
real need (a 3 MB report, a wider export) can raise it for one run, and so that
worker processes, which inherit the environment, apply the same limit.
"""

from __future__ import annotations

import os

from kg.errors import UsageError
from kg.records import Article

#: Characters one article may have (after reading: front matter off, line ends
#: and controls cleaned). Measured (benchmarks/hostile_memory.py): spaCy's
#: tok2vec and parser take about 3 GB of memory per million characters of
#: name-dense text in one ``nlp.pipe`` batch, and every piece of an article goes
#: into one batch; 200,000 characters (about 33,000 words, several times the
#: longest news feature) keeps one such article near 0.75 GB of peak memory.
#: Several articles under the limit that share one batch still add up (four of
#: 190,000 characters: 2.3 GB); bounding that is kg.extraction's part, by
#: batching pieces by characters rather than by count.
DEFAULT_MAX_CHARS = 200_000
MAX_CHARS_ENV = "KG_MAX_ARTICLE_CHARS"


def env_limit(name: str, default: int) -> int:
    """The positive whole number in environment variable ``name``, else ``default``.

    Raises:
        UsageError: the variable is set but is not a whole number above 0, so a
            typo fails the run in one line instead of silently lifting the limit.
    """
    raw = os.environ.get(name, "").strip()
    if not raw:
        return default
    value = int(raw) if raw.isascii() and raw.isdigit() else 0
    if value <= 0:
        raise UsageError(
            f"{name}={raw!r} is not a whole number above 0; set it to e.g. "
            f"{default} (the default) or unset it"
        )
    return value


def article_char_limit() -> int:
    """:data:`DEFAULT_MAX_CHARS`, or the value of ``KG_MAX_ARTICLE_CHARS``."""
    return env_limit(MAX_CHARS_ENV, DEFAULT_MAX_CHARS)


def too_many_chars(article: Article, limit: int) -> str:
    """The problem of an article over the character limit, with both fixes."""
    return (
        f"article {article.id!r} is {len(article.text):,} characters, over the "
        f"{limit:,}-character limit for one article; split it into smaller "
        f"articles, or raise the limit (--max-article-chars, {MAX_CHARS_ENV}) "
        "if the machine has the memory (about 3 GB per million characters)"
    )


__all__ = [
    "DEFAULT_MAX_CHARS",
    "MAX_CHARS_ENV",
    "article_char_limit",
    "env_limit",
    "too_many_chars",
]
