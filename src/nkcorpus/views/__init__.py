"""Research views of a corpus, built on search: when a query was discussed
(``timeline``), what is discussed with it (``terms``), what else says the
same as a passage (``similar``), and the three together (``report``).

Each takes search settings (the corpus, index, files, dates) and returns a
frozen result of ``nkcorpus.model``; renderers in ``nkcorpus.render`` show
them. No engine, CLI framework or terminal library here.
"""

from nkcorpus.views.report import report
from nkcorpus.views.similar import similar
from nkcorpus.views.terms import terms
from nkcorpus.views.timeline import BY, timeline

__all__ = ["BY", "report", "similar", "terms", "timeline"]
