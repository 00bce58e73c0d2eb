"""Text that goes inside a page's <script> or <style> elements, made safe there.

Shared by the views (:mod:`kg.views.pages`) and the query page of ``kg serve``
(:mod:`kg.serve.page`). Imports nothing but the standard library, markupsafe and
kg's errors, so the server's main process can use it without the views' graph
code (networkx).
"""

from __future__ import annotations

import json

from markupsafe import Markup

from kg.errors import UsageError


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


__all__ = ["check_inlinable", "script_json"]
