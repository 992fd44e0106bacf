"""The everyday ``nkcorpus search WORDS [options]`` line, parsed without typer.

Importing typer (and the click it carries) is a fifth of a search's
start-up, so ``main`` parses an everyday search line itself, from the same
option table typer's declaration is built from (``options.SEARCH``).
Anything else or unusual (help, an unknown option, a value typer would
refuse) goes to typer, which parses it and explains any mistake;
``tests/test_commands.py`` checks that both parse every line alike.
"""

from __future__ import annotations

import os
from collections.abc import Mapping

from nkcorpus.cli.options import SEARCH, SEARCH_FLAGS, SEARCH_VALUES, is_query_word

_BY_NAME = {o.name: o for o in SEARCH}


def parse_search(argv: list[str], env: Mapping[str, str] = os.environ) -> dict | None:
    """The parameters of ``commands.search_command`` for an everyday search
    line, or None when typer should parse ``argv``."""
    if len(argv) < 2 or argv[0] != "search":
        return None
    words: list[str] = []
    values: dict[str, str | list[str]] = {}
    args = iter(argv[1:])
    for arg in args:
        if arg == "--":
            words.extend(args)
        elif _is_word(arg):
            words.append(arg)
        elif not _take_option(arg, args, values):
            return None
    return _typed(words, values, env) if words else None


def _is_word(arg: str) -> bool:
    """A word of the query: not an option (``-iran`` is a word, ``-n`` not)."""
    return not arg.startswith("-") or arg == "-" or is_query_word(arg)


def _take_option(arg: str, args, values: dict) -> bool:
    """Put option ``arg`` (and its value) into ``values``; False if typer
    should handle it: unknown, a value missing, empty or like an option."""
    if arg.startswith("--"):
        name, equals, value = arg.partition("=")
    else:  # -n5 or -n 5
        name, value = arg[:2], arg[2:]
        equals = "=" if value else ""
    if name in SEARCH_FLAGS and not equals:
        values[SEARCH_FLAGS[name]] = "yes"
        return True
    param = SEARCH_VALUES.get(name)
    if param is None:
        return False
    if not equals:
        value = next(args, "")
    if not value or value.startswith("-"):
        return False
    if _BY_NAME[param].kind == "values":
        values.setdefault(param, []).append(value)
    else:
        values[param] = value  # the last one counts, as in click
    return True


def _typed(words: list[str], values: dict, env: Mapping[str, str]) -> dict | None:
    """Typed parameters, environment defaults applied; None for a value that
    typer would refuse (it then says why)."""
    params: dict = {"query": words}
    for opt in SEARCH:
        raw = values.get(opt.name)
        if opt.kind == "flag":
            params[opt.name] = raw is not None
            continue
        if raw is None and opt.envvar:
            raw = env.get(opt.envvar) or None
        if raw is None or opt.kind == "values":
            params[opt.name] = opt.default if raw is None else raw
            continue
        value = opt.convert(raw)
        if value is None:
            return None
        params[opt.name] = value
    return params


def words_last(argv: list[str]) -> list[str]:
    """``search`` arguments with the query words (``-iran`` among them)
    moved after ``--``, in their order, so that typer takes a ``-word`` for
    a word as the quick parser does; options keep their values."""
    if not argv or argv[0] != "search":
        return argv
    options: list[str] = []
    words: list[str] = []
    args = iter(argv[1:])
    for arg in args:
        if arg == "--":
            words.extend(args)
        elif _is_word(arg):
            words.append(arg)
        else:
            options.append(arg)
            if arg in SEARCH_VALUES and _BY_NAME[SEARCH_VALUES[arg]].kind != "flag":
                value = next(args, None)
                if value is not None:
                    options.append(value)
    if not any(is_query_word(w) for w in words):
        return argv
    return ["search", *options, "--", *words]
