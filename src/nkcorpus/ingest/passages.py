"""Cut a document's text into passages: paragraphs, long ones into windows.

Two layouts exist in the wild and are told apart per document:

* one paragraph per line (the bundled essays, most scraped news), with or
  without blank lines between paragraphs and with headings on their own line;
* hard-wrapped text, where a paragraph is a block of lines between blank lines.

A paragraph longer than ``MAX_WORDS`` is cut at sentence boundaries into
windows of roughly ``TARGET_WORDS`` words (never fewer than ``MIN_WORDS``
unless the paragraph ends), and a sentence longer than ``MAX_WORDS`` at words.

Each passage carries its context: the document's title (from the file's
metadata, or a first line that reads as a heading) and the heading it
stands under, a short line of its own that does not end like a sentence
("2. Jepang", "Politik Kim Jong-un"), so a question about Japan's response
also finds the paragraphs of the section headed "Jepang".
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import replace

from nkcorpus.model import Passage

MIN_WORDS = 60
TARGET_WORDS = 110
MAX_WORDS = 150
# A line this long is a whole paragraph, not a wrapped piece of one.
_LONG_LINE = 120
# A heading: a paragraph of one short line not ending like a sentence.
HEADING_MAX_WORDS = 12
HEADING_MAX_CHARS = 100
_CLOSERS = "\"'”’»)]"

_WORD = re.compile(r"\S+")
# A sentence ends at . ! ? (maybe followed by closing quotes/brackets), then
# white space, then something that can start a sentence. Single capital
# letters before the dot ("Michael J. Mazarr", "George W. Bush") are initials.
_SENTENCE_END = re.compile(
    r"(?<![\s(][A-Z])(?<!^[A-Z])[.!?][\"'”’)\]]*\s+(?=[\"'“‘(\[]?[A-Z0-9])"
)


def split_passages(text: str, title: str | None = None) -> list[Passage]:
    """All passages of ``text``, in order, covering every non-blank line,
    each with its context (``title`` and the heading above it)."""
    lines = text.split("\n")
    offsets = _line_offsets(lines)
    blocks = _blocks(lines) if _is_hard_wrapped(lines) else _single_lines(lines)
    passages: list[Passage] = []
    contexts = _Contexts(title)
    for first, last in blocks:
        start = offsets[first]
        end = offsets[last] + len(lines[last])
        context = contexts.next(text[start:end], first == last)
        passages.extend(replace(p, context=context) if context else p
                        for p in _windows(text, start, end, offsets))
    return passages


def is_heading(line: str) -> bool:
    """A short line that does not end like a sentence or a lead-in."""
    body = line.strip()
    if not body or len(body) > HEADING_MAX_CHARS or len(body.split()) > HEADING_MAX_WORDS:
        return False
    end = body.rstrip(_CLOSERS)[-1:] or body[-1]
    return end not in ".!?:;," and ":" not in body and any(ch.isalpha() for ch in body)


class _Contexts:
    """Tracks the title and the current heading while blocks go by."""

    def __init__(self, title: str | None) -> None:
        self.title = " ".join(title.split()) if title else ""
        self.heading = ""
        self.first = True

    def next(self, block: str, one_line: bool) -> str:
        """The context of ``block``, then take note of it if it is a heading."""
        block = block.strip()
        heading = one_line and is_heading(block)
        if self.first and heading and self.title in ("", block):
            self.first = False
            self.title = block
            return ""
        self.first = False
        if heading:  # a heading stands under the title only
            self.heading = block
            return self.title
        return " ".join(c for c in (self.title, self.heading) if c)


def _line_offsets(lines: list[str]) -> list[int]:
    offsets, pos = [], 0
    for line in lines:
        offsets.append(pos)
        pos += len(line) + 1
    return offsets


def _is_hard_wrapped(lines: list[str]) -> bool:
    """True when paragraphs are blocks of short lines between blank lines."""
    filled = [len(line) for line in lines if line.strip()]
    if len(filled) < 3:
        return False
    long_lines = sum(1 for n in filled if n > _LONG_LINE)
    runs = _longest_run(lines)
    return long_lines / len(filled) < 0.2 and runs >= 3


def _longest_run(lines: list[str]) -> int:
    best = run = 0
    for line in lines:
        run = run + 1 if line.strip() else 0
        best = max(best, run)
    return best


def _single_lines(lines: list[str]) -> Iterator[tuple[int, int]]:
    return ((i, i) for i, line in enumerate(lines) if line.strip())


def _blocks(lines: list[str]) -> Iterator[tuple[int, int]]:
    first = None
    for i, line in enumerate(lines):
        if line.strip():
            first = i if first is None else first
        elif first is not None:
            yield first, i - 1
            first = None
    if first is not None:
        yield first, len(lines) - 1


def _windows(text: str, start: int, end: int, offsets: list[int]) -> Iterator[Passage]:
    """One passage per window of the paragraph text[start:end]."""
    for a, b in _cut(text, start, end):
        while a < b and text[a].isspace():
            a += 1
        while b > a and text[b - 1].isspace():
            b -= 1
        if a < b:
            yield Passage(_line_of(offsets, a), _line_of(offsets, b - 1), a, b, text[a:b])


def _line_of(offsets: list[int], pos: int) -> int:
    """1-based line number holding character ``pos``."""
    lo, hi = 0, len(offsets) - 1
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if offsets[mid] <= pos:
            lo = mid
        else:
            hi = mid - 1
    return lo + 1


def _cut(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Split [start, end) into spans of at most MAX_WORDS words."""
    words = [m.start() + start for m in _WORD.finditer(text, start, end)]
    if len(words) <= MAX_WORDS:
        return [(start, end)]
    bounds = _sentence_starts(text, start, end)
    spans, begin = [], start
    while _count(words, begin, end) > MAX_WORDS:
        cut = _best_cut(words, bounds, begin, end)
        spans.append((begin, cut))
        begin = cut
    spans.append((begin, end))
    return spans


def _sentence_starts(text: str, start: int, end: int) -> list[int]:
    return [m.end() for m in _SENTENCE_END.finditer(text, start, end)]


def _count(words: list[int], a: int, b: int) -> int:
    from bisect import bisect_left

    return bisect_left(words, b) - bisect_left(words, a)


def _best_cut(words: list[int], bounds: list[int], begin: int, end: int) -> int:
    """Sentence start nearest TARGET_WORDS after ``begin``, within limits.

    Falls back to the word at MAX_WORDS when no sentence boundary fits. The
    remainder after a cut keeps at least MIN_WORDS words where possible.
    """
    best, best_gap = None, None
    for b in bounds:
        if b <= begin:
            continue
        n = _count(words, begin, b)
        if n > MAX_WORDS:
            break
        if n < MIN_WORDS or _count(words, b, end) < MIN_WORDS // 2:
            continue
        gap = abs(n - TARGET_WORDS)
        if best_gap is None or gap < best_gap:
            best, best_gap = b, gap
    if best is not None:
        return best
    from bisect import bisect_left

    return words[bisect_left(words, begin) + TARGET_WORDS]
