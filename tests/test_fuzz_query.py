"""Fuzzing the query path through its public entry points.

Whatever the query, a search ends with hits, no hits, or one error line and
exit code 2; JSON output is valid JSON Lines; every match lies inside its
passage and covers text that analyzes to a term the search says it searched.
"""

from __future__ import annotations

import contextlib
import io
import json
import shutil
import subprocess
import sys

import pytest
from hypothesis import example, given

from nkcorpus.cli import app as cli
from nkcorpus.store import layout
from nkcorpus.store import update as upd
from nkcorpus.analysis import iter_terms
from nkcorpus.errors import NkError
from nkcorpus import Corpus as NkCorpus

from conftest import SEEDS
from fuzzing import FUZZ, any_text, fewer, long_query, query_text

# A document in other scripts, so odd queries can hit something too.
FOREIGN = (
    "Berita dari كوريا الشمالية dan עברית: nuklir 💣 lagi.\n\n"
    "Café e\u0301 naïve İstanbul straße ﬁnal ｎｕｋｌｉｒ 中文 नमस्ते.\n\n"
    "Kode: x=1; $(id) `id` __import__('os') [bold]merah[/bold] 100% A&B.\n"
)


@pytest.fixture(scope="module")
def corpus(tmp_path_factory):
    """A copy of the seeds plus a foreign-script document, indexed once."""
    top = tmp_path_factory.mktemp("fuzzq")
    root = top / "korpus"
    shutil.copytree(SEEDS, root)
    (root / "asing.md").write_text(FOREIGN, encoding="utf-8")
    base = top / "indexes"
    upd.update(root.resolve(), layout.corpus_home(base, root.resolve()))
    return root, base


def run_search(corpus, query: str):
    root, base = corpus
    try:
        return NkCorpus(str(root), index_dir=base).search(query, limit=20)
    except NkError as exc:
        assert exc.message and "\n" not in exc.message and "\n" not in (exc.hint or "")
        assert exc.exit_code == 2
        return None


def analyzed(text: str) -> set[str]:
    return {t for stemmed in (True, False) for t, _, _, _ in iter_terms(text, stemmed)}


def check_matches(text: str, matches, searched: set[str]) -> None:
    for m in matches:
        assert 0 <= m.start < m.end <= len(text)
        assert m.term in searched, (m.term, searched)
        assert m.term in analyzed(text[m.start:m.end]), (text[m.start:m.end], m.term)


def check_result(result) -> None:
    if result is None:
        return
    # what the result says it searched, as displayed: analyzed to terms
    searched = analyzed(" ".join((*result.searched_terms, *result.expansions, *result.suggestions)))
    assert len(result.hits) <= 20 and result.total >= len(result.hits)
    for rank, hit in enumerate(result.hits, 1):
        assert hit.rank == rank and hit.line_start <= hit.line_end
        check_matches(hit.text, hit.matches, searched)


@FUZZ
@given(query_text)
@example('"perundingan enam pihak')
@example('nuklir AND (Korea OR -Utara')
@example('path:*.txt text:"uji coba" foo:bar nukl* n?klir nuklir~2 sanksi^3')
@example("NOT")
@example("- + ( ) \" ' * ? ~ ^")
@example("e\u0301 \u202enuklir\u202c \U0001f4a3 \u0643\u0648\u0631\u064a\u0627")
@example("\x00nuklir\x1b[31m")
@example("MEAN")
@example("\ud800nuklir\udfff")
def test_any_query_gives_hits_no_hits_or_one_error(corpus, query):
    check_result(run_search(corpus, query))


@FUZZ
@given(any_text)
def test_any_unicode_query(corpus, query):
    check_result(run_search(corpus, query))


@fewer(0.07)
@given(long_query)
@example("nuklir " * 1500)
@example("(" * 5000 + "nuklir" + ")" * 5000)
@example('"' + "nuklir Korea " * 800 + '"')
def test_very_long_queries(corpus, query):
    check_result(run_search(corpus, query))


def cli_run(args: list[str]) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.run(args)
    return code, out.getvalue(), err.getvalue()


def check_cli(code: int, out: str, err: str, json_lines: bool) -> None:
    assert code in (0, 1, 2), (code, err)
    assert "Traceback" not in err and "internal error" not in err, err
    if code == 2:
        assert out == "" and err.count("\n") == 1 and err.startswith("nkcorpus: error: "), err
        return
    assert _without_hints(err) == "", err
    if not json_lines:
        return
    lines = out.splitlines(keepends=True)
    assert (code == 0) == bool(lines)
    for line in lines:
        assert line.endswith("\n")
        obj = json.loads(line)
        check_matches(obj["text"], [_Match(**m) for m in obj["matches"]], {m["term"] for m in obj["matches"]})


# Lines a search prints besides its results: a closest spelling when the
# JSON output has no hits, and the note of a phrase relaxed to its words.
_HINTS = ("nkcorpus: did you mean: ", "nkcorpus: warning: no passage holds the quoted phrase",
          "nkcorpus: warning: unknown field '")


def _without_hints(err: str) -> str:
    return "".join(line for line in err.splitlines(keepends=True) if not line.startswith(_HINTS))


class _Match:
    def __init__(self, start: int, end: int, term: str) -> None:
        self.start, self.end, self.term = start, end, term


@fewer(0.5)
@given(query_text)
@example("-- --json")
@example("--limit")
def test_cli_json_is_always_json_lines(corpus, query):
    root, base = corpus
    args = ["search", "--json", "--corpus", str(root), "--index-dir", str(base), "--", query]
    check_cli(*cli_run(args), json_lines=True)


@fewer(0.3)
@given(query_text)
@example("[bold]nuklir[/bold] [link=http://x]Korea[/link]")
def test_cli_text_output_never_fails(corpus, query):
    root, base = corpus
    args = ["search", "--color", "always", "--corpus", str(root), "--index-dir", str(base), "--", query]
    check_cli(*cli_run(args), json_lines=False)


@pytest.mark.parametrize("arg", [
    b"\xff\xfenuklir",          # not UTF-8: arrives as lone surrogates
    b"nuklir \xc3",             # a cut UTF-8 sequence
    "\u202enuklir \U0001f4a3 \u0643\u0648\u0631\u064a\u0627 e\u0301".encode(),
    b'"unbalanced ( -NOT path:',
])
def test_odd_argv_bytes_in_a_real_process(corpus, arg):
    root, base = corpus
    argv = [sys.executable.encode(), b"-m", b"nkcorpus", b"search", b"--json", b"--corpus",
            str(root).encode(), b"--index-dir", str(base).encode(), b"--", arg]
    proc = subprocess.run(argv, capture_output=True, timeout=120)
    out, err = proc.stdout.decode("utf-8"), proc.stderr.decode("utf-8", "backslashreplace")
    check_cli(proc.returncode, out, err, json_lines=True)
