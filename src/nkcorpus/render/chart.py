"""The research views on a terminal (rich): a timeline as a bar chart, key
terms as a table."""

from __future__ import annotations

from typing import TextIO

from rich.console import Console
from rich.table import Table
from rich.text import Text

from nkcorpus.model import KeyTerms, Timeline

COLORS = ("cyan", "magenta", "yellow", "green", "blue", "red")
BLOCKS = " ▏▎▍▌▋▊▉█"
DIM = "dim"


def _console(stream: TextIO, options) -> Console:
    return Console(file=stream, force_terminal=options.color, no_color=not options.color,
                   color_system="standard" if options.color else None, highlight=False, emoji=False,
                   markup=False, width=options.width or 100, soft_wrap=options.width is None)


def bar(value: int, top: int, width: int) -> str:
    """A horizontal bar of ``value`` out of ``top`` in ``width`` cells (eighths)."""
    if not top or not value:
        return ""
    eighths = max(1, round(value / top * width * 8))
    return "█" * (eighths // 8) + (BLOCKS[eighths % 8] if eighths % 8 else "")


def render_timeline(result: Timeline, stream: TextIO, options) -> None:
    console = _console(stream, options)
    several = len(result.series) > 1
    label = max((len(s.query) for s in result.series), default=0) if several else 0
    numbers = max((len(f"{c.documents:,} ({c.passages:,})") for s in result.series for c in s.counts), default=1)
    period = max((len(p) for p in result.axis), default=4)
    width = max(10, (options.width or 100) - period - (label + 2 if several else 0) - numbers - 4)
    top = max((c.documents for s in result.series for c in s.counts), default=0)
    title = Text("documents per " + result.by + " (passages)", style=DIM)
    if several:
        title = Text("")
        for i, s in enumerate(result.series):
            title.append(("  " if i else "") + "■ " + s.query, style=COLORS[i % len(COLORS)])
        title.append("   documents per " + result.by + " (passages)", style=DIM)
    else:
        title = Text(f"{result.series[0].query}: ", style="bold") + title
    if result.axis:
        console.print(title)
    for i, p in enumerate(result.axis):
        for j, s in enumerate(result.series):
            c = s.counts[i]
            line = Text(f"{p if j == 0 else '':<{period}}  ")
            if several:
                line.append(f"{s.query:<{label}}  ", style=DIM)
            line.append(f"{bar(c.documents, top, width):<{width}}", style=COLORS[j % len(COLORS)])
            line.append(f"  {c.documents:,} ({c.passages:,})", style=None if c.documents else DIM)
            console.print(line)
    for s in result.series:
        console.print(Text(_summary(s, result), style=DIM))
    for note in result.warnings + result.notes:
        console.print(Text("note: " + note, style=DIM))


def _summary(s, result: Timeline) -> str:
    where = f"{s.query}: " if len(result.series) > 1 or not result.axis else ""
    text = f"{where}total {s.documents:,} documents ({s.passages:,} passages)"
    if s.peak:
        peak = next(c for c in s.counts if c.period == s.peak)
        text += f" in {len(result.axis)} {result.by}s; peak {s.peak}: {peak.documents:,} documents"
    if s.undated_documents:
        text += f"; {s.undated_documents:,} documents ({s.undated_passages:,} passages) without a date"
    return text


def render_terms(result: KeyTerms, stream: TextIO, options) -> None:
    console = _console(stream, options)
    table = Table(box=None, show_edge=False, pad_edge=False, header_style="bold")
    for name, justify in (("#", "right"), ("term", "left"), ("root", "left"), ("matches", "right"),
                          ("corpus", "right"), ("G2", "right")):
        table.add_column(name, justify=justify, no_wrap=True)
    for i, t in enumerate(result.terms, 1):
        table.add_row(str(i), Text(t.form, style="bold" if t.kind == "name" else None),
                      Text(t.term if t.term != t.form.lower() else "", style=DIM),
                      f"{t.matches:,}", f"{t.corpus:,}", f"{t.score:,.1f}")
    console.print(Text(f"{result.query}: key terms of the matching passages against the corpus", style="bold"))
    console.print(table)
    console.print(Text(terms_footer(result), style=DIM))
    for note in result.warnings:
        console.print(Text("note: " + note, style=DIM))


def terms_footer(result: KeyTerms) -> str:
    sample = (f"the {result.sample:,} best of {result.matched:,} matching passages"
              if result.sample < result.matched else f"{result.matched:,} matching passages")
    return (f"{sample} against {result.corpus:,} passages; matches and corpus: passages holding the term; "
            f"log-likelihood G2; bold: names; {result.seconds:.2f}s")
