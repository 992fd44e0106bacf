"""The command line as typer declares it: arguments -> settings -> core ->
renderer, and exit codes.

Nothing but argument handling lives here (the plumbing the commands share is
in ``commands``, which also parses everyday searches without importing
typer). Errors from the core arrive as ``NkError`` and leave as one line on
stderr with exit code 2.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from nkcorpus import __version__
from nkcorpus import commands
from nkcorpus.commands import INTERRUPTED, Color, error, print_warnings
from nkcorpus.errors import ExitCode, NkError
from nkcorpus.leanimport import import_whoosh
from nkcorpus.settings import DEFAULT_LIMIT, Corpus, IndexSettings, index_base

app = typer.Typer(
    name="nkcorpus",
    help="Search Indonesian documents: ranked, highlighted passages with file and line.",
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


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
    return commands.search_command(query=query, corpus=corpus, limit=limit, json=json, color=color,
                                   index_dir=index_dir, exact=exact, file=file, aliases=aliases)


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
            error(exc.message, exc.hint)
            code = ExitCode.ERROR
            continue
        print_warnings(report.notes)
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
    return index_mod.update(root, home, commands.progress(quiet, settings.corpus), rebuild=settings.rebuild,
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


# --- entry point ----------------------------------------------------------------


def main(argv: list[str] | None = None) -> None:
    sys.exit(run(argv))


def run(argv: list[str] | None = None) -> int:
    """Run the CLI through typer and return its exit code; never lets a
    traceback out."""
    return commands.guarded(lambda: _typer_run(argv), _typer_exception)


def _typer_run(argv: list[str] | None) -> int:
    code = int(app(args=argv, prog_name="nkcorpus", standalone_mode=False) or 0)
    if code == INTERRUPTED:  # typer returns this for Ctrl-C; no command does
        print("nkcorpus: interrupted", file=sys.stderr)
    return code


def _typer_exception(exc: Exception) -> int | None:
    """The exit code of typer's (click's) own exceptions; None for others."""
    if isinstance(exc, typer.Exit):
        return exc.exit_code
    if isinstance(exc, typer.Abort):
        print("nkcorpus: interrupted", file=sys.stderr)
        return INTERRUPTED
    if _is_usage_error(exc):
        error(exc.format_message(), _usage_hint(exc))
        return ExitCode.ERROR
    return None


def _is_usage_error(exc: Exception) -> bool:
    """Click's usage errors (typer vendors its own click, so match by shape)."""
    return hasattr(exc, "format_message") and hasattr(exc, "exit_code")


def _usage_hint(exc) -> str | None:
    ctx = getattr(exc, "ctx", None)
    return f"try '{ctx.command_path} --help'" if ctx is not None else "try 'nkcorpus --help'"
