"""The command line through a real subprocess: output, JSON, exit codes."""

import json
import subprocess
import sys

from conftest import ROOT, run_cli

from nkcorpus.analysis import stem

JSON_KEYS = {"rank", "score", "path", "rel", "line_start", "line_end", "unit", "text", "matches",
             "title", "date", "source", "expansions", "suggestions", "lexical_rank", "lexical_score",
             "semantic_rank", "semantic_score"}
NOTE_PREFIXES = ("also searched:", "did you mean:")


def test_terminal_output_has_rank_path_line_score_and_footer(index_base):
    proc = run_cli("search", "perundingan enam pihak", "--color", "never")
    assert proc.returncode == 0, proc.stderr
    lines = [ln for ln in proc.stdout.splitlines() if not ln.startswith(NOTE_PREFIXES)]
    first = lines[0]
    assert first.lstrip().startswith("1  ")
    assert ".txt:" in first and "score" in first
    assert "matching passages in" in proc.stdout.splitlines()[-1]
    assert "\x1b[" not in proc.stdout


def test_color_always_highlights_matches(index_base):
    proc = run_cli("search", "mengembangkan", "--color", "always")
    assert proc.returncode == 0
    assert "\x1b[1;31mpengembangan\x1b[0m" in proc.stdout.lower() or "\x1b[1;31mPengembangan" in proc.stdout


def test_no_color_env_wins_over_auto(index_base):
    proc = run_cli("search", "nuklir", env={"NO_COLOR": "1"})
    assert proc.returncode == 0 and "\x1b[" not in proc.stdout


def test_json_lines_have_exact_keys_and_valid_offsets(index_base):
    proc = run_cli("search", "Six Party Talks", "--json")
    assert proc.returncode == 0, proc.stderr
    lines = proc.stdout.splitlines()
    assert lines
    for n, line in enumerate(lines, 1):
        obj = json.loads(line)
        assert set(obj) == JSON_KEYS
        assert obj["rank"] == n and obj["unit"] == "line"
        assert obj["path"].endswith("/" + obj["rel"]) and not obj["rel"].startswith("/")
        assert obj["line_start"] <= obj["line_end"]
        assert isinstance(obj["score"], float)
        assert obj["expansions"] and obj["suggestions"] == []
        for m in obj["matches"]:
            assert set(m) == {"start", "end", "term"}
            assert stem(obj["text"][m["start"]:m["end"]].lower()) == m["term"]
    assert "Â" not in proc.stdout and "\\u" not in proc.stdout


def test_exit_codes(index_base, tmp_path):
    assert run_cli("search", "Juche").returncode == 0
    none = run_cli("search", "qwertyuiopasdf")
    assert none.returncode == 1 and none.stderr == ""
    missing = run_cli("search", "nuklir", "--corpus", str(tmp_path / "nope"))
    assert missing.returncode == 2
    assert missing.stderr.count("\n") == 1 and missing.stderr.startswith("nkcorpus: error:")
    bad = run_cli("search", "--limit", "zero", "nuklir")
    assert bad.returncode == 2 and "Traceback" not in bad.stderr
    assert bad.stderr.count("\n") == 1


def test_several_arguments_form_one_query(index_base):
    joined = run_cli("search", "mengembangkan", "senjata", "--json", "-n", "50")
    quoted = run_cli("search", "mengembangkan senjata", "--json", "-n", "50")
    assert joined.returncode == 0 and joined.stdout == quoted.stdout


def test_empty_query_is_an_error_in_one_line(index_base):
    proc = run_cli("search", " ")
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and "Traceback" not in proc.stderr


def test_closed_pipe_ends_quietly_with_zero(index_base):
    run_cli("index")  # build first, so the timing below is search only
    code = (
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-m', 'nkcorpus', 'search', 'nuklir', '--json', '-n', '50'],"
        " stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "p.stdout.readline(); p.stdout.close()\n"
        "err = p.stderr.read(); rc = p.wait()\n"
        "print(rc); sys.stdout.write(err.decode())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout
    rc, _, err = out.partition("\n")
    assert rc == "0" and err == ""


def test_shell_pipe_to_head(index_base):
    run_cli("index")
    proc = subprocess.run(
        f"{sys.executable} -m nkcorpus search nuklir --json -n 50 | head -1",
        shell=True, capture_output=True, text=True, timeout=120,
    )
    assert proc.stderr == ""
    assert json.loads(proc.stdout)["rank"] == 1


def test_index_command_summary_and_corpus_option(index_base, tmp_path):
    corpus = tmp_path / "artikel"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Korea Utara meluncurkan rudal balistik.\n", encoding="utf-8")
    proc = run_cli("index", str(corpus))
    assert proc.returncode == 0 and "1 documents" in proc.stderr
    found = run_cli("search", "rudal", "--corpus", str(corpus), "--json")
    assert json.loads(found.stdout.splitlines()[0])["path"] == f"{corpus}/a.txt"


def test_module_and_help_and_version():
    assert run_cli("--version").stdout.startswith("nkcorpus ")
    for cmd in (["--help"], ["search", "--help"], ["index", "--help"]):
        proc = run_cli(*cmd)
        assert proc.returncode == 0 and "Usage" in proc.stdout


def test_runs_from_another_directory(index_base, tmp_path):
    proc = run_cli("search", "Kim Jong-un", "--json", cwd=tmp_path)
    assert proc.returncode == 0 and json.loads(proc.stdout.splitlines()[0])["path"].startswith("/")
    assert str(ROOT) in proc.stdout or "site-packages" in proc.stdout


def test_did_you_mean_and_also_searched_lines(index_base):
    proc = run_cli("search", "sangsi korut", "--color", "never")
    assert proc.returncode == 0
    assert "did you mean: sangsi → sanksi" in proc.stdout
    assert "also searched: korut → Korea Utara" in proc.stdout
    exact = run_cli("search", "sangsi korut", "--color", "never", "--exact")
    assert "did you mean" not in exact.stdout and "also searched" not in exact.stdout


def test_json_carries_suggestions(index_base):
    proc = run_cli("search", "reaktor nukilr", "--json")
    obj = json.loads(proc.stdout.splitlines()[0])
    assert obj["suggestions"] == ["nukilr → nuklir"]


def test_file_option_and_aliases_file(index_base, tmp_path):
    proc = run_cli("search", "nuklir", "--file", "003_*", "--json", "-n", "50")
    assert proc.returncode == 0
    assert all("/003_" in json.loads(line)["path"] for line in proc.stdout.splitlines())
    mine = tmp_path / "aliases.txt"
    mine.write_text("zzqx => Juche\n", encoding="utf-8")
    found = run_cli("search", "zzqx", "--aliases", str(mine), "--json")
    assert found.returncode == 0 and "juche" in found.stdout.lower()
    bad = run_cli("search", "nuklir", "--aliases", str(tmp_path / "none.txt"))
    assert bad.returncode == 2 and bad.stderr.startswith("nkcorpus: error: cannot read the aliases file")
    assert bad.stderr.count("\n") == 1


def test_malformed_query_never_traces(index_base):
    for q in ['"uji coba', "(sanksi AND", "NOT", ") OR (", "-nuklir"]:
        proc = run_cli("search", q)
        assert "Traceback" not in proc.stderr and proc.returncode in (0, 1, 2)
