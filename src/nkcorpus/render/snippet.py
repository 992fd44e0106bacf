"""Trim a passage to the part around its matches (pure, no rich)."""

from __future__ import annotations

from nkcorpus.model import Match

WIDTH = 320  # characters of passage shown per hit, about three terminal lines


def window(text: str, matches: tuple[Match, ...], width: int = WIDTH) -> tuple[int, int]:
    """[start, end) of the ``width``-character span with the most distinct
    matched terms (ties: most matches, then earliest), snapped to words."""
    if len(text) <= width:
        return 0, len(text)
    start = _best_start(text, matches, width)
    end = min(len(text), start + width)
    start = _snap_left(text, start)
    end = _snap_right(text, end)
    return start, end


def _best_start(text: str, matches: tuple[Match, ...], width: int) -> int:
    best, best_key = 0, (-1, -1)
    for m in matches:
        start = max(0, min(m.start - width // 4, len(text) - width))
        inside = [x for x in matches if x.start >= start and x.end <= start + width]
        key = (len({x.term for x in inside}), len(inside))
        if key > best_key:
            best, best_key = start, key
    return best


def _snap_left(text: str, pos: int) -> int:
    if pos == 0:
        return 0
    space = text.find(" ", pos)
    return space + 1 if 0 <= space < pos + 20 else pos


def _snap_right(text: str, pos: int) -> int:
    if pos >= len(text):
        return len(text)
    space = text.rfind(" ", pos - 20, pos)
    return space if space > 0 else pos
