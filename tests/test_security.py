"""Security: links out of the corpus are not followed unless asked, nothing
from a document or a query is executed or interpreted, and nothing is
written outside the index folder."""

from __future__ import annotations

import contextlib
import io
import os
import re
import subprocess
from pathlib import Path

import pytest

from nkcorpus.cli import app as cli
from nkcorpus.store import layout
from nkcorpus.store import manifest as mf

from faults import NK, WORD, hits, make_corpus, nk, search_json, snapshot

SECRET = "Rahasiaxyz"


@pytest.fixture
def tricky(tmp_path):
    """A corpus with symlinks leading out of it (and one loop), next to a
    secret folder outside it."""
    outside = tmp_path / "luar"
    outside.mkdir()
    (outside / "rahasia.txt").write_text(f"{SECRET} di luar korpus.\n", encoding="utf-8")
    root = make_corpus(tmp_path)
    (root / "tautan.txt").symlink_to(outside / "rahasia.txt")
    (root / "relatif.md").symlink_to(Path("..") / "luar" / "rahasia.txt")
    (root / "folder").symlink_to(outside, target_is_directory=True)
    (root / "sub").mkdir()
    (root / "sub" / "putaran").symlink_to(root, target_is_directory=True)
    (root / "sub" / "dalam.txt").symlink_to(next(root.glob("004_*.txt")))
    (root / ".tersembunyi.txt").write_text(f"{SECRET} tersembunyi.\n", encoding="utf-8")
    return root, tmp_path / "indexes"


def test_links_out_of_the_corpus_are_not_followed(tricky):
    """Links to files outside the corpus, and links to folders (in or out,
    a loop too), are not followed; a link to a file inside is; hidden files
    are skipped."""
    root, base = tricky
    built = nk("index", str(root), "--index-dir", str(base))
    assert built.returncode == 0 and "6 documents" in built.stderr, built.stderr
    proc = search_json(root, base, SECRET)
    assert proc.returncode == 1 and proc.stdout == "" and proc.stderr == ""
    inside = {h["path"].rsplit("/", 1)[1] for h in hits(search_json(root, base, WORD))}
    assert "dalam.txt" in inside  # a link to a file inside the corpus is fine
    manifest = mf.load_manifest(layout.current_generation(layout.corpus_home(base, root)))
    assert sorted(manifest.files) == sorted([*(p.name for p in root.glob("0*.txt")), "sub/dalam.txt"])


def test_links_to_files_outside_are_followed_when_asked(tricky):
    root, base = tricky
    asked = {"NKCORPUS_FOLLOW_LINKS": "1"}
    built = nk("index", str(root), "--index-dir", str(base), env=asked)
    assert built.returncode == 0 and "8 documents" in built.stderr, built.stderr
    proc = nk("search", SECRET, "--json", "--corpus", str(root), "--index-dir", str(base), env=asked)
    assert {h["path"].rsplit("/", 1)[1] for h in hits(proc)} == {"tautan.txt", "relatif.md"}


ATTACKS = [
    "__import__('os').system('touch PWNED')",
    "$(touch PWNED)",
    "`touch PWNED`",
    "; touch PWNED #",
    "{{ ''.__class__.__mro__ }} {% import os %}",
    "%(x)s {0.__class__} ${HOME}",
    "eval(\"open('PWNED','w')\")",
    "text:x OR path:/etc/passwd",
    "[link=file:///etc/passwd]Korut[/link]",
]


@pytest.fixture(scope="module")
def booby_trapped(tmp_path_factory):
    """A corpus whose documents hold code, markup and terminal escapes."""
    root = make_corpus(tmp_path_factory.mktemp("trapped"))
    (root / "kode.txt").write_text(
        "Korut __import__('os').system('touch PWNED') $(touch PWNED) `touch PWNED`\n\n"
        "Korut cos\\nsystem\\n(S'touch PWNED'\\ntR. {{7*7}} [bold red]merah[/bold red]\n\n"
        "Korut \x1b]0;judul\x07 \x1b[2J\x1b[31mmerah\x1b[0m \x9b31m \x9d0;x\x9c \x90q\x9c selesai\n",
        encoding="utf-8")
    (root / "halaman.html").write_text(
        "<html><body><script>fetch('http://x')</script><p onclick=\"alert(1)\">Korut "
        "<img src=x onerror=alert(1)> aman</p></body></html>", encoding="utf-8")
    return root


@pytest.mark.parametrize("query", ATTACKS)
def test_queries_are_only_words(booby_trapped, tmp_path, monkeypatch, query):
    root = booby_trapped
    monkeypatch.chdir(tmp_path)
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = cli.run(["search", query, "--json", "--corpus", str(root),
                        "--index-dir", str(root.parent / "indexes")])
    assert code in (0, 1, 2) and "Traceback" not in err.getvalue() and "internal" not in err.getvalue()
    assert not list(tmp_path.rglob("PWNED")) and not list(root.parent.rglob("PWNED"))


def test_a_query_full_of_code_in_a_real_process(booby_trapped, tmp_path):
    # path:GLOB is query syntax (a filter on file names, tested alone above);
    # --exact: only the words typed, so every hit holds one of them
    words = " ".join(attack for attack in ATTACKS if "path:" not in attack)
    run = subprocess.run([*NK, "search", words, "--exact", "--json", "--corpus", str(booby_trapped),
                          "--index-dir", str(tmp_path / "indexes")],
                         capture_output=True, text=True, cwd=tmp_path, timeout=120)
    assert run.returncode == 0 and run.stderr == ""
    assert all("Korut" in h["text"] for h in hits(run))
    assert not list(tmp_path.rglob("PWNED"))


def test_documents_are_only_text(booby_trapped, tmp_path):
    root = booby_trapped
    base = tmp_path / "indexes"
    for color in ("never", "always"):
        run = subprocess.run([*NK, "search", "Korut system merah onerror", "-n", "50", "--color", color,
                              "--corpus", str(root), "--index-dir", str(base)],
                             capture_output=True, text=True, cwd=tmp_path, timeout=120)
        assert run.returncode == 0, run.stderr
        plain = re.sub(r"\x1b\[[0-9;]*m", "", run.stdout)
        assert "[bold red]merah[/bold red]" in plain  # shown, not interpreted
        assert "fetch(" not in plain and "alert" not in plain  # script and attributes dropped
        escapes = re.findall(r"\x1b[^a-zA-Z]*[a-zA-Z]?", run.stdout)
        assert all(re.fullmatch(r"\x1b\[[0-9;]*m", e) for e in escapes), escapes
        assert "\x07" not in run.stdout and not re.search("[\x80-\x9f]", run.stdout)
        assert bool(escapes) == (color == "always")
    found = hits(search_json(root, base, "system"))
    assert any("__import__('os').system('touch PWNED')" in h["text"] for h in found)
    assert not list(tmp_path.rglob("PWNED"))


def test_writes_nothing_outside_the_index_folder(tmp_path):
    """Index and search with HOME, XDG folders, TMPDIR and the working folder
    all pointed into a sandbox: only the index folder changes. The corpus is
    made read-only too (root may still write: the snapshot would tell)."""
    root = make_corpus(tmp_path)
    for p in [root, *root.iterdir()]:
        p.chmod(0o555 if p.is_dir() else 0o444)
    home, work, tmp = tmp_path / "home", tmp_path / "work", tmp_path / "tmp"
    for folder in (home, work, tmp):
        folder.mkdir()
    (home / ".bashrc").write_text("# untouched\n")
    env = {**os.environ, "HOME": str(home), "XDG_CACHE_HOME": str(home / ".cache"),
           "XDG_CONFIG_HOME": str(home / ".config"), "XDG_DATA_HOME": str(home / ".local/share"),
           "XDG_STATE_HOME": str(home / ".local/state"), "TMPDIR": str(tmp),
           "PYTHONDONTWRITEBYTECODE": "1"}
    env.pop("NKCORPUS_INDEX_DIR", None)
    before = snapshot(root, home, work, tmp)
    commands = [["index", str(root)], ["search", WORD, "--corpus", str(root)],
                ["index", "--rebuild", str(root)], ["search", "nuklir", "--json", "--corpus", str(root)]]
    try:
        for args in commands:
            run = subprocess.run([*NK, *args], capture_output=True, text=True, cwd=work, env=env, timeout=120)
            assert run.returncode == 0, run.stderr
        after = snapshot(root, home, work, tmp)
    finally:
        for p in [root, *root.iterdir()]:
            p.chmod(0o755 if p.is_dir() else 0o644)
    indexes = home / ".cache" / "nkcorpus" / "indexes"
    changed = {p for p in set(before) | set(after) if before.get(p, "new") != after.get(p, "gone")}
    assert changed and all(
        Path(p) == indexes or indexes in Path(p).parents or Path(p) in indexes.parents for p in changed
    ), sorted(changed)
