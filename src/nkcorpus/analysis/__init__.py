"""Text -> analyzed terms: tokens, Indonesian roots, stop words.

Pure: no search engine, no CLI framework. The index and the query side both
analyze through these functions, so a word typed and a word indexed meet on
the same term.
"""

from nkcorpus.analysis.stopwords import stop_words
from nkcorpus.analysis.terms import (ANALYZER_VERSION, CONTEXT_MARK, CONTEXT_WEIGHT, WORD,
                                     context_parts, fold, iter_terms, root_rank, snowball,
                                     stem, value_terms, with_context)

__all__ = ["ANALYZER_VERSION", "CONTEXT_MARK", "CONTEXT_WEIGHT", "WORD", "context_parts", "fold",
           "iter_terms", "root_rank", "snowball", "stem", "stop_words", "value_terms",
           "with_context"]
