"""Files -> documents -> passages: read one file as repaired text, in
parts, and cut each part into passages."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from nkcorpus.ingest.extract import Extracted, ExtractError, extract_parts
from nkcorpus.ingest.normalize import repair
from nkcorpus.ingest.passages import split_passages
from nkcorpus.model import Passage

# Text of parsed formats is repaired and cut into passages this many
# characters at a time, so memory stays bounded for big documents too.
PIECE_CHARS = 2**21


@dataclass(frozen=True, slots=True)
class Document:
    """A part of a file's repaired text and how its lines map to locations."""

    text: str
    unit: str
    locations: tuple[int, ...] | None
    title: str | None = None
    first_line: int = 1
    date: str | None = None  # from the file's metadata (HTML, PDF, DOCX), if any

    def location(self, line: int) -> int:
        """Location (in ``unit``) of 1-based text line ``line``."""
        if self.locations is None:
            return self.first_line + line - 1
        return self.locations[min(line, len(self.locations)) - 1]


class SkipFile(Exception):
    """A file that cannot be indexed; the message says why, in a few words.

    ``vanished`` is set when the file no longer exists.
    """

    def __init__(self, reason: str, vanished: bool = False) -> None:
        super().__init__(reason)
        self.vanished = vanished


@dataclass(frozen=True, slots=True)
class Located:
    """A passage of a file, with where it stands in the file's own unit."""

    unit: str  # "line", "page" or "paragraph"
    loc_start: int
    loc_end: int
    passage: Passage


def passages_of(document: Document) -> list[Located]:
    """The passages of one part of a file, located in the file."""
    return [Located(document.unit, document.location(p.line_start), document.location(p.line_end), p)
            for p in split_passages(document.text, document.title)]


def read_parts(root: Path, rel: str) -> Iterator[Document]:
    """Read and repair one file, in parts; SkipFile (with a short reason) if
    impossible. Big files come in several parts, so SkipFile may also come
    after some parts (a read error in the middle of a file)."""
    try:
        for extracted in extract_parts(root / rel):
            for piece in pieces(extracted):
                yield Document(repair(piece.text), piece.unit, piece.locations,
                               piece.title, piece.first_line, piece.date)
    except ExtractError as exc:
        raise SkipFile(str(exc)) from None
    except FileNotFoundError:
        raise SkipFile("vanished while indexing", vanished=True) from None
    except OSError as exc:
        raise SkipFile(exc.strerror or type(exc).__name__) from None
    except MemoryError:
        raise SkipFile("not enough memory to read it") from None
    except Exception as exc:  # a bug, but one file must not stop the run
        raise SkipFile(f"internal error: {type(exc).__name__}: {exc}") from None


def pieces(extracted: Extracted, max_chars: int | None = None) -> Iterator[Extracted]:
    """``extracted`` cut at line ends into pieces of at most ``max_chars``
    (default PIECE_CHARS) characters; a longer line is cut where it must be."""
    max_chars = max_chars or PIECE_CHARS
    text, start, line = extracted.text, 0, 0
    if len(text) <= max_chars:
        yield extracted
        return
    while start < len(text):
        end = len(text)
        if end - start > max_chars:
            end = text.rfind("\n", start, start + max_chars) + 1 or start + max_chars
        newlines = text.count("\n", start, end)
        locations = extracted.locations
        yield dataclasses.replace(
            extracted, text=text[start:end], first_line=extracted.first_line + line,
            locations=None if locations is None else locations[line : line + newlines + 1],
        )
        start, line = end, line + newlines
