"""Generate N realistic articles from the project's sample data, deterministically.

    python benchmarks/corpus.py --n 1000 --out /tmp/kg-corpus          # a folder
    python benchmarks/corpus.py --n 1000 --out /tmp/kg-corpus.jsonl    # JSON Lines

Each article keeps the dateline paragraph of one sample article and adds body
paragraphs drawn from the others, so the texts read like wire copy, mention the
samples' real actors and places, and vary in length; ids, dates and urls differ
per article. The same ``--n`` and ``--seed`` always give the same files, so the
benchmarks can be rerun by anyone.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
from collections.abc import Iterator
from pathlib import Path

from kg.read import iter_articles
from kg.records import Article

SAMPLES = Path(__file__).resolve().parent.parent / "data" / "articles"


def sample_articles(folder: Path = SAMPLES) -> list[Article]:
    """The sample articles the corpus recombines, in a stable order."""
    return sorted(iter_articles([folder]), key=lambda article: article.id)


def generate(n: int, seed: int = 0, folder: Path = SAMPLES) -> Iterator[dict]:
    """Yield ``n`` article records (the JSON Lines keys ``kg ingest`` reads).

    Args:
        n: number of articles.
        seed: changes every choice; the same seed gives the same corpus.
        folder: where the sample articles are.
    """
    samples = sample_articles(folder)
    pool = [(a, p) for a in samples for p in _paragraphs(a)[1:]]
    rng = random.Random(seed)
    for i in range(n):
        yield _record(i, samples[i % len(samples)], pool, rng)


def _record(i: int, base: Article, pool: list, rng: random.Random) -> dict:
    """One article: the base's lead plus 3-8 paragraphs from any sample."""
    extra = rng.sample(pool, k=rng.randint(3, min(8, len(pool))))
    body = [_paragraphs(base)[0]] + [paragraph for _, paragraph in extra]
    day = (base.date or dt.date(2025, 1, 1)) + dt.timedelta(days=rng.randint(0, 730))
    aid = f"gen-{i:06d}-{base.id}"
    return {
        "id": aid,
        "title": f"{base.title} ({i})",
        "date": day.isoformat(),
        "source": "kg benchmark corpus (generated from data/articles)",
        "url": f"https://example.org/kg-bench/{aid}",
        "licence": "CC0-1.0",
        "text": "\n\n".join(body),
    }


def _paragraphs(article: Article) -> list[str]:
    return [p.strip() for p in article.text.split("\n\n") if p.strip()]


def write_folder(records: Iterator[dict], out: Path) -> int:
    """Write one front-matter ``.txt`` file per record; return how many."""
    out.mkdir(parents=True, exist_ok=True)
    count = 0
    for record in records:
        header = "\n".join(
            f"{key}: {json.dumps(value)}"
            for key, value in record.items()
            if key != "text"
        )
        text = f"---\n{header}\n---\n{record['text']}\n"
        (out / f"{record['id']}.txt").write_text(text, encoding="utf-8")
        count += 1
    return count


def write_jsonl(records: Iterator[dict], out: Path) -> int:
    """Write the records as JSON Lines; return how many."""
    out.parent.mkdir(parents=True, exist_ok=True)
    count = 0
    with out.open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1000, help="number of articles")
    parser.add_argument("--out", type=Path, required=True, help="folder or .jsonl")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args(argv)
    records = generate(args.n, args.seed)
    if args.out.suffix == ".jsonl":
        count = write_jsonl(records, args.out)
    else:
        count = write_folder(records, args.out)
    print(f"{count} articles -> {args.out}")


if __name__ == "__main__":
    main()
