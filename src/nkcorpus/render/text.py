"""Human output on a terminal: rank, path:line, score, highlighted snippet."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.text import Text

from nkcorpus.model import Hit, SearchResult
from nkcorpus.render.snippet import window

PATH_STYLE = "magenta"
LINE_STYLE = "green"
MATCH_STYLE = "bold red"
DIM = "dim"
TITLE_STYLE = "cyan"
TITLE_CHARS = 60


def render(result: SearchResult, stream: TextIO, options) -> None:
    console = Console(
        file=stream, force_terminal=options.color, no_color=not options.color,
        color_system="standard" if options.color else None,
        highlight=False, emoji=False, markup=False, width=options.width or 100,
        soft_wrap=not options.color,
    )
    for note in _notes(result):
        console.print(Text(note, style=DIM))
    for hit in result.hits:
        console.print(_heading(hit))
        console.print(_snippet(hit))
        console.print()
    console.print(Text(_footer(result), style=DIM))


def _notes(result: SearchResult) -> list[str]:
    notes = list(result.warnings)
    if result.suggestions:
        notes.append("did you mean: " + ", ".join(result.suggestions))
    if result.expansions:
        notes.append("also searched: " + ", ".join(result.expansions))
    return notes


def location(hit: Hit) -> str:
    if hit.unit == "page":
        return f"p{hit.line_start}"
    if hit.unit == "paragraph":
        return f"¶{hit.line_start}"
    return str(hit.line_start)


def _heading(hit: Hit) -> Text:
    text = Text()
    text.append(f"{hit.rank:>2}  ")
    text.append(hit.path, style=PATH_STYLE)
    text.append(":")
    text.append(location(hit), style=LINE_STYLE)
    about = _about(hit)
    if about:
        text.append(f"  {about}", style=TITLE_STYLE)
    text.append(f"  score {hit.score:.2f}", style=DIM)
    return text


def _about(hit: Hit) -> str:
    """The document's date, source and title (cut to TITLE_CHARS), as known."""
    title = hit.title
    if title and len(title) > TITLE_CHARS:
        title = title[: TITLE_CHARS - 1].rstrip() + "…"
    return "  ".join(x for x in (hit.date, hit.source, title and f"“{title}”") if x)


def _snippet(hit: Hit) -> Text:
    start, end = window(hit.text, hit.matches)
    text = Text("    ")
    if start > 0:
        text.append("…")
    pos = start
    for m in hit.matches:
        if m.start < pos or m.end > end:
            continue
        text.append(hit.text[pos:m.start])
        text.append(hit.text[m.start:m.end], style=MATCH_STYLE)
        pos = m.end
    text.append(hit.text[pos:end])
    if end < len(hit.text):
        text.append("…")
    return text


def _footer(result: SearchResult) -> str:
    shown = len(result.hits)
    noun = "passage" if result.total == 1 else "passages"
    return f"{shown} of {result.total} matching {noun} in {result.seconds:.2f}s"
