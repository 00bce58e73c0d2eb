"""Score the extractor on the annotated corpus in ../shared (when present).

    python benchmarks/dev_corpus.py [--shared ../shared] [--set dev|train|both] [-v]

Runs the extractor on ``corpus/<set>/articles`` and the corpus's own ``score.py``
against ``corpus/<set>/gold.jsonl``. ``dev/`` is for measuring only (nothing is
tuned on it); ``train/`` is what models are fitted and rules tuned on, so its
score is optimistic. With ``--set both`` (the default) it prints the two reports
and then one line per set, ``SET events_f1=… entities_f1=… strict_f1=…``, so a
gap between them (overfitting) shows at a glance.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
from pathlib import Path

DEFAULT_SHARED = Path(__file__).resolve().parent.parent.parent / "shared"
SETS = ("train", "dev")


def write_system_output(articles: Path, out: Path) -> None:
    """Extract every article of a folder into ``out`` in the scorer's JSON Lines."""
    from kg.extraction import extract
    from kg.extraction.formats import jsonl_lines
    from kg.read import iter_articles

    with out.open("w", encoding="utf-8") as handle:
        for extraction in extract(iter_articles([articles])):
            for line in jsonl_lines(extraction):
                handle.write(line + "\n")


def score(shared: Path, verbose: bool = False, corpus_set: str = "dev") -> str:
    """The scorer's report for the current extractor on one set."""
    corpus = shared / "corpus"
    with tempfile.TemporaryDirectory() as tmp:
        system = Path(tmp) / f"{corpus_set}.jsonl"
        write_system_output(corpus / corpus_set / "articles", system)
        command = [
            sys.executable,
            str(corpus / "score.py"),
            str(corpus / corpus_set / "gold.jsonl"),
            str(system),
        ]
        command += ["-v"] if verbose else []
        result = subprocess.run(command, capture_output=True, text=True, check=True)
    return result.stdout


def reliability(shared: Path, corpus_set: str = "dev") -> str:
    """How often events of each confidence band are right (kg's own matcher).

    The trained coder's confidence is calibrated on held-out training folds; this
    checks it on a set it never saw: among events with confidence >= 0.8, at
    least 0.8 should be right.
    """
    from kg.evaluation import evaluate, load_gold
    from kg.extraction import extract
    from kg.read import iter_articles

    corpus = shared / "corpus" / corpus_set
    outputs = list(extract(iter_articles([corpus / "articles"])))
    report = evaluate(load_gold(corpus / "gold.jsonl"), outputs)
    false = {id(e) for a in report.articles for e in a.false_events}
    judged = [
        (e.confidence, id(e) not in false)
        for x in outputs
        for e in x.events
        if e.modality == "asserted"
    ]
    lines = [f"reliability on {corpus_set} (confidence band: events, share right)"]
    for low in (0.0, 0.2, 0.4, 0.6, 0.8):
        inside = [ok for c, ok in judged if low <= c < low + 0.2 or low == 0.8 <= c]
        share = sum(inside) / len(inside) if inside else float("nan")
        lines.append(f"  {low:.1f}-{low + 0.2:.1f}  {len(inside):5d}  {share:.3f}")
    at_least = [ok for c, ok in judged if c >= 0.8]
    share = sum(at_least) / len(at_least) if at_least else float("nan")
    lines.append(f"  >=0.8 {len(at_least):5d}  {share:.3f}")
    return "\n".join(lines)


def parse_scores(report: str) -> dict[str, float]:
    """{"events_f1": …, "entities_f1": …, "strict_f1": …} from the last line."""
    last = report.strip().splitlines()[-1]
    return {k: float(v) for k, v in (pair.split("=") for pair in last.split())}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=DEFAULT_SHARED)
    parser.add_argument("--set", choices=(*SETS, "both"), default="both")
    parser.add_argument("-v", "--verbose", action="store_true")
    parser.add_argument(
        "--reliability", action="store_true", help="also print the confidence bands"
    )
    args = parser.parse_args()
    if not (args.shared / "corpus" / "score.py").is_file():
        sys.exit(f"no annotated corpus at {args.shared}/corpus; pass --shared DIR")
    chosen = SETS if args.set == "both" else (args.set,)
    summary = []
    for corpus_set in chosen:
        report = score(args.shared, args.verbose, corpus_set)
        print(f"== {corpus_set} ==\n{report}", end="")
        summary.append(f"{corpus_set:<6}" + report.strip().splitlines()[-1])
    print("\n".join(summary))
    if args.reliability:
        for corpus_set in chosen:
            print(reliability(args.shared, corpus_set))


if __name__ == "__main__":
    main()
