"""A rich progress bar for indexing on a terminal (CLI side only)."""

from __future__ import annotations

import sys
from collections.abc import Callable

from rich.console import Console
from rich.progress import (BarColumn, DownloadColumn, Progress, TextColumn,
                           TimeRemainingColumn, TransferSpeedColumn)


class RichProgress:
    """Files done, MB and MB/s, ETA; warnings printed above the bar.

    The bar is transient: it disappears when indexing ends, leaving the
    warnings and the CLI's one-line summary.
    """

    def __init__(self, show: Callable[[str], str] = str) -> None:
        self.console = Console(file=sys.stderr, highlight=False, markup=False, emoji=False)
        self.show = show
        self.bar: Progress | None = None
        self.task = None
        self.files = 0

    def start(self, files: int, nbytes: int) -> None:
        if files == 0:
            return
        self.bar = Progress(
            TextColumn("indexing"), BarColumn(),
            TextColumn("{task.fields[files]:,}/{task.fields[total_files]:,} files"),
            DownloadColumn(), TransferSpeedColumn(), TextColumn("ETA"), TimeRemainingColumn(),
            console=self.console, transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task("index", total=nbytes, files=0, total_files=files)
        self.files = 0

    def advance(self, nbytes: int) -> None:
        if self.bar is not None:
            self.files += 1
            self.bar.update(self.task, advance=nbytes, files=self.files)

    def embed_start(self, texts: int) -> None:
        """Passage vectors being computed (meaning search): texts, texts/s, ETA."""
        if texts == 0:
            return
        self.bar = Progress(
            TextColumn("embedding"), BarColumn(),
            TextColumn("{task.completed:,.0f}/{task.total:,.0f} texts"),
            TextColumn("{task.fields[rate]}"), TextColumn("ETA"), TimeRemainingColumn(),
            console=self.console, transient=True,
        )
        self.bar.start()
        self.task = self.bar.add_task("embed", total=texts, rate="")

    def embed_advance(self, texts: int) -> None:
        if self.bar is not None:
            self.bar.update(self.task, advance=texts)
            speed = self.bar.tasks[0].speed
            if speed:
                self.bar.update(self.task, rate=f"{speed:.1f}/s")

    def embed_finish(self) -> None:
        self.finish()

    def finish(self) -> None:
        if self.bar is not None:
            bar, self.bar = self.bar, None
            try:
                bar.stop()
            except OSError:  # the terminal closed (SIGHUP): the stop goes on
                pass

    def warn(self, rel: str, reason: str) -> None:
        self.console.print(f"nkcorpus: warning: skipped {self.show(rel)}: {reason}", soft_wrap=True)

    def waiting(self, message: str) -> None:
        self.console.print(f"nkcorpus: {message}", soft_wrap=True)
