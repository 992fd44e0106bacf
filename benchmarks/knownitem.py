"""Known-item search at real scale: nkcorpus side by side with FTS5 and Whoosh.

The headline of a news article is the query; the corpus is every article with
its headline removed; the one right answer is the article (issue 13). Run it
with the Python of nkcorpus's virtual environment::

    python benchmarks/knownitem.py                       # CLICK-ID, 400 queries
    python benchmarks/knownitem.py --corpus indosum      # IndoSum dev
    python benchmarks/knownitem.py --only nk,whoosh-snowball-article --queries 100
    python benchmarks/knownitem.py --per-query ranks.tsv # rank of the answer, per query

Corpora (extracted from ../shared/corpora like speed.py does) and every index
are built once into benchmarks/.work/knownitem/<corpus>/ (git-ignored) and
reused by later runs: the first run on CLICK-ID indexes 21,940 files for
nkcorpus and for each baseline, which takes several minutes. Delete that
folder to rebuild (nkcorpus rebuilds its own index by itself when its
analysis changes).

Corpora and queries:

* ``clickid``: CLICK-ID 2019. Query: the headline (line 1 of the file);
  document: the file without its headline line. Headlines of at least five
  words; a headline shared by two articles is never drawn.
* ``indosum``: IndoSum dev. Its files hold no headline, but the file name
  carries the article's URL slug, which is its headline lowercased, without
  punctuation and cut at 50 characters: the query is the slug's words (the
  last word dropped when the slug is 50 characters long, as it may be cut),
  and the document keeps its whole text under a neutral name
  (``indosum-<number>.txt``), so that no system sees the slug. The first
  sentence would be a poor query: it is in the document word for word.

Queries are drawn with a fixed seed (the default draw's article ids are
recorded in benchmarks/data/knownitem_<corpus>.tsv) and split into dev and test halves by a
hash of the article id (stable whatever the number drawn). Every system gets
the same queries; metrics are file-level: MRR@10, Success@1/10/100.

Systems (``--only``):

* ``nk``: nkcorpus, default; its passage hits collapse to files in rank order.
  It is asked for ``NK_LIMIT`` passages so that 10 (mostly 100) distinct
  files are available; S@100 counts the files within them.
* ``nk-exact``: the same with ``exact`` (no stemming or query understanding).
* ``fts5-article``: SQLite FTS5, one row per article, unicode61
  remove_diacritics 2, BM25, the query's words joined by OR.
* ``fts5-para``: the same with one row per paragraph (non-blank line),
  collapsed to files.
* ``whoosh-snowball-article``: Whoosh BM25F, one document per article,
  ``\\w+`` lowercased and bare Snowball Indonesian, words joined by OR.
* ``whoosh-nk-article``: the same with nkcorpus's own analyzer (its stemmer
  over the root list), no query understanding.
* ``nk-blend`` (experimental, not in nkcorpus): document evidence. For each
  file, ``a * maxP + (1 - a) * doc`` where maxP is nkcorpus's best passage
  score and doc the ``whoosh-nk-article`` BM25 score, each divided by its
  best in the query (``BLEND``); other blends are swept with ``--sweep``.

Times are in-process wall time per query (index open, parse, search, stored
fields; not process start-up). Systems run interleaved query by query, so
they see the same machine load. The machine is shared: compare ratios.
"""

from __future__ import annotations

import argparse
import gzip
import hashlib
import math
import os
import random
import re
import shutil
import sqlite3
import statistics
import sys
import tarfile
import time
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
CORPORA = Path(os.environ.get("NKCORPUS_CORPORA", REPO.parent / "shared" / "corpora"))
WORK = HERE / ".work" / "knownitem"

NK_LIMIT = 200  # passages asked of nkcorpus per query for the ranking
DEPTH = 100  # files ranked per system (S@100)
MIN_WORDS = 5
TEN_WORDS = 10
BLEND = ("blend", 0.5)  # the nk-blend system: a * maxP + (1 - a) * doc

SYSTEMS = ("nk", "nk-exact", "fts5-article", "fts5-para", "whoosh-snowball-article",
           "whoosh-nk-article", "nk-blend", "nk-files")
DEFAULT_SYSTEMS = SYSTEMS


# --- corpora and queries --------------------------------------------------------------


@dataclass(frozen=True)
class Item:
    qid: str  # the article id (file name without .txt)
    query: str
    rel: str  # the answer's path inside the corpus

    @property
    def split(self) -> str:
        return split_of(self.qid)


def split_of(qid: str) -> str:
    """dev or test, by a hash of the article id: stable and about half each."""
    return "dev" if hashlib.sha1(qid.encode()).digest()[0] % 2 == 0 else "test"


def words(text: str) -> list[str]:
    return re.findall(r"\w+", text)


def norm_title(text: str) -> str:
    return " ".join(w.lower() for w in words(text))


def extract(archive: str, folder: str) -> Path:
    """Extract ``archive`` into WORK once."""
    target = WORK / "src" / folder
    marker = WORK / "src" / f".{folder}.done"
    if marker.exists() and target.is_dir():
        return target
    print(f"extracting {archive} ...", flush=True)
    shutil.rmtree(target, ignore_errors=True)
    target.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(CORPORA / archive) as tar:
        tar.extractall(target.parent, filter="data")
    marker.touch()
    return target


def clickid_split(text: str) -> tuple[str, str]:
    """(headline, body): line 1, and the rest without the blank lines that follow it."""
    head, _, body = text.partition("\n")
    return head.strip(), body.lstrip("\n")


_SLUG = re.compile(r"^indosum-(\d+)-(.*)\.txt$")
SLUG_CUT = 50


def indosum_query(name: str) -> tuple[str, str] | None:
    """(id, query) from an IndoSum file name: the URL slug's words, the last
    dropped when the slug is cut (50 characters long)."""
    m = _SLUG.match(name)
    if not m:
        return None
    number, slug = m.groups()
    parts = [p for p in slug.split("-") if p]
    if len(slug) >= SLUG_CUT and parts:
        parts = parts[:-1]
    return f"indosum-{number}", " ".join(parts)


def build_corpus(corpus: str) -> tuple[Path, list[Item]]:
    """The corpus folder (headlines removed / neutral names) and every candidate item."""
    root = WORK / corpus / "docs"
    marker = WORK / corpus / ".docs.done"
    titles = WORK / corpus / "titles.tsv"
    if not (marker.exists() and titles.exists()):
        shutil.rmtree(root, ignore_errors=True)
        root.mkdir(parents=True)
        rows = []
        if corpus == "clickid":
            src = extract("clickid-2019.tar.gz", "clickid-2019")
            for path in sorted(src.glob("*.txt")):
                head, body = clickid_split(path.read_text(encoding="utf-8"))
                (root / path.name).write_text(body, encoding="utf-8")
                rows.append((path.stem, head, path.name))
        elif corpus == "indosum":
            src = extract("indosum-dev.tar.gz", "indosum-dev")
            for path in sorted(src.glob("*.txt")):
                got = indosum_query(path.name)
                if got is None:
                    continue
                qid, query = got
                if any(r[0] == qid for r in rows[-5:]):  # two articles of the same second
                    qid += f"-{sum(r[0].startswith(qid) for r in rows[-5:]) + 1}"
                shutil.copyfile(path, root / f"{qid}.txt")
                rows.append((qid, query, f"{qid}.txt"))
        else:
            raise SystemExit(f"unknown corpus {corpus!r}: clickid or indosum")
        titles.write_text("".join(f"{a}\t{b}\t{c}\n" for a, b, c in rows), encoding="utf-8")
        marker.touch()
    items = []
    for line in titles.read_text(encoding="utf-8").splitlines():
        qid, query, rel = line.split("\t")
        items.append(Item(qid, query, rel))
    return root, items


def draw(items: list[Item], n: int, seed: int) -> list[Item]:
    """``n`` items drawn with ``seed``: at least MIN_WORDS words, no shared headline."""
    count = defaultdict(int)
    for it in items:
        count[norm_title(it.query)] += 1
    eligible = sorted((it for it in items if len(words(it.query)) >= MIN_WORDS
                       and count[norm_title(it.query)] == 1), key=lambda it: it.qid)
    return random.Random(seed).sample(eligible, min(n, len(eligible)))


def check_draw(corpus: str, items: list[Item], n: int, seed: int) -> None:
    """Warn when the default draw differs from the one recorded in
    benchmarks/data/knownitem_<corpus>.tsv (results would not compare)."""
    recorded = HERE / "data" / f"knownitem_{corpus}.tsv"
    if (n, seed) != (400, 13) or not recorded.exists():
        return
    ids = [ln.split("\t")[0] for ln in recorded.read_text(encoding="utf-8").splitlines()
           if ln and not ln.startswith("#")]
    if ids != [it.qid for it in items]:
        print(f"warning: the draw differs from {recorded.name}", flush=True)


# --- systems ---------------------------------------------------------------------------


def nk_search(root: Path, index_dir: Path, query: str, limit: int, exact: bool = False,
              scores: bool = False) -> list:
    """nkcorpus's passage hits in rank order: their paths inside ``root``
    (or (path, score) pairs). Through the public API."""
    from nkcorpus import Corpus

    hits = Corpus(root, index_dir=index_dir).search(query, limit=limit, exact=exact, update=False).hits
    return [(h.rel, h.score) for h in hits] if scores else [h.rel for h in hits]


def nk_files(root: Path, index_dir: Path, query: str, limit: int) -> list[str]:
    """nkcorpus's files ranked by document (``search --files``)."""
    from nkcorpus import Corpus

    return [f.rel for f in Corpus(root, index_dir=index_dir).documents(query, limit=limit, update=False)]


def nk_build(root: Path, index_dir: Path) -> None:
    from nkcorpus import Corpus

    started = time.perf_counter()
    report = Corpus(root, index_dir=index_dir).update()
    took = time.perf_counter() - started
    if took > 5:
        print(f"  nkcorpus index: {report.files_read} files read in {took:.0f} s", flush=True)


def collapse(rels, depth: int = DEPTH) -> list[str]:
    """Distinct files in the order of their first hit."""
    return list(dict.fromkeys(rels))[:depth]


def documents(root: Path):
    for path in sorted(root.glob("*.txt")):
        yield path.name, path.read_text(encoding="utf-8")


class Fts5:
    def __init__(self, root: Path, db: Path, per_paragraph: bool) -> None:
        self.per_paragraph = per_paragraph
        if not db.exists():
            started = time.perf_counter()
            tmp = db.with_suffix(".tmp")
            tmp.unlink(missing_ok=True)
            con = sqlite3.connect(tmp)
            con.execute("CREATE VIRTUAL TABLE t USING fts5(path UNINDEXED, text, "
                        "tokenize='unicode61 remove_diacritics 2')")
            with con:
                if per_paragraph:
                    con.executemany("INSERT INTO t VALUES (?, ?)",
                                    ((rel, line) for rel, text in documents(root)
                                     for line in text.split("\n") if line.strip()))
                else:
                    con.executemany("INSERT INTO t VALUES (?, ?)", documents(root))
            con.close()
            tmp.rename(db)
            print(f"  {db.name}: built in {time.perf_counter() - started:.0f} s", flush=True)
        self.con = sqlite3.connect(db)

    def search(self, query: str, depth: int = DEPTH) -> list[str]:
        terms = [f'"{w}"' for w in dict.fromkeys(w.lower() for w in words(query))]
        if not terms:
            return []
        rows = self.con.execute("SELECT path FROM t WHERE t MATCH ? ORDER BY bm25(t) LIMIT ?",
                                (" OR ".join(terms), depth * (20 if self.per_paragraph else 1)))
        return collapse((r[0] for r in rows), depth)


class WhooshArticle:
    """One Whoosh document per article, BM25F, the query's terms joined by OR."""

    def __init__(self, root: Path, folder: Path, analyzer) -> None:
        from whoosh import index as wi
        from whoosh.fields import ID, TEXT, Schema

        if not (folder / ".done").exists():
            started = time.perf_counter()
            shutil.rmtree(folder, ignore_errors=True)
            folder.mkdir(parents=True)
            ix = wi.create_in(folder, Schema(path=ID(stored=True), body=TEXT(analyzer=analyzer)))
            writer = ix.writer(limitmb=256)
            for rel, text in documents(root):
                writer.add_document(path=rel, body=text)
            writer.commit()
            (folder / ".done").touch()
            print(f"  {folder.name}: built in {time.perf_counter() - started:.0f} s", flush=True)
        self.ix = wi.open_dir(folder)
        self.analyzer = self.ix.schema["body"].analyzer

    def scored(self, query: str, depth: int = DEPTH) -> list[tuple[str, float]]:
        from whoosh import query as q
        from whoosh.scoring import BM25F

        terms = list(dict.fromkeys(t.text for t in self.analyzer(query)))
        if not terms:
            return []
        with self.ix.searcher(weighting=BM25F()) as s:
            hits = s.search(q.Or([q.Term("body", t) for t in terms]), limit=depth)
            return [(h["path"], h.score) for h in hits]

    def search(self, query: str, depth: int = DEPTH) -> list[str]:
        return [rel for rel, _ in self.scored(query, depth)]


def snowball_analyzer():
    from whoosh.analysis import LowercaseFilter, RegexTokenizer, StemFilter

    from nkcorpus.analysis import snowball

    return RegexTokenizer(r"\w+") | LowercaseFilter() | StemFilter(stemfn=snowball)


def nk_analyzer():
    from nkcorpus.store.whoosh.tokenizer import analyzer

    return analyzer(stemmed=True)


# --- document evidence (experimental) --------------------------------------------------


def file_scores(passages: list[tuple[str, float]], k: int = 1) -> dict[str, float]:
    """Per file: the sum of its best ``k`` passage scores (k=1: maxP)."""
    per = defaultdict(list)
    for rel, score in passages:
        if len(per[rel]) < k:
            per[rel].append(score)
    return {rel: sum(s) for rel, s in per.items()}


def blend(passages: list[tuple[str, float]], doc: list[tuple[str, float]], a: float,
          k: int = 1, depth: int = DEPTH) -> list[str]:
    """Files ranked by ``a * P + (1 - a) * D``: P the sum of the best ``k``
    passage scores, D the document-level score, each over its best in the query."""
    p = file_scores(passages, k)
    d = dict(doc)
    pmax = max(p.values(), default=0) or 1.0
    dmax = max(d.values(), default=0) or 1.0
    # ties broken by the passage order, then the document order
    order = {rel: i for i, rel in enumerate(dict.fromkeys([r for r, _ in passages] + [r for r, _ in doc]))}
    score = {rel: a * p.get(rel, 0.0) / pmax + (1 - a) * d.get(rel, 0.0) / dmax for rel in order}
    return sorted(order, key=lambda rel: (-score[rel], order[rel]))[:depth]


# --- metrics ------------------------------------------------------------------------


def rank_of(ranking: list[str], answer: str) -> int | None:
    try:
        return ranking.index(answer) + 1
    except ValueError:
        return None


def metrics(ranks: list[int | None]) -> dict[str, float]:
    n = len(ranks) or 1
    return {
        "MRR@10": sum(1 / r for r in ranks if r and r <= 10) / n,
        "S@1": sum(1 for r in ranks if r == 1) / n,
        "S@10": sum(1 for r in ranks if r and r <= 10) / n,
        "S@100": sum(1 for r in ranks if r and r <= 100) / n,
    }


def pct(values: list[float], p: float) -> float:
    s = sorted(values)
    return s[min(len(s) - 1, max(0, math.ceil(p / 100 * len(s)) - 1))] if s else float("nan")


# --- running -------------------------------------------------------------------------


@dataclass
class Outcome:
    ranks: dict[str, dict[str, int | None]] = field(default_factory=lambda: defaultdict(dict))
    times: dict[str, dict[str, float]] = field(default_factory=lambda: defaultdict(dict))
    nk_passages: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    doc_scores: dict[str, list[tuple[str, float]]] = field(default_factory=dict)


def make_systems(names: list[str], root: Path, work: Path):
    """name -> callable(query) -> ranked files, building what is missing."""
    index_dir = work / "nk-index"
    out = {}
    if {"nk", "nk-exact", "nk-blend", "nk-files"} & set(names):
        print("nkcorpus index ...", flush=True)
        nk_build(root, index_dir)
    if "nk" in names:
        out["nk"] = lambda q: collapse(nk_search(root, index_dir, q, NK_LIMIT))
    if "nk-exact" in names:
        out["nk-exact"] = lambda q: collapse(nk_search(root, index_dir, q, NK_LIMIT, exact=True))
    if "nk-files" in names:
        out["nk-files"] = lambda q, limit=DEPTH: nk_files(root, index_dir, q, limit)
    if "fts5-article" in names:
        out["fts5-article"] = Fts5(root, work / "fts5-article.db", per_paragraph=False).search
    if "fts5-para" in names:
        out["fts5-para"] = Fts5(root, work / "fts5-para.db", per_paragraph=True).search
    if "whoosh-snowball-article" in names:
        out["whoosh-snowball-article"] = WhooshArticle(root, work / "whoosh-snowball-article",
                                                       snowball_analyzer()).search
    if {"whoosh-nk-article", "nk-blend"} & set(names):
        from nkcorpus.analysis import ANALYZER_VERSION

        nk_article = WhooshArticle(root, work / f"whoosh-nk-article-v{ANALYZER_VERSION}", nk_analyzer())
        if "whoosh-nk-article" in names:
            out["whoosh-nk-article"] = nk_article.search
        if "nk-blend" in names:
            def nk_blend(q, _a=nk_article):
                passages = nk_search(root, index_dir, q, NK_LIMIT, scores=True)
                doc = _a.scored(q, DEPTH)
                nk_blend.last = (passages, doc)
                return blend(passages, doc, BLEND[1])
            nk_blend.last = None
            out["nk-blend"] = nk_blend
    return out


def run(items: list[Item], systems: dict, outcome: Outcome) -> None:
    names = list(systems)
    for sys_fn in systems.values():  # warm-up: imports, caches, first index open
        sys_fn(items[0].query)
    started = time.perf_counter()
    for i, it in enumerate(items):
        order = names if i % 2 == 0 else names[::-1]  # interleaved, both directions
        for name in order:
            t = time.perf_counter()
            ranking = systems[name](it.query)
            outcome.times[name][it.qid] = time.perf_counter() - t
            outcome.ranks[name][it.qid] = rank_of(ranking, it.rel)
            if name == "nk-blend":
                outcome.nk_passages[it.qid], outcome.doc_scores[it.qid] = systems[name].last
        if (i + 1) % 50 == 0:
            print(f"  {i + 1}/{len(items)} queries ({time.perf_counter() - started:.0f} s)", flush=True)


def ten_word_timing(items: list[Item], systems: dict, root: Path, work: Path, rounds: int) -> list[str]:
    """Median in-process time of the queries of at least TEN_WORDS words, each
    system asked for its top 10 (nkcorpus: 10 passages, as the CLI shows; and
    NK_LIMIT passages, as ranked above), interleaved."""
    long = [it for it in items if len(words(it.query)) >= TEN_WORDS]
    if not long:
        return ["(no query of ten words or more)"]
    index_dir = work / "nk-index"
    timed = {}
    if "nk" in systems:
        timed["nk (limit 10)"] = lambda q: nk_search(root, index_dir, q, 10)
        timed[f"nk (limit {NK_LIMIT})"] = lambda q: nk_search(root, index_dir, q, NK_LIMIT)
    if "nk-exact" in systems:
        timed["nk-exact (limit 10)"] = lambda q: nk_search(root, index_dir, q, 10, exact=True)
    for name, fn in systems.items():
        if name not in ("nk", "nk-exact", "nk-blend"):
            timed[name] = lambda q, fn=fn: fn(q, 10)
    times = defaultdict(list)
    for fn in timed.values():
        fn(long[0].query)
    names = list(timed)
    for r in range(rounds):
        for i, it in enumerate(long):
            for name in (names if (i + r) % 2 == 0 else names[::-1]):
                t = time.perf_counter()
                timed[name](it.query)
                times[name].append(time.perf_counter() - t)
    ref = "whoosh-snowball-article"
    base = statistics.median(times[ref]) if ref in times else None
    out = [f"ten-word queries: {len(long)} queries of >= {TEN_WORDS} words, {rounds} rounds, "
           f"top 10 each, interleaved",
           "", f"| system | median ms | p90 ms | ratio to {ref} |", "| --- | ---: | ---: | ---: |"]
    for name in names:
        m = statistics.median(times[name])
        ratio = f"{m / base:.2f}x" if base else "-"
        out.append(f"| {name} | {m * 1000:.1f} | {pct(times[name], 90) * 1000:.1f} | {ratio} |")
    return out


def table(items: list[Item], outcome: Outcome, names: list[str], splits: list[str]) -> list[str]:
    out = []
    for split in splits:
        chosen = [it for it in items if split == "all" or it.split == split]
        out += ["", f"split {split}: {len(chosen)} queries", "",
                "| system | MRR@10 | S@1 | S@10 | S@100 | median ms | p90 ms |",
                "| --- | ---: | ---: | ---: | ---: | ---: | ---: |"]
        for name in names:
            m = metrics([outcome.ranks[name][it.qid] for it in chosen])
            t = [outcome.times[name][it.qid] * 1000 for it in chosen]
            out.append(f"| {name} | {m['MRR@10']:.3f} | {m['S@1']:.3f} | {m['S@10']:.3f} | "
                       f"{m['S@100']:.3f} | {statistics.median(t):.1f} | {pct(t, 90):.1f} |")
    return out


def sweep(items: list[Item], outcome: Outcome) -> list[str]:
    """MRR@10 of document-evidence blends on dev and test (from the runs above)."""
    if not outcome.nk_passages:
        return []
    out = ["", "document-evidence blends: a * P_k + (1 - a) * doc, each over its best in the query;",
           "P_k = sum of a file's best k passage scores (nkcorpus); doc = whoosh-nk-article BM25",
           "", "| k | a | dev MRR@10 | test MRR@10 | dev S@1 | test S@1 |",
           "| ---: | ---: | ---: | ---: | ---: | ---: |"]
    best = None
    for k in (1, 2, 3, 5):
        for a in (0.0, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 1.0):
            row = {}
            for split in ("dev", "test"):
                chosen = [it for it in items if it.split == split]
                row[split] = metrics([rank_of(blend(outcome.nk_passages[it.qid], outcome.doc_scores[it.qid],
                                                    a, k), it.rel) for it in chosen])
            out.append(f"| {k} | {a:.1f} | {row['dev']['MRR@10']:.3f} | {row['test']['MRR@10']:.3f} | "
                       f"{row['dev']['S@1']:.3f} | {row['test']['S@1']:.3f} |")
            if best is None or row["dev"]["MRR@10"] > best[0]:
                best = (row["dev"]["MRR@10"], row["test"]["MRR@10"], k, a)
    out.append(f"\nbest on dev: k={best[2]}, a={best[3]:.1f}: dev {best[0]:.3f}, test {best[1]:.3f}")
    return out


SHARES = (0.0, 0.1, 0.2, 0.3, 0.5, 0.7, 1.0)


def share_sweep(items: list[Item], systems: dict) -> list[str]:
    """MRR@10 of ``nk-files`` (``search --files``) for each PASSAGE_SHARE:
    a file's score is share * its best passage + (1 - share) * its whole text."""
    from nkcorpus import search

    kept = search.PASSAGE_SHARE
    out = ["", f"nk-files: PASSAGE_SHARE swept (nkcorpus's is {kept})", "",
           "| PASSAGE_SHARE | dev MRR@10 | test MRR@10 | all MRR@10 | all S@1 |",
           "| ---: | ---: | ---: | ---: | ---: |"]
    try:
        for share in SHARES:
            search.PASSAGE_SHARE = share
            ranks = {it.qid: rank_of(systems["nk-files"](it.query), it.rel) for it in items}
            row = {split: metrics([ranks[it.qid] for it in items if split == "all" or it.split == split])
                   for split in ("dev", "test", "all")}
            out.append(f"| {share:.1f} | {row['dev']['MRR@10']:.3f} | {row['test']['MRR@10']:.3f} | "
                       f"{row['all']['MRR@10']:.3f} | {row['all']['S@1']:.3f} |")
            print(out[-1], flush=True)
    finally:
        search.PASSAGE_SHARE = kept
    return out


def parse_args(argv):
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--corpus", default="clickid", choices=("clickid", "indosum"))
    p.add_argument("--queries", type=int, default=400, help="queries drawn [400]")
    p.add_argument("--seed", type=int, default=13, help="seed of the draw [13]")
    p.add_argument("--split", default="all,dev,test", help="splits reported [all,dev,test]")
    p.add_argument("--only", default=",".join(DEFAULT_SYSTEMS), help="systems, comma-separated: "
                   + ", ".join(SYSTEMS))
    p.add_argument("--per-query", type=Path, help="write each query's rank of the answer per system (TSV)")
    p.add_argument("--ten-word-rounds", type=int, default=3, help="rounds of the ten-word timing [3; 0: skip]")
    p.add_argument("--sweep", action="store_true", help="sweep document-evidence blends (needs nk-blend)")
    p.add_argument("--share-sweep", action="store_true",
                   help="sweep nkcorpus's PASSAGE_SHARE for --files (needs nk-files)")
    return p.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    names = [n for n in args.only.split(",") if n]
    unknown = set(names) - set(SYSTEMS)
    if unknown:
        raise SystemExit(f"unknown systems: {', '.join(sorted(unknown))}")
    work = WORK / args.corpus
    work.mkdir(parents=True, exist_ok=True)
    root, all_items = build_corpus(args.corpus)
    items = draw(all_items, args.queries, args.seed)
    check_draw(args.corpus, items, args.queries, args.seed)
    from importlib.metadata import version

    print(f"corpus {args.corpus}: {len(all_items)} files in {root}; {len(items)} queries "
          f"(seed {args.seed}; >= {MIN_WORDS} words, unique headlines); "
          f"dev {sum(it.split == 'dev' for it in items)} / test {sum(it.split == 'test' for it in items)}")
    print(f"nkcorpus {version('nkcorpus')}, whoosh-reloaded {version('whoosh-reloaded')}, "
          f"SQLite {sqlite3.sqlite_version}; nkcorpus asked for {NK_LIMIT} passages per query; "
          f"indexes cached in {work}; load average {os.getloadavg()[0]:.1f}", flush=True)
    systems = make_systems(names, root, work)
    print("searching ...", flush=True)
    outcome = Outcome()
    run(items, systems, outcome)
    lines = table(items, outcome, names, args.split.split(","))
    if args.sweep:
        lines += sweep(items, outcome)
    if args.share_sweep and "nk-files" in systems:
        lines += share_sweep(items, systems)
    print("\n".join(lines), flush=True)
    if args.per_query:
        write_per_query(args.per_query, items, outcome, names)
    if args.ten_word_rounds:
        print("\nten-word timing ...", flush=True)
        print("\n".join(ten_word_timing(items, systems, root, work, args.ten_word_rounds)))
    print(f"\nload average at end {os.getloadavg()[0]:.1f}")
    return 0


def write_per_query(path: Path, items: list[Item], outcome: Outcome, names: list[str]) -> None:
    """The answer's rank per system and query (empty: not in the top DEPTH files)."""
    with path.open("w", encoding="utf-8") as f:
        f.write("\t".join(["qid", "split", "words"] + names + ["query"]) + "\n")
        for it in items:
            ranks = [str(outcome.ranks[n][it.qid] or "") for n in names]
            f.write("\t".join([it.qid, it.split, str(len(words(it.query)))] + ranks + [it.query]) + "\n")
    print(f"per-query ranks written to {path}")


if __name__ == "__main__":
    sys.exit(main())
