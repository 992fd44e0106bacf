"""The command line as typer declares it: arguments -> settings -> core ->
renderer, and exit codes.

Nothing but argument handling lives here: the options come from
``options`` (the table the quick parser reads too), the work from
``commands``. Errors from the core arrive as ``NkError`` and leave as one
line on stderr with exit code 2.
"""

from __future__ import annotations

import inspect
import sys
from typing import Annotated, Optional

import typer

from nkcorpus import __version__
from nkcorpus.cli import commands
from nkcorpus.cli.commands import INTERRUPTED, error, print_warnings
from nkcorpus.cli.options import CORPUS, INDEX_DIR, SEARCH, SIMILAR, TERMS, TIMELINE, Opt
from nkcorpus.errors import ExitCode, NkError
from nkcorpus.settings import Corpus, IndexSettings, index_base
from nkcorpus.store.whoosh.leanimport import import_whoosh

app = typer.Typer(
    name="nkcorpus",
    help="Search Indonesian documents: ranked, highlighted passages with file and line.",
    add_completion=False,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
)


def annotated(opt: Opt):
    """The typer annotation of an option of the table."""
    extra = {"envvar": opt.envvar, "show_envvar": True} if opt.envvar else {}
    if opt.min is not None:
        extra["min"] = opt.min
    if opt.metavar:
        extra["metavar"] = opt.metavar
    return Annotated[opt.type, typer.Option(*opt.flags, help=opt.help, **extra)]


def _signature(*opts: Opt, first: list[inspect.Parameter] = ()) -> inspect.Signature:
    params = [*first, *(inspect.Parameter(o.name, inspect.Parameter.KEYWORD_ONLY, default=o.default,
                                           annotation=annotated(o)) for o in opts)]
    return inspect.Signature(params, return_annotation=int)


CorpusOpt = annotated(CORPUS)
IndexDirOpt = annotated(INDEX_DIR)


def search(**params) -> int:
    """Search a corpus (built or refreshed automatically when its files changed).

    Words are optional (passages with more of them rank first); "quoted words"
    rank passages holding them together first; "a b"~N: within N words; +word
    must appear, -word must not; a AND b, a OR b, NOT a, (groups), prefix*,
    path:GLOB, -path:GLOB.

    Folders and files may follow the query (ending with / or starting with
    ./, ../, / or ~, or . and ..): the first is the corpus, or, with
    --corpus, they narrow it.
    """
    return commands.search_command(**params)


_QUERY = inspect.Parameter("query", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Annotated[
    list[str], typer.Argument(help='Words to find (one or more arguments), then folders or files; "quoted words" form a phrase.', metavar="QUERY [PATH]...")])
search.__signature__ = _signature(*SEARCH, first=[_QUERY])
app.command()(search)


def timeline(**params) -> int:
    """When was it discussed: matching documents (and passages) per year,
    month or week, as a bar chart; several queries share one axis.

    Each argument is one query: quote one of several words
    (nkcorpus timeline sanksi "Korea Utara"). A passage counts when it holds
    every word or name of the query, in any of its forms. Dates come from
    the documents' metadata (a sidecar CSV/TSV, the files, file names);
    documents without one are counted apart.
    """
    from nkcorpus.cli.views import timeline_command

    import_whoosh()
    return timeline_command(**params)


def terms(**params) -> int:
    """What is discussed with it: the words and names over-represented in
    the matching passages against the whole corpus (log-likelihood G2).

    A passage matches when it holds every word or name of the query; the
    best 2,000 matching passages are analyzed.
    """
    from nkcorpus.cli.views import terms_command

    import_whoosh()
    return terms_command(**params)


def similar(**params) -> int:
    """What else says the same: the passages most like the one at
    PATH:LINE (as a hit shows it), other documents first."""
    from nkcorpus.cli.views import similar_command

    import_whoosh()
    return similar_command(**params)


_QUERIES = inspect.Parameter("queries", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Annotated[
    list[str], typer.Argument(help='One query per argument; quote a query of several words.', metavar="QUERY...")])
_TERMS_QUERY = inspect.Parameter("query", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Annotated[
    list[str], typer.Argument(help="The query (its words may be separate arguments).", metavar="QUERY")])
_TARGET = inspect.Parameter("target", inspect.Parameter.POSITIONAL_OR_KEYWORD, annotation=Annotated[
    str, typer.Argument(help="A passage: FILE:LINE as a hit shows it (003_x.txt:14, report.pdf:p3).",
                        metavar="PATH:LINE")])
timeline.__signature__ = _signature(*TIMELINE, first=[_QUERIES])
terms.__signature__ = _signature(*TERMS, first=[_TERMS_QUERY])
similar.__signature__ = _signature(*SIMILAR, first=[_TARGET])
app.command()(timeline)
app.command()(terms)
app.command()(similar)


@app.command()
def index(
    dirs: Annotated[Optional[list[str]], typer.Argument(help="Corpus folders [default: the bundled essays].")] = None,
    rebuild: Annotated[bool, typer.Option("--rebuild", help="Build from scratch.")] = False,
    quiet: Annotated[bool, typer.Option("--quiet", "-q", help="No progress bar and no summary; warnings and errors only.")] = False,
    no_wait: Annotated[bool, typer.Option("--no-wait", help="If another process is indexing the same corpus, exit with 2 instead of waiting.")] = False,
    index_dir: IndexDirOpt = None,
    semantic: Annotated[Optional[bool], typer.Option(
        "--semantic/--no-semantic",
        help="Meaning search for this folder: compute passage vectors now and keep them up to date "
             "(remembered; needs the semantic extra). Small folders get them at their first meaning query.",
        show_default=False)] = None,
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
            report = _index_corpus(settings, quiet, semantic)
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


def _index_corpus(settings: IndexSettings, quiet: bool, semantic: bool | None = None):
    from nkcorpus.ingest.scan import check_root
    from nkcorpus.store.layout import corpus_home
    from nkcorpus.store.update import update

    if semantic:
        from nkcorpus.store.vectors import unavailable

        reason = unavailable()
        if reason:
            raise NkError(f"meaning search is not available: {reason}",
                          hint='pip install "nkcorpus[semantic]" on Linux x86-64 (AVX2) or macOS arm64')
    root = check_root(settings.corpus.root)
    return update(root, corpus_home(settings.index_base, root), commands.progress(quiet, settings.corpus),
                  rebuild=settings.rebuild, wait=settings.wait, semantic=semantic)


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
    v = report.vectors
    if v is not None:
        share = 100 * v.covered / v.passages if v.passages else 100.0
        done = f"{v.embedded:,} texts embedded in {v.seconds:.0f}s, " if v.embedded else ""
        parts.append(f"meaning search: {done}{share:.0f}% of passages have vectors")
    return ", ".join(parts) + f" in {report.seconds:.2f}s"


@app.command()
def status(
    corpus: CorpusOpt = None,
    json: Annotated[bool, typer.Option("--json", help="One JSON object on stdout.")] = False,
    index_dir: IndexDirOpt = None,
) -> int:
    """Show a corpus's index: documents, passages, size, last update, pending
    changes, and the files skipped and why. Exit 1 if there is no index yet."""
    from nkcorpus.ingest.scan import check_root
    from nkcorpus.render import status as status_render
    from nkcorpus.store.layout import corpus_home
    from nkcorpus.store.status import status as read_status

    chosen = Corpus.from_arg(corpus)
    root = check_root(chosen.root)
    st = read_status(root, corpus_home(index_base(index_dir), root))
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
    from nkcorpus.cli.fast import words_last

    argv = words_last(sys.argv[1:] if argv is None else list(argv))
    code = int(app(args=argv, prog_name="nkcorpus", standalone_mode=False) or 0)
    if code == INTERRUPTED:  # typer returns this for Ctrl-C; no command does
        from nkcorpus.procs import exit_code, say_interrupted

        say_interrupted()
        return exit_code()  # 143 for SIGTERM, 129 for SIGHUP
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
    if "No such option" in exc.format_message():
        return 'put a query word starting with -- in quotes, or after --: nkcorpus search "nuklir --x"'
    ctx = getattr(exc, "ctx", None)
    return f"try '{ctx.command_path} --help'" if ctx is not None else "try 'nkcorpus --help'"
