"""One table of output formats; each renderer takes a result and a stream.

Renderer modules are imported only when their format is chosen, so the JSON
path never loads rich.
"""

from __future__ import annotations

from dataclasses import dataclass
from importlib import import_module
from typing import TextIO

from nkcorpus.model import SearchResult

FORMATS = {
    "text": "nkcorpus.render.text",
    "json": "nkcorpus.render.jsonl",
}


@dataclass(frozen=True, slots=True)
class RenderOptions:
    color: bool = False
    width: int | None = None


def render(fmt: str, result: SearchResult, stream: TextIO, options: RenderOptions) -> None:
    import_module(FORMATS[fmt]).render(result, stream, options)
