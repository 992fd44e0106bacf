"""Every option of ``nkcorpus search`` (and the ones other commands share),
declared once. The typer app (``app``) builds its signatures from this
table, and the quick parser (``fast``) reads the same table, so the two can
never disagree on a name, a flag or an environment variable.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import Enum
from pathlib import Path
from typing import Any, Optional

from nkcorpus.settings import ALIASES_ENV, DEFAULT_LIMIT, INDEX_DIR_ENV


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class Mode(str, Enum):
    hybrid = "hybrid"
    lexical = "lexical"
    semantic = "semantic"


@dataclass(frozen=True, slots=True)
class Opt:
    """One command-line option: the parameter it fills and how it is typed.

    ``kind``: ``flag`` (no value), ``value`` (one; the last one given
    counts), ``values`` (repeatable, collected in a list). ``convert``
    turns a value as typed into the parameter, None where typer refuses it."""

    name: str
    flags: tuple[str, ...]
    kind: str
    type: Any
    default: Any
    help: str
    metavar: str | None = None
    envvar: str | None = None
    min: int | None = None
    convert: Callable[[str], Any] = str


def _positive_int(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() and int(raw) >= 1 else None


def _color(raw: str) -> Color | None:
    return Color(raw) if raw in Color.__members__ else None


def _mode(raw: str) -> Mode | None:
    return Mode(raw) if raw in Mode.__members__ else None


CORPUS = Opt("corpus", ("--corpus", "-c"), "value", Optional[str], None,
             "Folder of documents to search [default: the bundled essays].")
INDEX_DIR = Opt("index_dir", ("--index-dir",), "value", Optional[Path], None,
                "Where indexes live (one folder per corpus) [default: the user cache folder].",
                envvar=INDEX_DIR_ENV, convert=Path)

SEARCH = (
    CORPUS,
    Opt("limit", ("--limit", "-n"), "value", int, DEFAULT_LIMIT, "Most hits to show.", min=1,
        convert=_positive_int),
    Opt("json", ("--json",), "flag", bool, False, "JSON Lines on stdout, one object per hit."),
    Opt("color", ("--color",), "value", Color, Color.auto, "Colour the output.", convert=_color),
    INDEX_DIR,
    Opt("exact", ("--exact",), "flag", bool, False,
        "No aliases, glossary or typo matching: only the words typed (still stemmed)."),
    Opt("mode", ("--mode",), "value", Mode, Mode.hybrid,
        "hybrid: words and meaning (passage vectors) where vectors exist; lexical: words only; "
        "semantic: meaning only. --exact is always lexical.", convert=_mode),
    Opt("file", ("--file", "-f"), "values", Optional[list[str]], None,
        "Only files whose path or name matches GLOB (repeatable).", metavar="GLOB"),
    Opt("aliases", ("--aliases",), "value", Optional[str], None,
        "Your own aliases ('a = b' lines), added to the bundled ones.", metavar="FILE",
        envvar=ALIASES_ENV),
)

# The quick parser's tables: option spelling -> parameter name.
SEARCH_FLAGS = {flag: o.name for o in SEARCH if o.kind == "flag" for flag in o.flags}
SEARCH_VALUES = {flag: o.name for o in SEARCH if o.kind != "flag" for flag in o.flags}
SEARCH_ENVVARS = {o.name: o.envvar for o in SEARCH if o.envvar}
SEARCH_DEFAULTS = {o.name: o.default for o in SEARCH}
