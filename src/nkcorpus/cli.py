"""The command line: arguments -> settings -> core -> renderer, and exit codes.

Nothing but argument handling lives here. Errors from the core arrive as
``NkError`` and leave as one line on stderr with exit code 2.
"""

from __future__ import annotations

import os
import sys
from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer

from nkcorpus import __version__
from nkcorpus.errors import ExitCode, NkError
from nkcorpus.leanimport import import_whoosh
from nkcorpus.settings import DEFAULT_LIMIT, Corpus, IndexSettings, SearchSettings, index_base

app = typer.Typer(
    name="nkcorpus",
    help="Search Indonesian documents: ranked, highlighted passages with file and line.",
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


class Color(str, Enum):
    auto = "auto"
    always = "always"
    never = "never"


CorpusOpt = Annotated[
    Optional[str],
    typer.Option("--corpus", "-c", help="Folder of documents to search [default: the bundled essays]."),
]
IndexDirOpt = Annotated[
    Optional[Path],
    typer.Option("--index-dir", envvar="NKCORPUS_INDEX_DIR", show_envvar=True,
                 help="Where indexes live (one folder per corpus) [default: the user cache folder]."),
]


@app.command()
def search(
    query: Annotated[list[str], typer.Argument(
        help='Words to find (one or more arguments); "quoted words" form a phrase.')],
    corpus: CorpusOpt = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="Most hits to show.")] = DEFAULT_LIMIT,
    json: Annotated[bool, typer.Option("--json", help="JSON Lines on stdout, one object per hit.")] = False,
    color: Annotated[Color, typer.Option(help="Colour the output.")] = Color.auto,
    index_dir: IndexDirOpt = None,
    exact: Annotated[bool, typer.Option(
        "--exact", help="No aliases, glossary or typo matching: only the words typed (still stemmed).")] = False,
    file: Annotated[Optional[list[str]], typer.Option(
        "--file", "-f", metavar="GLOB", help="Only files whose path or name matches GLOB (repeatable).")] = None,
    aliases: Annotated[Optional[str], typer.Option(
        "--aliases", metavar="FILE", envvar="NKCORPUS_ALIASES", show_envvar=True,
        help="Your own aliases ('a = b' lines), added to the bundled ones.")] = None,
) -> int:
    """Search a corpus (built or refreshed automatically when its files changed).

    Words are optional (passages with more of them rank first); "quoted words"
    rank passages holding them together first; +word must appear, -word must
    not; a AND b, a OR b, NOT a, (groups), prefix*, path:GLOB.
    """
    settings = SearchSettings(query=" ".join(query), corpus=Corpus.from_arg(corpus), limit=limit,
                              index_base=index_base(index_dir), exact=exact,
                              files=tuple(file or ()), aliases_file=aliases)
    import_whoosh()
    from nkcorpus import render
    from nkcorpus.search import search as run_search

    result = run_search(settings, _progress(False, settings.corpus))
    options = render.RenderOptions(color=_use_color(color), width=_width())
    _print_warnings(result.warnings)
    if json and not result.hits and result.suggestions:
        print("nkcorpus: did you mean: " + ", ".join(result.suggestions), file=sys.stderr)
    try:
        render.render("json" if json else "text", result, sys.stdout, options)
    except BrokenPipeError:  # the reader (| head) has what it wanted
        _silence_stdout()
        return ExitCode.HITS
    return ExitCode.HITS if result.hits else ExitCode.NO_HITS


@app.command()
def index(
    dirs: Annotated[Optional[list[str]], typer.Argument(help="Corpus folders [default: the bundled essays].")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Build from scratch.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary; warnings and errors only.")] = False,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="If another process is indexing the same corpus, exit with 2 instead of waiting.")] = False,
    index_dir: IndexDirOpt = None,
) -> int:
    """Build or update the index of one or more corpus folders.

    Only new and changed files are read; deleted and renamed files leave the
    index. Exit 2 if a file could not be indexed (one warning line each).
    """
    import_whoosh()
    code = ExitCode.HITS
    for arg in dirs or [None]:
        settings = IndexSettings(Corpus.from_arg(arg), index_base(index_dir), rebuild=rebuild, wait=not no_wait)
        try:
            report = _index_corpus(settings, quiet)
        except NkError as exc:  # one bad folder does not stop the others
            _error(exc.message, exc.hint)
            code = ExitCode.ERROR
            continue
        _print_warnings(report.notes)
        if not quiet:
            print(_summary(settings.corpus.display, report), file=sys.stderr)
        if report.warnings:
            code = ExitCode.ERROR
    return code


def _index_corpus(settings: IndexSettings, quiet: bool):
    from nkcorpus import index as index_mod
    from nkcorpus.corpus import check_root

    root = check_root(settings.corpus.root)
    home = index_mod.corpus_home(settings.index_base, root)
    return index_mod.update(root, home, _progress(quiet, settings.corpus), rebuild=settings.rebuild,
                            wait=settings.wait)


def _summary(display: str, report) -> str:
    """One line: what was done, the totals, what was read, how long it took."""
    c = report.changes
    if report.full:
        what = "built"
    elif c:
        what = f"updated (+{len(c.added)} ~{len(c.changed)} -{len(c.removed)} files)"
    else:
        what = "up to date"
    parts = [f"{display}: {what}", f"{report.documents:,} documents", f"{report.passages:,} passages"]
    if report.files_read:
        mb = report.bytes_read / 1e6
        parts.append(f"read {report.files_read:,} files ({mb:.1f} MB, {mb / max(report.seconds, 1e-3):.1f} MB/s)")
    if report.skipped:
        parts.append(f"{len(report.skipped):,} files skipped (nkcorpus status lists them)")
    if not report.documents and not report.skipped:
        parts.append("no .txt, .md, .html, .pdf or .docx files found")
    return ", ".join(parts) + f" in {report.seconds:.2f}s"


@app.command()
def status(
    corpus: CorpusOpt = None,
    json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    index_dir: IndexDirOpt = None,
) -> int:
    """Show a corpus's index: documents, passages, size, last update, pending
    changes, and the files skipped and why. Exit 1 if there is no index yet."""
    from nkcorpus import index as index_mod
    from nkcorpus.corpus import check_root
    from nkcorpus.render import status as status_render
    from nkcorpus.status import status as read_status

    chosen = Corpus.from_arg(corpus)
    root = check_root(chosen.root)
    st = read_status(root, index_mod.corpus_home(index_base(index_dir), root))
    print(status_render.to_json(st, chosen) if json else status_render.to_text(st, chosen))
    return ExitCode.HITS if st.indexed else ExitCode.NO_HITS


@app.callback(invoke_without_command=True)
def _root(
    ctx: typer.Context,
    version: Annotated[bool, typer.Option("--version", help="Show the version and exit.")] = False,
) -> None:
    if version:
        print(f"nkcorpus {__version__}")
        raise typer.Exit(0)
    if ctx.invoked_subcommand is None:
        print(ctx.get_help())
        raise typer.Exit(0)


# --- environment: colour, width, progress -------------------------------------


def _use_color(choice: Color, env=os.environ, stream=None) -> bool:
    stream = stream or sys.stdout
    if choice is Color.always:
        return True
    if choice is Color.never or env.get("NO_COLOR"):
        return False
    return stream.isatty() and env.get("TERM") != "dumb"


def _width() -> int | None:
    if not sys.stdout.isatty():
        return None
    import shutil

    return shutil.get_terminal_size().columns


def _progress(quiet: bool, corpus: Corpus):
    """A rich progress bar on a terminal; else (or with --quiet) warnings only."""
    from nkcorpus.render.status import printable

    show = lambda rel: printable(corpus.show(rel))  # noqa: E731
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


def _print_warnings(warnings) -> None:
    for warning in warnings:
        print(f"nkcorpus: warning: {warning}", file=sys.stderr)


# --- entry point ----------------------------------------------------------------


INTERRUPTED = 130  # 128 + SIGINT, as shells report it


def main(argv: list[str] | None = None) -> None:
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI and return its exit code; never lets a traceback out."""
    try:
        code = int(app(args=argv, prog_name="nkcorpus", standalone_mode=False) or 0)
        if code == INTERRUPTED:  # typer returns this for Ctrl-C; no command does
            print("nkcorpus: interrupted", file=sys.stderr)
        return code
    except NkError as exc:
        _error(exc.message, exc.hint)
        return exc.exit_code
    except typer.Exit as exc:
        return exc.exit_code
    except (typer.Abort, KeyboardInterrupt):
        print("nkcorpus: interrupted", file=sys.stderr)
        return INTERRUPTED
    except BrokenPipeError:
        _silence_stdout()
        return ExitCode.HITS
    except Exception as exc:
        if _is_usage_error(exc):
            _error(exc.format_message(), _usage_hint(exc))
            return ExitCode.ERROR
        # a bug: say so in one line, traceback on request
        if os.environ.get("NKCORPUS_DEBUG"):
            raise
        _error(f"internal error: {type(exc).__name__}: {exc}", "set NKCORPUS_DEBUG=1 for a traceback")
        return ExitCode.ERROR


def _is_usage_error(exc: Exception) -> bool:
    """Click's usage errors (typer vendors its own click, so match by shape)."""
    return hasattr(exc, "format_message") and hasattr(exc, "exit_code")


def _usage_hint(exc) -> str | None:
    ctx = getattr(exc, "ctx", None)
    return f"try '{ctx.command_path} --help'" if ctx is not None else "try 'nkcorpus --help'"


def _error(message: str, hint: str | None) -> None:
    line = f"nkcorpus: error: {message}"
    if hint:
        line += f" ({hint})"
    print(line, file=sys.stderr)


def _silence_stdout() -> None:
    """After a closed pipe, point stdout at /dev/null so exit does not fail."""
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass
