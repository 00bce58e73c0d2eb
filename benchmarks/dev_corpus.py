"""Score the extractor on the development corpus in ../shared (when present).

    python benchmarks/dev_corpus.py [--shared ../shared] [-v]

Runs ``kg extract`` on ``corpus/dev/articles`` and the corpus's own ``score.py``
against ``corpus/dev/gold.jsonl``; prints the scorer's report, whose last line is
``events_f1=… entities_f1=… strict_f1=…``.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_SHARED = Path(__file__).resolve().parent.parent.parent / "shared"


def write_system_output(articles: Path, out: Path) -> None:
    """Extract every dev article into ``out`` in the scorer's JSON Lines schema."""
    from kg.extraction import extract
    from kg.extraction.formats import jsonl_lines
    from kg.reading import iter_articles

    with out.open("w", encoding="utf-8") as handle:
        for extraction in extract(iter_articles([articles])):
            for line in jsonl_lines(extraction):
                handle.write(line + "\n")


def score(shared: Path, verbose: bool = False) -> str:
    """The scorer's report for the current extractor."""
    corpus = shared / "corpus"
    with tempfile.TemporaryDirectory() as tmp:
        system = Path(tmp) / "dev.jsonl"
        write_system_output(corpus / "dev" / "articles", system)
        command = [
            sys.executable,
            str(corpus / "score.py"),
            str(corpus / "dev" / "gold.jsonl"),
            str(system),
        ]
        command += ["-v"] if verbose else []
        result = subprocess.run(command, capture_output=True, text=True, check=True)
    return result.stdout


def parse_scores(report: str) -> dict[str, float]:
    """{"events_f1": …, "entities_f1": …, "strict_f1": …} from the last line."""
    last = report.strip().splitlines()[-1]
    return {k: float(v) for k, v in (pair.split("=") for pair in last.split())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("-v", "--verbose", action="store_true")
    args = parser.parse_args()
    if not (args.shared / "corpus" / "score.py").is_file():
        sys.exit(f"no development corpus at {args.shared}/corpus; pass --shared DIR")
    print(score(args.shared, args.verbose), end="")


if __name__ == "__main__":
    main()
