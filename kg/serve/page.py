"""The query page at ``/`` of ``kg serve``: YASGUI, offline, in one response.

The page is YASGUI (YASQE's editor and YASR's result table) as vendored in
``static/yasgui/`` from the npm registry (see its README), with kg's prefixes
predeclared and the cookbook queries offered as examples. Everything it needs is
inlined, as the views inline vis-network (:mod:`kg.views.pages`): the page is one
response that loads nothing else, so the server needs no asset route and no
request path ever maps to a file. What YASGUI would fetch from the network is
turned off in ``static/query.js``: prefix.cc and LOV autocompletion (kg's own
prefixes complete instead), the CORS proxy and the remote endpoint catalogue. The
CSS has no fonts or remote URLs. Titles and descriptions are escaped by the
template; the data the script reads is JSON that cannot close its element; the
results are drawn by YASR, which escapes literals (checked in Chromium by
``tests/test_query_page.py``).

:func:`query_page_csp` is the Content-Security-Policy to send with the page: the
two inline scripts by hash (no ``'unsafe-inline'`` for scripts), styles inline,
``data:`` images (the table's sort icons), and requests only to the endpoint.
"""

from __future__ import annotations

import base64
import hashlib
from functools import cache
from importlib.resources import files
from urllib.parse import urlsplit

from jinja2 import Environment
from markupsafe import Markup

from kg.errors import UsageError
from kg.query.cookbook import example, list_queries
from kg.rdf.namespaces import prefix_map, sparql_prologue
from kg.views.inline import (
    check_inlinable,
    environment,
    script_json,
    without_source_map,
)

#: The @triply/yasgui release vendored in ``static/yasgui/``.
YASGUI_VERSION = "4.2.28"

#: The query a new tab starts with (after the PREFIX lines).
DEFAULT_QUERY = """\
# Events with their type and actors; the kg prefixes are declared above.
SELECT ?date ?source ?type ?target ?event
WHERE {
  ?event a kg:Event ;
    kg:eventType/skos:prefLabel ?type ;
    kg:sourceActor/rdfs:label ?source .
  OPTIONAL { ?event kg:targetActor/rdfs:label ?target }
  OPTIONAL { ?event kg:date ?date }
}
ORDER BY ?date ?event
LIMIT 50
"""

_PARAMS_NOTE = (
    "# The VALUES row after WHERE { binds the parameters (# param: above): defaults\n"
    "# are filled in; replace UNDEF with a value where one is required.\n"
)


@cache
def _environment() -> Environment:
    """The Jinja2 setup of every page (:func:`kg.views.inline.environment`)."""
    return environment("kg.serve")


@cache
def asset(name: str) -> str:
    """A file under ``static/`` (``yasgui/yasgui.min.js``, ``query.js``) as text.

    Returned exactly as inlined: YASGUI's trailing source-map comment is dropped.

    Raises:
        UsageError: it is missing or holds a closing tag or ``<!--``, which would
            end its <script> or <style> element early.
    """
    path = files("kg.serve").joinpath("static")
    for part in name.split("/"):
        path = path.joinpath(part)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise UsageError(
            f"kg/serve/static/{name} is missing; reinstall kg (the query page "
            "inlines it)"
        ) from exc
    text = without_source_map(text)
    return check_inlinable(f"kg/serve/static/{name}", text, "reinstall kg")


def examples() -> list[dict[str, str]]:
    """The cookbook queries as the page offers them: name, title, description, text.

    Each text is the query's header comment, the kg PREFIX lines and the query,
    its parameters bound in an editable VALUES row
    (:func:`kg.query.cookbook.example`).
    """
    found = []
    for query in list_queries():
        lines = example(query.name).splitlines(keepends=True)
        header = 0
        while header < len(lines) and lines[header].startswith("#"):
            header += 1
        note = _PARAMS_NOTE if query.params else ""
        text = "".join(lines[:header]) + note + sparql_prologue()
        found.append(
            {
                "name": query.name,
                "title": query.title,
                "description": query.description,
                "text": text + "".join(lines[header:]),
            }
        )
    return found


@cache
def render_query_page(endpoint: str, *, title: str = "kg SPARQL endpoint") -> str:
    """The query page, one HTML document that fetches nothing but query results.

    Args:
        endpoint: the path or URL of the SPARQL endpoint the page posts queries
            to, e.g. ``"/sparql"``.
        title: the page's title and heading.

    Raises:
        UsageError: a vendored file is missing or cannot be inlined.
    """
    config = {
        "endpoint": endpoint,
        "prefixes": prefix_map(),
        "defaultQuery": sparql_prologue() + DEFAULT_QUERY,
        "examples": examples(),
    }
    template = _environment().get_template("query.html")
    return template.render(
        title=title,
        endpoint=endpoint,
        yasgui_version=YASGUI_VERSION,
        examples=config["examples"],
        prefixes=config["prefixes"],
        config=script_json(config),
        yasgui_css=Markup(asset("yasgui/yasgui.min.css")),
        page_css=Markup(asset("query.css")),
        yasgui_js=Markup(asset("yasgui/yasgui.min.js")),
        page_js=Markup(asset("query.js")),
    )


def query_page_csp(endpoint: str = "/sparql") -> str:
    """The Content-Security-Policy the query page needs, and nothing more.

    Scripts: only the two inline scripts, by their SHA-256 (YASGUI's
    ``new Function`` probe is caught by YASGUI; no eval is needed). Styles:
    inline (the page's ``<style>`` elements and the ones YASGUI and CodeMirror
    set). Images: ``data:`` (the result table's sort arrows). Requests: the
    page's own origin, plus the endpoint's origin when it is another one.
    """
    scripts = " ".join(
        f"'sha256-{_digest(asset(name))}'"
        for name in ("yasgui/yasgui.min.js", "query.js")
    )
    connect = "'self'"
    parts = urlsplit(endpoint)
    if parts.scheme in ("http", "https") and parts.netloc:
        connect += f" {parts.scheme}://{parts.netloc}"
    return (
        f"default-src 'none'; script-src {scripts}; style-src 'unsafe-inline'; "
        f"img-src data:; connect-src {connect}; base-uri 'none'; "
        "form-action 'none'; frame-ancestors 'none'"
    )


@cache
def _digest(text: str) -> str:
    return base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode()


__all__ = [
    "DEFAULT_QUERY",
    "YASGUI_VERSION",
    "asset",
    "examples",
    "query_page_csp",
    "render_query_page",
]
