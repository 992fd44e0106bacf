"""The analysis (``nkcorpus.analysis``) as a Whoosh tokenizer.

Whoosh pickles the schema into the index, so this class lives at this module
path and holds only plain attributes (moving it changes the index format).
"""

from __future__ import annotations

from whoosh.analysis import Token, Tokenizer

from nkcorpus.analysis import context_parts, iter_terms, value_terms


class IndonesianTokenizer(Tokenizer):
    """Whoosh tokenizer yielding analyzed Indonesian terms.

    ``stemmed=False`` gives the lowercase surface forms (for typo and
    wildcard matching); ``True`` gives stems.
    """

    def __init__(self, stemmed: bool = True) -> None:
        self.stemmed = stemmed

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and other.stemmed == self.stemmed

    def __hash__(self) -> int:
        return hash((type(self), self.stemmed))

    def __call__(self, value, positions=False, chars=False, keeporiginal=False,
                 removestops=True, start_pos=0, start_char=0, tokenize=True,
                 mode="", **kwargs):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        token.stopped = False
        for part, char_base, pos_base, boost in context_parts(value):
            token.boost = boost
            for term, pos, start, end in iter_terms(part, self.stemmed):
                token.text = term
                if keeporiginal:
                    token.original = part[start:end]
                if positions:
                    token.pos = start_pos + pos_base + pos
                if chars:
                    token.startchar = start_char + char_base + start
                    token.endchar = start_char + char_base + end
                yield token

    def terms(self, value: str) -> list[tuple[list[str], int, float]]:
        """The terms ``__call__`` yields for ``value``, without Token objects
        (``analysis.value_terms``): the fast path of ``pool.BuildWriter``."""
        return value_terms(value, self.stemmed)


def analyzer(stemmed: bool = True) -> IndonesianTokenizer:
    return IndonesianTokenizer(stemmed)
