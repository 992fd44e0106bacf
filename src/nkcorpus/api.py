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

from nkcorpus.model import SearchResult
from nkcorpus.settings import DEFAULT_LIMIT, MODES, SearchSettings, index_base
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
               progress: Progress | None = None, mode: str = "hybrid") -> SearchResult:
        """The best ``limit`` passages for ``query`` (the query syntax of
        ``nkcorpus search``); ``files``: path globs to search within;
        ``exact``: no aliases, glossary or typo matching; ``update``: bring
        the index up to date first when the folder changed; ``mode``:
        ``hybrid`` (words and meaning where passage vectors exist),
        ``lexical`` or ``semantic``."""
        if mode not in MODES:
            raise ValueError(f"mode must be one of {', '.join(MODES)}, not {mode!r}")
        return self.search_with(SearchSettings(
            query=query, corpus=self.folder, limit=limit, index_base=self.index_base, exact=exact,
            update=update, files=tuple(files), aliases_file=aliases_file, mode=mode), progress)

    def search_with(self, settings: SearchSettings, progress: Progress | None = None) -> SearchResult:
        """Search with settings made elsewhere (the CLI's); the corpus and
        index folder are this one's."""
        from nkcorpus.search import search

        return search(replace(settings, corpus=self.folder, index_base=self.index_base), progress)

    def status(self) -> IndexStatus:
        """What the index holds and how fresh it is (reads only)."""
        from nkcorpus.store.status import status

        root = self.root
        return status(root, self.home)
