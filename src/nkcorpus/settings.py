"""Every default in one place, and the frozen settings the core runs on."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

APP_NAME = "nkcorpus"
DEFAULT_LIMIT = 10
# At most this many passages of one file among the hits (0: no limit), so a
# huge one-paragraph file cut into thousands of passages cannot fill the page.
DEFAULT_PER_FILE = 8
# Matching passages counted into documents for the summary line at most; more
# are counted only when asked (--count, --files).
COUNT_DOCUMENTS_MAX = 1000
MODES = ("hybrid", "lexical", "semantic")
# Environment variables, named once here.
INDEX_DIR_ENV = "NKCORPUS_INDEX_DIR"  # where indexes live
ALIASES_ENV = "NKCORPUS_ALIASES"  # the user's own aliases file
FOLLOW_ENV = "NKCORPUS_FOLLOW_LINKS"  # 1: follow links to files outside the corpus
DEBUG_ENV = "NKCORPUS_DEBUG"  # set: an internal error shows its traceback
# Full builds analyze in this many worker processes (one per core, at most
# MAX_PROCS); NKCORPUS_PROCS=1 keeps them in one process.
PROCS_ENV = "NKCORPUS_PROCS"
MAX_PROCS = 4


def bundled_corpus() -> Path:
    """The bundled essays: inside the installed package, or the checkout's seeds/."""
    here = Path(__file__).resolve().parent
    installed = here / "seeds"
    return installed if installed.is_dir() else here.parent.parent / "seeds"


def index_base(explicit: Path | None = None, env: Mapping[str, str] = os.environ) -> Path:
    """Folder holding one index per corpus: --index-dir, $NKCORPUS_INDEX_DIR,
    else the user cache directory (honours $XDG_CACHE_HOME)."""
    if explicit is not None:
        return explicit.expanduser()
    if env.get(INDEX_DIR_ENV):
        return Path(env[INDEX_DIR_ENV]).expanduser()
    from platformdirs import user_cache_path

    return user_cache_path(APP_NAME, appauthor=False) / "indexes"


@dataclass(frozen=True, slots=True)
class Corpus:
    """A folder of documents, and how its paths are shown to the user."""

    root: Path
    display: str

    @classmethod
    def from_arg(cls, arg: str | None) -> Corpus:
        if arg is None:
            root = bundled_corpus()
            return cls(root, str(root))
        return cls(Path(arg).expanduser(), arg.rstrip("/\\") or arg)

    def show(self, rel: str) -> str:
        """The path of a document as output: the corpus as given, then ``rel``."""
        return f"{self.display}/{rel}" if self.display else rel


@dataclass(frozen=True, slots=True)
class SearchSettings:
    query: str
    corpus: Corpus = field(default_factory=lambda: Corpus.from_arg(None))
    limit: int = DEFAULT_LIMIT
    index_base: Path = field(default_factory=index_base)
    exact: bool = False
    update: bool = True
    files: tuple[str, ...] = ()  # --file GLOBs: only these files
    aliases_file: str | None = None  # --aliases FILE, read after the bundled tables
    exclude: tuple[str, ...] = ()  # path GLOBs of files not to search
    per_file: int = DEFAULT_PER_FILE  # most passages of one file among the hits (0: no limit)
    documents: bool = False  # count every matching document, and rank them (--files, --count)
    explain: bool = False  # --explain: what of the query matched each hit, and its share
    by_document: bool = False  # rank the documents by their whole text too (--files)
    file_limit: int | None = None  # with by_document: the files wanted (None: every matching file)
    context: int = 0  # passages before and after each hit to show (--context)
    since: str | None = None  # --since DATE: documents dated on or after (YYYY, YYYY-MM, YYYY-MM-DD)
    until: str | None = None  # --until DATE: documents dated on or before (all of a month or year)
    # --mode: "hybrid" fuses meaning (passage vectors) with the lexical
    # ranking where vectors exist, "lexical" never, "semantic" ranks by
    # meaning alone; --exact is always lexical
    mode: str = "hybrid"


@dataclass(frozen=True, slots=True)
class IndexSettings:
    corpus: Corpus
    index_base: Path = field(default_factory=index_base)
    rebuild: bool = False
    wait: bool = True
