"""``--report FILE.html``: one self-contained page (no network, no script),
checked as HTML and in a real headless browser (Chromium) when there is one."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest
from conftest import run_cli

from nkcorpus.model import Hit, Match, PeriodCount, Report, Series, Timeline
from nkcorpus.render.html import highlighted, render_report

CHROMIUM = next((shutil.which(n) for n in ("chromium", "chromium-browser", "google-chrome") if shutil.which(n)), None)
CHROMIUM_FLAGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                  "--disable-component-update", "--disable-sync", "--no-first-run",
                  "--enable-logging=stderr", "--log-level=0"]


def _self_contained(page: str) -> None:
    assert page.startswith("<!DOCTYPE html>") and "</html>" in page
    assert "<script" not in page.lower() and "<link" not in page.lower() and "@import" not in page
    assert not re.search(r"\b(src|href)\s*=", page)  # nothing to fetch
    assert not re.search(r"url\(", page)
    assert "Content-Security-Policy" in page


def test_report_page_escapes_and_highlights():
    hit = Hit(rank=1, score=1.0, path="a<b>.txt", line_start=3, line_end=3, text="Sanksi & <rudal>",
              matches=(Match(0, 6, "sanksi"),), title='"T" & co', date="2019-01-15")
    assert highlighted(hit) == "<mark>Sanksi</mark> &amp; &lt;rudal&gt;"
    t = Timeline("month", ("2019-01", "2019-02"), (Series("a<", (PeriodCount("2019-01", 2, 3),
                                                               PeriodCount("2019-02", 0, 0)), 2, 3),))
    from nkcorpus.model import SearchResult

    page = render_report(Report("a<script>", "x", SearchResult("a", (hit,), 1, 0.1), t))
    _self_contained(page)
    assert "a&lt;script&gt;" in page and page.count('class="bar"') == 2
    assert "a&lt;b&gt;.txt:3" in page and "&quot;T&quot; &amp; co" in page


def test_report_from_each_command(dated, tmp_path):
    for command in (["timeline", "Korea Utara"], ["terms", "Korea Utara"], ["search", "Korea Utara"]):
        out = tmp_path / f"{command[0]}.html"
        proc = run_cli(*command, "-c" if command[0] != "search" else "--corpus", str(dated), "--report", str(out))
        assert proc.returncode == 0, proc.stderr
        assert f"report written to {out}" in proc.stderr
        page = out.read_text(encoding="utf-8")
        _self_contained(page)
        assert page.count('class="bar"') == 3  # 2019-01, 2019-02, 2019-03
        assert "<mark>" in page and ("Dewan Keamanan" in page or "Kim Jong-un" in page)
        assert "2019-01-15" in page and "Uji rudal" in page  # a hit's date and title
    bad = run_cli("terms", "nuklir", "--report", str(tmp_path / "r.txt"))
    assert bad.returncode == 2 and ".html" in bad.stderr


def test_report_says_when_there_are_no_dates(index_base, tmp_path):
    out = tmp_path / "seeds.html"
    assert run_cli("search", "nuklir", "--report", str(out)).returncode == 0
    page = out.read_text(encoding="utf-8")
    assert "<svg" not in page and "sidecar" in page and "<mark>" in page


@pytest.mark.skipif(CHROMIUM is None, reason="Chromium is not installed (apt-get install -y chromium); "
                                             ".ci/run installs it, so CI runs this test")
def test_report_in_a_headless_browser(dated, tmp_path):
    page = tmp_path / "report.html"
    proc = run_cli("timeline", "Korea Utara", "sanksi", "-c", str(dated), "--report", str(page))
    assert proc.returncode == 0, proc.stderr
    url = page.resolve().as_uri()
    dom = _chromium(tmp_path, "--dump-dom", url)
    assert "<svg" in dom.stdout and "Korea Utara" in dom.stdout
    # one bar per period, for each of the two queries (the page as the browser built it)
    assert len(re.findall(r'<rect class="bar" data-period="[^"]+" data-query="Korea Utara"', dom.stdout)) == 3
    assert len(re.findall(r'class="bar"', dom.stdout)) == 6
    shots = Path(os.environ.get("NKCORPUS_ARTIFACTS", tmp_path))
    shots.mkdir(parents=True, exist_ok=True)
    shot = shots / "report.png"
    taken = _chromium(tmp_path, f"--screenshot={shot}", "--window-size=1000,1400", url)
    assert shot.exists() and shot.stat().st_size > 10_000, taken.stderr[-2000:]
    for run in (dom, taken):  # the page logs nothing: no error, no blocked request
        console = [line for line in run.stderr.splitlines() if ":CONSOLE" in line]
        assert console == []
    print(f"screenshot: {shot}")


def _chromium(tmp_path: Path, *args: str) -> subprocess.CompletedProcess:
    profile = tmp_path / f"chromium-profile-{len(list(tmp_path.glob('chromium-profile-*')))}"
    return subprocess.run([CHROMIUM, *CHROMIUM_FLAGS, f"--user-data-dir={profile}", *args],
                          capture_output=True, text=True, timeout=120, check=True)


def test_report_from_the_library(dated):
    from nkcorpus import Corpus

    report = Corpus(dated).report("sanksi", by="year")
    assert report.search.hits and report.timeline.axis == ("2019",) and report.terms.terms
    page = render_report(report)
    _self_contained(page)
    assert page.count('class="bar"') == 1
