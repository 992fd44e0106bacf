"""English words -> the Indonesian spellings they are usually borrowed as.

Indonesian takes much of the vocabulary of politics and science from English
by regular spelling changes, set out in the language centre's *Pedoman Umum
Pembentukan Istilah* (guidelines for forming terms): ``-tion`` becomes
``-si`` (proliferation: proliferasi), ``-ty`` ``-tas`` (stability:
stabilitas), ``-acy`` ``-asi`` (legitimacy: legitimasi), ``-ic`` ``-ik``,
``c`` before a back vowel ``k`` (conflict: konflik), ``y`` ``i``, ``ph``
``f``, and double consonants are written once (missile: misil). The rules
here are written for this project from those patterns.

``forms`` gives the likely spellings of one lowercase word, the regular one
first; the query layer keeps those the index holds. A word already spelt the
Indonesian way gives nothing.
"""

from __future__ import annotations

import re

# Endings, longest first: (English, Indonesian spellings, the usual one first).
ENDINGS: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("ization", ("isasi",)),
    ("isation", ("isasi",)),
    ("ical", ("is", "ik")),
    ("ction", ("ksi",)),
    ("tion", ("si",)),
    ("sion", ("si",)),
    ("ment", ("men",)),
    ("ance", ("ans",)),
    ("ence", ("ens",)),
    ("logy", ("logi",)),
    ("ics", ("ika", "ik")),
    ("ism", ("isme",)),
    ("ist", ("is",)),
    ("ity", ("itas",)),
    ("acy", ("asi",)),
    ("ary", ("er", "ari")),
    ("ive", ("if",)),
    ("ure", ("ur",)),
    ("ine", ("in",)),
    ("ile", ("il",)),
    ("ate", ("at",)),
    ("ort", ("or",)),
    ("ct", ("k",)),
    ("ic", ("ik", "is")),
    ("gy", ("gi",)),
    ("y", ("i",)),
)
# Letters, in this order: ch is "k" (technology), cc before e/i is "ks" (succession), c before
# e/i/y is "s" (cyber), any other c is "k"; then digraphs and doubles.
_LETTERS = (
    (re.compile(r"ch"), "k"),
    (re.compile(r"cc(?=[eiy])"), "ks"),
    (re.compile(r"c(?=[eiy])"), "s"),
    (re.compile(r"c"), "k"),
    (re.compile(r"ph"), "f"),
    (re.compile(r"th"), "t"),
    (re.compile(r"sh"), "sy"),
    (re.compile(r"q"), "k"),
    (re.compile(r"(?<=.)x"), "ks"),
    (re.compile(r"y"), "i"),
    (re.compile(r"([bdfgklmnprstz])\1"), r"\1"),
)
MAX_FORMS = 3


def forms(word: str) -> list[str]:
    """Likely Indonesian spellings of the English ``word`` (lowercase), the
    regular one first; empty when no rule changes it."""
    if not word.isascii() or not word.isalpha():
        return []
    out: list[str] = []
    for base, endings in _split(word):
        for ending in endings:
            form = _letters(base + ending)
            if form != word and form not in out:
                out.append(form)
    return out[:MAX_FORMS]


def _split(word: str) -> list[tuple[str, tuple[str, ...]]]:
    """(stem, its Indonesian endings) for the longest English ending the
    word has, and the whole word as it stands."""
    for english, endings in ENDINGS:
        if word.endswith(english) and len(word) - len(english) >= 2:
            return [(word[: -len(english)], endings), (word, ("",))]
    return [(word, ("",))]


def _letters(text: str) -> str:
    for pattern, repl in _LETTERS:
        text = pattern.sub(repl, text)
    return text
