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

from nkcorpus.settings import ALIASES_ENV, DEFAULT_LIMIT, DEFAULT_PER_FILE, INDEX_DIR_ENV


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


class Format(str, Enum):
    text = "text"
    jsonl = "jsonl"
    csv = "csv"
    tsv = "tsv"
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


def _count(raw: str) -> int | None:
    return int(raw) if raw.isascii() and raw.isdigit() else None


def _color(raw: str) -> Color | None:
    return Color(raw) if raw in Color.__members__ else None


def _format(raw: str) -> Format | None:
    return Format(raw) if raw in Format.__members__ else None
def _mode(raw: str) -> Mode | None:
    return Mode(raw) if raw in Mode.__members__ else None


CORPUS = Opt("corpus", ("--corpus", "-c"), "value", Optional[str], None,
             "Folder of documents to search [default: the bundled essays].")
INDEX_DIR = Opt("index_dir", ("--index-dir",), "value", Optional[Path], None,
                "Where indexes live (one folder per corpus) [default: the user cache folder].",
                envvar=INDEX_DIR_ENV, convert=Path)

SEARCH = (
    Opt("corpus", ("--corpus", "-c"), "values", Optional[list[str]], None,
        "Folder of documents to search [default: the bundled essays]; or give folders and "
        "files after the query.", metavar="DIR"),
    Opt("limit", ("--limit", "-n"), "value", Optional[int], None,
        f"Most hits to show [default: {DEFAULT_LIMIT}; with --files: every file].", min=1,
        convert=_positive_int),
    Opt("json", ("--json",), "flag", bool, False, "JSON Lines on stdout, one object per hit (--format jsonl)."),
    Opt("format", ("--format",), "value", Optional[Format], None,
        "Output: text, jsonl, csv or tsv [default: text].", convert=_format),
    Opt("files", ("--files", "-l"), "flag", bool, False,
        "Only the matching files, one a line, best first (like rg -l)."),
    Opt("count", ("--count",), "flag", bool, False, "Only the number of matching passages and files."),
    Opt("per_file", ("--per-file",), "value", int, DEFAULT_PER_FILE,
        "Most passages of one file among the hits (0: no limit).", min=0, metavar="N", convert=_count),
    Opt("context", ("--context", "-C"), "value", int, 0,
        "Show N passages before and after each hit.", min=0, metavar="N", convert=_count),
    Opt("full", ("--full",), "flag", bool, False, "Show whole passages, not trimmed around the matches."),
    Opt("stats", ("--stats",), "flag", bool, False,
        "After the results, one JSON line on stderr: took_ms (the search in this process), passages, documents."),
    Opt("explain", ("--explain",), "flag", bool, False,
        "Show why each hit matched: each part of the query, the forms found, and its share of the score."),
    Opt("color", ("--color",), "value", Color, Color.auto, "Colour the output.", convert=_color),
    INDEX_DIR,
    Opt("exact", ("--exact",), "flag", bool, False,
        "No aliases, glossary or typo matching: only the words typed (still stemmed)."),
    Opt("mode", ("--mode",), "value", Mode, Mode.hybrid,
        "hybrid: words and meaning (passage vectors) where vectors exist; lexical: words only; "
        "semantic: meaning only. --exact is always lexical.", convert=_mode),
    Opt("file", ("--file", "-f"), "values", Optional[list[str]], None,
        "Only files whose path or name matches GLOB, or inside folder DIR (repeatable).", metavar="GLOB"),
    Opt("aliases", ("--aliases",), "value", Optional[str], None,
        "Your own aliases ('a = b' lines), added to the bundled ones.", metavar="FILE",
        envvar=ALIASES_ENV),
    Opt("since", ("--since",), "value", Optional[str], None,
        "Only documents dated on or after DATE (YYYY, YYYY-MM or YYYY-MM-DD).", metavar="DATE"),
    Opt("until", ("--until",), "value", Optional[str], None,
        "Only documents dated on or before DATE (a month or year counts whole).", metavar="DATE"),
    Opt("report", ("--report",), "value", Optional[Path], None,
        "Also write a self-contained HTML report (passages, timeline, key terms) to FILE.",
        metavar="FILE.html", convert=Path),
)


class By(str, Enum):
    year = "year"
    month = "month"
    week = "week"


def _by(raw: str) -> By | None:
    return By(raw) if raw in By.__members__ else None


_SEARCH = {o.name: o for o in SEARCH}
_VIEW_FORMAT = Opt("format", ("--format",), "value", Format, Format.text,
                   "Output: text, jsonl, csv or tsv.", convert=_format)
_SHARED = (CORPUS, _VIEW_FORMAT, _SEARCH["color"], INDEX_DIR, _SEARCH["exact"], _SEARCH["file"],
           _SEARCH["aliases"], _SEARCH["since"], _SEARCH["until"])
# nkcorpus timeline QUERY... / terms QUERY / similar PATH:LINE
TIMELINE = (Opt("by", ("--by",), "value", By, By.month, "Count per year, month or week (ISO weeks).",
                convert=_by), *_SHARED, _SEARCH["report"])
TERMS = (Opt("limit", ("--limit", "-n"), "value", int, 30, "Most terms to show.", min=1,
             convert=_positive_int), *_SHARED, _SEARCH["report"])
SIMILAR = (Opt("limit", ("--limit", "-n"), "value", int, DEFAULT_LIMIT, "Most passages to show.", min=1,
               convert=_positive_int), _SEARCH["per_file"], _SEARCH["full"], *_SHARED)

# The quick parser's tables: option spelling -> parameter name.
SEARCH_FLAGS = {flag: o.name for o in SEARCH if o.kind == "flag" for flag in o.flags}
SEARCH_VALUES = {flag: o.name for o in SEARCH if o.kind != "flag" for flag in o.flags}
SEARCH_ENVVARS = {o.name: o.envvar for o in SEARCH if o.envvar}
SEARCH_DEFAULTS = {o.name: o.default for o in SEARCH}
SHORT = {flag for o in SEARCH for flag in o.flags if not flag.startswith("--")}


def is_query_word(arg: str) -> bool:
    """A ``-word`` typed among the options that is not one: ``-iran``,
    ``-path:x``, ``-"uji coba"`` exclude from the query (``-n5``, ``-c dir``
    stay options; ``-nuklir``, all letters, is a word)."""
    if len(arg) < 2 or arg[0] != "-" or arg[1] == "-":
        return False
    return arg[:2] not in SHORT or (len(arg) > 2 and arg[1:].isalpha())
