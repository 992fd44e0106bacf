"""``nkcorpus status`` output: a short text report, or one JSON object.

JSON keys (documented in docs/reference.md): corpus, root, index, indexed, busy,
documents, passages, index_bytes, updated, pending {added, changed, removed},
skipped [{path, reason}], empty [path], ignored {suffix: count},
semantic {state, coverage, note}.
"""

from __future__ import annotations

import json
import time
from nkcorpus.settings import Corpus
from nkcorpus.store.status import IndexStatus

MAX_LISTED = 50  # skipped or empty files listed in the text report


def to_dict(st: IndexStatus, corpus: Corpus) -> dict:
    return {
        "corpus": corpus.display,
        "root": str(st.root),
        "index": str(st.home),
        "indexed": st.indexed,
        "busy": st.busy,
        "documents": st.documents,
        "passages": st.passages,
        "index_bytes": st.size_bytes,
        "updated": _iso(st.updated),
        "pending": {"added": len(st.pending.added), "changed": len(st.pending.changed),
                    "removed": len(st.pending.removed)},
        "skipped": [{"path": _path(corpus, rel), "reason": reason} for rel, reason in st.skipped],
        "empty": [_path(corpus, rel) for rel in st.empty],
        "ignored": st.ignored,
        "semantic": {"state": st.semantic, "coverage": st.semantic_coverage, "note": st.semantic_note or None},
    }


def to_json(st: IndexStatus, corpus: Corpus) -> str:
    return json.dumps(to_dict(st, corpus), ensure_ascii=False)


def to_text(st: IndexStatus, corpus: Corpus) -> str:
    rows = [("corpus", f"{corpus.display}  ({st.root})")]
    if st.outdated:
        rows.append(("index", "outdated, made by another version (run: nkcorpus index DIR)"))
    elif not st.indexed:
        rows.append(("index", "none yet (run: nkcorpus index DIR)"))
    else:
        rows += [
            ("index", f"{st.home}  ({_size(st.size_bytes)})"),
            ("documents", f"{st.documents:,}" + (f"  ({len(st.empty):,} without text)" if st.empty else "")),
            ("passages", f"{st.passages:,}"),
            ("updated", _local(st.updated)),
        ]
    rows.append(("changes", _pending(st)))
    if st.busy:
        rows.append(("indexing", "another nkcorpus process is indexing this corpus now"))
    rows.append(("skipped", f"{len(st.skipped):,} files" if st.skipped else "none"))
    rows.append(("meaning", _semantic(st)))
    lines = [f"{key:<11}{value}" for key, value in rows]
    lines += _listed([f"{_path(corpus, rel)}: {reason}" for rel, reason in st.skipped])
    if st.empty:
        lines.append(f"{'no text':<11}{len(st.empty):,} files")
        lines += _listed([_path(corpus, rel) for rel in st.empty])
    if st.ignored:
        kinds = ", ".join(f"{suffix} {count:,}" for suffix, count in st.ignored.items())
        lines.append(f"{'not read':<11}{sum(st.ignored.values()):,} files of other types ({kinds})")
    return "\n".join(lines)


def _semantic(st: IndexStatus) -> str:
    """The meaning-search line: on (and how much), off, or how to turn it on."""
    command = f"nkcorpus index --semantic {st.root}"
    if st.semantic == "unavailable":
        return f"not available: {st.semantic_note}"
    if st.semantic == "on":
        share = st.semantic_coverage or 0.0
        more = "" if share >= 1.0 else f" (run: {command} to finish)"
        return f"on, {100 * share:.0f}% of passages have vectors{more}"
    if st.semantic == "off":
        return f"off (turn on: {command})"
    if st.semantic == "auto":
        return "on at the first meaning query (a small folder: vectors take under a minute)"
    return f"not computed for this folder yet (run: {command})"


def _path(corpus: Corpus, rel: str) -> str:
    return printable(corpus.show(rel))


def printable(text: str) -> str:
    """``text`` with control characters and bytes that are not UTF-8 escaped,
    so a file name stays on one line and can be encoded."""
    if text.isprintable():
        return text
    return "".join(c if c.isprintable() else repr(c)[1:-1] for c in text)


def _listed(items: list[str]) -> list[str]:
    shown = [f"{'':<11}{item}" for item in items[:MAX_LISTED]]
    if len(items) > MAX_LISTED:
        shown.append(f"{'':<11}... and {len(items) - MAX_LISTED:,} more (--json lists all)")
    return shown


def _pending(st: IndexStatus) -> str:
    p = st.pending
    if not p:
        return "none since the last update"
    counts = f"{len(p.added):,} new, {len(p.changed):,} changed, {len(p.removed):,} removed files"
    return f"{counts} (the next index or search updates the index)"


def _size(nbytes: int) -> str:
    return f"{nbytes / 2**20:.1f} MB" if nbytes >= 2**20 else f"{nbytes / 1024:.1f} kB"


def _iso(ts: float | None) -> str | None:
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(ts)) if ts else None


def _local(ts: float | None) -> str:
    return time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(ts)) if ts else "never"
