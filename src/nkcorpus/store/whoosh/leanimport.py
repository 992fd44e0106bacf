"""Import Whoosh without the modules it loads for features nkcorpus never uses.

Three imports in (pinned) Whoosh cost a search's start-up 40-60 ms together
(``python -X importtime``):

* ``whoosh.compat`` imports ``urllib.request`` (http.client, email, ssl)
  for a ``urlretrieve`` nothing in Whoosh calls;
* ``whoosh.reading`` imports the ``cached_property`` package, which imports
  asyncio, for one property;
* ``whoosh.query.terms`` imports ``whoosh.lang.morph_en``, which compiles
  some two dozen large regular expressions, for the English ``Variations``
  query.

While Whoosh loads, light stand-ins answer those imports: functions that
import the real module when first called, and ``functools.cached_property``
(the same behaviour for a plain method). The stand-ins leave ``sys.modules``
right after, so any later import gets the real module.
"""

from __future__ import annotations

import functools
import importlib
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager


def _on_first_call(module: str, name: str):
    """A function that imports ``module`` when called and calls its ``name``."""

    def call(*args, **kwargs):
        return getattr(importlib.import_module(module), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


STAND_INS = {
    "urllib.request": {"urlretrieve": _on_first_call("urllib.request", "urlretrieve")},
    "cached_property": {"cached_property": functools.cached_property},
    "whoosh.lang.morph_en": {"variations": _on_first_call("whoosh.lang.morph_en", "variations")},
}


def import_whoosh() -> None:
    """Import the Whoosh modules that search and indexing need, leanly."""
    if "whoosh.query" in sys.modules:
        return
    with _standing_in(STAND_INS):
        import whoosh.compat  # noqa: F401
        import whoosh.query  # noqa: F401  (pulls whoosh.reading)
        import whoosh.reading  # noqa: F401


@contextmanager
def _standing_in(stand_ins: dict[str, dict]) -> Iterator[None]:
    """Let tiny modules answer imports of these names meanwhile (unless loaded)."""
    placed = {}
    for name, attrs in stand_ins.items():
        if name not in sys.modules:
            module = types.ModuleType(name, "nkcorpus.leanimport stand-in")
            module.__dict__.update(attrs)
            placed[name] = sys.modules[name] = module
    try:
        yield
    finally:
        for name, module in placed.items():
            if sys.modules.get(name) is module:
                del sys.modules[name]
