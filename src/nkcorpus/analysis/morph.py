"""Indonesian affix stripping, checked against a list of root words.

Confix stripping in the manner of Nazief-Adriani / Enhanced Confix Stripping:
``parses`` enumerates every way a word can be read as prefixes + root +
suffixes (with the nasal recodings of ``meN-``/``peN-``: ``menguasai`` ->
``kuasa``, ``memasok`` -> ``pasok``, ``menyatakan`` -> ``nyata``/``sata``),
stacking prefixes only as Indonesian does (``INNER_AFTER``), and
``RootStemmer`` keeps the reading whose root is a known root word: the
fewest affixes, then the root listed first (the most frequent). Words with no such reading
are left to Snowball (the caller's fast path).

The root list (``data/roots.txt``) is derived from CC BY news corpora by
``benchmarks/build_roots.py``: attested words that are not themselves an
affixed form of a productive root. The rules here are written for this
project; no third-party word list or code is used.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from importlib import resources
from itertools import pairwise

PARTICLES = ("lah", "kah", "pun")
POSSESSIVES = ("nya", "ku", "mu")
SUFFIXES = ("kan", "an", "i")
VOWELS = frozenset("aeiou")
# An outer prefix and a suffix that never combine (from Nazief & Adriani's
# list, less the ke-/se- pairs that lexicalized roots allow: ketahui,
# kemukakan, setujui; plus peN-...-kan, as nouns in peN- take -an):
# ``pendidikan`` is not peN-didi-kan, nor ``diadakan`` di-adak-an.
NO_CONFIX = frozenset({("ber", "-i"), ("di", "-an"), ("meN", "-an"), ("ter", "-an"), ("peN", "-kan")})
# -kan after a root ending in k written with one k (menaikan): counted as
# one affix more, so that a regular reading wins (mengenakan: kena, not enak).
MERGED_KAN = "-(k)kan"
# meN-/peN- before p/t/k/s: the nasal replaces the first letter
# (memadamkan: padam, menembakkan: tembak, mengirimkan: kirim,
# menyampaikan: sampai). The reading that keeps the nasal and leaves -kan on
# its "root" (madamkan, mikirkan: imperatives or a scraper's slips that the
# root list holds) counts that -kan as an affix, so it ties with meN-padam-kan
# and the more frequent root wins. Roots of two syllables ending in -kan
# (makan, tekan) are not concerned: what -kan leaves of them is too short.
NASALS = ("m", "n")
MIN_ROOT = 4  # shorter "roots" are mostly abbreviations (tek, mak, ber)
MIN_MONOSYLLABLE = 3  # ... but menge-/penge- take one-syllable roots: mengebom
MAX_PREFIXES = 3
# Which prefix may stand inside which (outer prefixes listed per inner one):
# memperkuat, diberlakukan, keberhasilan, kepemimpinan, keterbukaan,
# mengetahui, berkelanjutan, mempekerjakan. meN-, di- and se- never stand
# inside another prefix: ``mementingkan`` is meN-penting-kan, not
# meN-meN-ting-kan, and ``disetujui`` di-setuju-i (se- words are lexicalized).
INNER_AFTER = {
    "per": frozenset({"meN", "di", "ter", "peN", "ke", "ber"}),
    "ber": frozenset({"meN", "di", "peN", "ke", "per"}),
    "ke": frozenset({"meN", "di", "ter", "peN", "ber", "se"}),
    "peN": frozenset({"ke", "ber", "se"}),
    "ter": frozenset({"ke"}),
    "pe": frozenset({"meN", "di"}),
}
# ... and these only inside a confix, with a suffix: memberikan is
# meN-beri-kan (memberhentikan is meN-ber-henti-kan), terpenting is
# ter-penting (kepentingan may be ke-peN-ting-an).
INNER_NEEDS_SUFFIX = frozenset({"ber", "peN", "ter"})


def _vowel(s: str, i: int) -> bool:
    return len(s) > i and s[i] in VOWELS


def _nasal(rest: str, tag: str) -> list[tuple[str, str]]:
    """Readings of a word after ``me``/``pe`` (``rest`` starts at the nasal)."""
    out: list[tuple[str, str]] = []
    if rest.startswith("ny") and _vowel(rest, 2):
        out += [("s" + rest[2:], tag), (rest, tag)]
    elif rest.startswith("ng"):
        tail = rest[2:]
        if tail[:1] in ("g", "h", "k", "q", "x"):
            out.append((tail, tag))
        elif _vowel(tail, 0):
            out += [(tail, tag), ("k" + tail, tag)]
            if tail.startswith("e") and len(tail) <= 4:
                out.append((tail[1:], tag))  # menge-/penge- before one-syllable roots: mengebom
    elif rest.startswith("m"):
        tail = rest[1:]
        if tail[:1] in ("b", "f", "v", "p"):
            out.append((tail, tag))
        elif _vowel(tail, 0):
            out += [("p" + tail, tag), (rest, tag)]
    elif rest.startswith("n"):
        tail = rest[1:]
        if tail[:1] in ("c", "d", "j", "s", "t", "z"):
            out.append((tail, tag))
        elif _vowel(tail, 0):
            out += [("t" + tail, tag), (rest, tag)]
    elif rest[:1] in ("l", "r", "w", "y") and _vowel(rest, 1):
        out.append((rest, tag))
    return out


def _ber_ter_per(word: str, head: str, tag: str) -> list[tuple[str, str]]:
    """ber-/ter-/per- (and be-/te-/pe- before r or Cer: berencana, bekerja)."""
    if not word.startswith(head[:2]):
        return []
    rest = word[2:]
    out: list[tuple[str, str]] = []
    if rest.startswith("r"):
        out.append((rest[1:], tag))
        if _vowel(rest, 1):
            out.append((rest, tag))
    elif len(rest) > 3 and rest[0] not in VOWELS and rest[1:3] == "er":
        out.append((rest, tag))
    if head == "ber" and word.startswith("belajar"):
        out.append((rest[1:], tag))
    return out


def prefix_readings(word: str) -> list[tuple[str, str]]:
    """(rest, prefix tag) for each way one prefix can be removed."""
    out: list[tuple[str, str]] = []
    two = word[:2]
    if two in ("di", "ke", "se"):
        out.append((word[2:], two))
    if two == "be":
        out += _ber_ter_per(word, "ber", "ber")
    elif two == "te":
        out += _ber_ter_per(word, "ter", "ter")
    elif two == "me":
        out += _nasal(word[2:], "meN")
    elif two == "pe":
        out += _ber_ter_per(word, "per", "per")
        out += _nasal(word[2:], "peN")
        rest = word[2:]
        if rest[:1] and rest[0] not in VOWELS and rest[0] not in "rmnwy" and not rest.startswith("ng"):
            out.append((rest, "pe"))  # pekerja, pelaku, pejuang
    shortest = MIN_MONOSYLLABLE if word.startswith(("menge", "penge")) else MIN_ROOT
    return [(r, t) for r, t in out if len(r) >= shortest and not r.startswith(_CLUSTERS)]


# No Indonesian root starts with these (a nasal left over from a prefix).
_CLUSTERS = ("mb", "mp", "nd", "nt", "nc", "nj", "nk")


def _inflections(word: str) -> Iterator[str]:
    """The word, less a particle, less a possessive, less both."""
    yield word
    bases = [word]
    for p in PARTICLES:
        if word.endswith(p) and len(word) - len(p) >= MIN_ROOT:
            bases.append(word[: -len(p)])
            yield bases[-1]
    for base in bases:
        for p in POSSESSIVES:
            if base.endswith(p) and len(base) - len(p) >= MIN_ROOT:
                yield base[: -len(p)]


def _derivations(word: str) -> Iterator[tuple[str, str]]:
    yield word, ""
    for s in SUFFIXES:
        if word.endswith(s) and len(word) - len(s) >= MIN_ROOT:
            yield word[: -len(s)], "-" + s
    if word.endswith("kan") and len(word) - 2 >= MIN_ROOT:
        yield word[:-2], MERGED_KAN  # a root ending in k, one k written: menaikan, dimasukan


def _prefix_chains(word: str, depth: int = 0) -> Iterator[tuple[str, tuple[str, ...]]]:
    yield word, ()
    if depth >= MAX_PREFIXES:
        return
    for rest, tag in prefix_readings(word):
        for root, tags in _prefix_chains(rest, depth + 1):
            yield root, (tag, *tags)


def parses(word: str, strict: bool = True) -> Iterator[tuple[str, str, int]]:
    """(root, pattern, affixes) for every reading of ``word``; clitics are not
    in the pattern nor counted, so ``pengembangannya`` gives
    ``("kembang", "peN+-an", 2)``. ``strict=False`` also gives readings that
    stack prefixes in an order Indonesian does not use (see ``INNER_AFTER``)."""
    for base in _inflections(word):
        for stem_, suffix in _derivations(base):
            for root, tags in _prefix_chains(stem_):
                if tags and (tags[0], suffix) in NO_CONFIX:
                    continue
                if strict and not _stack_ok(tags, suffix):
                    continue
                pattern = "+".join((*tags, suffix)) if tags or suffix else ""
                kept_kan = _kept_kan(root, tags, suffix)
                yield root, pattern, len(tags) + bool(suffix) + (suffix == MERGED_KAN) + kept_kan


def _kept_kan(root: str, tags: tuple[str, ...], suffix: str) -> bool:
    """A meN-/peN- reading that keeps the nasal and a final -kan in its root."""
    return (not suffix and tags[-1:] in (("meN",), ("peN",)) and root.startswith(NASALS)
            and root.endswith("kan") and len(root) - 3 >= MIN_ROOT)


def _stack_ok(tags: tuple[str, ...], suffix: str) -> bool:
    """Whether each prefix of ``tags`` may stand inside the one before it."""
    for outer, inner in pairwise(tags):
        if outer not in INNER_AFTER.get(inner, ()):
            return False
        if inner in INNER_NEEDS_SUFFIX and not suffix:
            return False
    return True


def strong(pattern: str) -> bool:
    """A pattern that only a real affixation explains: a nasal prefix, di-,
    or a derivational suffix (``se-``/``ke-``/``ber-`` alone can be the
    first letters of a root: ``serang``, ``kepala``, ``berita``)."""
    return "meN" in pattern or "peN" in pattern or "di" in pattern or "-" in pattern


class RootStemmer:
    """Picks, among a word's readings, the one whose root is a known root:
    the fewest affixes removed, then the most frequent root; readings that
    stack prefixes wrongly only when no other finds a known root.

    ``roots`` maps root -> rank (0 = most frequent). A word that is itself a
    root is returned unchanged; ``None`` means no reading has a known root.
    """

    def __init__(self, roots: dict[str, int]) -> None:
        self.roots = roots

    def __call__(self, word: str) -> str | None:
        if word in self.roots:
            return word
        found = self._best(word, strict=True)
        # a misspelt or unusual form (pemebicara) may still name its root
        return found if found is not None else self._best(word, strict=False)

    def _best(self, word: str, strict: bool) -> str | None:
        best: tuple[int, int] | None = None
        found = None
        for root, _, affixes in parses(word, strict):
            rank = self.roots.get(root)
            if rank is None:
                continue
            key = (affixes, rank)
            if best is None or key < best:
                best, found = key, root
        return found


def load_roots(text: str | None = None) -> dict[str, int]:
    """The bundled root list (or ``text`` in its format) as root -> rank."""
    if text is None:
        text = resources.files("nkcorpus").joinpath("data/roots.txt").read_text(encoding="utf-8")
    ranked = _COMMENT.sub("", text).split()  # C-level: 43,000 roots load in a few ms
    return dict(zip(ranked, range(len(ranked))))


_COMMENT = re.compile(r"^[ \t]*#.*$", re.MULTILINE)
