"""What the commands do once their arguments are parsed: the body of
``search``, and the plumbing every command shares (colour, width, progress,
warnings, errors -> exit codes). No typer here: the quick path of an
everyday search (``fast``) runs without importing it."""

from __future__ import annotations

import os
import sys
from dataclasses import replace
from collections.abc import Callable
from pathlib import Path

from nkcorpus.cli.options import Color, Format, Mode
from nkcorpus.errors import ExitCode, NkError, UsageError
from nkcorpus.settings import DEBUG_ENV, DEFAULT_LIMIT, DEFAULT_PER_FILE, Corpus, SearchSettings, index_base

INTERRUPTED = 130  # 128 + SIGINT, as shells report it (SIGTERM 143, SIGHUP 129: nkcorpus.procs)


# --- search -------------------------------------------------------------------------


def search_command(query: list[str], corpus: list[str] | None = None, limit: int | None = None,
                   json: bool = False, format: Format | None = None, files: bool = False,
                   count: bool = False, per_file: int = DEFAULT_PER_FILE, context: int = 0,
                   full: bool = False, explain: bool = False, stats: bool = False,
                   color: Color = Color.auto,
                   index_dir: Path | None = None,
                   exact: bool = False, file: list[str] | None = None,
                   aliases: str | None = None, since: str | None = None,
                   until: str | None = None, report: Path | None = None,
                   mode: Mode = Mode.hybrid) -> int:
    """``nkcorpus search``: settings -> core -> renderer; the exit code."""
    from nkcorpus.cli.paths import file_globs, split_query

    fmt = _format(json, format)
    if corpus and len(corpus) > 1:
        raise UsageError("give one --corpus",
                         hint="nkcorpus searches one folder at a time; to search several, "
                              "index their parent folder and narrow it with --file DIR")
    if files and count:
        raise UsageError("--files and --count do not go together", hint="choose one")
    words, paths = split_query(query)
    chosen, globs = resolve_corpus(corpus[0] if corpus else None, paths)
    globs += file_globs(chosen.root, file or ())
    documents = files or count
    settings = SearchSettings(
        query=" ".join(words), corpus=chosen, limit=(limit if not files else None) or DEFAULT_LIMIT,
        index_base=index_base(index_dir), exact=exact, files=tuple(globs), aliases_file=aliases,
        per_file=per_file, documents=documents, by_document=files, file_limit=limit if files else None,
        context=context, since=since, until=until, explain=explain, mode=Mode(mode).value)
    from nkcorpus.store.whoosh.leanimport import import_whoosh

    import_whoosh()
    from nkcorpus import render
    from nkcorpus.search import search as run_search

    result = run_search(settings, progress(False, settings.corpus))
    if files and limit:
        result = replace(result, files=result.files[:limit])
    mode = "files" if files else "count" if count else "hits"
    options = render.RenderOptions(color=use_color(color), width=width(), mode=mode, full=full,
                                   relative=corpus is None and not paths, explain=explain)
    print_warnings(result.warnings)
    if not result.hits and globs:
        print_warnings(unmatched_globs(chosen.root, globs, chosen.display))
    if fmt != "text" and not result.hits and result.suggestions:
        print("nkcorpus: did you mean: " + ", ".join(result.suggestions), file=sys.stderr)
    if _bundled_by_accident(corpus, paths, words):
        print(f"nkcorpus: note: searched the bundled essays ({chosen.display}); to search a folder, "
              "give it after the query ending with / (berita/) or with --corpus", file=sys.stderr)
    if report is not None:
        from nkcorpus.cli.views import write_report

        write_report(report, replace(settings, update=False), search=result)
    try:
        render.render(fmt, result, sys.stdout, options)
    except BrokenPipeError:  # the reader (| head) has what it wanted
        silence_stdout()
        return ExitCode.HITS
    finally:
        if stats:
            print_stats(result)
    return ExitCode.HITS if result.hits else ExitCode.NO_HITS


def print_stats(result) -> None:
    """``--stats``: one JSON object on stderr, after the results."""
    import json

    line = {"took_ms": round(result.seconds * 1000, 1), "passages": result.total,
            "documents": result.documents, "hits": len(result.hits)}
    try:
        sys.stdout.flush()  # the results first, then the line on stderr
    except (BrokenPipeError, ValueError):
        pass
    print(json.dumps(line), file=sys.stderr)


def _format(json: bool, fmt: Format | None) -> str:
    if json and fmt not in (None, Format.jsonl):
        raise UsageError(f"--json and --format {fmt.value} do not go together",
                         hint="--json is --format jsonl")
    return "jsonl" if json else (fmt.value if fmt else "text")


def resolve_corpus(arg: str | None, paths: list[str]) -> tuple[Corpus, list[str]]:
    """The corpus to search and the globs (inside it) that the folder and
    file arguments after the query stand for."""
    from nkcorpus.cli.paths import resolve

    return resolve(arg, paths)


def unmatched_globs(root: Path, globs: list[str], display: str) -> list[str]:
    from nkcorpus.cli.paths import unmatched

    return [f"--file {glob!r} matches no file in {display} (globs are relative to the corpus folder; "
            f"* also crosses folders)" for glob in unmatched(root, globs)]


def _bundled_by_accident(corpus, paths, words) -> bool:
    """A word of the query is also a folder here, and the bundled essays were searched."""
    if corpus or paths:
        return False
    return any(os.path.isdir(w) for w in words[1:] if w not in (".", "..") and not w.startswith("-"))


# --- errors -> one line and an exit code -------------------------------------------


def guarded(command: Callable[[], int], more: Callable[[Exception], int | None] | None = None) -> int:
    """Run ``command`` and return its exit code; never lets a traceback out.
    ``more`` may turn other exceptions (the CLI framework's) into a code."""
    try:
        return int(command() or 0)
    except NkError as exc:
        error(exc.message, exc.hint)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        from nkcorpus.procs import exit_code, say_interrupted

        say_interrupted()  # the terminal may be gone (SIGHUP)
        return exit_code(exc)  # 130 for Ctrl-C, 143 for SIGTERM, 129 for SIGHUP
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
