"""Text that goes inside a page's <script> or <style> elements, made safe there,
and the one Jinja2 setup every page is rendered with.

Shared by the views (:mod:`kg.views.pages`, :mod:`kg.views.mapview`) and the query
page of ``kg serve`` (:mod:`kg.serve.page`). Imports nothing but the standard
library, Jinja2, markupsafe and kg's errors, so the server's main process can use
it without the views' graph code (networkx).
"""

from __future__ import annotations

import json
import re

from jinja2 import Environment, PackageLoader, StrictUndefined, select_autoescape
from markupsafe import Markup

from kg.errors import UsageError

#: A bundle's last line naming its source map, which an inlined copy has no use for
#: (and a browser would try to fetch).
_SOURCE_MAP = re.compile(r"\n//# sourceMappingURL=\S+\s*$")


def environment(package: str) -> Environment:
    """Jinja2 for ``package``'s ``templates/``: autoescaping everywhere (strings
    included), undefined names an error, whitespace as written."""
    return Environment(
        loader=PackageLoader(package),
        autoescape=select_autoescape(default_for_string=True, default=True),
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def without_source_map(text: str) -> str:
    """A vendored bundle without its ``//# sourceMappingURL=`` line."""
    return _SOURCE_MAP.sub("\n", text)


def check_inlinable(shown: str, text: str, remedy: str) -> str:
    """``text`` unchanged if it cannot end its <script>/<style> element early.

    Args:
        shown: the file's name as the error shows it; ``.js`` means a script.
        text: the file's content.
        remedy: what the error tells the user to do.

    Raises:
        UsageError: ``text`` holds a closing tag or ``<!--``, which would end the
            element early or change how the browser parses it.
    """
    tag = "script" if shown.endswith(".js") else "style"
    lowered = text.lower()
    for marker in (f"</{tag}", "<!--"):
        if marker in lowered:
            raise UsageError(
                f"{shown} cannot be inlined: it contains '{marker}'; {remedy}"
            )
    return text


def script_json(value: object) -> Markup:
    """Compact JSON that cannot close its <script> block or open a comment in it."""
    text = json.dumps(value, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e")
    return Markup(text.replace("&", "\\u0026"))  # no <, > or & is left


__all__ = ["check_inlinable", "environment", "script_json", "without_source_map"]
