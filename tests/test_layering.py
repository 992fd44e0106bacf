"""The shape of the package, held: each stage imports only the stages
before it, Whoosh stays in store/whoosh/, and the library never imports
typer or rich (nor the CLI)."""

import ast
import subprocess
import sys
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "src" / "nkcorpus"

# What each part of the package may import of nkcorpus (besides the shared
# modules model, errors and settings, and itself). The arrows go one way:
# ingest -> analysis -> understand -> store -> fusion -> search -> views -> api -> render -> cli.
SHARED = {"model", "viewtypes", "errors", "settings", "procs", "__version__"}
ALLOWED = {
    "ingest": set(),
    "analysis": set(),
    "understand": {"analysis"},
    "store": {"ingest", "analysis", "understand"},  # store.whoosh compiles the plan
    "fusion": {"ingest", "analysis", "understand", "store"},  # meaning search: dense + lexical
    "search": {"ingest", "analysis", "understand", "store", "fusion"},
    "views": {"analysis", "understand", "search"},  # timeline, terms, similar: built on search
    "api": {"ingest", "store", "search", "views"},
    "render": {"store", "render"},  # render.status shows a store.status
    "cli": {"ingest", "store", "search", "views", "render", "api"},
    "__init__": set(),
    "__main__": {"cli"},
}
# Third-party packages no module outside these folders may import.
ENGINE = {"whoosh": "store/whoosh", "typer": "cli", "click": "cli", "rich": "render"}
RICH_USERS = {"render/text.py", "render/progress.py", "render/chart.py"}

LIBRARY = ["nkcorpus", "nkcorpus.api", "nkcorpus.ingest.scan", "nkcorpus.ingest.read",
           "nkcorpus.analysis", "nkcorpus.understand", "nkcorpus.understand.aliases",
           "nkcorpus.store.update", "nkcorpus.store.read", "nkcorpus.store.status",
           "nkcorpus.store.whoosh.backend", "nkcorpus.store.whoosh.compile", "nkcorpus.search",
           "nkcorpus.render", "nkcorpus.render.jsonl", "nkcorpus.render.snippet",
           "nkcorpus.render.status", "nkcorpus.store.whoosh.parallel", "nkcorpus.views",
           "nkcorpus.render.views", "nkcorpus.render.html"]


def modules():
    for path in sorted(PACKAGE.rglob("*.py")):
        yield path.relative_to(PACKAGE).as_posix(), ast.parse(path.read_text(encoding="utf-8"))


def imports(tree) -> set[str]:
    """Every module name imported anywhere in the file (lazy imports too)."""
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found |= {alias.name for alias in node.names}
        elif isinstance(node, ast.ImportFrom) and node.module:
            found.add(node.module)
            if node.module == "nkcorpus":
                found |= {f"nkcorpus.{alias.name}" for alias in node.names}
    return found


def part_of(rel: str) -> str:
    return rel.split("/")[0].removesuffix(".py")


def test_each_stage_imports_only_the_stages_before_it():
    wrong = []
    for rel, tree in modules():
        part = part_of(rel)
        allowed = ALLOWED.get(part, set()) | SHARED | {part}
        for name in imports(tree):
            if name.startswith("nkcorpus."):
                target = name.split(".")[1]
                if target not in allowed:
                    wrong.append(f"{rel} imports {name}")
    assert wrong == []


def test_engine_and_cli_packages_stay_in_their_folders():
    wrong = []
    for rel, tree in modules():
        for name in imports(tree):
            top = name.split(".")[0]
            home = ENGINE.get(top)
            if home and not rel.startswith(home + "/"):
                wrong.append(f"{rel} imports {name}")
            if top == "rich" and rel not in RICH_USERS:
                wrong.append(f"{rel} imports {name} (only {sorted(RICH_USERS)} may)")
    assert wrong == []


def test_nothing_imports_the_cli():
    wrong = [rel for rel, tree in modules() if not rel.startswith("cli/") and rel != "__main__.py"
             and any(name.startswith("nkcorpus.cli") for name in imports(tree))]
    assert wrong == []


def test_the_rules_are_not_vacuous():
    """The checks above see the imports they are about."""
    seen = {rel: imports(tree) for rel, tree in modules()}
    assert "whoosh" in seen["store/whoosh/compile.py"]
    assert "typer" in seen["cli/app.py"]
    assert "nkcorpus.understand" in seen["search.py"]
    assert any(name.startswith("nkcorpus.analysis") for name in seen["understand/builder.py"])


def loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout
    return set(out.split())


def test_library_imports_without_typer_or_rich():
    loaded = {name.split(".")[0] for name in loaded_after("\n".join(f"import {m}" for m in LIBRARY))}
    assert "nkcorpus" in loaded
    assert "typer" not in loaded and "rich" not in loaded and "click" not in loaded


def test_library_works_when_typer_and_rich_are_missing():
    code = ("import sys\nsys.modules['typer'] = None\nsys.modules['rich'] = None\n"
            + "\n".join(f"import {m}" for m in LIBRARY)
            + "\nfrom nkcorpus import Corpus\nassert Corpus().search('nuklir', limit=1).hits")
    loaded_after(code)  # check=True: fails if any import or the search raised


def test_understanding_a_query_imports_no_engine():
    loaded = loaded_after("from nkcorpus.understand import understand\n"
                          "understand('sanksi korut')\nimport nkcorpus.ingest.read, nkcorpus.analysis")
    assert not {name for name in loaded if name.split(".")[0] in ("whoosh", "typer", "rich")}
