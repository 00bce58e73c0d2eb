"""``kg`` run as a user runs it: ``python -m kg`` in a child process."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path


def kg(
    *args: str,
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    text: bool = True,
    timeout: float = 300,
) -> subprocess.CompletedProcess:
    """Run ``python -m kg ARGS`` and capture what it prints (text unless told)."""
    return subprocess.run(
        [sys.executable, "-m", "kg", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=text,
        timeout=timeout,
    )
