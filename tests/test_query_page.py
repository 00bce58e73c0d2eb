"""The query page at ``/`` of ``kg serve`` (YASGUI, kg.serve.page), in real Chromium.

The browser tests start a real ``kg serve`` (``python -m kg serve``) on a store
ingested from ``data/articles`` plus one article whose title is markup, open the
page in Debian's chromium with every request recorded, click and type as a user
does, and read the result table YASR draws. So "offline", "results as a table"
and "article text is shown as text" are observed, not assumed. The plain tests
check the page's HTML, data and Content-Security-Policy without a browser.
"""

from __future__ import annotations

import base64
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
import threading
from collections.abc import Iterator
from html.parser import HTMLParser
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from urllib.parse import urlencode, urlsplit

import pytest
from helpers.browser import chromium
from helpers.paths import ROOT
from helpers.server import http

from kg.query.cookbook import list_queries
from kg.rdf.namespaces import prefix_map
from kg.serve.page import (
    YASGUI_VERSION,
    asset,
    examples,
    query_page_csp,
    render_query_page,
)

ARTICLES = ROOT / "data" / "articles"
HOSTILE_TITLE = "<b>Bold</b> claim <script>window.__kgPwned = 1</script> in Kyiv"
HOSTILE_ARTICLE = f"""---
id: markup-in-title
title: "{HOSTILE_TITLE}"
date: 2025-03-04
source: "kg tests"
---
KYIV, March 4 - Ukraine and Poland held talks in Kyiv on Tuesday about grain exports.
"""
TITLES = (
    "SELECT ?title WHERE { ?article a kg:Article ; kg:title ?title } ORDER BY ?title"
)
VOID = {"meta", "link", "br", "hr", "img", "input", "source", "wbr", "col", "area"}
YASQE = ".yasqe .CodeMirror"
ROWS = ".yasr table.dataTable tbody tr"


# --- the page's HTML, without a browser ------------------------------------------


class _Tags(HTMLParser):
    """Start and end tags in order; script and style bodies kept by element."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.stack: list[str] = []
        self.problems: list[str] = []
        self.scripts: list[tuple[dict, str]] = []
        self.buttons: list[tuple[dict, str]] = []
        self._open: tuple[str, dict] | None = None
        self._text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list) -> None:
        if tag not in VOID:
            self.stack.append(tag)
        if tag in ("script", "button"):
            self._open, self._text = (tag, dict(attrs)), []

    def handle_endtag(self, tag: str) -> None:
        if not self.stack or self.stack[-1] != tag:
            self.problems.append(f"</{tag}> closes {self.stack[-1:]}")
            return
        self.stack.pop()
        if self._open is not None and self._open[0] == tag:
            kept = self.scripts if tag == "script" else self.buttons
            kept.append((self._open[1], "".join(self._text)))
            self._open = None

    def handle_data(self, data: str) -> None:
        if self._open is not None:
            self._text.append(data)


def _parse(page: str) -> _Tags:
    tags = _Tags()
    tags.feed(page)
    tags.close()
    return tags


@pytest.fixture(scope="module")
def page() -> str:
    return render_query_page("/sparql")


def test_query_page_is_well_formed(page):
    tags = _parse(page)
    assert page.startswith("<!doctype html>")
    assert tags.problems == [] and tags.stack == []
    kinds = [attrs.get("type") for attrs, _ in tags.scripts]
    assert kinds == ["application/json", None, None]
    # The inlined code arrives whole: the parser found no early </script>.
    assert tags.scripts[1][1] == asset("yasgui/yasgui.min.js")
    assert tags.scripts[2][1] == asset("query.js")
    assert "sourceMappingURL" not in page


def test_query_page_declares_the_prefixes_and_offers_the_cookbook(page):
    tags = _parse(page)
    config = json.loads(tags.scripts[0][1])
    assert config["endpoint"] == "/sparql"
    assert config["prefixes"] == prefix_map()
    shipped = list_queries()
    assert [e["name"] for e in config["examples"]] == [q.name for q in shipped]
    assert [(a["data-name"], text) for a, text in tags.buttons] == [
        (q.name, q.title) for q in shipped
    ]
    for text in [config["defaultQuery"]] + [e["text"] for e in config["examples"]]:
        for prefix, namespace in prefix_map().items():
            assert f"PREFIX {prefix}: <{namespace}>\n" in text
    assert f"YASGUI {YASGUI_VERSION}" in page


def test_query_page_examples_bind_defaults_and_leave_the_rest_undef():
    found = {e["name"]: e["text"] for e in examples()}
    assert "# title: Events involving an actor" in found["actor-events"]
    values = r"\n  VALUES \(([^)]*)\) \{ \(([^)]*)\) \}\n"
    row = re.search(values, found["actor-events"])
    assert row is not None
    assert row.group(1) == "?actor ?include_unasserted ?min_confidence"
    false = '"false"^^<http://www.w3.org/2001/XMLSchema#boolean>'
    assert row.group(2) == f"UNDEF {false} UNDEF"


def test_query_page_escapes_what_it_is_given():
    page = render_query_page('/sparql"></code><i>x', title="<b>kg</b> & co")
    tags = _parse(page)
    assert tags.problems == [] and tags.stack == []
    assert "<b>kg</b>" not in page and "&lt;b&gt;kg&lt;/b&gt; &amp; co" in page
    assert "<i>x" not in page
    assert json.loads(tags.scripts[0][1])["endpoint"] == '/sparql"></code><i>x'


def test_query_page_csp_allows_its_own_scripts_only(page):
    csp = query_page_csp("/sparql")
    scripts = [text for attrs, text in _parse(page).scripts if "type" not in attrs]
    hashes = {
        base64.b64encode(hashlib.sha256(text.encode()).digest()).decode()
        for text in scripts
    }
    allowed = set(re.findall(r"'sha256-([^']+)'", csp))
    assert allowed == hashes and len(hashes) == 2
    assert "default-src 'none'" in csp and "connect-src 'self';" in csp
    assert "unsafe-eval" not in csp and "script-src 'unsafe-inline'" not in csp
    other = query_page_csp("http://127.0.0.1:9/sparql")
    assert "connect-src 'self' http://127.0.0.1:9;" in other


# --- a real kg serve ---------------------------------------------------------------


@pytest.fixture(scope="module")
def store_path(nlp, tmp_path_factory) -> Path:
    """data/articles and the article with markup in its title, ingested once."""
    from kg.ingestion import ingest
    from kg.store import open_store

    folder = tmp_path_factory.mktemp("query-page")
    articles = folder / "articles"
    shutil.copytree(ARTICLES, articles)
    (articles / "markup-in-title.txt").write_text(HOSTILE_ARTICLE, encoding="utf-8")
    path = folder / "store"
    with open_store(path) as store:
        ingest([articles], store, nlp=nlp)
    return path


class Served:
    """``python -m kg serve`` on a free port of 127.0.0.1; .url is its base URL."""

    def __init__(self, store: Path, log: Path, *extra: str) -> None:
        self.log = log.open("w")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "kg", "serve", "--store", str(store)]
            + ["--port", "0", *extra],
            stdout=subprocess.PIPE,
            stderr=self.log,
            text=True,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
        )
        line = self.process.stdout.readline()
        found = re.search(r" at (http://127\.0\.0\.1:\d+/) ", line)
        if found is None:
            self.stop()
            pytest.fail(f"kg serve did not start: {line!r} {log.read_text()}")
        self.url = found.group(1)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=15)
        finally:
            self.process.kill()
            self.log.close()


@pytest.fixture(scope="module")
def served(store_path, tmp_path_factory) -> Iterator[Served]:
    log = tmp_path_factory.mktemp("serve-log") / "serve.log"
    running = Served(store_path, log)
    yield running
    running.stop()


@pytest.fixture(scope="module")
def browser():
    with chromium("query page") as browser:
        yield browser


class Visit:
    """One page in a fresh browser context, with every request and problem logged."""

    def __init__(self, browser, url: str) -> None:  # noqa: ANN001 - playwright
        self.context = browser.new_context()
        self.page = self.context.new_page()
        self.requests: list[str] = []
        self.problems: list[str] = []
        self.context.on("request", lambda r: self.requests.append(r.url))
        self.page.on("pageerror", lambda e: self.problems.append(f"error: {e}"))
        self.page.on(
            "console",
            lambda m: m.type == "error" and self.problems.append(m.text),
        )
        self.page.add_init_script(
            "window.__violations = [];"
            "document.addEventListener('securitypolicyviolation', e =>"
            " window.__violations.push(e.violatedDirective + ' ' + e.blockedURI));"
        )
        self.page.goto(url)
        self.page.wait_for_selector(YASQE, timeout=20_000)

    def run_and_wait(self) -> list[list[str]]:
        """Click YASQE's run button; the table's rows once the answer is drawn."""
        before = self.page.locator(".yasr_response_chip").all_inner_texts()
        self.page.locator(".yasqe_queryButton").click()
        self.page.wait_for_function(
            "before => { const chip = document.querySelector('.yasr_response_chip');"
            " return chip && chip.innerText.includes('result')"
            " && chip.innerText !== before; }",
            arg=before[0] if before else "",
            timeout=30_000,
        )
        return self.rows()

    def rows(self) -> list[list[str]]:
        """The text of each cell of the result table, row by row (no row number)."""
        return self.page.eval_on_selector_all(
            ROWS,
            "rows => rows.map(r => Array.from(r.querySelectorAll('td'))"
            ".slice(1).map(td => td.innerText.trim()))",
        )

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def visit(browser, served) -> Iterator[Visit]:
    opened = Visit(browser, served.url)
    yield opened
    assert opened.problems == []
    assert opened.page.evaluate("window.__violations") == []
    opened.close()
    assert opened.requests, "the page made no request at all"
    hosts = {urlsplit(u).hostname for u in opened.requests if u.startswith("http")}
    assert hosts == {"127.0.0.1"}, opened.requests
    assert {urlsplit(u).scheme for u in opened.requests} <= {"http", "data", "blob"}


def _select(served: Served, query: str) -> list[dict]:
    """The bindings kg serve answers for ``query`` over plain HTTP."""
    status, _, body = http(
        served.url + "sparql",
        urlencode({"query": query}).encode(),
        {
            "Accept": "application/sparql-results+json",
            "Content-Type": "application/x-www-form-urlencoded",
        },
    )
    assert status == 200, body[:300]
    return json.loads(body)["results"]["bindings"]


@pytest.mark.parametrize("name", [q.name for q in list_queries()])
@pytest.mark.system
def test_query_page_every_example_runs_on_kg_serve(served, name):
    """As offered, with only the defaults bound, each example answers; all but
    the country pair's (its two countries are UNDEF) find rows in the samples."""
    text = {e["name"]: e["text"] for e in examples()}[name]
    rows = _select(served, text)
    assert (len(rows) == 0) == (name == "coop-conflict-monthly"), len(rows)


@pytest.mark.system
def test_query_page_is_served_at_root_with_its_csp(served):
    status, headers, body = http(served.url)
    assert status == 200 and headers["Content-Type"] == "text/html; charset=utf-8"
    assert body.decode("utf-8") == render_query_page("/sparql")
    assert headers["Content-Security-Policy"] == query_page_csp("/sparql")
    status, headers, body = http(served.url + "view")
    assert status == 200 and b"vis-network" in body
    assert HOSTILE_TITLE not in body.decode("utf-8")


@pytest.mark.system
@pytest.mark.browser
def test_query_page_runs_a_cookbook_example_as_a_table(visit, served):
    visit.page.get_by_role("button", name="Top actors by events").click()
    editor = visit.page.locator(YASQE)
    assert "# title: Top actors by events" in editor.inner_text()
    rows = visit.run_and_wait()
    expected = _select(served, examples()[6]["text"])
    assert examples()[6]["name"] == "top-actors"
    # YASR shows the count, and the first page (50 rows) of the table.
    chip = visit.page.locator(".yasr_response_chip").inner_text()
    assert chip.startswith(f"{len(expected)} results")
    assert len(rows) == min(50, len(expected)) and len(expected) >= 5
    # The name column, in the server's order; actor IRIs shown with kg prefixes.
    assert [r[1] for r in rows] == [b["name"]["value"] for b in expected][:50]
    assert all(r[0].startswith("kgr:") for r in rows)
    # The tab is named after the example.
    assert "Top actors by events" in visit.page.locator(".yasgui").inner_text()


@pytest.mark.system
@pytest.mark.browser
def test_query_page_typed_select_shows_article_titles_as_text(visit, served):
    """A SELECT typed without PREFIX lines (kg: is predeclared) and run with
    Ctrl-Enter; the title holding <b> and <script> is shown as text."""
    visit.page.locator(YASQE).click()
    visit.page.keyboard.press("Control+A")
    visit.page.keyboard.press("Delete")
    visit.page.keyboard.insert_text(TITLES)
    visit.page.keyboard.press("Control+Enter")
    visit.page.wait_for_selector(ROWS, timeout=30_000)
    visit.page.wait_for_function(
        f"document.querySelectorAll('{ROWS}').length > 1", timeout=30_000
    )
    titles = [r[0] for r in visit.rows()]
    expected = [b["title"]["value"] for b in _select(served, TITLES)]
    assert titles == expected and len(titles) >= 10
    assert HOSTILE_TITLE in titles
    assert visit.page.locator(".yasr table b").count() == 0
    assert visit.page.locator(".yasr script").count() == 0
    assert visit.page.evaluate("window.__kgPwned") is None


@pytest.mark.system
@pytest.mark.browser
def test_query_page_shows_why_a_query_is_refused(visit):
    visit.page.locator(YASQE).click()
    visit.page.keyboard.press("Control+A")
    visit.page.keyboard.press("Delete")
    visit.page.keyboard.insert_text(
        "SELECT * WHERE { SERVICE <http://example.org/sparql> { ?s ?p ?o } }"
    )
    visit.page.locator(".yasqe_queryButton").click()
    shown = visit.page.locator(".yasr .errorResult")
    shown.wait_for(timeout=30_000)
    assert "403" in shown.inner_text()
    assert "SERVICE is not allowed" in shown.inner_text()
    assert visit.page.locator(ROWS).count() == 0
    # The browser and YASGUI log the 403 to the console: the answer, not a fault.
    logged = [p for p in visit.problems if "Forbidden" in p]
    assert logged
    visit.problems[:] = [p for p in visit.problems if p not in logged]


# --- YASGUI on another origin -------------------------------------------------------


class _Background:
    """A small HTTP server on its own port of 127.0.0.1, in a thread."""

    def __init__(self, handler: type[BaseHTTPRequestHandler], host: str) -> None:
        self.server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://{host}:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever)
        self.thread.start()

    def stop(self) -> None:
        self.server.shutdown()
        self.thread.join(10)
        self.server.server_close()


class _Quiet(BaseHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


def _origin(endpoint: str) -> _Background:
    """Another origin (localhost, its own port) serving the page for ``endpoint``."""
    page = render_query_page(endpoint, title="YASGUI elsewhere").encode()
    csp = query_page_csp(endpoint)

    class Page(_Quiet):
        def do_GET(self) -> None:  # noqa: N802 - http.server naming
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Security-Policy", csp)
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page)

    return _Background(Page, "localhost")


def _cors_proxy(target: str) -> _Background:
    """A proxy that forwards to kg serve and only adds CORS headers (as issue #15
    checked YASGUI from another origin by hand, before kg serve had --cors)."""

    class Proxy(_Quiet):
        def do_OPTIONS(self) -> None:  # noqa: N802
            self.send_response(204)
            self._allow()
            self.send_header("Content-Length", "0")
            self.end_headers()

        def do_POST(self) -> None:  # noqa: N802
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            names = ("Content-Type", "Accept")
            headers = {n: self.headers[n] for n in names if n in self.headers}
            status, answered, answer = http(target + self.path, body, headers)
            self.send_response(status)
            self._allow()
            self.send_header("Content-Type", answered.get("Content-Type", ""))
            self.send_header("Content-Length", str(len(answer)))
            self.end_headers()
            self.wfile.write(answer)

        def _allow(self) -> None:
            self.send_header("Access-Control-Allow-Origin", "*")
            self.send_header("Access-Control-Allow-Methods", "GET, POST")
            self.send_header("Access-Control-Allow-Headers", "Content-Type, Accept")

    return _Background(Proxy, "127.0.0.1")


@pytest.mark.system
@pytest.mark.browser
@pytest.mark.parametrize("allowed_by", ["kg serve --cors", "a CORS proxy"])
def test_query_page_from_another_origin(
    browser, served, store_path, tmp_path, allowed_by
):
    """YASGUI on localhost:A querying kg serve on 127.0.0.1:B shows the table.

    Allowed by ``kg serve --cors '*'``, and by a proxy that adds nothing but CORS
    headers (how a server without kg's --cors is reached)."""
    started: list = []
    try:
        if allowed_by == "a CORS proxy":
            started.append(_cors_proxy(served.url.rstrip("/")))
        else:
            started.append(Served(store_path, tmp_path / "serve.log", "--cors", "*"))
        started.append(_origin(started[0].url + "sparql"))
        opened = Visit(browser, started[1].url)
        opened.page.get_by_role("button", name="Top actors by events").click()
        rows = opened.run_and_wait()
        assert len(rows) >= 5 and all(r[0].startswith("kgr:") for r in rows)
        assert opened.problems == []
        assert opened.page.evaluate("window.__violations") == []
        hosts = {urlsplit(u).hostname for u in opened.requests}
        assert hosts == {"localhost", "127.0.0.1"}
        opened.close()
    finally:
        for running in reversed(started):
            running.stop()
