"""The core never imports typer or rich; the JSON path stays light."""

import subprocess
import sys

CORE = ["nkcorpus.normalize", "nkcorpus.passages", "nkcorpus.analysis", "nkcorpus.corpus",
        "nkcorpus.index", "nkcorpus.query", "nkcorpus.search", "nkcorpus.settings",
        "nkcorpus.render", "nkcorpus.render.jsonl", "nkcorpus.render.snippet",
        "nkcorpus.status", "nkcorpus.render.status", "nkcorpus.leanimport", "nkcorpus.parallel"]


def loaded_after(code: str) -> set[str]:
    out = subprocess.run(
        [sys.executable, "-c", code + "\nimport sys; print('\\n'.join(sys.modules))"],
        capture_output=True, text=True, check=True,
    ).stdout
    return {name.split(".")[0] for name in out.split()}


def test_core_imports_without_typer_or_rich():
    code = "\n".join(f"import {m}" for m in CORE)
    loaded = loaded_after(code)
    assert "nkcorpus" in loaded
    assert "typer" not in loaded and "rich" not in loaded and "click" not in loaded


def test_core_works_when_typer_and_rich_are_missing():
    code = (
        "import sys\n"
        "sys.modules['typer'] = None\nsys.modules['rich'] = None\n"
        + "\n".join(f"import {m}" for m in CORE)
    )
    loaded_after(code)  # check=True: fails if any import raised
