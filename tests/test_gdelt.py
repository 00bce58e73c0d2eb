"""GDELT 2.0 event-export import: a hand-written sample file into a real store.

``tests/data/gdelt/sample.export.CSV`` has ten lines in GDELT's documented 61-column
layout: two source URLs (the first URL's rows split by the second's), rows with no
Actor2, one row with no Actor1 and one truncated line.
"""

from __future__ import annotations

import hashlib
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from helpers.paths import ROOT, SAMPLE

from kg.errors import InputError
from kg.ingestion.gdelt import (
    COLUMNS,
    DATASET,
    MAX_BAD_LINES,
    article_id,
    cameo_to_iso3,
    confidence,
    fips_to_iso3,
    import_gdelt,
    parse_row,
)
from kg.rdf.namespaces import sparql_prologue
from kg.store import open_store
from kg.store.provenance import read_runs

GDELT = ROOT / "tests" / "data" / "gdelt" / "sample.export.CSV"
TALKS = "https://www.example-news.com/world/europe/us-ukraine-talks-jeddah-20250311"
ATTACK = "https://news.example.org/2025/03/12/houthis-red-sea-ship-attack"
KGR = "https://w3id.org/kg-events/id/"
TRUNCATED = (
    f"{GDELT}:7: has 12 columns, expected 61 (GDELT 2.0 event export; GDELT 1.0 "
    "files have 57 or 58); line skipped"
)


def _select(store, query: str) -> set[tuple[str | None, ...]]:
    """Rows of a SELECT over the store's union graph, as tuples of plain strings."""
    solutions = store.ox.query(sparql_prologue() + query)
    names = [v.value for v in solutions.variables]
    return {
        tuple(s[n].value if s[n] is not None else None for n in names)
        for s in solutions
    }


def _short(iri: str | None) -> str | None:
    return iri.removeprefix(KGR) if iri else iri


@pytest.fixture(scope="module")
def imported(tmp_path_factory):
    """The sample imported once into a store: (store, report, errors)."""
    errors: list[InputError] = []
    path = tmp_path_factory.mktemp("gdelt") / "store"
    with open_store(path) as store:
        report = import_gdelt([GDELT], store, on_error=errors.append)
        yield store, report, errors


def test_gdelt_report_counts_rows_articles_and_bad_lines(imported):
    _store, report, errors = imported
    assert (report.rows, report.skipped, report.bad, report.failed) == (8, 1, 1, 0)
    assert (report.added, report.replaced, report.unchanged) == (2, 0, 0)
    assert report.events == 8
    assert [str(e) for e in errors] == [TRUNCATED]
    assert errors[0].line == 7


@pytest.mark.parametrize(
    ("index", "name"),
    [
        (0, "GLOBALEVENTID"),
        (1, "SQLDATE"),
        (5, "Actor1Code"),
        (15, "Actor2Code"),
        (25, "IsRootEvent"),
        (26, "EventCode"),
        (30, "GoldsteinScale"),
        (34, "AvgTone"),
        (35, "Actor1Geo_Type"),
        (51, "ActionGeo_Type"),
        (52, "ActionGeo_FullName"),
        (58, "ActionGeo_FeatureID"),
        (59, "DATEADDED"),
        (60, "SOURCEURL"),
    ],
)
def test_gdelt_columns_follow_the_codebook(index, name):
    assert len(COLUMNS) == 61
    assert COLUMNS[index] == name


def test_gdelt_events_in_store(imported):
    store, _report, _errors = imported
    rows = _select(
        store,
        """SELECT ?id ?code ?source ?target ?place ?date ?url ?conf ?root ?tone WHERE {
          ?e kg:gdeltEventId ?id ; kg:eventType/skos:notation ?code ;
             kg:sourceActor ?source ; kg:date ?date ; kg:confidence ?conf ;
             kg:isRootEvent ?root ; kg:avgTone ?tone ; kg:modality "asserted" ;
             kg:fromArticle/kg:url ?url .
          OPTIONAL { ?e kg:targetActor ?target }
          OPTIONAL { ?e kg:place ?place } }""",
    )
    got = {(r[0], r[1], *map(_short, r[2:5]), *r[5:]) for r in rows}
    assert got == {
        ("1232456001", "040", "country/USA", "country/UKR", "place/geonames/105343",
         "2025-03-11", TALKS, "0.75", "true", "-1.234568"),
        ("1232456002", "036", "country/UKR", "country/USA", "place/geonames/105343",
         "2025-03-11", TALKS, "0.5", "false", "-0.813008"),
        ("1232456003", "070", "country/USA", None, "place/geonames/690791",
         "2025-03-11", TALKS, "0.5", "true", "-2.5"),
        ("1232456005", "012", "country/RUS", "country/UKR", "place/geonames/524901",
         "2025-03-11", TALKS, "0.5", "false", "-3.030303"),
        ("1232457001", "190", "group/yem/houthi-movement", None, "place/yem/hodeidah",
         "2025-03-12", ATTACK, "0.875", "true", "-6.779661"),
        ("1232457002", "195", "organization/usa/united-states-military",
         "group/yem/houthi-movement", "place/geonames/71137",
         "2025-03-12", ATTACK, "0.75", "true", "-7.142857"),
        ("1232457004", "111", "organization/united-nations",
         "group/yem/houthi-movement", None, "2025-03-12", ATTACK, "0.75", "false",
         "-4.255319"),
        ("1232457005", "111", "country/ROU", "group/yem/houthi-movement",
         "place/geonames/798549", "2025-03-12", ATTACK, "0.5", "false", "-5"),
    }  # fmt: skip


def test_gdelt_actors_in_store(imported):
    store, _report, _errors = imported
    rows = _select(
        store,
        """SELECT ?a ?class ?label ?country ?code WHERE {
          VALUES ?class { kg:Country kg:Organization kg:Group kg:Person }
          ?a a ?class ; rdfs:label ?label ; kg:actorCode ?code .
          OPTIONAL { ?a kg:countryCode ?country } }""",
    )
    got = {(_short(r[0]), r[1].split("#")[1], *r[2:]) for r in rows}
    assert got == {
        ("country/USA", "Country", "United States", "USA", "USAGOV"),
        ("country/USA", "Country", "United States", "USA", "USA"),
        ("country/UKR", "Country", "Ukraine", "UKR", "UKRGOV"),
        ("country/UKR", "Country", "Ukraine", "UKR", "UKR"),
        ("country/RUS", "Country", "Russia", "RUS", "RUSGOV"),
        ("country/ROU", "Country", "Romania", "ROU", "ROMGOV"),
        ("group/yem/houthi-movement", "Group", "Houthi movement", "YEM", "YEMREB"),
        ("organization/usa/united-states-military", "Organization",
         "United States military", "USA", "USAMIL"),
        ("organization/united-nations", "Organization", "United Nations", None,
         "IGOUNO"),
    }  # fmt: skip


def test_gdelt_places_in_store(imported):
    store, _report, _errors = imported
    rows = _select(
        store,
        """SELECT ?p ?label ?country ?gid ?lat ?lon WHERE {
          ?p a kg:Place ; rdfs:label ?label ; kg:countryCode ?country .
          OPTIONAL { ?p kg:geonamesId ?gid }
          OPTIONAL { ?p kg:latitude ?lat ; kg:longitude ?lon } }""",
    )
    assert {(_short(r[0]), *r[1:]) for r in rows} == {
        ("place/geonames/105343", "Jeddah", "SAU", "105343", "21.49012", "39.18624"),
        ("place/geonames/690791", "Ukraine", "UKR", "690791", None, None),
        ("place/geonames/524901", "Moscow", "RUS", "524901", "55.75204", "37.61781"),
        ("place/geonames/71137", "Sanaa", "YEM", "71137", "15.35452", "44.20646"),
        ("place/geonames/798549", "Romania", "ROU", "798549", None, None),
        ("place/yem/hodeidah", "Hodeidah", "YEM", None, "14.7978", "42.9545"),
    }


def test_gdelt_one_article_per_url_with_provenance(imported):
    store, _report, _errors = imported
    rows = _select(
        store,
        """SELECT ?a ?url ?publisher ?published ?model (COUNT(?e) AS ?n) WHERE {
          ?a a kg:Article ; kg:url ?url ; kg:publisher ?publisher ;
             kg:published ?published ; kg:model ?model .
          ?e kg:fromArticle ?a }
          GROUP BY ?a ?url ?publisher ?published ?model""",
    )
    assert rows == {
        (f"{KGR}article/{article_id(TALKS)}", TALKS, "example-news.com",
         "2025-03-11", "GDELT 2.0 event export", "4"),
        (f"{KGR}article/{article_id(ATTACK)}", ATTACK, "news.example.org",
         "2025-03-12", "GDELT 2.0 event export", "4"),
    }  # fmt: skip
    digest = hashlib.sha1(TALKS.encode()).hexdigest()[:16]
    assert article_id(TALKS) == f"gdelt-{digest}"


def test_gdelt_store_passes_the_shacl_shapes(imported):
    from kg.rdf.validate import validate_graph

    store, _report, _errors = imported
    result = validate_graph(store.read_graph())
    assert result.conforms, result


@pytest.mark.parametrize(
    ("fips", "iso3"),
    [("UP", "UKR"), ("RS", "RUS"), ("UK", "GBR"), ("SF", "ZAF"), ("RO", "ROU"),
     ("YM", "YEM"), ("GZ", "PSE"), ("KV", "XKX"), ("ZZ", None)],
)  # fmt: skip
def test_gdelt_fips_to_iso3(fips, iso3):
    assert fips_to_iso3(fips) == iso3


@pytest.mark.parametrize(
    ("cameo", "iso3"),
    [("UKR", "UKR"), ("ROM", "ROU"), ("TMP", "TLS"), ("USA", "USA"),
     ("WST", None), ("AFR", None), ("", None)],
)  # fmt: skip
def test_gdelt_cameo_to_iso3(cameo, iso3):
    assert cameo_to_iso3(cameo) == iso3


@pytest.mark.parametrize(
    ("sources", "expected"), [(0, 0.0), (1, 0.5), (2, 0.75), (3, 0.875)]
)
def test_gdelt_confidence_from_num_sources(sources, expected):
    assert confidence(sources) == expected


@pytest.mark.parametrize("archive", [False, True])
def test_gdelt_reimport_changes_nothing(tmp_path, archive):
    path = GDELT
    if archive:
        path = tmp_path / "sample.export.CSV.zip"
        with zipfile.ZipFile(path, "w") as zf:
            zf.write(GDELT, GDELT.name)
    with open_store(tmp_path / "store") as store:
        first = import_gdelt([path], store, on_error=lambda e: None)
        count = store.triple_count()
        again = import_gdelt([path], store, on_error=lambda e: None)
        assert (first.added, first.events) == (2, 8)
        assert (again.added, again.replaced, again.unchanged) == (0, 0, 2)
        assert store.triple_count() == count
        runs = read_runs(store)
    # Newest first: the re-import changed nothing, the first import added both.
    assert [r.command for r in runs] == ["import-gdelt", "import-gdelt"]
    assert (runs[0].added, runs[0].unchanged) == ((), 2)
    assert len(runs[1].added) == 2 and runs[1].model == DATASET


def _line(**changes: str) -> str:
    """The first sample row with some columns changed."""
    fields = GDELT.read_text(encoding="utf-8").splitlines()[0].split("\t")
    for name, value in changes.items():
        fields[COLUMNS.index(name)] = value
    return "\t".join(fields)


@pytest.mark.parametrize(
    ("bad", "problem"),
    [
        ("GLOBALEVENTID,SQLDATE,MonthYear", "not tab-separated (a GDELT 2.0 event "
         "export has 61 tab-separated columns)"),
        (_line(GoldsteinScale="high"), "GoldsteinScale 'high' is not a number"),
        (_line(SQLDATE="2025-03-11"), "SQLDATE '2025-03-11' is not a YYYYMMDD date"),
        (_line(NumSources="two"), "NumSources 'two' is not a whole number"),
        (_line(EventCode="04x"), "EventCode '04x' is not a CAMEO code (2-4 digits)"),
        (_line(ActionGeo_Lat="north"), "ActionGeo_Lat 'north' is not a number"),
    ],
)  # fmt: skip
def test_gdelt_bad_line_is_reported_and_the_rest_loads(tmp_path, bad, problem):
    path = tmp_path / "mixed.export.CSV"
    good = _line(GLOBALEVENTID="1232456099")
    path.write_text(f"{bad}\n{good}\n", encoding="utf-8")
    errors: list[InputError] = []
    with open_store(None) as store:
        report = import_gdelt([path], store, on_error=errors.append)
        ids = _select(store, "SELECT ?id WHERE { ?e kg:gdeltEventId ?id }")
    assert [str(e) for e in errors] == [f"{path}:1: {problem}; line skipped"]
    assert (report.bad, report.rows, ids) == (1, 1, {("1232456099",)})


def test_gdelt_without_on_error_raises_the_first_bad_line(tmp_path):
    path = tmp_path / "bad.export.CSV"
    path.write_text("not a gdelt row\n", encoding="utf-8")
    with open_store(None) as store, pytest.raises(InputError) as caught:
        import_gdelt([path], store)
    assert caught.value.line == 1


@pytest.mark.parametrize("bad_lines", [MAX_BAD_LINES - 1, MAX_BAD_LINES, 600])
def test_gdelt_file_is_given_up_at_its_tenth_bad_line(tmp_path, bad_lines):
    """A file that is no GDELT export is one summary, not one error per line."""
    path = tmp_path / "notes.export.CSV"
    good = _line(GLOBALEVENTID="1232456099")
    late = _line(GLOBALEVENTID="1232456100")
    prose = [f"Line {n} of notes that are not a GDELT row." for n in range(bad_lines)]
    path.write_text("\n".join([good, *prose, late]) + "\n", encoding="utf-8")
    errors: list[InputError] = []
    with open_store(None) as store:
        report = import_gdelt([path, GDELT], store, on_error=errors.append)
        ids = _select(store, "SELECT ?id WHERE { ?e kg:gdeltEventId ?id }")
    mine = [str(e) for e in errors if e.path == str(path)]
    reported = min(bad_lines, MAX_BAD_LINES)
    assert len(mine) == reported + (bad_lines >= MAX_BAD_LINES)
    assert all(line.endswith("; line skipped") for line in mine[:reported])
    assert ("1232456099",) in ids  # the rows before stay loaded
    assert len(ids) > 2  # and the next file is still read
    if bad_lines >= MAX_BAD_LINES:
        assert mine[-1] == (
            f"{path}: stopped reading at line {MAX_BAD_LINES + 1}, the 10th unusable "
            "line (1 usable row(s) before it kept); is it a GDELT 2.0 event export "
            "(61 tab-separated columns, no header)?"
        )
        assert ("1232456100",) not in ids
        assert report.bad == MAX_BAD_LINES + 1  # its 10 and the sample's one
    else:
        assert ("1232456100",) in ids


def test_gdelt_cli_on_a_readme_prints_a_summary_not_every_line(tmp_path):
    readme = ROOT / "README.md"
    result = _kg("import-gdelt", str(readme), "--store", str(tmp_path / "store"))
    lines = result.stderr.decode().splitlines()
    assert result.returncode == 1
    assert len(lines) == MAX_BAD_LINES + 2  # the lines, the summary, the total
    assert f"{readme}: stopped reading at line " in lines[-2]
    assert (
        lines[-1] == f"kg: {MAX_BAD_LINES + 1} input(s) could not be used; see above."
    )


def test_gdelt_parse_row_reads_empty_actor2_and_place():
    row = parse_row(GDELT.read_text(encoding="utf-8").splitlines()[4])
    assert (row.event_id, row.code, row.actor2, row.is_root) == (
        1232457001,
        "190",
        None,
        True,
    )
    assert row.place is not None and row.place.country == "YM"


def test_gdelt_and_extracted_events_answer_one_query(nlp, tmp_path):
    from kg.ingestion import ingest

    with open_store(tmp_path / "store") as store:
        ingest([SAMPLE], store, nlp=nlp)
        import_gdelt([GDELT], store, on_error=lambda e: None)
        rows = _select(store, JOINT_QUERY)
    models = dict(rows)
    assert models.pop("GDELT 2.0 event export") == "4"  # 1232456001-3 and -5
    (extractor,) = models  # kg's own model label, whatever the model is
    assert int(models[extractor]) >= 1


#: docs/cookbook.md's example: events of either source that involve the shared nodes.
JOINT_QUERY = """SELECT ?model (COUNT(DISTINCT ?e) AS ?events) WHERE {
  VALUES ?actor { <https://w3id.org/kg-events/id/country/UKR>
                  <https://w3id.org/kg-events/id/country/USA> }
  { ?e kg:sourceActor ?actor } UNION { ?e kg:targetActor ?actor }
  ?e kg:fromArticle/kg:model ?model
} GROUP BY ?model"""


def _kg(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "kg", *args], capture_output=True, timeout=120
    )


def test_gdelt_cli_imports_reports_bad_line_and_exits_1(tmp_path):
    result = _kg("import-gdelt", str(GDELT), "--store", str(tmp_path / "store"))
    assert result.returncode == 1
    assert result.stdout.decode().startswith(
        "8 rows: 2 added, 0 replaced, 0 unchanged articles; 8 events; "
        "1 rows without Actor1 skipped, 1 bad lines in "
    )
    assert result.stderr.decode().splitlines() == [
        f"kg: {TRUNCATED}",
        "kg: 1 input(s) could not be used; see above.",
    ]


def test_gdelt_cli_clean_file_exits_0(tmp_path):
    clean = tmp_path / "clean.export.CSV"
    lines = GDELT.read_text(encoding="utf-8").splitlines()
    clean.write_text("\n".join(lines[:6]) + "\n", encoding="utf-8")
    result = _kg("import-gdelt", str(clean), "--store", "memory")
    assert result.returncode == 0, result.stderr.decode()
    assert result.stdout.decode().startswith("5 rows: 2 added")


def test_gdelt_cli_missing_file_is_one_line_and_exit_1(tmp_path):
    missing = Path(tmp_path / "nope.export.CSV")
    result = _kg("import-gdelt", str(missing), "--store", "memory")
    assert result.returncode == 1
    assert result.stderr.decode().splitlines()[0] == (
        f"kg: {missing}: cannot be read ([Errno 2] No such file or directory: "
        f"'{missing}'); pass a GDELT 2.0 .export.CSV file or its .zip download"
    )
