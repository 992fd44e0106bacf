"""How often an analyzer conflates an Indonesian word form with its root.

    python benchmarks/stemming.py [--errors]

Reads benchmarks/data/stemming.tsv (word, root, category). A row counts as
conflated when the word and its root analyze to the same terms. Prints the
share per category and overall for nkcorpus's analyzer and bare Snowball
(the Tala algorithm, PyStemmer), side by side; ``--errors`` lists misses.
Also reports over-conflation: distinct roots of the set that one analyzer
merges into one term.
"""

from __future__ import annotations

import argparse
import sys
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nkcorpus.analysis import iter_terms, snowball, stem  # noqa: E402

DATA = ROOT / "benchmarks/data/stemming.tsv"


def load(path: Path = DATA) -> list[tuple[str, str, str]]:
    rows = []
    for line in path.read_text(encoding="utf-8").splitlines()[1:]:
        if line and not line.startswith("#"):
            word, root, category = line.split("\t")[:3]
            rows.append((word, root, category))
    return rows


def terms(text: str, fn: Callable[[str], str]) -> tuple[str, ...]:
    """Distinct analyzed terms of ``text`` (reduplication already collapsed)."""
    return tuple(dict.fromkeys(fn(t) for t, _, _, _ in iter_terms(text, stemmed=False)))


def conflation(rows, fn) -> tuple[dict[str, list[int]], list[tuple]]:
    by_cat: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    misses = []
    for word, root, cat in rows:
        got, want = terms(word, fn), terms(root, fn)
        ok = got == want
        by_cat[cat][0] += ok
        by_cat[cat][1] += 1
        if not ok:
            misses.append((cat, word, root, got, want))
    return by_cat, misses


def merged_roots(rows, fn) -> int:
    """How many distinct roots share their analyzed term with another root."""
    groups: dict[tuple, set[str]] = defaultdict(set)
    for root in {r for _, r, _ in rows}:
        groups[terms(root, fn)].add(root)
    return sum(len(g) for g in groups.values() if len(g) > 1)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="Stemming conflation benchmark")
    ap.add_argument("--errors", action="store_true", help="list the rows nkcorpus misses")
    args = ap.parse_args(argv)
    rows = load()
    systems = {"nkcorpus": stem, "snowball": snowball}
    results = {name: conflation(rows, fn) for name, fn in systems.items()}
    cats = sorted(results["nkcorpus"][0])
    print(f"{len(rows)} pairs, {len({r for _, r, _ in rows})} roots\n")
    print("| category | pairs | " + " | ".join(systems) + " |")
    print("| --- | ---: | " + " | ".join("---:" for _ in systems) + " |")
    for cat in cats + ["all"]:
        cells = []
        for name in systems:
            by_cat = results[name][0]
            ok = sum(v[0] for v in by_cat.values()) if cat == "all" else by_cat[cat][0]
            n = sum(v[1] for v in by_cat.values()) if cat == "all" else by_cat[cat][1]
            cells.append(f"{ok / n:.1%}")
        label = f"**{cat}**" if cat == "all" else cat
        print(f"| {label} | {n} | " + " | ".join(cells) + " |")
    merged = " | ".join(str(merged_roots(rows, fn)) for fn in systems.values())
    print(f"| roots merged with another root | | {merged} |")
    if args.errors:
        print()
        for miss in results["nkcorpus"][1]:
            print(*miss, sep="\t")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
