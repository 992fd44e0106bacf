"""The library API: a corpus folder and its index.

    from nkcorpus import Corpus

    corpus = Corpus("~/riset/berita")
    corpus.update()
    for hit in corpus.search("sanksi nuklir", limit=5).hits:
        print(hit.rank, hit.rel, hit.line_start, hit.score)
"""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

from nkcorpus.model import FileHit, KeyTerms, Report, SearchResult, Timeline
from nkcorpus.settings import DEFAULT_LIMIT, DEFAULT_PER_FILE, MODES, SearchSettings, index_base
from nkcorpus.settings import Corpus as _Folder
from nkcorpus.store.status import IndexStatus
from nkcorpus.store.update import Progress, UpdateReport


class Corpus:
    """A folder of documents and its index.

    ``path``: the folder (None: the bundled essays); ``index_dir``: where
    indexes live (default: ``$NKCORPUS_INDEX_DIR``, else the user cache
    folder). Errors are ``nkcorpus.NkError`` subclasses with a message, a
    hint and an exit code.
    """

    def __init__(self, path: str | Path | None = None, index_dir: str | Path | None = None) -> None:
        self.folder = _Folder.from_arg(None if path is None else str(path))
        self.index_base = index_base(None if index_dir is None else Path(index_dir))

    def __repr__(self) -> str:
        return f"Corpus({self.folder.display!r})"

    @property
    def root(self) -> Path:
        """The corpus folder, resolved (a CorpusError if it is not a folder)."""
        from nkcorpus.ingest.scan import check_root

        return check_root(self.folder.root)

    @property
    def home(self) -> Path:
        """The folder holding this corpus's index."""
        from nkcorpus.store.layout import corpus_home

        return corpus_home(self.index_base, self.root)

    def update(self, rebuild: bool = False, progress: Progress | None = None,
               wait: bool = True, semantic: bool | None = None) -> UpdateReport:
        """Build the index, or bring it up to date with the folder (only new
        and changed files are read). ``semantic``: switch meaning search on
        (compute every passage vector missing; remembered, so later updates
        keep them current) or off; None: as set before."""
        from nkcorpus.store.update import update

        root = self.root
        return update(root, self.home, progress, rebuild=rebuild, wait=wait, semantic=semantic)

    def search(self, query: str, limit: int = DEFAULT_LIMIT, files: tuple[str, ...] = (),
               exact: bool = False, update: bool = True, aliases_file: str | None = None,
               progress: Progress | None = None, per_file: int = DEFAULT_PER_FILE,
               since: str | None = None, until: str | None = None, mode: str = "hybrid") -> SearchResult:
        """The best ``limit`` passages for ``query`` (the query syntax of
        ``nkcorpus search``); ``files``: path globs to search within;
        ``exact``: no aliases, glossary or typo matching; ``update``: bring
        the index up to date first when the folder changed; ``per_file``: at
        most this many passages of one file (0: no limit); ``since``/``until``:
        only documents dated so (YYYY, YYYY-MM or YYYY-MM-DD, inclusive; the
        query may also filter: ``source:tempo``, ``-year:2018``). Each hit
        carries its document's ``title``, ``date``, ``source``, ``author``, ``url``.
        ``mode``: ``hybrid`` (words and meaning where passage vectors exist),
        ``lexical`` or ``semantic``."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        return self.search_with(SearchSettings(
            query=query, corpus=self.folder, limit=limit, index_base=self.index_base, exact=exact,
            update=update, files=tuple(files), aliases_file=aliases_file, per_file=per_file,
            since=since, until=until, mode=mode), progress)

    def documents(self, query: str, limit: int = DEFAULT_LIMIT, files: tuple[str, ...] = (),
                  exact: bool = False, update: bool = True, since: str | None = None,
                  until: str | None = None) -> tuple[FileHit, ...]:
        """The best ``limit`` files for ``query``, ranked by document: each
        file's best passage and its whole text together (``nkcorpus search
        --files``). Each ``FileHit`` has rank, score, path, rel and the
        number of its passages that match."""
        result = self.search_with(SearchSettings(
            query=query, corpus=self.folder, limit=limit, index_base=self.index_base, exact=exact,
            update=update, files=tuple(files), documents=True, by_document=True, file_limit=limit,
            since=since, until=until))
        return result.files[:limit]

    def search_with(self, settings: SearchSettings, progress: Progress | None = None) -> SearchResult:
        """Search with settings made elsewhere (the CLI's); the corpus and
        index folder are this one's."""
        from nkcorpus.search import search

        return search(replace(settings, corpus=self.folder, index_base=self.index_base), progress)

    def _settings(self, query: str, files=(), exact=False, update=True, aliases_file=None, since=None,
                  until=None, **more) -> SearchSettings:
        return SearchSettings(query=query, corpus=self.folder, index_base=self.index_base, exact=exact,
                              update=update, files=tuple(files), aliases_file=aliases_file, since=since,
                              until=until, **more)

    def timeline(self, *queries: str, by: str = "month", **options) -> Timeline:
        """Matching documents and passages of each query per ``by`` period
        (``year``, ``month`` or ``week``), on one axis; a passage counts when
        it holds every word or name of the query. ``options``: ``files``,
        ``exact``, ``update``, ``aliases_file``, ``since``, ``until``."""
        from nkcorpus.views import timeline

        return timeline(self._settings(" ".join(queries), **options), tuple(queries), by)

    def terms(self, query: str, limit: int = 30, **options) -> KeyTerms:
        """The ``limit`` words and names most over-represented in the
        passages matching ``query`` against the whole corpus (G2)."""
        from nkcorpus.views import terms

        return terms(self._settings(query, **options), limit)

    def similar(self, target: str, limit: int = DEFAULT_LIMIT, per_file: int = DEFAULT_PER_FILE,
                **options) -> SearchResult:
        """The passages most like the one at ``target`` (``PATH:LINE``),
        other documents first."""
        from nkcorpus.views import similar

        return similar(self._settings(target, limit=limit, per_file=per_file, **options), target)

    def report(self, query: str, by: str = "month", limit: int = 10, **options) -> Report:
        """Best passages, timeline and key terms of ``query``, for
        ``nkcorpus.render.html.render_report``."""
        from nkcorpus.views import report

        return report(self._settings(query, limit=limit, **options), by)

    def status(self) -> IndexStatus:
        """What the index holds and how fresh it is (reads only)."""
        from nkcorpus.store.status import status

        root = self.root
        return status(root, self.home)
