"""Close spellings of a query word among the words an index holds (typos).

The index is reached through a ``Vocabulary``: document frequencies and the
words starting with a letter. Any backend can offer one.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from nkcorpus.analysis import root_rank, stem

OTHER_WORD_RATIO = 10  # see _other_word
MAX_SUGGESTIONS = 3


class Vocabulary(Protocol):
    """What query understanding asks of an index."""

    def doc_frequency(self, field: str, term: str) -> int:
        """Passages holding ``term`` in ``field`` (``plan.STEM`` or ``plan.SURFACE``)."""

    def words_starting(self, prefix: str) -> Iterable[str]:
        """The surface words of the index starting with ``prefix``."""


def max_edits(word: str, known: int) -> int:
    """Edits allowed for a word's close spellings: one (two for a long word
    the index lacks); none for a short word the index has."""
    if known:
        return 1 if len(word) >= 6 else 0
    return 1 if len(word) <= 7 else 2


def other_word(word: str, cand: str) -> bool:
    """True when ``cand`` is another word rather than a misspelling of
    ``word`` or ``word`` of it: both have known roots, different ones, and
    neither root is far more common than the other (``peran`` / ``perang``,
    but not ``sangsi`` / ``sanksi``)."""
    if not OTHER_WORD_RATIO:
        return False
    a, b = root_rank(word), root_rank(cand)
    if a is None or b is None or stem(word) == stem(cand):
        return False
    return max(a, b) < OTHER_WORD_RATIO * (min(a, b) + 1)


def misspelt(word: str, cand: str) -> bool:
    """Whether to ask "did you mean ``cand``": unless ``word`` is a known
    word and ``cand`` is not a far more common one (``negosiasi`` is right
    even where the corpus spells it ``negoisasi``)."""
    a, b = root_rank(word), root_rank(cand)
    return a is None or (b is not None and a >= OTHER_WORD_RATIO * (b + 1))


def close_spellings(vocabulary: Vocabulary, word: str, df: int, known: bool = False) -> list[str]:
    """Indexed words within ``max_edits``, more frequent than ``word``,
    nearest and most frequent first (Damerau-Levenshtein in its restricted
    form: a swap of neighbours is one edit).

    The candidates are the indexed words with the same first letter; their
    distances are computed by rapidfuzz (C++): Whoosh's own automaton and
    Python distance cost a quarter of a second per word on 40 MB of news."""
    from rapidfuzz.distance import OSA
    from rapidfuzz.process import extract_iter

    from nkcorpus.understand.plan import SURFACE

    maxdist = max_edits(word, df or known)
    if not maxdist:
        return []
    candidates = vocabulary.words_starting(word[:1])
    scored = []
    for cand, dist, _ in extract_iter(word, candidates, scorer=OSA.distance, score_cutoff=maxdist):
        if cand == word or not cand.isalpha() or other_word(word, cand):
            continue
        cdf = vocabulary.doc_frequency(SURFACE, cand)
        if cdf > df:
            scored.append((dist, -cdf, cand))
    scored.sort()
    return [c for _, _, c in scored[:MAX_SUGGESTIONS]]
