"""Human output on a terminal: rank, path:line, score, highlighted snippet."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.padding import Padding
from rich.text import Text

from nkcorpus.model import Hit, Nearby, SearchResult
from nkcorpus.render.snippet import window

PATH_STYLE = "magenta"
LINE_STYLE = "green"
MATCH_STYLE = "bold red"
DIM = "dim"
INDENT = 4


class _Console(Console):
    """A console that lets a closed pipe raise BrokenPipeError (rich's own
    exits with status 1), so the command ends quietly with its own code."""

    def on_broken_pipe(self) -> None:
        self.quiet = True
        raise BrokenPipeError
TITLE_STYLE = "cyan"
TITLE_CHARS = 60


def render(result: SearchResult, stream: TextIO, options) -> None:
    console = _Console(
        file=stream, force_terminal=options.color, no_color=not options.color,
        color_system="standard" if options.color else None,
        highlight=False, emoji=False, markup=False, width=options.width or 100,
        soft_wrap=options.width is None,  # a pipe: one line per passage, never wrapped
    )
    if options.mode == "count":
        console.print(_count(result))
        return
    if options.mode == "files":
        for f in result.files:
            line = Text(f.rel if options.relative else f.path, style=PATH_STYLE)
            console.print(line)
        return
    for note in _notes(result):
        console.print(Text(note, style=DIM))
    wrap = options.width is not None
    for hit in result.hits:
        console.print(_heading(hit, options.relative))
        for near in hit.before:
            console.print(_indented(_nearby(hit, near), wrap))
        console.print(_indented(_snippet(hit, options.full), wrap))
        for near in hit.after:
            console.print(_indented(_nearby(hit, near), wrap))
        if options.explain:
            for why in hit.explain:
                console.print(_indented(_why(why), wrap))
        console.print()
    console.print(Text(_footer(result), style=DIM))


def _why(why) -> Text:
    """``why: korut 61%  as alias: korea utara, typed: korut``."""
    text = Text("why: ", style=DIM)
    text.append(why.concept, style=MATCH_STYLE)
    text.append(f" {why.share:.0%}  ")
    text.append(", ".join(f"{way}: {found}" for way, found in why.matched), style=DIM)
    return text


def _indented(text: Text, wrap: bool):
    """A passage, indented; on a terminal, its wrapped lines too."""
    if wrap:
        return Padding(text, (0, 0, 0, INDENT), expand=False)
    return Text(" " * INDENT) + text


def _notes(result: SearchResult) -> list[str]:
    notes = list(result.warnings)
    if result.suggestions:
        notes.append("did you mean: " + ", ".join(result.suggestions))
    if result.expansions:
        notes.append("also searched: " + ", ".join(result.expansions))
    return notes


def location(hit: Hit | Nearby, unit: str | None = None) -> str:
    unit = unit or hit.unit
    if unit == "page":
        return f"p{hit.line_start}"
    if unit == "paragraph":
        return f"¶{hit.line_start}"
    return str(hit.line_start)


def _heading(hit: Hit, relative: bool = False) -> Text:
    text = Text()
    text.append(f"{hit.rank:>2}  ")
    text.append(hit.rel if relative else hit.path, style=PATH_STYLE)
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


def _nearby(hit: Hit, near: Nearby) -> Text:
    text = Text(f"{location(near, hit.unit)}- ", style=LINE_STYLE)
    text.append(near.text, style=DIM)
    return text


def _snippet(hit: Hit, full: bool = False) -> Text:
    start, end = (0, len(hit.text)) if full else window(hit.text, hit.matches)
    text = Text()
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


def _count(result: SearchResult) -> str:
    docs = result.documents
    return f"{result.total} {_plural(result.total, 'passage')} in {docs} {_plural(docs or 0, 'document')}"


def _plural(n: int, noun: str) -> str:
    return noun if n == 1 else noun + "s"


def _footer(result: SearchResult) -> str:
    shown = len(result.hits)
    noun = "passage" if result.total == 1 else "passages"
    where = f" in {result.documents} {_plural(result.documents, 'document')}" if result.documents is not None else ""
    return f"{shown} of {result.total} matching {noun}{where} in {result.seconds:.2f}s"
