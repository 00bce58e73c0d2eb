"""GDELT actors as kg actors: CAMEO country codes, states and known actors.

GDELT codes actors, kg names them; these rules (listed in the :mod:`kg.ingestion.gdelt`
docstring) turn a coded actor into the same node kg's own extractions would use.
"""

from __future__ import annotations

from functools import lru_cache

from kg.extraction.gazetteer import country_by_code, country_by_name, normalise
from kg.extraction.lexicon import data_rows
from kg.ingestion.gdelt.columns import ActorFields
from kg.records import Entity, EntityKind

#: CAMEO country codes that are not the ISO 3166-1 alpha-3 code of the country.
#: Regional codes (AFR, EUR, WST, ...) have no ISO3 and map to nothing.
CAMEO_TO_ISO3: dict[str, str] = {"ROM": "ROU", "TMP": "TLS", "ZAR": "COD", "KSV": "XKX"}

#: First actor type codes of non-state groups (CAMEO actor types); others are
#: organizations.
_GROUP_TYPES = frozenset(
    "AGR CRM CVL ELI INS LAB MOD OPP RAD REB REF REL SEP SET UAF".split()
)

#: CAMEO sector codes as words, to name a state's agency GDELT names by the state
#: ("USAMIL", "UNITED STATES" -> "United States military").
_SECTOR_WORDS = {
    "MIL": "military",
    "COP": "police",
    "JUD": "judiciary",
    "LEG": "legislature",
    "SPY": "intelligence services",
    "OPP": "opposition",
    "REB": "rebels",
    "BUS": "business",
    "MED": "media",
    "CVL": "civilians",
    "EDU": "education",
    "HLH": "health sector",
    "REF": "refugees",
    "LAB": "labour",
}


def cameo_to_iso3(code: str) -> str | None:
    """ISO 3166-1 alpha-3 of a CAMEO country code; None for regions and unknowns."""
    code = code.strip().upper()
    iso3 = CAMEO_TO_ISO3.get(code, code)
    return iso3 if iso3 and country_by_code(iso3) else None


@lru_cache(maxsize=4096)
def actor_entity(actor: ActorFields) -> Entity:
    """The kg actor a GDELT actor denotes (rules: the :mod:`kg.ingestion.gdelt` doc)."""
    iso3 = cameo_to_iso3(actor.country)
    label = _display_name(actor.name)
    aliases = (actor.name,) if actor.name != label else ()
    if iso3 and _is_state(actor, iso3):
        country = country_by_code(iso3)
        assert country is not None
        named = tuple(dict.fromkeys(a for a in (label, *aliases) if a != country.name))
        return Entity(country.name, "country", iso3, named, code=actor.code or None)
    known = _known_actors().get(normalise(actor.name))
    if known is not None:
        name, known_kind, country_code = known
        return Entity(
            name, known_kind, country_code, (actor.name,), code=actor.code or None
        )
    kind: EntityKind = "group" if actor.type1 in _GROUP_TYPES else "organization"
    country_named = country_by_name(actor.name)
    if iso3 and country_named is not None and country_named.iso3 == iso3:
        sector = actor.code[len(actor.country) :][:3]
        label = f"{country_named.name} {_SECTOR_WORDS.get(sector, sector)}".strip()
        aliases = (actor.name,)
    return Entity(label, kind, iso3, aliases, code=actor.code or None)


def _is_state(actor: ActorFields, iso3: str) -> bool:
    """A bare state code, or the state's government named by the state's name."""
    if actor.code in (actor.country, iso3):
        return True
    named = country_by_name(actor.name)
    return (
        actor.code == f"{actor.country}GOV" and named is not None and named.iso3 == iso3
    )


@lru_cache(maxsize=1)
def _known_actors() -> dict[str, tuple[str, EntityKind, str | None]]:
    """kg's known actors (international bodies, armed groups) by every name key."""
    table: dict[str, tuple[str, EntityKind, str | None]] = {}
    for row in data_rows("actors.jsonl"):
        for name in (row["name"], *row["aliases"]):
            table.setdefault(
                normalise(name), (row["name"], row["kind"], row["country"])
            )
    return table


def _display_name(name: str) -> str:
    """GDELT's upper-case name in title case ("UNITED STATES" -> "United States")."""
    return " ".join(word.capitalize() for word in name.split())
