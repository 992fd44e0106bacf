"""The README's examples run as written, and every command documents itself."""

import re
import shlex

import pytest

from conftest import ROOT, run_cli

README = (ROOT / "README.md").read_text(encoding="utf-8")
# Lines with these are synopses or need another program or folder.
PLACEHOLDERS = re.compile(r"\||\[|\bQUERY\b|\bDIR\b|\bFILE\b|\bGLOB\b|--corpus")


def readme_searches() -> list[str]:
    """`nkcorpus search ...` lines of the README's code blocks that need no
    other program or folder (no pipes, no placeholders, bundled corpus)."""
    found = []
    for block in re.findall(r"```\n(.*?)```", README, re.S):
        for line in block.splitlines():
            command = line.split("  #")[0].strip()
            if command.startswith("nkcorpus search ") and not PLACEHOLDERS.search(command):
                found.append(command)
    return found


def test_readme_has_examples():
    assert len(readme_searches()) >= 4


@pytest.mark.parametrize("command", readme_searches())
def test_readme_search_examples_find_something(command, index_base):
    args = shlex.split(command)[1:]
    proc = run_cli(*args, "--color", "never")
    assert proc.returncode == 0, (command, proc.stderr)
    assert proc.stderr == "" or "warning" in proc.stderr


def test_readme_setup_commands_are_the_ones_ci_runs():
    assert 'pip install . && nkcorpus search "perundingan enam pihak"' in README
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8")
    test_cmd = next(line for line in README.splitlines() if line.startswith('pip install ".[test,semantic]"'))
    assert '^pip install "\\.\\[test,semantic\\]"' in ci
    assert test_cmd.split("&&")[0].strip() == 'pip install ".[test,semantic]"'


def test_every_command_has_help_text():
    top = run_cli("--help").stdout
    commands = re.findall(r"^  (\w+)\s{2,}\S", top.split("Commands:")[1], re.M)
    assert {"search", "index"} <= set(commands)
    for name in commands:
        proc = run_cli(name, "--help")
        assert proc.returncode == 0
        assert re.search(r"^Usage: nkcorpus " + name, proc.stdout, re.M)
        assert len(proc.stdout.split("\n\n")[1].strip()) > 10


def test_readme_python_examples_run(index_base):
    """Every ```python block of the README runs, in a fresh interpreter."""
    import subprocess
    import sys

    blocks = re.findall(r"```python\n(.*?)```", README, re.S)
    assert blocks
    for code in blocks:
        proc = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120)
        assert proc.returncode == 0, proc.stderr
        assert proc.stdout.strip(), code
