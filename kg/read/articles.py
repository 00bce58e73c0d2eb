"""Parsed text and JSON to :class:`kg.records.Article`: front matter, fields, dates.

A field of the wrong type is an InputError naming it; a date that cannot be read
is only a warning, since the text is still worth extracting.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import re
from collections.abc import Iterator
from typing import Any

import yaml

from kg.errors import InputError
from kg.read.problems import json_type, unreadable
from kg.read.text import first_line, no_controls, no_surrogates, normalise
from kg.records import Article

logger = logging.getLogger(__name__)

_FIELDS = ("id", "title", "date", "source", "url")
_TEXT_KEYS = ("text", "body", "content")
_CLOSING_FENCE = re.compile(r"^(?:---|\.\.\.)[ \t]*$", re.MULTILINE)
# ISO-shaped strings must be valid ISO: dateparser would "repair" 2019-13-01.
_ISO_LIKE = re.compile(r"^\d{4}-\d{1,2}")
# No relative words ("yesterday", "on Monday"), no epoch numbers, all of d/m/y.
_DATEPARSER_SETTINGS = {
    "PARSERS": ["custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "STRICT_PARSING": True,
}

#: What each reader yields: an article, or the problem that kept one from being read.
Item = Article | InputError


class _HeaderLoader(yaml.SafeLoader):
    """YAML for front matter: dates stay strings, aliases are refused.

    Strings let :func:`_read_date` treat an impossible date (2019-02-30) like any
    other unreadable one; PyYAML would raise ValueError. Aliases let a few lines
    expand to billions of items ("billion laughs") when the header is printed.
    """

    def compose_node(self, parent: Any, index: Any) -> Any:
        if self.check_event(yaml.AliasEvent):
            mark = self.peek_event().start_mark
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed", mark
            )
        return super().compose_node(parent, index)


# types-PyYAML binds the constructor's loader type to the class it was defined
# on, so a SafeConstructor method added to a SafeLoader subclass is refused.
_HeaderLoader.add_constructor(  # type: ignore[type-var]
    "tag:yaml.org,2002:timestamp", yaml.SafeLoader.construct_yaml_str
)


def parse_text(text: str, label: str, stem: str) -> Item:
    """Split off the front matter, if any, and build the article."""
    split = _split_front_matter(text, label)
    if isinstance(split, InputError):
        return split
    header, body = split
    if not body.strip():
        return InputError(
            label,
            "has a header but no article text; write the "
            "article below the closing '---' line",
        )
    return _make_article(header, body, label, stem, label, None, keep_all=True)


def _split_front_matter(
    text: str, label: str
) -> tuple[dict[Any, Any], str] | InputError:
    """Return (header mapping, body); the header is empty when there is none."""
    first, _, rest = text.partition("\n")
    if first.rstrip() != "---":
        return {}, text
    fence = _CLOSING_FENCE.search(rest)
    if fence is None:
        return InputError(
            label,
            "front matter opened with '---' is never closed; "
            "add a '---' line after the header",
            1,
        )
    try:
        header = yaml.load(rest[: fence.start()], Loader=_HeaderLoader)  # a SafeLoader
    except (ValueError, RecursionError) as exc:
        return InputError(label, unreadable("front matter", exc), 2)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 1
        problem = getattr(exc, "problem", None) or "cannot be parsed"
        return InputError(
            label,
            f"front matter is not valid YAML ({problem}); fix "
            "the header between the '---' lines",
            line,
        )
    if header is None:
        header = {}
    if not isinstance(header, dict):
        return InputError(
            label,
            f"front matter is a {type(header).__name__}, not a "
            "mapping; write it as 'key: value' lines",
            2,
        )
    return header, rest[fence.end() :]


def parse_json(text: str, label: str, stem: str) -> Iterator[Item]:
    """Read a ``.json`` file: one object, or an array of objects."""
    data = load_json(text, label, None, "fix the JSON there")
    if isinstance(data, InputError):
        yield data
        return
    if isinstance(data, dict):
        yield from_object(data, label, stem, label, None)
    elif isinstance(data, list):
        for index, obj in enumerate(data, 1):
            where = f"item {index} of the array"
            if not isinstance(obj, dict):
                yield InputError(
                    label,
                    f"{where} is {json_type(obj)}, not an "
                    "object; make every item an article object",
                )
            else:
                yield from_object(obj, label, f"{stem}-{index}", label, None, where)
    else:
        yield InputError(
            label,
            f"holds {json_type(data)}; it must hold an "
            "article object or an array of them",
        )


def from_object(
    obj: dict[str, Any],
    label: str,
    default_id: str,
    origin: str,
    line: int | None,
    where: str = "",
) -> Item:
    """Build an article from a JSON object, whose body is in text/body/content."""
    prefix = f"{where}: " if where else ""
    key = next((k for k in _TEXT_KEYS if k in obj), None)
    if key is None:
        return InputError(
            label,
            f'{where or "object"} has no "text" field; put '
            'the article body in "text" (or "body" / "content")',
            line,
        )
    text = obj[key]
    if not isinstance(text, str):
        return InputError(
            label,
            f'{prefix}field "{key}" is {json_type(text)}, '
            "not a string; put the article body there as one string",
            line,
        )
    if not text.strip():
        return InputError(
            label, f'{prefix}field "{key}" is empty; put the article body there', line
        )
    fields = {k: v for k, v in obj.items() if k not in _TEXT_KEYS}
    return _make_article(
        fields, text, label, default_id, origin, line, keep_all=False, where=where
    )


def _make_article(
    fields: dict[Any, Any],
    text: str,
    label: str,
    default_id: str,
    origin: str,
    line: int | None,
    *,
    keep_all: bool,
    where: str = "",
) -> Item:
    """Check the known fields, gather the rest as metadata, and build the Article."""
    known: dict[str, str] = {}
    for name in ("id", "title", "source", "url"):
        value = fields.get(name)
        if value is not None and (
            isinstance(value, bool) or not isinstance(value, (str, int, float))
        ):
            prefix = f"{where}: " if where else ""
            return InputError(
                label,
                f'{prefix}field "{name}" is '
                f"{json_type(value)}, not a string; write it as "
                "plain text",
                line,
            )
        known[name] = normalise(str(value)).strip() if value is not None else ""
    text = normalise(text).strip()
    return Article(
        id=known["id"] or no_controls(no_surrogates(default_id)),
        text=text,
        title=known["title"] or first_line(text),
        date=_read_date(fields.get("date"), origin),
        source=known["source"] or None,
        url=known["url"] or None,
        origin=no_controls(no_surrogates(origin)),
        metadata=_metadata(fields, keep_all),
    )


def _metadata(fields: dict[Any, Any], keep_all: bool) -> tuple[tuple[str, str], ...]:
    """Every other key as sorted (key, str(value)); JSON keeps scalars only."""
    pairs = []
    for key, value in fields.items():
        if str(key) in _FIELDS or value is None:
            continue
        if not keep_all and isinstance(value, (dict, list)):
            logger.debug("dropping non-scalar JSON field %r", key)
            continue
        pairs.append((normalise(str(key)), normalise(str(value))))
    return tuple(sorted(pairs))


def _read_date(value: Any, where: str) -> dt.date | None:
    """Read a header/JSON date; an unreadable one is logged and dropped, not fatal."""
    if value is None or value == "":
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    parsed = _parse_date_string(value.strip()) if isinstance(value, str) else None
    if parsed is None:
        logger.warning(
            "%s: cannot read the date %r (write it as YYYY-MM-DD); the "
            "article is read without a date",
            where,
            value,
        )
    return parsed


def _parse_date_string(value: str) -> dt.date | None:
    """ISO first (exact and fast), then dateparser without any guessing."""
    for parse in (dt.date.fromisoformat, dt.datetime.fromisoformat):
        try:
            parsed = parse(value)
        except ValueError:
            continue
        return parsed.date() if isinstance(parsed, dt.datetime) else parsed
    if _ISO_LIKE.match(value):
        return None
    import dateparser  # slow to import; only needed for non-ISO dates

    parsed = dateparser.parse(value, languages=["en"], settings=_DATEPARSER_SETTINGS)
    return parsed.date() if parsed is not None else None


def load_json(text: str, label: str, line: int | None, fix: str) -> Any:
    """Parse JSON, or return the InputError that says where and why it fails."""
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        return InputError(
            label,
            f"is not valid JSON ({exc.msg.removesuffix(' at')} at column "
            f"{exc.colno}); {fix}",
            exc.lineno if line is None else line,
        )
    except (ValueError, RecursionError) as exc:
        return InputError(label, unreadable("JSON", exc), line)


__all__ = ["Item", "from_object", "load_json", "parse_json", "parse_text"]
