"""Comparison keys: when two names, codes, dates or article ids are the same.

The gold and the system output spell one thing in different ways; every comparison
the evaluation makes goes through one of these keys, which follow the corpus scorer's.
"""

from __future__ import annotations

import os
import re
import unicodedata
from functools import lru_cache

_QUOTES = str.maketrans({"\u2019": "'", "\u2018": "'", "`": "'"})
# Leading words the looser name key drops: titles, honorifics and demonyms. The same
# list as the corpus scorer's, so both agree on which names match.
_LEADING_WORDS = frozenset(
    """
    the a an president presidents vice prime minister ministers foreign defence defense
    interior secretary secretaries of state general gen lt col colonel admiral adm
    chancellor king queen prince mr mrs ms dr sir ambassador envoy special
    representative spokesperson spokesman spokeswoman speaker senator governor chief
    executive deputy acting caretaker supreme leader former opposition candidate
    director commissioner head chairman chairperson us u s uk american british german
    french iranian russian chinese israeli turkish egyptian greek cypriot italian
    japanese iraqi syrian saudi brazilian nigerian afghan philippine belarusian
    belarussian serbian cuban libyan spanish argentine argentinian chadian indian
    pakistani kenyan venezuelan ukrainian
    """.split()
)


def normalise(name: str | None) -> str:
    """The primary name key: spelling variants of one name compare equal.

    Args:
        name: a surface form ("the Taliban's", "Erdoğan").

    Returns:
        Lower-case ASCII words joined by single spaces ("taliban", "erdogan").
    """
    if not name:
        return ""
    text = unicodedata.normalize("NFKD", str(name))
    text = "".join(c for c in text if not unicodedata.combining(c))
    text = re.sub(r"'s\b", "", text.lower().translate(_QUOTES))
    text = re.sub(r"[^0-9a-z]+", " ", text).strip()
    return text.removeprefix("the ")


def loose_key(name: str | None) -> str:
    """The secondary key: :func:`normalise` without leading titles and demonyms."""
    words = normalise(name).split()
    while len(words) > 1 and words[0] in _LEADING_WORDS:
        words.pop(0)
    return " ".join(words)


def iso3(code: str | None) -> str | None:
    """An ISO 3166 alpha-3 code in upper case, or None for anything else."""
    text = str(code or "").strip().upper()
    return text if re.fullmatch(r"[A-Z]{3}", text) else None


@lru_cache(maxsize=1)
def cameo_roots() -> frozenset[str]:
    """The 2-digit CAMEO roots, read from the bundled CAMEO scheme."""
    from kg.rdf.ontology import cameo_labels

    return frozenset(code for code in cameo_labels() if len(code) == 2)


def cameo_root(code: str | int | None) -> str | None:
    """The 2-digit root of a CAMEO code ("042" -> "04", "7" -> "07"), else None."""
    digits = re.sub(r"\D", "", str(code if code is not None else ""))
    if not digits:
        return None
    root = digits[:2].zfill(2)
    return root if root in cameo_roots() else None


def day(value: str | None) -> str | None:
    """The YYYY-MM-DD part of a date string, or None when it has none."""
    text = str(value or "").strip()[:10]
    return text if re.fullmatch(r"\d{4}-\d{2}-\d{2}", text) else None


def article_key(article_id: str) -> str:
    """Article ids as the corpus compares them: "002.txt", "2" and "002" agree."""
    key = re.sub(r"\.txt$", "", os.path.basename(str(article_id).strip()))
    return key.zfill(3) if key.isdigit() else key
