"""CSV and TSV: a header row, then one row per hit (or per file with
``--files``, or the counts with ``--count``), written with the csv module.

Hit columns: rank, score, path, rel, line_start, line_end, unit, title, date,
source, text (the metadata empty when unknown).
Files: rank, score, path, rel, passages. Counts: passages, documents.
In TSV, tabs and line breaks inside a passage become spaces, so each row is
one line.
"""

from __future__ import annotations

import csv
from typing import TextIO

from nkcorpus.model import SearchResult

HIT_COLUMNS = ("rank", "score", "path", "rel", "line_start", "line_end", "unit", "title", "date",
               "source", "text")
FILE_COLUMNS = ("rank", "score", "path", "rel", "passages")
COUNT_COLUMNS = ("passages", "documents")


def rows(result: SearchResult, mode: str) -> tuple[tuple[str, ...], list[tuple]]:
    if mode == "count":
        return COUNT_COLUMNS, [(result.total, result.documents)]
    if mode == "files":
        return FILE_COLUMNS, [(f.rank, f.score, f.path, f.rel, f.passages) for f in result.files]
    return HIT_COLUMNS, [(h.rank, h.score, h.path, h.rel, h.line_start, h.line_end, h.unit,
                          h.title or "", h.date or "", h.source or "", h.text)
                         for h in result.hits]


def render(result: SearchResult, stream: TextIO, options) -> None:
    tsv = options.format == "tsv"
    writer = csv.writer(stream, delimiter="\t" if tsv else ",", lineterminator="\n",
                        quoting=csv.QUOTE_NONE if tsv else csv.QUOTE_MINIMAL,
                        quotechar=None if tsv else '"')
    header, body = rows(result, options.mode)
    writer.writerow(header)
    for row in body:
        writer.writerow([_flat(v) if tsv else v for v in row])
    stream.flush()


def _flat(value):
    """A TSV cell on one line, without tabs."""
    if isinstance(value, str):
        return " ".join(value.replace("\t", " ").splitlines()) if ("\t" in value or "\n" in value or "\r" in value) else value
    return value
