"""Start-up stays light: what the JSON search path imports, checked in a subprocess.

No timings here (those are in benchmarks/speed.py): only which modules load.
"""

import json
import subprocess
import sys

from conftest import run_cli

# Never needed to print JSON Lines: rich (and typer's rich help), pydantic
# (typer 0.29 coerces parameters with it), and what whoosh would pull in
# without nkcorpus.leanimport.
HEAVY = ("rich", "typer.rich_utils", "pydantic", "asyncio", "urllib.request", "http.client",
         "email", "ssl", "cached_property", "whoosh.lang.morph_en")


def modules_after(code: str, env: dict | None = None) -> tuple[subprocess.CompletedProcess, set[str]]:
    """Run ``code`` in a fresh interpreter; the modules loaded when it ends."""
    script = code + "\nimport sys\nprint('\\n'.join(sorted(sys.modules)), file=sys.stderr)\n"
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True,
                          encoding="utf-8", env=env, timeout=120)
    return proc, set(proc.stderr.split())


def heavy_in(loaded: set[str]) -> list[str]:
    return sorted(m for m in loaded if any(m == h or m.startswith(h + ".") for h in HEAVY))


def test_json_search_loads_neither_rich_nor_heavy_stdlib(index_base):
    assert run_cli("index").returncode == 0  # a fresh index: the everyday search path
    proc, loaded = modules_after(
        "from nkcorpus.cli.app import run\n"
        "code = run(['search', 'Six Party Talks', '--json'])\n"
        "assert code == 0, code\n"
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert json.loads(proc.stdout.splitlines()[0])["rank"] == 1
    assert "whoosh.searching" in loaded  # the search really ran here
    assert heavy_in(loaded) == []


def test_the_nkcorpus_command_searches_without_typer(index_base):
    """An everyday search line is parsed without importing typer (nor click)."""
    assert run_cli("index").returncode == 0
    proc, loaded = modules_after(
        "from nkcorpus.cli import main\n"
        "try:\n"
        "    main(['search', 'Six Party Talks', '--json', '-n', '2'])\n"
        "except SystemExit as exc:\n"
        "    assert exc.code == 0, exc.code\n"
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert len(proc.stdout.splitlines()) == 2 and "whoosh.searching" in loaded
    assert not {m.split(".")[0] for m in loaded} & {"typer", "click", "rich"}
    assert heavy_in(loaded) == []


def test_first_json_search_builds_the_index_without_rich(index_base):
    # stderr is not a terminal: no progress bar, so rich stays unloaded.
    proc, loaded = modules_after("from nkcorpus.cli.app import run\nrun(['search', 'nuklir', '--json'])\n")
    assert proc.returncode == 0 and proc.stdout.count("\n") >= 1
    assert "rich" not in {m.split(".")[0] for m in loaded}


def test_help_is_plain_without_rich():
    proc, loaded = modules_after("from nkcorpus.cli.app import run\nrun(['search', '--help'])\n")
    assert "Usage" in proc.stdout
    assert "rich" not in {m.split(".")[0] for m in loaded}
    assert "whoosh" not in {m.split(".")[0] for m in loaded}


def test_lean_whoosh_import_keeps_whoosh_and_stdlib_whole(tmp_path):
    """The stand-ins are gone after import: whoosh's urlretrieve and cached
    property work, and later imports get the real modules."""
    source = tmp_path / "source.txt"
    source.write_text("isi berkas", encoding="utf-8")
    proc, loaded = modules_after(
        "import sys, functools\n"
        "from nkcorpus.store.whoosh.leanimport import import_whoosh\n"
        "import_whoosh()\n"
        "for name in ('urllib.request', 'asyncio', 'cached_property', 'whoosh.lang.morph_en'):\n"
        "    assert name not in sys.modules, name\n"
        "import whoosh.compat, whoosh.reading\n"
        f"whoosh.compat.urlretrieve({source.as_uri()!r}, {str(tmp_path / 'copy.txt')!r})\n"
        "import whoosh.query.terms\n"
        "assert 'rendered' in whoosh.query.terms.variations('render')\n"
        "import urllib.request, cached_property, whoosh.lang.morph_en\n"
        "assert hasattr(urllib.request, 'urlopen') and cached_property.__file__\n"
        "assert isinstance(whoosh.reading.SegmentReader.__dict__['deleted_docs_set'],"
        " functools.cached_property)\n"
        "from whoosh.fields import Schema, ID\n"
        "from whoosh.index import create_in\n"
        f"ix = create_in({str(tmp_path)!r}, Schema(path=ID(stored=True)))\n"
        "w = ix.writer(); w.add_document(path='a'); w.add_document(path='b'); w.commit()\n"
        "w = ix.writer(); w.delete_by_term('path', 'a'); w.commit(optimize=False)\n"
        "with ix.reader() as r:\n"
        "    assert r.deleted_docs_set == frozenset({0}), r.deleted_docs_set\n"
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert (tmp_path / "copy.txt").read_text(encoding="utf-8") == "isi berkas"


TTY_STDERR = (
    "import io, sys\n"
    "class Terminal(io.TextIOWrapper):\n"
    "    def isatty(self):\n"
    "        return True\n"
    "sys.stderr = Terminal(sys.stderr.buffer, encoding='utf-8', line_buffering=True)\n"
)


def test_on_a_terminal_rich_loads_only_when_there_is_progress_to_show(index_base):
    """stderr a terminal: the progress bar (rich) appears for a build, not for
    a search of a fresh index."""
    code = TTY_STDERR + "from nkcorpus.cli.app import run\nrun(['search', 'Juche', '--json'])\n"
    building, loaded = modules_after(code)
    assert building.returncode == 0 and "rich" in {m.split(".")[0] for m in loaded}
    fresh, loaded = modules_after(code)
    assert fresh.returncode == 0 and fresh.stdout == building.stdout
    assert heavy_in(loaded) == []
