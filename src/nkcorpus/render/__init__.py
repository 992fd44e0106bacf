"""One table of output formats; each renderer takes a result and a stream.

Renderer modules are imported only when their format is chosen, so the JSON
and CSV paths never load rich. Each renders three views (``mode``): the
hits, the matching files (``--files``) or the counts (``--count``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from importlib import import_module
from typing import TextIO

from nkcorpus.model import SearchResult

FORMATS = {
    "text": "nkcorpus.render.text",
    "jsonl": "nkcorpus.render.jsonl",
    "csv": "nkcorpus.render.table",
    "tsv": "nkcorpus.render.table",
}
MODES = ("hits", "files", "count")


@dataclass(frozen=True, slots=True)
class RenderOptions:
    color: bool = False
    width: int | None = None
    mode: str = "hits"  # "hits" | "files" | "count"
    full: bool = False  # whole passages, not trimmed around the matches
    relative: bool = False  # show paths inside the corpus (the bundled essays)
    explain: bool = False  # each hit's parts of the query, the forms found, their shares
    format: str = "text"


def render(fmt: str, result: SearchResult, stream: TextIO, options: RenderOptions) -> None:
    import_module(FORMATS[fmt]).render(result, stream, replace(options, format=fmt))
