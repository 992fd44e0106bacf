"""The ``nkcorpus`` command: a thin layer over the library.

``options`` declares every option once; ``fast`` parses an everyday search
line from that table without importing typer; ``app`` is the typer app
(help, the other commands, every unusual line); ``commands`` turns parsed
arguments into settings, calls the library and hands the result to a
renderer. Nothing in the library imports this package.
"""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> None:
    """The ``nkcorpus`` command."""
    from nkcorpus.cli.commands import guarded, search_command
    from nkcorpus.cli.fast import parse_search

    from nkcorpus.procs import leave, stop_on_signals, stopped

    stop_on_signals()  # SIGTERM and SIGHUP stop cleanly, like Ctrl-C
    argv = sys.argv[1:] if argv is None else list(argv)
    params = parse_search(argv)
    if params is None:
        from nkcorpus.cli.app import run

        code = run(argv)
    else:
        code = guarded(lambda: search_command(**params))
    if stopped():
        leave(code)  # nothing may hang after a stop (procs.leave)
    sys.exit(code)
