"""Issue 14: a command line researchers and ripgrep users can trust. Each
test runs the real command in a subprocess."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys

import pytest
from conftest import run_cli

from nkcorpus.understand import understand
from nkcorpus.understand.aliases import load
from nkcorpus.understand.syntax import parse_query


@pytest.fixture
def riset(tmp_path):
    """riset/{berita/{tempo/a.txt, b.txt}, makalah/c.txt, dump.txt}"""
    root = tmp_path / "riset"
    (root / "berita" / "tempo").mkdir(parents=True)
    (root / "makalah").mkdir()
    (root / "berita" / "tempo" / "a.txt").write_text("Uji coba nuklir Korea Utara, kata Kim.\n", encoding="utf-8")
    (root / "berita" / "b.txt").write_text("Sanksi nuklir PBB terhadap Korea Utara.\n", encoding="utf-8")
    (root / "makalah" / "c.txt").write_text("Makalah tentang nuklir dan Iran.\n", encoding="utf-8")
    (root / "dump.txt").write_text("Kim Jong-un dalam sebuah dump.\n", encoding="utf-8")
    return root


def listed(proc) -> list[str]:
    assert proc.returncode in (0, 1), proc.stderr
    return proc.stdout.splitlines()


def rels(proc) -> set[str]:
    assert proc.returncode == 0, proc.stderr
    return {json.loads(line)["rel"] for line in proc.stdout.splitlines()}


# --- wrong results -------------------------------------------------------------------


def test_minus_path_excludes_files(index_base, riset):
    kept = rels(run_cli("search", "nuklir path:berita/*", "-c", str(riset), "--json"))
    dropped = rels(run_cli("search", "nuklir -path:berita/*", "-c", str(riset), "--json"))
    assert kept == {"berita/b.txt", "berita/tempo/a.txt"}
    assert dropped == {"makalah/c.txt"}
    assert rels(run_cli("search", "Kim -path:*dump*", "-c", str(riset), "--json")) == {"berita/tempo/a.txt"}
    assert rels(run_cli("search", "Kim NOT path:*dump*", "-c", str(riset), "--json")) == {"berita/tempo/a.txt"}


def test_parse_keeps_and_excludes_paths():
    parsed = parse_query("nuklir -path:berita/* path:*.txt NOT path:x* iran")
    assert parsed.paths == ["*.txt"] and parsed.exclude == ["berita/*", "x*"]
    assert [(c.text, c.occur) for c in parsed.clauses] == [("nuklir", "should"), ("iran", "should")]


def test_a_folder_after_the_query_is_searched(index_base, riset):
    assert rels(run_cli("search", "nuklir", ".", "--json", cwd=riset)) == {
        "berita/b.txt", "berita/tempo/a.txt", "makalah/c.txt"}
    assert rels(run_cli("search", "nuklir", "berita/", "--json", cwd=riset)) == {"b.txt", "tempo/a.txt"}
    proc = run_cli("search", "nuklir", "berita/", "--files", cwd=riset)
    assert listed(proc) == ["berita/b.txt", "berita/tempo/a.txt"] or sorted(listed(proc)) == [
        "berita/b.txt", "berita/tempo/a.txt"]
    # with --corpus, folders and files after the query narrow it
    assert rels(run_cli("search", "nuklir", "berita/tempo/", "makalah/c.txt", "-c", ".", "--json",
                        cwd=riset)) == {"berita/tempo/a.txt", "makalah/c.txt"}


def test_a_subfolder_is_searched_in_its_parents_index(index_base, riset):
    assert run_cli("index", str(riset)).returncode == 0
    assert rels(run_cli("search", "nuklir", "-c", str(riset / "berita"), "--json")) == {
        "b.txt", "tempo/a.txt"}
    assert rels(run_cli("search", "nuklir", "-c", str(riset / "berita"), "--file", "b.txt", "--json")) == {"b.txt"}
    assert len(list(index_base.iterdir())) == 1  # no second index


def test_a_missing_path_is_an_error_and_a_bare_folder_word_a_note(index_base, riset):
    proc = run_cli("search", "nuklir", "nope/", cwd=riset)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1
    assert "no such file or folder: nope/" in proc.stderr and 'nkcorpus search "uji coba"' in proc.stderr
    proc = run_cli("search", "nuklir", "berita", cwd=riset)
    assert proc.returncode == 0 and "searched the bundled essays" in proc.stderr
    proc = run_cli("search", "nuklir", str(riset / "berita") + "/", str(riset / "makalah") + "/")
    assert proc.returncode == 2 and "not inside the corpus" in proc.stderr


def test_a_minus_word_that_is_no_option_excludes_it(index_base, riset):
    for line in (["nuklir", "-iran"], ["-iran", "nuklir", "-n", "5"], ["nuklir", "-iran", "--limit=5"]):
        proc = run_cli("search", *line, "-c", str(riset), "--json")
        assert rels(proc) == {"berita/b.txt", "berita/tempo/a.txt"}, line
    # the typer path (an option it must explain) takes -iran the same way
    proc = run_cli("search", "nuklir", "-iran", "--color", "nope", "-c", str(riset))
    assert proc.returncode == 2 and "-i" not in proc.stderr.split("'")[0] and "color" in proc.stderr


def test_two_corpus_options_are_refused(index_base, riset):
    proc = run_cli("search", "nuklir", "-c", str(riset), "-c", str(riset / "berita"))
    assert proc.returncode == 2 and "give one --corpus" in proc.stderr and proc.stderr.count("\n") == 1


def test_file_takes_folders_and_globs_from_here(index_base, riset):
    assert rels(run_cli("search", "nuklir", "-c", "riset", "--file", "riset/berita/tempo/*", "--json",
                        cwd=riset.parent)) == {"berita/tempo/a.txt"}
    assert rels(run_cli("search", "nuklir", "-c", "riset", "--file", "berita/tempo", "--json",
                        cwd=riset.parent)) == {"berita/tempo/a.txt"}
    proc = run_cli("search", "nuklir", "-c", str(riset), "--file", "majalah/*")
    assert proc.returncode == 1 and "--file 'majalah/*' matches no file" in proc.stderr


def test_acronyms_do_not_fire_on_a_fragment_of_a_name():
    aliases = load()

    def expanded(query):
        return " ".join(understand(query, None, aliases).expansions)

    assert "PBB" not in expanded("Kim Jong-un") and "PBB" not in expanded("kim jong un")
    assert "PBB" in expanded("UN") and "PBB" in expanded("un") and "PBB" in expanded("sanksi UN")
    assert "Amerika Serikat" in expanded("AS") and "Amerika Serikat" in expanded("sanksi as")
    assert "Amerika Serikat" not in expanded("as-is")
    assert "Perserikatan" in expanded("DK PBB") and "Dewan Keamanan" in expanded("dk pbb")


def test_kim_jong_un_finds_kim(index_base):
    proc = run_cli("search", "Kim Jong-un", "--json", "-n", "50")
    texts = [json.loads(line)["text"].lower() for line in proc.stdout.splitlines()]
    assert texts and all("kim" in t or "jong" in t for t in texts)


def test_unknown_fields_warn_and_proximity_is_any_order(index_base, tmp_path):
    corpus = tmp_path / "c"
    corpus.mkdir()
    (corpus / "a.txt").write_text("Korea Utara terkena sanksi baru.\n\n"
                                  "Sanksi itu dijatuhkan karena uji coba di Korea.\n\n"
                                  "Sanksi pertama dijatuhkan bertahun-tahun lalu oleh banyak negara "
                                  "kepada negara lain selain Korea.\n", encoding="utf-8")
    proc = run_cli("search", "isi:2019 nuklir", "-c", str(corpus))
    assert "unknown field 'isi:'" in proc.stderr
    def lines(slop):
        near = run_cli("search", f'+"sanksi korea"~{slop}', "-c", str(corpus), "--json")
        assert near.stderr == ""
        return sorted(json.loads(line)["line_start"] for line in near.stdout.splitlines())

    assert lines(3) == [1]  # "Korea Utara terkena sanksi": any order
    assert lines(8) == [1, 3]  # not line 5: sanksi and Korea stand 14 words apart
    assert parse_query('"sanksi korea"~10').clauses[0].slop == 10


def test_text_output_to_a_closed_pipe_exits_zero(index_base):
    run_cli("index")
    for extra in ([], ["--color", "always"], ["--format", "csv"], ["--files"], ["-C", "1"]):
        proc = subprocess.run(
            f"{sys.executable} -m nkcorpus search nuklir -n 30 {' '.join(extra)} | head -1; "
            "exit ${PIPESTATUS[0]}", shell=True, executable="/bin/bash", capture_output=True, text=True,
            timeout=120)
        assert proc.returncode == 0 and proc.stderr == "", (extra, proc.stderr)
    code = (
        "import subprocess, sys\n"
        "p = subprocess.Popen([sys.executable, '-m', 'nkcorpus', 'search', 'nuklir', '-n', '30'],"
        " stdout=subprocess.PIPE, stderr=subprocess.PIPE)\n"
        "p.stdout.close(); err = p.stderr.read(); print(p.wait()); sys.stdout.write(err.decode())\n"
    )
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120).stdout
    assert out == "0\n"


# --- what researchers expect ------------------------------------------------------


def test_files_and_count(index_base, riset):
    files = listed(run_cli("search", "nuklir", "--files", "-c", str(riset)))
    assert sorted(files) == sorted(f"{riset}/{rel}" for rel in ("berita/b.txt", "berita/tempo/a.txt", "makalah/c.txt"))
    assert len(listed(run_cli("search", "nuklir", "--files", "-n", "2", "-c", str(riset)))) == 2
    assert listed(run_cli("search", "nuklir", "--count", "-c", str(riset))) == ["3 passages in 3 documents"]
    counted = json.loads(run_cli("search", "nuklir", "--count", "--json", "-c", str(riset)).stdout)
    assert counted == {"passages": 3, "documents": 3}
    objs = [json.loads(line) for line in listed(run_cli("search", "nuklir", "-l", "--json", "-c", str(riset)))]
    assert [o["rank"] for o in objs] == [1, 2, 3] and set(objs[0]) == {"rank", "score", "path", "rel", "passages"}
    footer = listed(run_cli("search", "nuklir", "-c", str(riset), "--color", "never"))[-1]
    assert footer.startswith("3 of 3 matching passages in 3 documents")
    none = run_cli("search", "zzzqqq", "--count", "-c", str(riset))
    assert none.returncode == 1 and none.stdout == "0 passages in 0 documents\n"


@pytest.fixture
def big(tmp_path):
    corpus = tmp_path / "big"
    corpus.mkdir()
    (corpus / "huge.txt").write_text("\n\n".join(f"Paragraf {i} tentang nuklir nuklir nuklir." for i in range(40)),
                                     encoding="utf-8")
    (corpus / "small.txt").write_text("Satu kalimat tentang nuklir.\n", encoding="utf-8")
    return corpus


def test_per_file_limits_the_passages_of_one_file(index_base, big):
    def files_of(*extra):
        proc = run_cli("search", "nuklir", "-c", str(big), "--json", "-n", "10", *extra)
        return [json.loads(line)["rel"] for line in listed(proc)]

    default = files_of()
    assert default.count("huge.txt") == 8 and "small.txt" in default
    assert files_of("--per-file", "2") == ["huge.txt", "huge.txt", "small.txt"] or \
        sorted(files_of("--per-file", "2")) == ["huge.txt", "huge.txt", "small.txt"]
    assert files_of("--per-file", "0").count("huge.txt") == 10


def test_context_and_full(index_base, tmp_path):
    corpus = tmp_path / "ctx"
    corpus.mkdir()
    long = "Panjang " * 80 + "pusaka " + "akhir " * 80
    (corpus / "a.txt").write_text(f"Sebelum satu.\n\nTentang rudal.\n\nSesudah satu.\n\n{long}\n", encoding="utf-8")
    text = run_cli("search", "tentang", "-C", "1", "-c", str(corpus), "--color", "never").stdout
    lines = text.splitlines()
    at = next(i for i, ln in enumerate(lines) if "Tentang rudal" in ln)
    assert lines[at - 1].strip() == "1- Sebelum satu." and lines[at + 1].strip() == "5- Sesudah satu."
    obj = json.loads(run_cli("search", "tentang", "-C", "1", "-c", str(corpus), "--json").stdout)
    assert obj["before"] == [{"line_start": 1, "line_end": 1, "text": "Sebelum satu."}]
    assert [n["line_start"] for n in obj["after"]] == [5]
    trimmed = run_cli("search", "pusaka", "-c", str(corpus), "--color", "never", "-n", "1").stdout
    full = run_cli("search", "pusaka", "-c", str(corpus), "--color", "never", "-n", "1", "--full").stdout
    passage = json.loads(run_cli("search", "pusaka", "-c", str(corpus), "--json", "-n", "1").stdout)["text"]
    assert "…" in trimmed and "…" not in full and passage in full and len(passage) > 400


def test_csv_and_tsv(index_base, riset):
    out = run_cli("search", "nuklir", "--format", "csv", "-c", str(riset)).stdout
    rows = list(csv.reader(io.StringIO(out)))
    assert rows[0] == ["rank", "score", "path", "rel", "line_start", "line_end", "unit", "text"]
    assert len(rows) == 4 and rows[1][0] == "1" and rows[1][6] == "line"
    tsv = run_cli("search", "nuklir", "--format", "tsv", "-c", str(riset)).stdout.splitlines()
    assert all(len(line.split("\t")) == 8 for line in tsv) and len(tsv) == 4
    files = list(csv.reader(io.StringIO(run_cli("search", "nuklir", "--files", "--format", "csv",
                                                "-c", str(riset)).stdout)))
    assert files[0] == ["rank", "score", "path", "rel", "passages"] and len(files) == 4
    bad = run_cli("search", "nuklir", "--json", "--format", "csv")
    assert bad.returncode == 2 and bad.stderr.count("\n") == 1


def test_bundled_paths_are_shown_inside_the_corpus(index_base):
    first = run_cli("search", "nuklir", "--color", "never").stdout.splitlines()[0]
    assert first.split()[1].startswith("00") and "/" not in first.split()[1]
