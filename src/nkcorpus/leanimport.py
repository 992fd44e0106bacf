"""Import Whoosh without two standard-library trees it never uses here.

``whoosh.compat`` imports ``urllib.request`` (which pulls in http.client,
email and ssl) for a ``urlretrieve`` nothing in Whoosh calls, and
``whoosh.reading`` imports the ``cached_property`` package, which imports
asyncio, for one property. Together that is 30-50 ms of every search's start-up
(``python -X importtime``). While those two Whoosh modules load, light
stand-ins answer for the imports: a ``urlretrieve`` that imports the real one
when called, and ``functools.cached_property`` (the same behaviour for plain
methods). The stand-ins leave ``sys.modules`` right after, so any later
``import urllib.request`` or ``import cached_property`` gets the real module.

Whoosh is pinned (pyproject.toml), so the two import lines are known.
"""

from __future__ import annotations

import functools
import sys
import types
from collections.abc import Iterator
from contextlib import contextmanager


def import_whoosh() -> None:
    """Import the Whoosh modules that search and indexing need, leanly."""
    if "whoosh.compat" not in sys.modules:
        with _standing_in("urllib.request", urlretrieve=_urlretrieve):
            import whoosh.compat  # noqa: F401
    if "whoosh.reading" not in sys.modules:
        with _standing_in("cached_property", cached_property=functools.cached_property):
            import whoosh.reading  # noqa: F401


def _urlretrieve(*args, **kwargs):
    """``urllib.request.urlretrieve``, imported on first use."""
    from urllib.request import urlretrieve

    return urlretrieve(*args, **kwargs)


@contextmanager
def _standing_in(name: str, **attrs) -> Iterator[None]:
    """Let a tiny module answer ``import name`` meanwhile (unless it is loaded)."""
    if name in sys.modules:
        yield
        return
    stand_in = types.ModuleType(name, "nkcorpus.leanimport stand-in")
    stand_in.__dict__.update(attrs)
    sys.modules[name] = stand_in
    try:
        yield
    finally:
        if sys.modules.get(name) is stand_in:
            del sys.modules[name]
