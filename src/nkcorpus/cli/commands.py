"""What the commands do once their arguments are parsed: the body of
``search``, and the plumbing every command shares (colour, width, progress,
warnings, errors -> exit codes). No typer here: the quick path of an
everyday search (``fast``) runs without importing it."""

from __future__ import annotations

import os
import sys
from collections.abc import Callable
from pathlib import Path

from nkcorpus.cli.options import Color, Mode
from nkcorpus.errors import ExitCode, NkError
from nkcorpus.settings import DEBUG_ENV, DEFAULT_LIMIT, Corpus, SearchSettings, index_base

INTERRUPTED = 130  # 128 + SIGINT, as shells report it


# --- search -------------------------------------------------------------------------


def search_command(query: list[str], corpus: str | None = None, limit: int = DEFAULT_LIMIT,
                   json: bool = False, color: Color = Color.auto, index_dir: Path | None = None,
                   exact: bool = False, file: list[str] | None = None,
                   aliases: str | None = None, mode: Mode = Mode.hybrid) -> int:
    """``nkcorpus search``: settings -> core -> renderer; the exit code."""
    from nkcorpus.store.whoosh.leanimport import import_whoosh

    settings = SearchSettings(query=" ".join(query), corpus=Corpus.from_arg(corpus), limit=limit,
                              index_base=index_base(index_dir), exact=exact,
                              files=tuple(file or ()), aliases_file=aliases, mode=Mode(mode).value)
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
        if os.environ.get(DEBUG_ENV):
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
            from nkcorpus.render.progress import RichProgress

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

    def embed_start(self, texts: int) -> None: ...

    def embed_advance(self, texts: int) -> None: ...

    def embed_finish(self) -> None: ...

    def warn(self, rel: str, reason: str) -> None:
        print(f"nkcorpus: warning: skipped {self.show(rel)}: {reason}", file=sys.stderr)

    def waiting(self, message: str) -> None:
        if not self.quiet:
            print(f"nkcorpus: {message}", file=sys.stderr)
