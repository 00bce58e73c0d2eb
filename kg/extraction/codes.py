"""CAMEO-style actor codes: the state (ISO 3166 alpha-3) plus a sector.

"Ukrainian President Volodymyr Zelenskiy" → UKRGOV, "Belarusian KGB" → BLRCOP,
"the Taliban" → AFGREB, NATO → IGO. The sector comes from the actor's role or
name matched against ``data/sectors.jsonl`` (first match in file order, so
narrow sectors such as police come before broad ones such as government), or
from the known-actor table; without either, a state's actors get the bare ISO3.
"""

from __future__ import annotations

import re
from functools import lru_cache

from kg.extraction.lexicon import data_rows


@lru_cache(maxsize=1)
def _sector_patterns() -> tuple[tuple[str, re.Pattern[str]], ...]:
    patterns = []
    for row in data_rows("sectors.jsonl"):
        words = "|".join(
            re.escape(w) for w in sorted(row["words"], key=len, reverse=True)
        )
        patterns.append((row["sector"], re.compile(rf"\b({words})\b", re.IGNORECASE)))
    return tuple(patterns)


@lru_cache(maxsize=1 << 14)  # asked for the same roles and names at every freeze
def sector_of(text: str) -> str | None:
    """The sector whose words occur in a role or name, if any.

    The longest matching phrase wins ("Attorney General" is JUD, not the MIL of
    "general"); between equally long ones, the earlier sector in the file.
    """
    best: tuple[int, str] | None = None
    for sector, pattern in _sector_patterns():
        for match in pattern.finditer(text):
            length = len(match.group(0))
            if best is None or length > best[0]:
                best = (length, sector)
    return best[1] if best else None


def actor_code(
    kind: str,
    name: str,
    country: str | None,
    role: str | None = None,
    known_sector: str | None = None,
) -> str | None:
    """The CAMEO-style code of an actor, or None when nothing can be told.

    Args:
        kind: person, organization, country, group (places get no code).
        name: canonical name; searched for sector words for bodies and groups.
        country: ISO3 of the actor's state.
        role: a person's title ("Foreign Minister"), searched first.
        known_sector: the sector from the known-actor table (IGO, REB, ...).
    """
    if kind == "location":
        return None
    if known_sector in ("IGO", "NGO") and not country:
        return known_sector
    if kind == "country":
        return country
    sector = (
        known_sector
        or sector_of(role or "")
        or (sector_of(name) if kind != "person" else None)
    )
    if country:
        return f"{country}{sector or ''}"
    return sector if sector in ("IGO", "NGO", "MED", "BUS", "REB") else None
