"""Speed of Indonesian analysis alone (no index): tokens and MB per CPU second.

    python benchmarks/analysis.py DIR [--files N]

Reads the .txt files of DIR (e.g. CLICK-ID extracted into /tmp), then times,
in CPU seconds of this process (other processes on the machine do not
count):

* importing ``nkcorpus.analysis`` and loading the root list,
  each in a fresh interpreter;
* ``iter_terms`` over all the text: stemmed with an empty stem cache (every
  distinct word is stemmed once), stemmed again (all cached), unstemmed;
* the Whoosh tokenizer as the index calls it (positions and offsets), for
  the stemmed and the raw field;
* stemming the distinct words alone: the root stemmer, then Snowball.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nkcorpus.analysis import terms as analysis  # noqa: E402
from nkcorpus.store.whoosh.tokenizer import IndonesianTokenizer  # noqa: E402


def cpu(fn) -> tuple[float, object]:
    start = time.process_time()
    out = fn()
    return time.process_time() - start, out


def fresh_interpreter(code: str) -> float:
    """CPU seconds ``code`` takes in a new Python (best of three)."""
    timer = f"import time; t = time.process_time(); {code}; print(time.process_time() - t)"
    env = {"PYTHONPATH": str(ROOT / "src")}
    runs = [float(subprocess.run([sys.executable, "-c", timer], capture_output=True, text=True,
                                 env=env, check=True).stdout) for _ in range(3)]
    return min(runs)


def count(texts: list[str], stemmed: bool) -> int:
    n = 0
    for text in texts:
        for _ in analysis.iter_terms(text, stemmed):
            n += 1
    return n


def whoosh_tokens(texts: list[str], stemmed: bool) -> int:
    tokenizer = IndonesianTokenizer(stemmed)
    n = 0
    for text in texts:
        for _ in tokenizer(text, positions=True, chars=True):
            n += 1
    return n


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description="analysis throughput in CPU seconds")
    ap.add_argument("folder", type=Path)
    ap.add_argument("--files", type=int, default=None, help="only the first N files")
    args = ap.parse_args(argv)
    paths = sorted(args.folder.rglob("*.txt"))[: args.files]
    texts = [p.read_text(encoding="utf-8", errors="replace") for p in paths]
    mb = sum(len(t.encode("utf-8")) for t in texts) / 1e6
    print(f"{len(texts)} files, {mb:.1f} MB of text")
    print(f"import nkcorpus.analysis: {fresh_interpreter('import nkcorpus.analysis'):.3f} s CPU")
    load = "from nkcorpus.analysis.morph import load_roots; load_roots()"
    print(f"load the root list: {fresh_interpreter(load):.3f} s CPU (import of morph included)")

    analysis.stem.cache_clear()
    analysis._root_stemmer()  # loaded once, timed above
    rows = [("iter_terms, stemmed, empty cache", *cpu(lambda: count(texts, True)))]
    info = analysis.stem.cache_info()
    rows.append(("iter_terms, stemmed, cached", *cpu(lambda: count(texts, True))))
    rows.append(("iter_terms, unstemmed", *cpu(lambda: count(texts, False))))
    rows.append(("whoosh tokenizer, stemmed", *cpu(lambda: whoosh_tokens(texts, True))))
    rows.append(("whoosh tokenizer, raw", *cpu(lambda: whoosh_tokens(texts, False))))
    print("\n| pass | CPU s | tokens/s | MB/s |\n| --- | ---: | ---: | ---: |")
    for name, seconds, tokens in rows:
        print(f"| {name} | {seconds:.2f} | {tokens / seconds:,.0f} | {mb / seconds:.2f} |")
    print(f"\nstem cache after the first pass: {info.currsize:,} distinct words, "
          f"hit rate {info.hits / (info.hits + info.misses):.1%}")
    words = list({w for t in texts for w, _, _, _ in analysis.iter_terms(t, stemmed=False)})
    stemmer = analysis._root_stemmer()
    seconds, _ = cpu(lambda: [stemmer(w) for w in words if len(w) >= 4 and w.isalpha()])
    print(f"root stemmer: {seconds / len(words) * 1e6:.1f} us per distinct word")
    snow = analysis._stemmer()
    seconds, _ = cpu(lambda: [snow.stemWord(w) for w in words])
    print(f"snowball: {seconds / len(words) * 1e6:.1f} us per distinct word")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
