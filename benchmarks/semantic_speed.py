"""Meaning search: what it costs (issue 16).

    python benchmarks/semantic_speed.py [--articles 2000] [--runs 5] [--work DIR]

Needs the ``semantic`` extra. On a slice of CLICK-ID (every 10th article,
the first ``--articles`` of them, hard links under benchmarks/.work/) it
measures

1. the lexical index build, then ``nkcorpus index --semantic``: passage
   vectors computed, texts per second (a text is a passage with its heading
   or one of its sentences; docs/semantic-notes.md);
2. search wall time through the CLI, lexical (``--mode lexical``) against
   hybrid, interleaved, on the bundled essays and on the slice, for queries
   the index knows (w = 0: hybrid must cost nothing) and English queries it
   does not (w > 0: the query is embedded and fused);
3. the peak RSS of a hybrid search over the slice.

The embedding step is resumable: a killed run continues where it stopped
(its time is then that of the rest only; ``--fresh`` starts over).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from speed import CLICKID_FILES, extract, interleave, run  # noqa: E402

KNOWN = ["sanksi nuklir", "Six Party Talks", "Kim Jong-un"]
MEANING = ["nuclear blackmail", "why does North Korea feel insecure", "oil supply cut off"]


def slice_of(clickid: Path, work: Path, articles: int) -> Path:
    target = work / f"clickid-slice-{articles}"
    marker = work / f".{target.name}.done"
    if marker.exists() and target.is_dir():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir(parents=True)
    for path in sorted(clickid.rglob("*.txt"))[::10][:articles]:
        os.link(path, target / path.name)
    marker.touch()
    return target


def nk(*args: str) -> list[str]:
    return [sys.executable, "-m", "nkcorpus", *args]


def env_for(base: Path) -> dict:
    env = dict(os.environ, NKCORPUS_INDEX_DIR=str(base))
    env.pop("OMP_NUM_THREADS", None)
    return env


def embed_slice(folder: Path, base: Path, fresh: bool) -> dict:
    if fresh:
        shutil.rmtree(base, ignore_errors=True)
    env = env_for(base)
    t0 = time.perf_counter()
    build = run(nk("index", "-q", "--no-semantic", str(folder)), env, folder.parent)
    code = ("import json, sys, time; from nkcorpus import Corpus; t = time.perf_counter(); "
            f"r = Corpus({str(folder)!r}).update(semantic=True); v = r.vectors; "
            "print(json.dumps(dict(passages=v.passages, covered=v.covered, embedded=v.embedded, "
            "carried=v.carried, left=v.left, seconds=time.perf_counter() - t)))")
    proc = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True, check=True)
    out = json.loads(proc.stdout.strip().splitlines()[-1])
    out["lexical_build_s"] = build.seconds
    out["wall_s"] = time.perf_counter() - t0
    return out


def search_pair(corpus: list[str], base: Path, query: str, runs: int):
    env = env_for(base)
    lex = lambda: run(nk("search", *corpus, "--mode", "lexical", "--json", query), env, ok=(0, 1))  # noqa: E731
    hyb = lambda: run(nk("search", *corpus, "--mode", "hybrid", "--json", query), env, ok=(0, 1))  # noqa: E731
    return interleave(lex, hyb, runs)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--articles", type=int, default=2000)
    ap.add_argument("--runs", type=int, default=5)
    ap.add_argument("--work", type=Path, default=HERE / ".work")
    ap.add_argument("--fresh", action="store_true", help="embed the slice again from nothing")
    ap.add_argument("--skip-embed", action="store_true", help="only the searches (the slice is embedded)")
    ap.add_argument("--seeds-only", action="store_true", help="only the searches over the bundled essays")
    args = ap.parse_args(argv)
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    if args.seeds_only:
        base = work / "ix-semantic"
        run(nk("search", "--mode", "hybrid", "nuclear blackmail"), env_for(base), ok=(0, 1))
        return _searches(args, base, [("seeds", [])])
    clickid = extract("clickid-2019.tar.gz", work, "clickid-2019", CLICKID_FILES)
    folder = slice_of(clickid, work, args.articles)
    base = work / "ix-semantic"
    print(f"slice: {folder} ({sum(1 for _ in folder.glob('*.txt'))} articles, "
          f"{sum(p.stat().st_size for p in folder.glob('*.txt')) / 1e6:.1f} MB)", flush=True)
    if not args.skip_embed:
        e = embed_slice(folder, base, args.fresh)
        rate = e["embedded"] / e["seconds"] if e["seconds"] else 0.0
        print(f"lexical build {e['lexical_build_s']:.1f} s; vectors: {e['passages']:,} passages, "
              f"{e['embedded']:,} texts embedded ({e['carried']:,} carried) in {e['seconds']:.0f} s = "
              f"{rate:.1f} texts/s, {e['passages'] / e['seconds'] if e['seconds'] else 0:.2f} passages/s; "
              f"covered {e['covered']:,}, left {e['left']:,}", flush=True)
    # the bundled essays: make sure their index and vectors exist
    run(nk("search", "--mode", "hybrid", "nuclear blackmail"), env_for(base), ok=(0, 1))
    return _searches(args, base, [("seeds", []), ("slice", ["-c", str(folder)])])


def _searches(args, base: Path, corpora: list) -> int:
    rows = []
    for label, corpus in corpora:
        for kind, queries in (("known words (w=0)", KNOWN), ("English (w>0)", MEANING)):
            lex, hyb = [], []
            for q in queries:
                a, b = search_pair(corpus, base, q, args.runs)
                lex += a
                hyb += b
            ml = statistics.median(r.seconds for r in lex)
            mh = statistics.median(r.seconds for r in hyb)
            rows.append((label, kind, ml, mh, max(r.maxrss_mb for r in lex), max(r.maxrss_mb for r in hyb)))
    print("\n| corpus | queries | lexical s | hybrid s | ratio | lexical peak RSS MB | hybrid peak RSS MB |")
    print("| --- | --- | ---: | ---: | ---: | ---: | ---: |")
    for label, kind, ml, mh, rl, rh in rows:
        print(f"| {label} | {kind} | {ml:.3f} | {mh:.3f} | {mh / ml:.2f} | {rl:.0f} | {rh:.0f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
