"""The examples users copy: every ``--help`` example and every cookbook recipe
runs on the bundled sample and gives something back.

An example that prints an empty table teaches nothing and looks broken, so an
example whose filter matches nothing on ``data/`` fails here, not in front of a
new user. Examples that need input the sample does not have (a gold file, a
GDELT zip, a cluster, a server that keeps running) are listed with the reason.
"""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

from kg.cli import cli
from tests.helpers.clirunner import run_kg
from tests.helpers.paths import DATA, ROOT

#: Example lines that cannot run on the sample alone, by the reason why.
NEEDS_MORE = {
    "my-gold.jsonl": "a gold file of the user's",
    "my-annotations/": "an annotated corpus of the user's",
    "my-coder/": "a coder trained on the user's corpus",
    "big-folder/": "a large folder of the user's",
    "new-articles.jsonl": "articles of the user's",
    "feed.jsonl": "a feed of the user's",
    ".export.CSV.zip": "a GDELT file",
    "old-id": "an article id that is not in the sample",
    "kg serve": "a server that runs until stopped",
    "xdg-open": "a desktop to open the page in",
    "> runs.json": "a shell redirection",
    "kg remove": "it empties the store the other examples read",
}


def help_examples() -> list[str]:
    """Every ``kg ...`` line of every command's Example section, in order."""
    lines = []
    for name in sorted(cli.commands):
        text = run_kg(name, "--help").stdout.decode()
        example = text.split("Example", 1)[1].split("Options:", 1)[0]
        lines += [
            line.split("  #")[0].strip().rstrip("\\").strip()
            for line in example.splitlines()
        ]
    return [line for line in lines if line.startswith("kg ")]


def runnable(line: str) -> bool:
    return not any(marker in line for marker in NEEDS_MORE)


@pytest.fixture(scope="module")
def sample(tmp_path_factory) -> Path:
    """A folder holding ``kg-out/store`` built from ``data/``, and ``data`` itself."""
    folder = tmp_path_factory.mktemp("examples")
    built = run_kg("build", str(DATA), "--out", str(folder / "kg-out"))
    assert built.returncode == 0, built.stderr.decode()
    (folder / "data").symlink_to(DATA.parent)
    (folder / "kg").symlink_to(ROOT / "kg")
    return folder


def test_examples_every_command_has_a_runnable_or_explained_example():
    lines = help_examples()
    commands = {shlex.split(line)[1] for line in lines}
    assert commands == set(cli.commands)
    assert sum(map(runnable, lines)) >= 20


@pytest.mark.parametrize("line", [x for x in help_examples() if runnable(x)])
def test_examples_help_example_gives_something_on_the_sample(line, sample, monkeypatch):
    monkeypatch.chdir(sample)
    args = shlex.split(line)[1:]
    ran = run_kg(*args)
    err = ran.stderr.decode()
    assert ran.returncode == 0, err
    assert "matches nothing" not in err and "result is empty" not in err, err
    written = [sample / a for a in args if re.search(r"\.\w+$", a) and "/" not in a]
    wrote = any(p.is_file() and p.stat().st_size for p in written)
    assert ran.stdout.strip() or wrote, f"{line} printed and wrote nothing"
    assert b" 0 rows" not in b"\n" + ran.stdout


def recipes() -> list[str]:
    """The SPARQL recipes of docs/cookbook.md, one query each."""
    text = (ROOT / "docs" / "cookbook.md").read_text(encoding="utf-8")
    blocks = re.findall(r"```sparql\n(.*?)```", text, flags=re.DOTALL)
    return [q for block in blocks for q in re.split(r"\n\s*\n", block) if "{" in q]


def test_examples_cookbook_has_recipes():
    assert len(recipes()) >= 4


@pytest.mark.parametrize("query", recipes(), ids=lambda q: q.splitlines()[0][2:40])
def test_examples_recipe_returns_rows_on_the_sample(query, sample, monkeypatch):
    monkeypatch.chdir(sample)
    ran = run_kg("query", query, "--format", "csv")
    assert ran.returncode == 0, ran.stderr.decode()
    rows = ran.stdout.decode().splitlines()[1:]
    assert rows, query
