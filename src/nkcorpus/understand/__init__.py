"""Query text -> a query plan (no search engine here).

``syntax`` parses the text into clauses; ``builder`` turns them into a
``plan.QueryPlan``, adding what query understanding knows: aliases and the
glossary (``aliases``), English loan spellings (``loanwords``) and close
spellings of words the index lacks (``spelling``, through a ``Vocabulary``
that the index offers).
"""

from nkcorpus.understand.builder import understand
from nkcorpus.understand.plan import QueryPlan
from nkcorpus.understand.spelling import Vocabulary

__all__ = ["QueryPlan", "Vocabulary", "understand"]
