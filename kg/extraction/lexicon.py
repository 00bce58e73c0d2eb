"""The extractor's domain knowledge, kept as JSON Lines data in ``data/``.

Read on first use, never at import: actor names (``actors.jsonl``), country
names, demonyms and seats (``countries.jsonl``) and the CAMEO trigger lexicon
(``triggers.jsonl``, spaCy ``span_ruler`` patterns whose label is the code).
"""

from __future__ import annotations

import json
from functools import lru_cache
from importlib import resources


@lru_cache(maxsize=8)
def data_rows(filename: str) -> tuple[dict, ...]:
    """Every JSON object of a file in ``kg/extraction/data``, in file order."""
    text = (
        resources.files("kg.extraction")
        .joinpath("data")
        .joinpath(filename)
        .read_text("utf-8")
    )
    return tuple(json.loads(line) for line in text.splitlines() if line.strip())
