"""Speed of the research views (issue 15) on CLICK-ID with its manifest as
the sidecar: ``timeline`` and ``terms`` of a query against the same
``search --count`` (goal: each within 2x), and ``similar``.

    .venv/bin/python benchmarks/views_speed.py            # 7 interleaved rounds
    .venv/bin/python benchmarks/views_speed.py --runs 3

Each pair runs interleaved (A B A B ...) after a warm-up, as in
``speed.py``; the CLI is timed whole (start-up included), the index is
built once in benchmarks/.work/ix-views. The corpus folder is
``clickid-2019-dated``: hard links to ``clickid-2019``'s files plus
``clickid-2019-manifest.tsv.gz``.
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from speed import CLICKID_FILES, CORPORA, HERE, extract, interleave, med, run  # noqa: E402

BIN = Path(sys.executable).parent
QUERIES = ("sanksi", "nuklir", "Indonesia", "Korea Utara")  # Indonesia: 18,528 matching passages
GOAL = 2.0


def dated_copy(work: Path) -> Path:
    """clickid-2019 as hard links, with the manifest as its sidecar."""
    source = extract("clickid-2019.tar.gz", work, "clickid-2019", CLICKID_FILES)
    target = work / "clickid-2019-dated"
    marker = work / ".clickid-2019-dated.done"
    if marker.exists() and target.is_dir():
        return target
    shutil.rmtree(target, ignore_errors=True)
    target.mkdir()
    for path in source.glob("*.txt"):
        os.link(path, target / path.name)
    shutil.copy(CORPORA / "clickid-2019-manifest.tsv.gz", target)
    marker.touch()
    return target


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    p.add_argument("--runs", type=int, default=7)
    p.add_argument("--work", type=Path, default=HERE / ".work")
    args = p.parse_args()
    work = args.work.resolve()
    work.mkdir(parents=True, exist_ok=True)
    corpus = dated_copy(work)
    env = {**os.environ, "NKCORPUS_INDEX_DIR": str(work / "ix-views")}
    env.pop("NKCORPUS_DEBUG", None)
    nk = lambda *a: [str(BIN / "nkcorpus"), *a, "-c", corpus.name]  # noqa: E731
    run([str(BIN / "nkcorpus"), "index", "-q", corpus.name], env, work)
    print(f"CLICK-ID with manifest ({corpus}), {args.runs} interleaved rounds, medians; goal: view <= {GOAL}x count")
    print(f"{'query':<14}{'view':<10}{'count s':>9}{'view s':>9}{'ratio':>7}  goal")
    rows = []
    for query in QUERIES:
        count = lambda q=query: run(nk("search", q, "--count"), env, work, ok=(0, 1))  # noqa: E731
        for view, extra in (("timeline", ["--format", "csv"]), ("terms", ["--format", "csv"])):
            this = lambda q=query, v=view, e=extra: run(nk(v, q, *e), env, work, ok=(0, 1))  # noqa: E731
            a, b = interleave(count, this, args.runs)
            ratio = med(b) / med(a)
            rows.append((query, view, med(a), med(b), ratio))
            print(f"{query:<14}{view:<10}{med(a):>9.3f}{med(b):>9.3f}{ratio:>7.2f}  "
                  f"{'met' if ratio <= GOAL else 'NOT met'}", flush=True)
    target = "clickid-tempo-00001.txt:1"
    sim = [run(nk("similar", target), env, work, ok=(0, 1)) for _ in range(args.runs)]
    print(f"similar {target}: median {med(sim):.3f}s")


if __name__ == "__main__":
    main()
