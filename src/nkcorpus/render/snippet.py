"""Trim a passage to the part around its matches (pure, no rich)."""

from __future__ import annotations

from nkcorpus.model import Match

WIDTH = 320  # characters of passage shown per hit, about three terminal lines


def window(text: str, matches: tuple[Match, ...], width: int = WIDTH) -> tuple[int, int]:
    """[start, end) of the ``width``-character span with the most distinct
    matched terms (ties: the longest run of adjacent matches, then most
    matches, then earliest), snapped to words."""
    if len(text) <= width:
        return 0, len(text)
    start = _best_start(text, matches, width)
    end = min(len(text), start + width)
    start = _snap_left(text, start)
    end = _snap_right(text, end)
    return start, end


def _best_start(text: str, matches: tuple[Match, ...], width: int) -> int:
    best, best_key = 0, (-1, -1, -1)
    for start in _candidate_starts(text, matches, width):
        inside = [x for x in matches if x.start >= start and x.end <= start + width]
        key = (len({x.term for x in inside}), _longest_run(text, inside), len(inside))
        if key > best_key:
            best, best_key = start, key
    return best


def _longest_run(text: str, matches: list[Match]) -> int:
    """Most matches in a row with only spaces or punctuation between them:
    a phrase shown whole beats the same words scattered."""
    best = run = 0
    for prev, cur in zip([None, *matches], matches):
        joined = prev is not None and not any(c.isalnum() for c in text[prev.end:cur.start])
        run = run + 1 if joined else 1
        best = max(best, run)
    return best


def _candidate_starts(text: str, matches: tuple[Match, ...], width: int) -> list[int]:
    """Windows with a match near their start, and with a match near their end."""
    last = len(text) - width
    starts = {max(0, min(m.start - width // 4, last)) for m in matches}
    starts |= {max(0, min(m.end - width + width // 8, last)) for m in matches}
    return sorted(starts)


def _snap_left(text: str, pos: int) -> int:
    if pos == 0:
        return 0
    space = text.find(" ", pos)
    return space + 1 if 0 <= space < pos + 20 else pos


def _snap_right(text: str, pos: int) -> int:
    """Extend to the end of the word cut at ``pos`` (never cut a match)."""
    if pos >= len(text):
        return len(text)
    space = text.find(" ", pos)
    return space if 0 <= space < pos + 20 else pos
