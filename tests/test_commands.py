"""The everyday search line is parsed without typer: the same parameters as
typer's parse for every line the quick parser takes, and typer's for the rest."""

from __future__ import annotations

import itertools

import pytest
import typer

from nkcorpus.cli import app as cli
from nkcorpus.cli import commands
from nkcorpus.cli.fast import parse_search
from nkcorpus.cli.options import SEARCH_ENVVARS, SEARCH_FLAGS, SEARCH_VALUES


def typer_params(argv: list[str], monkeypatch) -> dict | None:
    """What typer hands the search command for ``argv`` (None: it refused)."""
    seen = []
    monkeypatch.setattr(commands, "search_command", lambda **params: seen.append(params) or 0)
    code = cli.run(argv)
    return seen[0] if code == 0 and seen else None


LINES = [
    ["search", "nuklir"],
    ["search", "perundingan", "enam", "pihak"],
    ["search", "Six Party Talks", "--json"],
    ["search", "--json", "korut", "-n", "3"],
    ["search", "korut", "-n3", "--exact"],
    ["search", "korut", "--limit=25", "--limit", "4"],
    ["search", "korut", "--corpus", "/tmp/x", "-c", "rel/dir"],
    ["search", "korut", "--corpus=/tmp/x y"],
    ["search", "korut", "-f", "*.md", "--file", "a/*", "--file=b.txt"],
    ["search", "korut", "--color", "never"],
    ["search", "korut", "--color=always", "--index-dir", "/tmp/ix"],
    ["search", "korut", "--aliases", "mine.txt"],
    ["search", "korut", "--since", "2019", "--until=2019-09-30"],
    ["search", "korut", "--since", "kemarin"],  # checked by the search, alike
    ["search", "--", "nuklir", "-rudal", "-n", "2"],
    ["search", "nuklir", "-", "x"],
    ["search", "\"uji coba\" +nuklir", "path:*001*"],
    ["search", "kata", "--json", "--json", "--exact"],
    # a -word that is no option excludes the word (issue 14)
    ["search", "nuklir", "-rudal"],
    ["search", "nuklir", "-iran", "-n", "3"],
    ["search", "-iran", "nuklir", "--json"],
    ["search", "nuklir", "-nuklir", "-cina", "-fasis", "-Cina"],
    ["search", "nuklir", "-path:berita/*", "-n2"],
    ["search", "nuklir", '-"uji coba"', "-x"],
    ["search", "nuklir", "-iran", "--", "-n", "2"],
    ["search", "nuklir", "-iran", "--corpus", "/tmp/x", "-f", "*.md"],
    # new options
    ["search", "nuklir", "--format", "csv", "--files", "-l", "--count"],
    ["search", "nuklir", "--per-file", "0", "-C", "2", "--context=1", "--full"],
    ["search", "nuklir", "-C2", "--format=tsv"],
    ["search", "nuklir", "berita/", "."],
    # refused by typer or left to it: help, unknown options, bad values
    ["search", "--help"],
    ["search", "nuklir", "-n", "0"],
    ["search", "nuklir", "--per-file", "-1"],
    ["search", "nuklir", "--format", "xml"],
    ["search", "nuklir", "-C", "x"],
    ["search", "nuklir", "-n", "lima"],
    ["search", "nuklir", "-n", "+5"],
    ["search", "nuklir", "--limit"],
    ["search", "nuklir", "--color", "Never"],
    ["search", "nuklir", "--json=yes"],
    ["search", "nuklir", "--corpus="],
    ["search", "nuklir", "--corpus", "--json"],
    ["search", "nuklir", "--jso"],
    ["search"],
    ["search", "--json"],
    ["--version"],
    ["status", "--json"],
    ["index", "nuklir"],
    [],
]
ENVIRONMENTS = [{}, {"NKCORPUS_INDEX_DIR": "/tmp/env-ix", "NKCORPUS_ALIASES": "env.txt"},
                {"NKCORPUS_INDEX_DIR": "", "NKCORPUS_ALIASES": ""}]


@pytest.mark.parametrize("env", ENVIRONMENTS, ids=["no env", "env", "empty env"])
@pytest.mark.parametrize("argv", LINES, ids=" ".join)
def test_the_quick_parse_is_typers_or_none(argv, env, monkeypatch, capsys):
    for name in SEARCH_ENVVARS.values():
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    quick = parse_search(argv)
    if quick is not None:
        assert quick == typer_params(argv, monkeypatch)


def test_lines_mixed_from_every_option_parse_alike(monkeypatch, capsys):
    """Every pair of options, before and after the words, in both spellings."""
    for name in SEARCH_ENVVARS.values():
        monkeypatch.delenv(name, raising=False)
    samples = {"corpus": "/d", "limit": "7", "color": "never", "index_dir": "/ix", "file": "*.md",
               "aliases": "a.txt", "format": "csv", "per_file": "2", "context": "1",
               "since": "2019-09", "until": "2019", "report": "r.html", "mode": "lexical"}
    pieces = [[name] for name in SEARCH_FLAGS]
    pieces += [[name, samples[param]] for name, param in SEARCH_VALUES.items()]
    pieces += [[f"{name}={samples[param]}"] for name, param in SEARCH_VALUES.items() if name.startswith("--")]
    taken = 0
    for a, b in itertools.combinations(pieces, 2):
        for argv in (["search", *a, "kata", *b], ["search", "kata", "dua", *a, *b]):
            quick = parse_search(argv, env={})
            assert quick is not None, argv
            assert quick == typer_params(argv, monkeypatch), argv
            taken += 1
    assert taken == 2 * len(pieces) * (len(pieces) - 1) // 2 > 200


def test_the_option_table_is_typers():
    """Each option typer declares for `search` is in the quick parser's table,
    as a flag or with a value, with the same environment variable; and no other."""
    command = typer.main.get_command(cli.app).commands["search"]
    flags, values, envvars = {}, {}, {}
    for param in command.params:
        if param.param_type_name != "option":
            continue
        table = flags if param.is_flag else values
        table.update({name: param.name for name in param.opts})
        if param.envvar:
            envvars[param.name] = param.envvar
    assert (flags, values, envvars) == (SEARCH_FLAGS, SEARCH_VALUES, SEARCH_ENVVARS)
