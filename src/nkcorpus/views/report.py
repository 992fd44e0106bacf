"""One query seen three ways, for a report page: its best passages, its
timeline and its key terms."""

from __future__ import annotations

from dataclasses import replace

from nkcorpus.model import Report
from nkcorpus.settings import SearchSettings

REPORT_HITS = 10
REPORT_TERMS = 20


def report(settings: SearchSettings, by: str = "month", progress=None) -> Report:
    """The report of ``settings.query``: the best passages (``settings.limit``,
    at most ``REPORT_HITS`` unless more were asked), the timeline by ``by``
    and the key terms."""
    from nkcorpus.search import search
    from nkcorpus.views.terms import terms
    from nkcorpus.views.timeline import timeline

    found = search(replace(settings, documents=False, context=0), progress)
    line = timeline(replace(settings, update=False), (settings.query,), by)
    key = terms(replace(settings, update=False), REPORT_TERMS)
    return Report(query=settings.query, corpus=settings.corpus.display, search=found, timeline=line, terms=key)
