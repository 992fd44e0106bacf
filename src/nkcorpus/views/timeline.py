"""When was it discussed: matching documents and passages per period.

Counting reads each matching passage's stored date and path, never its
text analysis: the query runs unscored (``Reader.every``) and the stored
fields are read once per passage. A document's date comes from its
metadata (a sidecar, the file, the file name: ``ingest.meta``).
"""

from __future__ import annotations

import time
from datetime import date, timedelta

from nkcorpus.errors import QueryError
from nkcorpus.model import PeriodCount, Series, Timeline
from nkcorpus.search import aliases_of, read_scoped
from nkcorpus.settings import SearchSettings
from nkcorpus.understand import understand
from nkcorpus.understand.plan import all_concepts

BY = ("year", "month", "week")
SIDECAR = ("to date documents, add a sidecar: a CSV or TSV file in the corpus folder with a 'file' "
           "and a 'date' column (README: 'Metadata and filters')")
NO_DATES = "no document of this corpus has a date; " + SIDECAR


def timeline(settings: SearchSettings, queries: tuple[str, ...], by: str = "month",
             progress=None) -> Timeline:
    """Matching documents and passages of each query per ``by`` period
    (``year``, ``month``, ``week``: ISO weeks), on one axis from the first
    period any query has to the last, empty periods included."""
    started = time.perf_counter()
    if by not in BY:
        raise QueryError(f"--by {by}: not a period", hint="use year, month or week")
    if not queries:
        raise QueryError("no query given", hint='nkcorpus timeline sanksi "Korea Utara"')
    for query in queries:
        understand(query)  # nothing to search: fails before any indexing
    aliases = aliases_of(settings)

    def work(reader, where):
        out = []
        for query in queries:
            plan = understand(query, reader.vocabulary, aliases, settings.exact)
            paths, exclude, filters = where.of(plan)
            ids = reader.every(all_concepts(plan.root), paths, exclude, filters)
            out.append((query, [(f.get("date"), f["path"]) for f in reader.fields(ids)], plan.warnings))
        return out, reader.has_dates()

    (found, has_dates), warnings = read_scoped(settings, work, progress)
    counted = [(query, _count(pairs, by), notes) for query, pairs, notes in found]
    periods = sorted({p for _, (per, _, _), _ in counted for p in per})
    axis = tuple(_axis(periods[0], periods[-1], by)) if periods else ()
    series = tuple(_series(query, per, undated, axis) for query, (per, undated, _), _ in counted)
    notes = []
    undated = sum(s.undated_documents for s in series)
    coarse = sum(c for _, (_, _, c), _ in counted)
    if not has_dates:
        notes.append(NO_DATES)
    elif not axis and undated:
        notes.append("no matching document has a date" + (f" by {by} ({coarse} only by year: try --by year)"
                                                            if coarse else "") + "; " + SIDECAR)
    elif undated:
        notes.append(f"{undated} matching documents have no date" + (f" by {by} ({coarse} only a coarser one)"
                                                                      if coarse else "") + ": counted apart")
    more = tuple(w for _, _, ws in counted for w in ws)
    return Timeline(by=by, axis=axis, series=series, seconds=time.perf_counter() - started,
                    warnings=tuple(dict.fromkeys(more + warnings)), notes=tuple(notes))


def period_of(iso: str | None, by: str) -> str | None:
    """The period (``2019``, ``2019-03``, ``2019-W11``) of an ISO date;
    None when the date is missing or coarser than the period."""
    if not iso:
        return None
    if by == "year":
        return iso[:4]
    if by == "month":
        return iso[:7] if len(iso) >= 7 else None
    if len(iso) < 10:
        return None
    year, week, _ = date.fromisoformat(iso[:10]).isocalendar()
    return f"{year}-W{week:02d}"


def _count(pairs, by: str):
    """Per period: {period: [documents set, passages]}; undated [documents, passages]; coarse documents."""
    per: dict[str, list] = {}
    undated_docs: set[str] = set()
    undated = 0
    coarse: set[str] = set()
    for iso, path in pairs:
        period = period_of(iso, by)
        if period is None:
            undated_docs.add(path)
            undated += 1
            if iso:
                coarse.add(path)
            continue
        slot = per.setdefault(period, [set(), 0])
        slot[0].add(path)
        slot[1] += 1
    return per, (len(undated_docs), undated), len(coarse)


def _series(query: str, per: dict, undated: tuple[int, int], axis: tuple[str, ...]) -> Series:
    counts = tuple(PeriodCount(p, len(per[p][0]) if p in per else 0, per[p][1] if p in per else 0)
                   for p in axis)
    best = max(counts, key=lambda c: c.documents, default=None)
    return Series(query=query, counts=counts, documents=len(set().union(*(s for s, _ in per.values()))),
                  passages=sum(n for _, n in per.values()), undated_documents=undated[0],
                  undated_passages=undated[1], peak=best.period if best and best.documents else None)


def _axis(first: str, last: str, by: str):
    """Every period from ``first`` to ``last``, in order."""
    if by == "year":
        yield from (str(y) for y in range(int(first), int(last) + 1))
    elif by == "month":
        y, m = int(first[:4]), int(first[5:7])
        while f"{y:04d}-{m:02d}" <= last:
            yield f"{y:04d}-{m:02d}"
            y, m = (y + 1, 1) if m == 12 else (y, m + 1)
    else:
        day = date.fromisocalendar(int(first[:4]), int(first[6:]), 1)
        end = date.fromisocalendar(int(last[:4]), int(last[6:]), 1)
        while day <= end:
            year, week, _ = day.isocalendar()
            yield f"{year}-W{week:02d}"
            day += timedelta(days=7)
