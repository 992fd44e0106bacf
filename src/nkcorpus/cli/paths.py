"""Folders and files on the command line: which arguments after the query
are paths, the corpus they name, and ``--file`` globs made relative to it.

The rule (documented in the README): the first argument is always the
query. Arguments after it are paths when they look like paths -- ``.``,
``..``, ending with ``/``, starting with ``/``, ``./``, ``../`` or ``~`` --
or name an existing document file (``laporan.pdf``); a path-like argument
that does not exist is an error. The first folder is the corpus (unless
``--corpus`` names it); further folders and files narrow the search to
themselves.
"""

from __future__ import annotations

import os
from fnmatch import fnmatchcase
from pathlib import Path

from nkcorpus.errors import UsageError
from nkcorpus.settings import Corpus

DOCUMENT_SUFFIXES = {".txt", ".text", ".md", ".markdown", ".html", ".htm", ".xhtml", ".pdf", ".docx"}
_GLOB_CHARS = "*?["


def looks_like_path(arg: str) -> bool:
    if arg in (".", ".."):
        return True
    if arg[:1] in "-+\"(" or ":" in arg:
        return False
    if arg.endswith(("/", os.sep)) or arg.startswith(("/", "./", "../", "~")):
        return True
    return Path(arg).suffix.lower() in DOCUMENT_SUFFIXES and os.path.isfile(arg)


def split_query(args: list[str]) -> tuple[list[str], list[str]]:
    """(query words, paths): the trailing arguments that look like paths."""
    end = len(args)
    while end > 1 and looks_like_path(args[end - 1]):
        end -= 1
    words, paths = list(args[:end]), list(args[end:])
    for path in paths:
        if not os.path.exists(os.path.expanduser(path)):
            raise UsageError(f"no such file or folder: {path}",
                             hint='quote a query of several words: nkcorpus search "uji coba"')
    return words, paths


def resolve(arg: str | None, paths: list[str]) -> tuple[Corpus, list[str]]:
    """The corpus (``--corpus`` or the first folder given) and the globs,
    inside it, of the other folders and files given."""
    if not paths:
        return Corpus.from_arg(arg), []
    if arg is None:
        first = paths[0]
        arg = first if os.path.isdir(os.path.expanduser(first)) else (os.path.dirname(first.rstrip("/")) or ".")
    corpus = Corpus.from_arg(arg)
    root = corpus.root.expanduser().resolve()
    globs = []
    for path in paths:
        target = Path(path).expanduser().resolve()
        rel = _inside(root, target, path, corpus.display)
        globs.append(rel + ("/*" if target.is_dir() else ""))
    return corpus, [] if "./*" in globs else globs  # the whole corpus: no filter


def _inside(root: Path, target: Path, typed: str, display: str) -> str:
    try:
        return target.relative_to(root).as_posix()
    except ValueError:
        raise UsageError(f"{typed} is not inside the corpus {display}",
                         hint="search one folder at a time: give the folder holding them all first, "
                              "or with --corpus") from None


def file_globs(root: Path, globs) -> list[str]:
    """``--file`` values as globs inside the corpus: a folder (of the corpus,
    or here) stands for its files; a glob whose folder is not in the corpus
    but is here (``riset/berita/*``) is taken from here."""
    root = root.expanduser().resolve()
    out = []
    for glob in globs:
        literal = not any(c in glob for c in _GLOB_CHARS)
        if literal and not glob.startswith(("/", "~")) and glob.strip("/") and (root / glob.strip("/")).is_dir():
            out.append(glob.strip("/") + "/*")
            continue
        here = Path(glob).expanduser()
        if literal and here.is_dir():
            out.append(_here(root, here, glob) + "/*")
            continue
        cut = min((glob.find(c) for c in _GLOB_CHARS if c in glob), default=len(glob))
        folder = glob[:cut].rsplit("/", 1)[0] if "/" in glob[:cut] else ""
        in_corpus = folder and not folder.startswith(("/", "~")) and (root / folder).is_dir()
        if folder and not in_corpus and Path(folder).expanduser().is_dir():
            out.append(_here(root, Path(folder).expanduser(), glob) + glob[len(folder):])
        else:
            out.append(glob)
    return [g[2:] if g.startswith("./") else g for g in out]


def _here(root: Path, folder: Path, typed: str) -> str:
    target = folder.resolve()
    return "." if target == root else _inside(root, target, typed, str(root))


def unmatched(root: Path, globs: list[str]) -> list[str]:
    """The globs no file of the corpus matches (as the index matches them:
    the path inside the corpus, or the name; ``*`` crosses folders)."""
    left = {g: (g.strip().lstrip("./") or "*") for g in globs}
    for folder, dirs, names in os.walk(root):
        dirs[:] = [d for d in dirs if not d.startswith(".")]
        rel_folder = Path(folder).relative_to(root).as_posix()
        for name in names:
            rel = name if rel_folder == "." else f"{rel_folder}/{name}"
            for glob, pattern in list(left.items()):
                if fnmatchcase(rel, pattern) or ("/" not in pattern and fnmatchcase(name, pattern)):
                    del left[glob]
            if not left:
                return []
    return list(left)
