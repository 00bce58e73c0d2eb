"""Optional features are extras: without one, the option that needs it says so.

The extra is made absent the way Python itself reports a missing package: a
``None`` entry in ``sys.modules`` makes ``import dask`` raise ImportError, in a
child process so this test run keeps its own Dask.
"""

from __future__ import annotations

import subprocess
import sys

import pytest

_WITHOUT_DASK = """
import sys
sys.modules["dask"] = None
sys.modules["distributed"] = None
from kg.cli import main
sys.argv = ["kg", "ingest", "--dask", "local", "--store", "memory", sys.argv[1]]
main()
"""


@pytest.mark.parametrize("address", ["local"])
def test_extras_dask_missing_is_a_one_line_error_naming_the_extra(tmp_path, address):
    article = tmp_path / "note.txt"
    article.write_text("The minister met the envoy in Paris on Monday.\n", "utf-8")
    script = _WITHOUT_DASK.replace('"local"', repr(address))
    done = subprocess.run(
        [sys.executable, "-c", script, str(article)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert len(lines) == 1, done.stderr
    assert lines[0].startswith("kg: error: --dask needs Dask")
    assert "pip install 'kg-events[dask]'" in lines[0]
    assert done.stdout == ""
