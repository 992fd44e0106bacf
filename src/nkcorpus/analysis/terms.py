"""Indonesian analysis: tokenize, lowercase, collapse reduplication, stem.

One tokenizer does the whole chain in a single pass (no generator layers),
and stems each distinct word once (``stem`` is cached), which keeps indexing
fast. Pure: no search engine is imported here; ``store.whoosh.tokenizer``
adapts these functions to Whoosh.

``ANALYZER_VERSION`` is stored with every index: change it whenever the
tokens this module produces change, and old indexes are rebuilt.
"""

from __future__ import annotations

import operator
import re
from collections.abc import Iterator
from functools import lru_cache
from itertools import compress, count

ANALYZER_VERSION = "8"  # 8: meN-/peN- keeping the nasal and -kan in the root ties with the nasal that replaces p/t/k/s (memadamkan: padam)

# The index appends a passage's context (the title and heading it stands
# under) to its text after this mark (a control character that repaired text
# never holds); the tokenizer weighs those words down and sets their
# positions apart, so they count less and no phrase runs across the mark.
CONTEXT_MARK = "\x1e"
CONTEXT_WEIGHT = 0.3
_CONTEXT_GAP = 100

# A word: letters/digits, with inner hyphens or apostrophes (negara-negara,
# Jong-un, Non-Proliferation, Qur'an). Parts are indexed separately.
WORD = re.compile(r"\w+(?:[-‐'’]\w+)*")
_PART = re.compile(r"\w+")
# Stemming short words, numbers and codes does more harm than good.
_MIN_STEM_LEN = 4


@lru_cache(maxsize=200_000)
def stem(word: str) -> str:
    """Root of a lowercase word, cached per word: the dictionary-checked
    affix stripper of ``morph`` when it finds a known root, else Snowball."""
    if len(word) < _MIN_STEM_LEN or not word.isalpha():
        return word
    root = _root_stemmer()(word)
    return root if root is not None else _stemmer().stemWord(word)


def root_rank(word: str) -> int | None:
    """Frequency rank of the known root ``word`` derives from (0 = the most
    common), or None when the root list knows no reading of it."""
    if not word.isalpha():
        return None
    stemmer = _root_stemmer()
    root = stemmer(word)
    return None if root is None else stemmer.roots[root]


def snowball(word: str) -> str:
    """Bare Snowball Indonesian (the baseline the benchmarks compare with)."""
    if len(word) < _MIN_STEM_LEN or not word.isalpha():
        return word
    return _stemmer().stemWord(word)


@lru_cache(maxsize=1)
def _root_stemmer():
    from nkcorpus.analysis.morph import RootStemmer, load_roots

    return RootStemmer(load_roots())


@lru_cache(maxsize=1)
def _stemmer():
    import Stemmer

    return Stemmer.Stemmer("indonesian")


def fold(word: str) -> str:
    """The unstemmed form a token is indexed under: lowercase."""
    return word.lower()


def iter_terms(text: str, stemmed: bool = True) -> Iterator[tuple[str, int, int, int]]:
    """(term, position, start, end) for every token of ``text``.

    Hyphenated words give one token per part; a part whose term repeats the
    previous part's, or whose letters end it (``negara-negara``,
    ``berpuluh-puluh``, ``bersama-sama``), is dropped, so reduplication
    matches the plain word.
    """
    norm = stem if stemmed else _identity
    lowered = text.lower()
    if len(lowered) != len(text):  # a rare letter whose lowercase is longer
        lowered = None
    pos = 0
    for match in WORD.finditer(text):
        start, end = match.span()
        word = lowered[start:end] if lowered is not None else fold(match.group())
        if word.isalnum():  # the common case: no hyphen or apostrophe inside
            yield norm(word), pos, start, end
            pos += 1
            continue
        for term, part_start, part_end in _parts(match.group(), norm):
            yield term, pos, start + part_start, start + part_end
            pos += 1


def _parts(word: str, norm) -> Iterator[tuple[str, int, int]]:
    """(term, start, end) of the parts of a joined word (as written),
    reduplication dropped."""
    previous = previous_surface = None
    for part in _PART.finditer(word):
        surface = fold(part.group())
        term = norm(surface)
        if term == previous or (previous_surface and previous_surface.endswith(surface)):
            continue  # negara-negara, bersama-sama: one word
        previous, previous_surface = term, surface
        yield term, part.start(), part.end()


def with_context(text: str, context: str) -> str:
    """The value the index analyzes for a passage: its text, then its context."""
    return f"{text}{CONTEXT_MARK}{context}" if context else text


def _identity(word: str) -> str:
    return word


def context_parts(value: str) -> list[tuple[str, int, int, float]]:
    """The parts of an indexed value (``with_context``): ``(text, character
    offset, position offset, weight)`` for the passage's text and, if any,
    for its context, whose words are weighed down and set apart."""
    text, mark, context = value.partition(CONTEXT_MARK)
    parts = [(text, 0, 0, 1.0)]
    if mark:
        parts.append((context, len(text) + 1, _CONTEXT_GAP + len(text), CONTEXT_WEIGHT))
    return parts


def value_terms(value: str, stemmed: bool = True) -> list[tuple[list[str], int, float]]:
    """The terms of an indexed value, fast (no per-token objects):
    ``(terms, first position, weight)`` for the text and for its context;
    ``terms[i]`` stands at ``first position + i``. Equal to what
    ``iter_terms`` yields part by part (a test holds it)."""
    return [(_terms_of(part, stemmed), pos, weight) for part, _, pos, weight in context_parts(value)]


def _terms_of(text: str, stemmed: bool) -> list[str]:
    """``iter_terms(text)``'s terms: the words are found in one regex pass
    over the lowercased text (lowercasing keeps every character a word
    character or not); only joined words go through ``iter_terms``'s part
    rule."""
    lowered = text.lower()
    if len(lowered) != len(text):
        return [term for term, *_ in iter_terms(text, stemmed)]
    words = WORD.findall(lowered)
    terms = list(map(stem, words)) if stemmed else words
    joined = list(compress(count(), map(operator.not_, map(str.isalnum, words))))
    if joined:
        norm = stem if stemmed else _identity
        written = WORD.findall(text)
        for i in reversed(joined):
            terms[i:i + 1] = [term for term, _, _ in _parts(written[i], norm)]
    return terms
