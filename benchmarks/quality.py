"""Retrieval quality on judged queries: nkcorpus against plain baselines.

    python benchmarks/quality.py [--queries FILE] [--per-query] [--exact]
                                 [--split all|dev|test] [--by-category]
                                 [--mode lexical|hybrid|both]

Reads benchmarks/data/queries.tsv (qid, query, file, line, grade 1-3; lines
starting with # are comments; ``--queries benchmarks/data/queries_heldout.tsv``
for the blind held-out set), searches the bundled seeds with nkcorpus and,
over the very same passages, with three baselines:

* ``fts5``: SQLite FTS5, ``unicode61`` tokenizer, BM25, words joined by OR;
* ``whoosh-plain``: Whoosh BM25F over lowercase words, OR;
* ``whoosh-snowball``: the same with bare Snowball Indonesian stems.

A hit is identified by its file's basename and first line; a passage seen
again further down (a window of the same paragraph) counts once. Prints
nDCG@10 (gain 2^grade - 1), MRR@10, Recall@10 and P@1 per system.

``--mode``: nkcorpus's ranking. ``lexical`` (the row ``nkcorpus``: words
only), ``hybrid`` (``nkcorpus-hybrid``: fused with meaning search, which
needs the ``semantic`` extra; see docs/semantic-notes.md), ``both`` (the
default when the extra is installed, else lexical).

``--split dev`` keeps the odd-numbered queries (q01, q03, ...), ``--split
test`` the even-numbered ones: weights and mechanisms are chosen on dev, and
test shows whether the choice holds on queries it was not made on. Without
``--split`` the table has a row per system and split.
"""

from __future__ import annotations

import argparse
import math
import sqlite3
import sys
import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nkcorpus.analysis import iter_terms, snowball  # noqa: E402
from nkcorpus.ingest.passages import split_passages  # noqa: E402
from nkcorpus.ingest.read import read_parts  # noqa: E402
from nkcorpus.ingest.scan import scan  # noqa: E402

QUERIES = ROOT / "benchmarks/data/queries.tsv"
SEEDS = ROOT / "seeds"
K = 10


@dataclass(frozen=True)
class Judged:
    qid: str
    query: str
    grades: dict[tuple[str, int], int]


SPLITS = ("all", "dev", "test")


def in_split(qid: str, split: str) -> bool:
    """dev: odd query numbers, test: even ones (stable as queries are added)."""
    if split == "all":
        return True
    number = int("".join(ch for ch in qid if ch.isdigit()) or 0)
    return (number % 2 == 1) == (split == "dev")


def categories(path: Path = QUERIES) -> dict[str, str]:
    """qid -> category, from the ``# qNN [category] ...`` comment lines (any id: q01, h01)."""
    found = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        head = line[2:].split(" ", 2) if line.startswith("# ") else []
        if len(head) >= 2 and head[1].startswith("[") and head[1].endswith("]"):
            found[head[0]] = head[1][1:-1]
    return found


def by_category(results: dict[str, dict], cats: dict[str, str], splits: tuple[str, ...] = ("all",)) -> str:
    """Mean nDCG@10 per query category (and split, when there are several), a column per system."""
    names = list(results)
    split_col = len(splits) > 1
    lines = ["| category | " + ("split | " if split_col else "") + "queries | " + " | ".join(names) + " |",
             "| --- |" + (" --- |" if split_col else "") + " ---: |" + " ---: |" * len(names)]
    for cat in dict.fromkeys(cats.values()):
        for split in splits:
            qids = [q for q in next(iter(results.values())) if cats.get(q) == cat and in_split(q, split)]
            if qids:
                means = [sum(results[n][q]["nDCG@10"] for q in qids) / len(qids) for n in names]
                lines.append(f"| {cat} | " + (f"{split} | " if split_col else "") + f"{len(qids)} | "
                             + " | ".join(f"{v:.3f}" for v in means) + " |")
    return "\n".join(lines)


def load_queries(path: Path = QUERIES) -> list[Judged]:
    queries: dict[str, tuple[str, dict]] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        if not line.strip() or line.startswith("#") or line.startswith("qid\t"):
            continue
        qid, query, file, lineno, grade = line.split("\t")
        queries.setdefault(qid, (query, {}))[1][(file, int(lineno))] = int(grade)
    return [Judged(qid, q, g) for qid, (q, g) in queries.items()]


# --- metrics -----------------------------------------------------------------


def dedupe(ranking: list[tuple[str, int]]) -> list[tuple[str, int]]:
    return list(dict.fromkeys(ranking))


def ndcg(ranking, grades, k=K) -> float:
    gains = [2 ** grades.get(doc, 0) - 1 for doc in ranking[:k]]
    ideal = sorted((2**g - 1 for g in grades.values()), reverse=True)[:k]
    dcg = sum(g / math.log2(i + 2) for i, g in enumerate(gains))
    idcg = sum(g / math.log2(i + 2) for i, g in enumerate(ideal))
    return dcg / idcg if idcg else 0.0


def mrr(ranking, grades, k=K) -> float:
    return next((1 / (i + 1) for i, doc in enumerate(ranking[:k]) if grades.get(doc)), 0.0)


def recall(ranking, grades, k=K) -> float:
    return sum(1 for doc in ranking[:k] if grades.get(doc)) / len(grades)


def p_at_1(ranking, grades) -> float:
    return float(bool(ranking) and bool(grades.get(ranking[0])))


METRICS = {"nDCG@10": ndcg, "MRR@10": mrr, "Recall@10": recall, "P@1": p_at_1}


# --- the passages and the baselines ----------------------------------------------


def passages(root: Path = SEEDS) -> list[tuple[str, int, str]]:
    out = []
    for rel in sorted(scan(root).files):
        for doc in read_parts(root, rel):
            for p in split_passages(doc.text):
                out.append((Path(rel).name, doc.location(p.line_start), p.text))
    return out


def words(text: str) -> list[str]:
    return [t for t, _, _, _ in iter_terms(text.replace('"', " "), stemmed=False)]


class Fts5:
    name = "fts5"

    def __init__(self, docs) -> None:
        self.db = sqlite3.connect(":memory:")
        self.db.execute("CREATE VIRTUAL TABLE p USING fts5(text, tokenize='unicode61')")
        self.keys = []
        for i, (file, line, text) in enumerate(docs):
            self.db.execute("INSERT INTO p(rowid, text) VALUES (?, ?)", (i, text))
            self.keys.append((file, line))

    def search(self, query: str, limit: int) -> list[tuple[str, int]]:
        terms = [f'"{w}"' for w in dict.fromkeys(words(query))]
        if not terms:
            return []
        rows = self.db.execute(
            "SELECT rowid FROM p WHERE p MATCH ? ORDER BY bm25(p) LIMIT ?", (" OR ".join(terms), limit)
        )
        return [self.keys[r[0]] for r in rows]


class WhooshBaseline:
    def __init__(self, docs, name: str, stemmer) -> None:
        from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter
        from whoosh.fields import ID, STORED, TEXT, Schema
        from whoosh.filedb.filestore import RamStorage

        analyzer = RegexTokenizer(r"\w+") | LowercaseFilter()
        if stemmer:
            analyzer = analyzer | StemFilter(stemfn=stemmer)
        self.name = name
        self.index = RamStorage().create_index(Schema(key=STORED, text=TEXT(analyzer=analyzer)))
        writer = self.index.writer()
        for file, line, text in docs:
            writer.add_document(key=(file, line), text=text)
        writer.commit()

    def search(self, query: str, limit: int) -> list[tuple[str, int]]:
        from whoosh import query as q
        from whoosh.scoring import BM25F

        field = self.index.schema["text"]
        terms = list(dict.fromkeys(t.text for t in field.analyzer(query.replace('"', " "))))
        with self.index.searcher(weighting=BM25F()) as s:
            hits = s.search(q.Or([q.Term("text", t) for t in terms]), limit=limit)
            return [tuple(h["key"]) for h in hits]


class Nkcorpus:
    name = "nkcorpus"

    def __init__(self, exact: bool = False, mode: str = "lexical") -> None:
        self.base = Path(tempfile.mkdtemp(prefix="nkq-"))
        self.exact = exact
        self.mode = mode
        if mode != "lexical":
            self.name = f"nkcorpus-{mode}"

    def search(self, query: str, limit: int) -> list[tuple[str, int]]:
        from nkcorpus import Corpus

        hits = Corpus(SEEDS, index_dir=self.base).search(query, limit=limit, exact=self.exact,
                                                         mode=self.mode).hits
        return [(Path(h.rel).name, h.line_start) for h in hits]


def semantic_available() -> bool:
    from nkcorpus.analysis import embed

    return embed.available() is None


# --- running -------------------------------------------------------------------


def evaluate(system, queries: list[Judged]) -> dict[str, dict[str, float]]:
    """qid -> metric -> value (the ranking fetched deep enough to dedupe)."""
    out = {}
    for j in queries:
        ranking = dedupe(system.search(j.query, 3 * K))
        out[j.qid] = {name: fn(ranking, j.grades) for name, fn in METRICS.items()}
    return out


def table(results: dict[str, dict], splits: tuple[str, ...] = ("all",)) -> str:
    """Mean of each metric per system (and per split when there are several)."""
    head = "| system | " + ("split | " if len(splits) > 1 else "")
    lines = [head + " | ".join(METRICS) + " |",
             "| --- |" + (" --- |" if len(splits) > 1 else "") + " ---: |" * len(METRICS)]
    for name, per_query in results.items():
        for split in splits:
            chosen = [m for qid, m in per_query.items() if in_split(qid, split)]
            means = [sum(m[k] for m in chosen) / max(len(chosen), 1) for k in METRICS]
            cell = f" {split} ({len(chosen)}) |" if len(splits) > 1 else ""
            lines.append(f"| {name} |{cell} " + " | ".join(f"{v:.3f}" for v in means) + " |")
    return "\n".join(lines)


def systems(exact: bool, mode: str = "lexical"):
    docs = passages()
    ours = [Nkcorpus(exact, m) for m in (("lexical", "hybrid") if mode == "both" else (mode,))]
    return [*ours, Fts5(docs), WhooshBaseline(docs, "whoosh-plain", None),
            WhooshBaseline(docs, "whoosh-snowball", snowball)]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="nDCG@10, MRR@10, Recall@10, P@1 against baselines")
    ap.add_argument("--queries", type=Path, default=QUERIES)
    ap.add_argument("--per-query", action="store_true", help="also print nDCG@10 per query")
    ap.add_argument("--exact", action="store_true", help="run nkcorpus with --exact")
    ap.add_argument("--by-category", action="store_true",
                    help="also print nDCG@10 per query category (plain, morph, alias, ...)")
    ap.add_argument("--split", choices=SPLITS, default=None,
                    help="only the dev (odd) or test (even) queries; default: a row for each")
    ap.add_argument("--mode", choices=("lexical", "hybrid", "both"), default=None,
                    help="nkcorpus's ranking (default: both when the semantic extra is installed)")
    args = ap.parse_args(argv)
    mode = args.mode or ("both" if semantic_available() else "lexical")
    queries = [j for j in load_queries(args.queries) if in_split(j.qid, args.split or "all")]
    results = {s.name: evaluate(s, queries) for s in systems(args.exact, mode)}
    print(f"{len(queries)} judged queries over {SEEDS.name}/, "
          f"{sum(len(j.grades) for j in queries)} judged passages\n")
    print(table(results, (args.split,) if args.split else SPLITS))
    if args.by_category:
        splits = (args.split,) if args.split else SPLITS
        print("\nnDCG@10 by query category\n\n" + by_category(results, categories(args.queries), splits))
    if args.per_query:
        names = list(results)
        print("\nqid\t" + "\t".join(names) + "\tquery")
        for j in queries:
            cells = "\t".join(f"{results[n][j.qid]['nDCG@10']:.2f}" for n in names)
            print(f"{j.qid}\t{cells}\t{j.query}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
