"""Shared hypothesis settings and strategies for the fuzz tests.

``NKCORPUS_FUZZ`` picks the profile: ``ci`` (the default: a bounded,
repeatable number of examples per test, no example database) or ``deep``
(many more, random, with the database so failures replay), e.g.::

    NKCORPUS_FUZZ=deep python -m pytest tests/test_fuzz_text.py tests/test_fuzz_query.py

The settings are applied per test (``@FUZZ``), never loaded globally, so
other test modules keep hypothesis's own defaults.
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

_PROFILES = {
    "ci": {"max_examples": 150, "derandomize": True, "database": None, "deadline": None,
           "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]},
    "deep": {"max_examples": 5000, "deadline": None,
             "suppress_health_check": [HealthCheck.too_slow, HealthCheck.function_scoped_fixture]},
}
PROFILE = os.environ.get("NKCORPUS_FUZZ", "ci")
FUZZ = settings(**_PROFILES.get(PROFILE, _PROFILES["ci"]))


def fewer(share: float) -> settings:
    """The profile with a share of its examples, for slow tests."""
    return settings(FUZZ, max_examples=max(10, int(FUZZ.max_examples * share)))


# Any code point, surrogates included (only the library API can get those).
any_char = st.characters(exclude_categories=())
any_text = st.text(any_char, max_size=300)

# Pieces real text and queries are made of, and the odd ones users paste in.
WORDS = [
    "nuklir", "Korea", "Utara", "Korut", "perundingan", "enam", "pihak", "sanksi", "DK", "PBB",
    "AS", "Kim", "Jong-un", "negara-negara", "mengembangkan", "pengembangan", "Juche", "uji",
    "coba", "rudal", "balistik", "Pyongyang", "NPT", "Six", "Party", "Talks", "berkembang",
]
ODD = [
    "AND", "OR", "NOT", "and", "or", "not", "-", "+", "(", ")", '"', "'", "*", "?", "~", "^",
    "^2", "~2", "~0.5", ":", "path:", "text:", "raw:", "foo:", "title:", "\\", "/", "[", "]",
    "{", "}", "[a TO z]", "<", ">", "|", "&", "!", "#", "$", "%", "@", "=", ";", ",", ".",
    "\u0643\u0648\u0631\u064a\u0627", "\u05e2\u05d1\u05e8\u05d9\u05ea", "\u202e", "\u200f",
    "e\u0301", "a\u0308\u0301\u0323", "\U0001f4a3", "\U0001f1f0\U0001f1f5",
    "\U0001f468\u200d\U0001f469\u200d\U0001f467", "\x00", "\x1b[31m", "\x7f", "\ufeff", "\u00ad",
    "\u200b", "\u00a0", "\uff4e\uff55\uff4b\uff4c\uff49\uff52", "\u0130", "\u00df", "\ufb01",
    "\u2028", "\r", "\t", "\n", "[bold]", "${HOME}", "$(id)", "`id`", "%s", "{0}",
    "__import__('os').system('touch pwned')", "\u4e2d\u6587", "\u0928\u092e\u0938\u094d\u0924\u0947",
]
_piece = st.one_of(st.sampled_from(WORDS), st.sampled_from(ODD), st.text(any_char, max_size=6))
_affixed = st.tuples(
    st.sampled_from(["", "", "", "-", "+", '"', "(", "path:", "text:", "foo:", "NOT "]),
    _piece,
    st.sampled_from(["", "", "", "*", "?", "~", "~2", "^3", '"', ")", ":"]),
).map("".join)
_sep = st.sampled_from([" ", " ", " ", "", "\t", "  ", "\n", "\u3000"])


def _join(parts: list[tuple[str, str]]) -> str:
    return "".join(sep + piece for sep, piece in parts)


# Queries built from words, operators, markers and odd characters.
query_text = st.lists(st.tuples(_sep, _affixed), max_size=12).map(_join)
# About 10,000 characters: a random query repeated (a huge random one would
# be too slow to generate and shrink).
long_query = st.tuples(query_text.filter(bool), st.integers(2_000, 10_000)).map(
    lambda qn: (qn[0] * (qn[1] // len(qn[0]) + 1))[:qn[1]])
