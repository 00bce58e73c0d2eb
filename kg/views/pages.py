"""What every view page shares: Jinja2 templates, inlined assets, writing the file.

Pages are opened from disk, often offline, and every string in them comes from
news text. So templates are autoescaped (a title or a name is text, never
markup), and the only unescaped text a page holds is trusted code: kg's own
CSS and JavaScript under ``static/`` and the vis-network and tom-select builds
that pyvis ships, inlined so the page loads nothing from the network.
"""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from jinja2 import Environment
from markupsafe import Markup

from kg.analysis.graphs import ASSERTED, EventFilter
from kg.errors import UsageError
from kg.files import write_text
from kg.views.inline import check_inlinable, environment

#: The pyvis release whose bundled vis-network and tom-select the pages inline.
PYVIS_VERSION = "0.3.2"

#: Vendored files the pages inline -> where pyvis ships them.
VENDOR_FILES = {
    "vis-network.min.js": "lib/vis-9.1.2/vis-network.min.js",
    "vis-network.css": "lib/vis-9.1.2/vis-network.css",
    "tom-select.complete.min.js": "lib/tom-select/tom-select.complete.min.js",
    "tom-select.css": "lib/tom-select/tom-select.css",
}


@cache
def _environment() -> Environment:
    """One autoescaping environment; templates reach assets through its globals."""
    env = environment("kg.views")
    env.globals["static"] = static
    env.globals["vendor"] = vendor
    return env


def render(template: str, **context: Any) -> str:
    """The page ``template`` (under ``templates/``) filled with ``context``."""
    return _environment().get_template(template).render(**context)


@cache
def static(name: str) -> Markup:
    """kg's own stylesheet or script ``name`` (under ``static/``), for inlining."""
    text = files("kg.views").joinpath("static").joinpath(name).read_text("utf-8")
    return _inline(name, text)


@cache
def vendor(name: str) -> Markup:
    """A vis-network or tom-select file as pyvis ships it, for inlining.

    Raises:
        UsageError: the installed pyvis does not ship it (another release).
    """
    shipped = files("pyvis")
    for part in VENDOR_FILES[name].split("/"):
        shipped = shipped.joinpath(part)
    try:
        text = shipped.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"pyvis does not ship {VENDOR_FILES[name]}, which the view inlines; "
            f"install the supported version with `pip install pyvis=={PYVIS_VERSION}`"
        ) from exc
    return _inline(name, text)


def _inline(name: str, text: str) -> Markup:
    """``text`` as markup for a <script> or <style> element it cannot break out of.

    Raises:
        UsageError: ``text`` holds a closing tag or ``<!--``, which would end
            the element early or change how the browser parses it.
    """
    remedy = f"reinstall kg and pyvis=={PYVIS_VERSION}"
    # trusted: code shipped with kg or with pyvis
    return Markup(check_inlinable(name, text, remedy))


def write_page(out: Path, page: str, what: str) -> None:
    """Write ``page`` to ``out`` (UTF-8); ``what`` names it in the error message.

    Atomically (:mod:`kg.files`): a kill, a full disk or a second ``kg viz`` to
    the same file leaves the previous page whole rather than cut short.

    Raises:
        UsageError: ``out`` cannot be written.
    """
    write_text(out, page, what=what, error=UsageError)


def describe_filter(filters: EventFilter) -> str:
    """One line for a page, e.g. ``since 2019-01, type 19 or 04``; "" for none."""
    parts = [f"since {filters.since}"] if filters.since else []
    parts += [f"until {filters.until}"] if filters.until else []
    for name, values in (
        ("type", filters.types),
        ("actor", filters.actors),
        ("country", filters.countries),
        ("place", filters.places),
    ):
        if values:
            parts.append(f"{name} {' or '.join(values)}")
    if filters.modalities is None:
        parts.append("every modality")
    elif filters.modalities != ASSERTED:
        parts.append(f"modality {' or '.join(sorted(filters.modalities))}")
    if filters.min_confidence is not None:
        parts.append(f"confidence at least {filters.min_confidence:g}")
    return ", ".join(parts)
