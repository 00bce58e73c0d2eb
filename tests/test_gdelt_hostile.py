"""Hostile GDELT files: endless lines, zips of several members, forged numbers.

A GDELT 2.0 row is under 2 kB, yet one zip held a single 1.5 GB line; zips with
two members lost the second; int() let Arabic-Indic digits and underscores
through. Rows are built from the hand-written sample
(``tests/data/gdelt/sample.export.CSV``) with columns changed.
"""

from __future__ import annotations

import zipfile

import pytest
from helpers.clirunner import run_kg
from helpers.paths import ROOT

from kg.errors import InputError, UsageError
from kg.ingestion.gdelt import COLUMNS, MAX_BAD_LINES, import_gdelt
from kg.ingestion.gdelt.reading import MAX_LINE_BYTES, MAX_LINE_ENV
from kg.rdf.namespaces import sparql_prologue
from kg.store import open_store

GDELT = ROOT / "tests" / "data" / "gdelt" / "sample.export.CSV"


def _line(**changes: str) -> str:
    """The first sample row with some columns changed."""
    fields = GDELT.read_text(encoding="utf-8").splitlines()[0].split("\t")
    for name, value in changes.items():
        fields[COLUMNS.index(name)] = value
    return "\t".join(fields)


def _event_ids(store) -> set[str]:
    query = sparql_prologue() + "SELECT ?id WHERE { ?e kg:gdeltEventId ?id }"
    return {s["id"].value for s in store.ox.query(query)}


def _import(*paths, **limits) -> tuple[object, list[str], set[str]]:
    """Import into a memory store: (report, error lines, GDELT event ids)."""
    errors: list[InputError] = []
    with open_store(None) as store:
        report = import_gdelt(paths, store, on_error=errors.append, **limits)
        return report, [str(e) for e in errors], _event_ids(store)


def test_gdelt_hostile_overlong_line_is_skipped_by_number(tmp_path):
    """A 3 MB line (no newline inside) is one unusable line; the next still loads."""
    path = tmp_path / "long.export.CSV"
    endless = "9\t" * 1_500_000
    before, after = _line(GLOBALEVENTID="1000001"), _line(GLOBALEVENTID="1000002")
    path.write_text(f"{before}\n{endless}\n{after}\n", encoding="utf-8")
    report, errors, ids = _import(path)
    assert errors == [
        f"{path}:2: line is 3,000,001 bytes, over the 65,536-byte limit "
        f"({MAX_LINE_ENV}; a GDELT row is under 2 kB); line skipped"
    ]
    assert (report.bad, report.rows, ids) == (1, 2, {"1000001", "1000002"})


def test_gdelt_hostile_endless_lines_count_toward_giving_up(tmp_path):
    path = tmp_path / "endless.export.CSV"
    chunk = "x" * (MAX_LINE_BYTES + 1)
    path.write_text("\n".join([chunk] * (MAX_BAD_LINES + 3)), encoding="utf-8")
    report, errors, _ids = _import(path)
    assert len(errors) == MAX_BAD_LINES + 1
    assert errors[-1].startswith(f"{path}: stopped reading at line {MAX_BAD_LINES}")
    assert report.bad == MAX_BAD_LINES


def test_gdelt_hostile_line_limit_is_a_setting(tmp_path, monkeypatch):
    path = tmp_path / "rows.export.CSV"
    path.write_text(_line() + "\n", encoding="utf-8")
    short = len(_line()) - 1
    report, errors, _ = _import(path, max_line_bytes=short)
    assert report.bad == 1 and f"over the {short:,}-byte limit" in errors[0]
    monkeypatch.setenv(MAX_LINE_ENV, str(short))
    assert _import(path)[0].bad == 1
    monkeypatch.setenv(MAX_LINE_ENV, "64k")
    with open_store(None) as store, pytest.raises(UsageError, match=MAX_LINE_ENV):
        import_gdelt([path], store)


def test_gdelt_hostile_two_member_zip_imports_both(tmp_path):
    path = tmp_path / "two.export.CSV.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr("a.export.CSV", _line(GLOBALEVENTID="2000001") + "\n")
        archive.writestr(
            "b.export.CSV", f"not a row\n{_line(GLOBALEVENTID='2000002')}\n"
        )
    report, errors, ids = _import(path)
    assert ids == {"2000001", "2000002"}
    assert errors == [
        f"{path}/b.export.CSV:1: not tab-separated (a GDELT 2.0 event export has 61 "
        "tab-separated columns); line skipped"
    ]
    assert (report.rows, report.bad) == (2, 1)


def test_gdelt_hostile_each_member_gives_up_on_its_own(tmp_path):
    """MAX_BAD_LINES counts per member: a README inside stops only itself."""
    path = tmp_path / "mixed.zip"
    prose = "\n".join(f"Note {n}, not a row." for n in range(MAX_BAD_LINES + 5))
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("notes.csv", prose)
        archive.writestr("rows.export.CSV", _line(GLOBALEVENTID="3000001") + "\n")
    _report, errors, ids = _import(path)
    assert ids == {"3000001"}
    assert errors[-1].startswith(f"{path}/notes.csv: stopped reading at line 10")


def test_gdelt_hostile_nested_other_and_huge_members_are_refused(tmp_path):
    inner = tmp_path / "inner.zip"
    with zipfile.ZipFile(inner, "w") as archive:
        archive.writestr("x.export.CSV", _line() + "\n")
    path = tmp_path / "outer.zip"
    with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.write(inner, "inner.zip")
        archive.writestr("README.txt", "GDELT notes, in my own words.\n")
        archive.writestr("big.export.CSV", "0" * 5000 + "\n")
        archive.writestr("ok.export.CSV", _line(GLOBALEVENTID="4000001") + "\n")
    report, errors, ids = _import(path, max_member_bytes=4000)
    assert ids == {"4000001"}
    assert errors == [
        f"{path}/inner.zip: is a .zip inside the .zip; unzip it and pass its .CSV "
        "files",
        f"{path}/README.txt: is not a .CSV file; member skipped",
        f"{path}/big.export.CSV: unzips to 5,001 bytes, over the 4,000-byte limit "
        "for one member (KG_GDELT_MAX_MEMBER_BYTES); member skipped",
    ]
    assert report.failed == 3


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("NumSources", "\u0663"),  # ARABIC-INDIC DIGIT THREE: int() reads 3
        ("NumMentions", "1_000"),  # int() reads 1000
        ("NumArticles", " 7"),
        ("GLOBALEVENTID", "\uff11\uff12"),  # fullwidth digits
        ("AvgTone", "\u0661.\u0665"),  # float() reads 1.5
        ("GoldsteinScale", "2_0.5"),
        ("SQLDATE", "\u0662\u0660\u0662\u0665\u0660\u0663\u0661\u0661"),
        ("SQLDATE", "2025311"),
        ("EventCode", "\u0660\u0664\u0663"),
        ("ActionGeo_Type", "\u0664"),
    ],
)
def test_gdelt_hostile_numbers_are_ascii_only(tmp_path, column, value):
    path = tmp_path / "forged.export.CSV"
    path.write_text(_line(**{column: value}) + "\n", encoding="utf-8")
    report, errors, ids = _import(path)
    assert (report.bad, report.rows, ids) == (1, 0, set())
    assert errors[0].startswith(f"{path}:1: {column} {value!r} is not ")


def test_gdelt_hostile_control_characters_are_dropped(tmp_path):
    path = tmp_path / "ctl.export.CSV"
    row = _line(
        GLOBALEVENTID="5000001",
        Actor1Code="KENBUS",
        Actor1Name="GRAIN\x01 BOARD\x1b",
        Actor1Type1Code="BUS",
    )
    path.write_text(row + "\r\n", encoding="utf-8")
    with open_store(None) as store:
        report = import_gdelt([path], store)
        query = sparql_prologue() + (
            "SELECT ?o WHERE { ?s ?p ?o FILTER(isLiteral(?o)) }"
        )
        texts = {s["o"].value for s in store.ox.query(query)}
    assert report.rows == 1
    assert "GRAIN BOARD" in texts
    assert not any(c in t for t in texts for c in "\x01\x1b\r")


def test_gdelt_hostile_cli_bomb_member_is_one_line(tmp_path):
    """A zip of one member that unzips past the member limit: refused, no traceback."""
    path = tmp_path / "bomb.export.CSV.zip"
    with (
        zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive,
        archive.open("bomb.export.CSV", "w") as member,
    ):
        for _ in range(64):
            member.write(b"7\t" * (1 << 15))
    ran = run_kg("import-gdelt", str(path), "--store", "memory")
    # under the 1 GB member limit: read, its one 4 MiB line skipped by number
    assert ran.returncode == 1
    assert ran.stderr.decode().splitlines() == [
        f"kg: {path}/bomb.export.CSV:1: line is 4,194,304 bytes, over the "
        f"65,536-byte limit ({MAX_LINE_ENV}; a GDELT row is under 2 kB); line skipped",
        "kg: 1 input(s) could not be used; see above.",
    ]
