"""The repository's folders and sample articles, as the tests see them."""

from __future__ import annotations

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT / "data" / "articles"
SAMPLE = DATA / "ukraine-us-talks.txt"
SHARED = ROOT.parent / "shared"
