"""What the commands do once their arguments are parsed, and the entry point.

``cli.py`` declares the commands for typer; this module holds their shared
plumbing (colour, width, progress, warnings, errors -> exit codes) and the
body of ``search``, without importing typer. Importing typer (and the click
it carries) is a fifth of a search's start-up, so ``main`` parses an
everyday ``nkcorpus search WORDS [options]`` line itself, with the option
table below (``tests/test_commands.py`` checks it against typer's own
declaration, and that both parse every line alike). Anything else or
unusual (help, an unknown option, a value typer would refuse) goes to typer,
which parses it and explains any mistake.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from enum import Enum
from pathlib import Path

from nkcorpus.errors import ExitCode, NkError
from nkcorpus.settings import DEFAULT_LIMIT, Corpus, SearchSettings, index_base

INTERRUPTED = 130  # 128 + SIGINT, as shells report it


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


def main(argv: list[str] | None = None) -> None:
    """The ``nkcorpus`` command."""
    argv = sys.argv[1:] if argv is None else list(argv)
    params = parse_search(argv)
    if params is None:
        from nkcorpus.cli import run

        sys.exit(run(argv))
    sys.exit(guarded(lambda: search_command(**params)))


# --- search -------------------------------------------------------------------------


def search_command(query: list[str], corpus: str | None = None, limit: int = DEFAULT_LIMIT,
                   json: bool = False, color: Color = Color.auto, index_dir: Path | None = None,
                   exact: bool = False, file: list[str] | None = None,
                   aliases: str | None = None) -> int:
    """``nkcorpus search``: settings -> core -> renderer; the exit code."""
    from nkcorpus.leanimport import import_whoosh

    settings = SearchSettings(query=" ".join(query), corpus=Corpus.from_arg(corpus), limit=limit,
                              index_base=index_base(index_dir), exact=exact,
                              files=tuple(file or ()), aliases_file=aliases)
    import_whoosh()
    from nkcorpus import render
    from nkcorpus.search import search as run_search

    result = run_search(settings, progress(False, settings.corpus))
    options = render.RenderOptions(color=use_color(color), width=width())
    print_warnings(result.warnings)
    if json and not result.hits and result.suggestions:
        print("nkcorpus: did you mean: " + ", ".join(result.suggestions), file=sys.stderr)
    try:
        render.render("json" if json else "text", result, sys.stdout, options)
    except BrokenPipeError:  # the reader (| head) has what it wanted
        silence_stdout()
        return ExitCode.HITS
    return ExitCode.HITS if result.hits else ExitCode.NO_HITS


# `search`'s options as cli.py declares them for typer: name -> parameter.
SEARCH_FLAGS = {"--json": "json", "--exact": "exact"}
SEARCH_VALUES = {"--corpus": "corpus", "-c": "corpus", "--limit": "limit", "-n": "limit",
                 "--color": "color", "--index-dir": "index_dir", "--file": "file", "-f": "file",
                 "--aliases": "aliases"}
SEARCH_ENVVARS = {"index_dir": "NKCORPUS_INDEX_DIR", "aliases": "NKCORPUS_ALIASES"}


def parse_search(argv: list[str], env: Mapping[str, str] = os.environ) -> dict | None:
    """The parameters of ``search_command`` for an everyday search line, or
    None when typer should parse ``argv`` (see the module's docstring)."""
    if len(argv) < 2 or argv[0] != "search":
        return None
    words: list[str] = []
    values: dict[str, str | list[str]] = {}
    args = iter(argv[1:])
    for arg in args:
        if arg == "--":
            words.extend(args)
        elif not arg.startswith("-") or arg == "-":
            words.append(arg)
        elif not _take_option(arg, args, values):
            return None
    return _search_params(words, values, env) if words else None


def _take_option(arg: str, args, values: dict) -> bool:
    """Put option ``arg`` (and its value) into ``values``; False if typer
    should handle it: unknown, a value missing, empty or like an option."""
    if arg.startswith("--"):
        name, equals, value = arg.partition("=")
    else:  # -n5 or -n 5
        name, value = arg[:2], arg[2:]
        equals = "=" if value else ""
    if name in SEARCH_FLAGS and not equals:
        values[SEARCH_FLAGS[name]] = "yes"
        return True
    param = SEARCH_VALUES.get(name)
    if param is None:
        return False
    if not equals:
        value = next(args, "")
    if not value or value.startswith("-"):
        return False
    if param == "file":
        values.setdefault("file", []).append(value)
    else:
        values[param] = value  # the last one counts, as in click
    return True


def _search_params(words: list[str], values: dict, env: Mapping[str, str]) -> dict | None:
    """Typed parameters, environment defaults applied; None for a value that
    typer would refuse (it then says why)."""
    limit = values.get("limit", str(DEFAULT_LIMIT))
    color = values.get("color", Color.auto.value)
    if not (limit.isascii() and limit.isdigit() and int(limit) >= 1) or color not in Color.__members__:
        return None
    index_dir = values.get("index_dir") or env.get(SEARCH_ENVVARS["index_dir"]) or None
    return {
        "query": words, "corpus": values.get("corpus"), "limit": int(limit),
        "json": "json" in values, "color": Color(color),
        "index_dir": Path(index_dir) if index_dir else None, "exact": "exact" in values,
        "file": values.get("file"),
        "aliases": values.get("aliases") or env.get(SEARCH_ENVVARS["aliases"]) or None,
    }


# --- errors -> one line and an exit code -------------------------------------------


def guarded(command: Callable[[], int], more: Callable[[Exception], int | None] | None = None) -> int:
    """Run ``command`` and return its exit code; never lets a traceback out.
    ``more`` may turn other exceptions (the CLI framework's) into a code."""
    try:
        return int(command() or 0)
    except NkError as exc:
        error(exc.message, exc.hint)
        return exc.exit_code
    except KeyboardInterrupt:
        print("nkcorpus: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        silence_stdout()
        return ExitCode.HITS
    except Exception as exc:
        code = more(exc) if more is not None else None
        if code is not None:
            return code
        # a bug: say so in one line, traceback on request
        if os.environ.get("NKCORPUS_DEBUG"):
            raise
        error(f"internal error: {type(exc).__name__}: {exc}", "set NKCORPUS_DEBUG=1 for a traceback")
        return ExitCode.ERROR


def error(message: str, hint: str | None) -> None:
    line = f"nkcorpus: error: {message}"
    if hint:
        line += f" ({hint})"
    print(line, file=sys.stderr)


def print_warnings(warnings) -> None:
    for warning in warnings:
        print(f"nkcorpus: warning: {warning}", file=sys.stderr)


def silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so exit does not fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


# --- environment: colour, width, progress -------------------------------------


def use_color(choice: Color, env=os.environ, stream=None) -> bool:
    stream = stream or sys.stdout
    if choice is Color.always:
        return True
    if choice is Color.never or env.get("NO_COLOR"):
        return False
    return stream.isatty() and env.get("TERM") != "dumb"


def width() -> int | None:
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


def progress(quiet: bool, corpus: Corpus):
    """A rich progress bar on a terminal; else (or with --quiet) warnings only."""
    def show(rel: str) -> str:
        from nkcorpus.render.status import printable

        return printable(corpus.show(rel))

    if quiet or not sys.stderr.isatty():
        return _PlainProgress(quiet, show)
    return _LazyRichProgress(show)


class _LazyRichProgress:
    """The rich progress bar, imported only when there is progress to show:
    a search whose index is fresh never loads rich."""

    def __init__(self, show) -> None:
        self._show = show
        self._bar = None

    def __getattr__(self, name: str):
        if self._bar is None:
            from nkcorpus.progress import RichProgress

            self._bar = RichProgress(self._show)
        return getattr(self._bar, name)


class _PlainProgress:
    """Warnings on stderr, one line each; no bar."""

    def __init__(self, quiet: bool, show) -> None:
        self.quiet = quiet
        self.show = show

    def start(self, files: int, nbytes: int) -> None: ...

    def advance(self, nbytes: int) -> None: ...

    def finish(self) -> None: ...

    def warn(self, rel: str, reason: str) -> None:
        print(f"nkcorpus: warning: skipped {self.show(rel)}: {reason}", file=sys.stderr)

    def waiting(self, message: str) -> None:
        if not self.quiet:
            print(f"nkcorpus: {message}", file=sys.stderr)
