"""The research views' commands: ``timeline``, ``terms``, ``similar``, and
``--report FILE.html`` (arguments -> settings -> ``nkcorpus.views`` ->
renderer; the exit code)."""

from __future__ import annotations

import sys
from dataclasses import replace
from pathlib import Path

from nkcorpus.cli.commands import print_warnings, progress, silence_stdout, use_color, width
from nkcorpus.cli.options import By, Color, Format
from nkcorpus.errors import ExitCode, UsageError
from nkcorpus.settings import DEFAULT_LIMIT, DEFAULT_PER_FILE, Corpus, SearchSettings, index_base


def _settings(query: str, corpus: str | None, index_dir: Path | None, exact: bool, file: list[str] | None,
              aliases: str | None, since: str | None, until: str | None, **more) -> SearchSettings:
    from nkcorpus.cli.paths import file_globs

    chosen = Corpus.from_arg(corpus)
    return SearchSettings(query=query, corpus=chosen, index_base=index_base(index_dir), exact=exact,
                          files=tuple(file_globs(chosen.root, file or ())) if file else (),
                          aliases_file=aliases, since=since, until=until, **more)


def _options(color: Color):
    from nkcorpus import render

    return render.RenderOptions(color=use_color(color), width=width())


def _out(write) -> int:
    try:
        write()
    except BrokenPipeError:
        silence_stdout()
    return ExitCode.HITS


def timeline_command(queries: list[str], by: By = By.month, corpus: str | None = None,
                     format: Format = Format.text, color: Color = Color.auto, index_dir: Path | None = None,
                     exact: bool = False, file: list[str] | None = None, aliases: str | None = None,
                     since: str | None = None, until: str | None = None, report: Path | None = None) -> int:
    from nkcorpus.views import timeline

    settings = _settings(" ".join(queries), corpus, index_dir, exact, file, aliases, since, until)
    result = timeline(settings, tuple(queries), by.value, progress(False, settings.corpus))
    print_warnings(result.warnings)
    if format != Format.text:
        print_warnings(result.notes)
    if report is not None:
        write_report(report, replace(settings, query=queries[0], update=False), timeline=result, by=by.value)
    if format == Format.text:
        from nkcorpus.render.chart import render_timeline

        code = _out(lambda: render_timeline(result, sys.stdout, _options(color)))
    else:
        from nkcorpus.render.views import render

        code = _out(lambda: render(result, sys.stdout, format.value))
    found = any(s.documents or s.undated_documents for s in result.series)
    return code if found else ExitCode.NO_HITS


def terms_command(query: list[str], limit: int = 30, corpus: str | None = None, format: Format = Format.text,
                  color: Color = Color.auto, index_dir: Path | None = None, exact: bool = False,
                  file: list[str] | None = None, aliases: str | None = None, since: str | None = None,
                  until: str | None = None, report: Path | None = None) -> int:
    from nkcorpus.views import terms

    settings = _settings(" ".join(query), corpus, index_dir, exact, file, aliases, since, until)
    result = terms(settings, limit, progress=progress(False, settings.corpus))
    print_warnings(result.warnings)
    if report is not None:
        write_report(report, replace(settings, update=False), terms=result)
    if format == Format.text:
        from nkcorpus.render.chart import render_terms

        code = _out(lambda: render_terms(result, sys.stdout, _options(color)))
    else:
        from nkcorpus.render.views import render

        code = _out(lambda: render(result, sys.stdout, format.value))
    return code if result.matched else ExitCode.NO_HITS


def similar_command(target: str, limit: int = DEFAULT_LIMIT, per_file: int = DEFAULT_PER_FILE,
                    full: bool = False, corpus: str | None = None, format: Format = Format.text,
                    color: Color = Color.auto, index_dir: Path | None = None, exact: bool = False,
                    file: list[str] | None = None, aliases: str | None = None, since: str | None = None,
                    until: str | None = None) -> int:
    from nkcorpus import render
    from nkcorpus.views import similar

    settings = _settings(target, corpus, index_dir, exact, file, aliases, since, until, limit=limit,
                         per_file=per_file)
    result = similar(settings, target, progress=progress(False, settings.corpus))
    print_warnings(result.warnings)
    options = render.RenderOptions(color=use_color(color), width=width(), full=full, relative=corpus is None)
    code = _out(lambda: render.render(format.value, result, sys.stdout, options))
    return code if result.hits else ExitCode.NO_HITS


def write_report(path: Path, settings: SearchSettings, search=None, timeline=None, terms=None,
                 by: str = "month") -> None:
    """Write the HTML report of ``settings.query`` to ``path``: what was
    computed already, and the rest."""
    from nkcorpus.model import Report
    from nkcorpus.render.html import render_report
    from nkcorpus.search import search as run_search
    from nkcorpus.views import terms as key_terms
    from nkcorpus.views import timeline as time_line

    if path.suffix.lower() not in (".html", ".htm"):
        raise UsageError(f"--report {path}: give a file name ending with .html")
    if search is None:
        search = run_search(replace(settings, limit=10))
    if timeline is None:
        timeline = time_line(settings, (settings.query,), by)
    if terms is None:
        terms = key_terms(settings, 20)
    page = render_report(Report(query=settings.query, corpus=settings.corpus.display, search=search,
                                timeline=timeline, terms=terms))
    path.write_text(page, encoding="utf-8")
    print(f"nkcorpus: report written to {path}", file=sys.stderr)
