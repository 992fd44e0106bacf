"""Derive nkcorpus's root-word list from news corpora (CC BY / CC BY-SA).

    python benchmarks/build_roots.py [--corpora DIR] [--out src/nkcorpus/data/roots.txt]

Reads the tar.gz corpora directly (nothing is extracted), counts lowercase
words, and keeps as roots the attested words that are not an affixed form of
a *productive* root: a word ``w`` is derived when its best reading (longest
known root, then the most frequent) names a root ``c`` that at least
``MIN_PATTERNS`` distinct affix patterns of attested words lead to
(``kembang``: ber-, peN-an, per-an, meN-kan, di-kan ...). One-off readings
(``selatan`` = ``selat`` + -an, ``berita`` = ber- + ``ita``) do not count, so
such words stay roots. A word read as a base plus a particle or possessive
stays a root when the base is rare beside it (``langkah`` is not lang-kah) or
when the word itself takes a derivational suffix (``masalah``: permasalahan,
so not masa-lah); a word after ber- does not end in the suffix -i
(``bersantai``: ``santai`` is not santa-i). A word that a common word can
only be read from stays a root (``setuju``: menyetujui, persetujuan, as
se- stands inside no prefix; ``penting``: terpenting). Stop words always stay roots, and a few particles are
never roots (``bersih`` is not ``ber-`` + ``sih``). Three rounds let readings
settle on the roots that remain. Roots attested by too few words are added
when enough patterns imply them (``runding``).

The output lists roots by descending frequency of the root with the words
the stemmer reads from it (the stemmer's tie-break: ``berikan`` is beri-kan,
as ``beri`` has memberikan, diberikan; not ber-ikan).
"""

from __future__ import annotations

import argparse
import re
import sys
import tarfile
from collections import Counter, defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from nkcorpus.analysis.morph import MIN_ROOT, RootStemmer, parses, strong  # noqa: E402

WORD = re.compile(r"[^\W\d_]+")
MIN_COUNT = 2  # attested: seen at least this often
MIN_PATTERNS = 2  # productive root: reached by this many affix patterns
PATTERN_COUNT = 3  # ... each seen at least this often
ATTESTED_SHARE = 0.05  # a root seen alone this often (vs the word) needs one strong pattern
COMMON_SHARE = 0.2  # ... seen alone this often needs any one pattern (bersifat)
FAMILY_SHARE = 0.05  # the root's other forms, together, at least this often (vs the word)
IMPLIED_PATTERNS = 3  # unattested root implied by this many patterns
NEEDED_COUNT = 20  # a word read from one base alone, seen this often, makes it a root
CLITIC_BASE_SHARE = 0.05  # a clitic reading's base seen at least this often (vs the word)
NOT_ROOTS = frozenset(
    "nah sih kan lah pun dong kok toh wah si se ya nya tah kah per para lu gue deh kek".split()
)
ROUNDS = 3
HEADER = """\
# nkcorpus root words, most frequent first: one lowercase word a line.
# Derived by benchmarks/build_roots.py from CLICK-ID (CC BY 4.0, William &
# Sari 2020) and IndoSum (CC BY-SA 4.0, Kurniawan & Louvan 2018): words seen
# in those corpora that are not affixed forms of a productive root.
"""


def count_words(corpora: Path) -> Counter:
    counts: Counter = Counter()
    for name in ("clickid-2019.tar.gz", "indosum-dev.tar.gz"):
        with tarfile.open(corpora / name) as tar:
            for member in tar:
                if member.isfile():
                    text = tar.extractfile(member).read().decode("utf-8", "replace")
                    counts.update(w.lower() for w in WORD.findall(text))
    return counts


def stop_words() -> set[str]:
    path = ROOT / "src/nkcorpus/data/stopwords.txt"
    lines = path.read_text(encoding="utf-8").splitlines()
    return {w.strip() for w in lines if w.strip() and not w.startswith("#")}


def best_reading(word: str, roots: set[str], counts: Counter) -> tuple[str, str] | None:
    """The reading with the fewest affixes, then the most frequent root, among
    roots other than ``word``; readings that stack prefixes wrongly only
    when no other finds a root (as the stemmer chooses)."""
    best = None
    for strict in (True, False):
        for root, pattern, affixes in parses(word, strict):
            if root == word or root not in roots:
                continue
            key = (affixes, -counts[root])
            if best is None or key < best[0]:
                best = (key, root, pattern)
        if best:
            return best[1], best[2]
    return None


def implied_roots(vocab: Counter) -> set[str]:
    """Unattested roots that several nasal/di- patterns of common words imply."""
    patterns: dict[str, set[str]] = defaultdict(set)
    for word, n in vocab.items():
        if n < PATTERN_COUNT:
            continue
        for root, pattern, _ in parses(word):
            if root not in vocab and len(root) > MIN_ROOT and strong(pattern):
                patterns[root].add(pattern)
    return {r for r, ps in patterns.items()
            if len(ps) >= IMPLIED_PATTERNS and sum(_nasal_or_di(p) for p in ps) >= 2}


def _nasal_or_di(pattern: str) -> bool:
    return pattern.startswith(("meN", "peN", "di"))


def affixed_hosts(vocab: Counter) -> set[str]:
    """Words that take a derivational suffix in common attested words
    (``masalah``: permasalahan, dipermasalahkan); without a suffix the
    word's clitic may stand last anyway (``pemiliknya``)."""
    hosts = set()
    for word, n in vocab.items():
        if n >= PATTERN_COUNT:
            hosts.update(root for root, pattern, _ in parses(word)
                         if root != word and root in vocab and "-" in pattern)
    return hosts


def _clitic_form(word: str, base: str, vocab: Counter, hosts: set[str]) -> bool:
    """Whether ``word`` is ``base`` with a particle or possessive: not when
    the base is rare beside it (``langkah`` is not lang-kah, ``sekolah`` not
    seko-lah), nor when the word takes a derivational suffix, as a clitic
    closes a word (``masalah``: permasalahan, so not masa-lah), unless a
    prefix reading explains those forms (``mempunyai`` is meN-punya-i)."""
    if word in hosts and not _prefixed(word, vocab):
        return False
    return vocab[base] >= CLITIC_BASE_SHARE * vocab[word]


def _prefixed(word: str, vocab: Counter) -> bool:
    """Whether a nasal or di- prefix reading of ``word`` finds an attested root."""
    return any(root in vocab and _nasal_or_di(pattern) for root, pattern, _ in parses(word))


def unsplit_suffixes(vocab: Counter) -> dict[str, set[str]]:
    """Word -> suffixes its last letters are not, because a common attested
    word puts ber- before it, and ber- never takes -i (``bersantai``: so
    ``santai`` is not santa-i; ``berekspresi``, ``berempati`` likewise).
    Only -i: other such pairs (di-/meN- with -an) meet -kan, whose last
    letters are -an too (``dikenakan``)."""
    out: dict[str, set[str]] = defaultdict(set)
    for word, n in vocab.items():
        if n < PATTERN_COUNT:
            continue
        for root, pattern, _ in parses(word):
            if pattern == "ber+" and root.endswith("i") and root in vocab:
                out[root].add("-i")
    return out


def needed_bases(vocab: Counter) -> set[str]:
    """Words that a common attested word can only be read from: every
    reading of it that finds an attested root finds this word or a longer
    word holding it (``menyetujui`` and ``persetujuan`` are read from
    ``setuju`` alone, as se- stands inside no prefix; ``terpenting`` and
    ``mementingkan`` from ``penting``). Such a word is a root of its own,
    whatever its own reading (``setuju`` is not se- + ``tuju`` here)."""
    needed = set()
    for word, n in vocab.items():
        if n < NEEDED_COUNT:
            continue  # not typos (pemberlakukan) nor a glued di (disejumlah)
        bases = {root for root, _, _ in parses(word) if root != word and root in vocab}
        shortest = min(bases, key=len, default=None)
        if shortest and vocab[shortest] >= PATTERN_COUNT and all(shortest in b for b in bases):
            needed.add(shortest)
    return needed


def derive_roots(vocab: Counter, protected: set[str]) -> set[str]:
    candidates = set(vocab) - NOT_ROOTS
    roots = set(candidates)
    protected = protected | needed_bases(vocab)
    hosts = affixed_hosts(vocab)
    unsplit = unsplit_suffixes(vocab)
    for _ in range(ROUNDS):
        support: dict[str, set[str]] = defaultdict(set)
        parent: dict[str, str] = {}
        mass: Counter = Counter()
        clitic_forms = set()
        for word in vocab:
            reading = best_reading(word, roots, vocab)
            if reading and not reading[1]:
                if _clitic_form(word, reading[0], vocab, hosts):
                    clitic_forms.add(word)  # negaranya, itulah: a form of its base
            elif reading and reading[1] not in unsplit.get(word, ()):
                parent[word] = reading[0]
                mass[reading[0]] += vocab[word]
                if vocab[word] >= PATTERN_COUNT:
                    support[reading[0]].add(reading[1])
        derived = {w for w, c in parent.items() if _productive(w, c, support, mass, vocab)}
        derived |= clitic_forms
        roots = (candidates - derived) | (protected & candidates) | (protected - NOT_ROOTS)
    return roots


def _productive(word: str, root: str, support, mass: Counter, vocab: Counter) -> bool:
    """Whether ``word`` counts as an affixed form of ``root``: the root takes
    two strong patterns, or is itself common enough beside the word."""
    if mass[root] - vocab[word] + vocab[root] < FAMILY_SHARE * vocab[word]:
        return False  # kepala: palai, mengepalai are too rare to make it ke- + pala
    patterns = support[root]
    n_strong = sum(1 for p in patterns if strong(p))
    if n_strong >= MIN_PATTERNS:
        return True
    if len(root) < MIN_ROOT:  # one-syllable roots (bom, cat) need the full evidence
        return False
    share = vocab[root] / max(vocab[word], 1)
    if n_strong >= 1 and share >= ATTESTED_SHARE:
        return True
    return bool(patterns) and share >= COMMON_SHARE


def family_counts(roots: set[str], counts: Counter) -> Counter:
    """Root -> how often it and the words the stemmer reads from it are
    seen: the stemmer's tie-break between readings with as many affixes.
    ``beri`` is rare alone but ``memberikan``, ``diberikan``, ``memberi``
    make it far more common than ``ikan``, so ``berikan`` is beri-kan (not
    ber-ikan) and ``memberi`` meN-beri (not member-i)."""
    stemmer = RootStemmer({r: -counts[r] for r in roots})
    family: Counter = Counter()
    for word, n in counts.items():
        root = stemmer(word) if len(word) >= MIN_ROOT else None
        if root is not None:
            family[root] += n
    return family


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--corpora", type=Path, default=ROOT.parent / "shared" / "corpora")
    ap.add_argument("--out", type=Path, default=ROOT / "src/nkcorpus/data/roots.txt")
    args = ap.parse_args(argv)
    if not (args.corpora / "clickid-2019.tar.gz").is_file():
        args.corpora = Path("/work/shared/corpora")
    counts = count_words(args.corpora)
    vocab = Counter({w: n for w, n in counts.items() if n >= MIN_COUNT and len(w) >= MIN_ROOT})
    roots = derive_roots(vocab, stop_words())
    family = family_counts(roots, counts)
    ordered = sorted(roots, key=lambda w: (-family[w], -counts[w], w))
    args.out.write_text(HEADER + "\n".join(ordered) + "\n", encoding="utf-8")
    print(f"{len(vocab)} attested words -> {len(roots)} roots in {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
