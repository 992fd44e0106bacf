"""A Whoosh writer for full builds that analyzes and writes in worker processes.

Whoosh's ``MpWriter`` with ``procs`` > 1: this process reads and splits the
files and hands batches of passages to one worker per core; each worker
analyzes its batches and sorts its postings, and this process merges the
sorted runs into one segment. One segment, not one per worker
(``multisegment``): Whoosh's coordination scoring (``Or(scale=...)``) counts
the query terms present per segment, so hits would score differently
depending on which worker indexed them; merging the segments afterwards
(``optimize``) costs three quarters of a whole build.

On top of Whoosh's writer this adds what a CLI needs: Ctrl-C reaches only
this process (which stops the workers), ``cancel`` stops the workers, and a
worker that died fails the build instead of leaving its documents out.

Only with the ``fork`` start method: workers inherit the schema and the
analyzer instead of unpickling them.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import signal
from multiprocessing.queues import Queue

from nkcorpus.errors import IndexError_
from nkcorpus.settings import MAX_PROCS, PROCS_ENV


def usable_procs(env=os.environ) -> int:
    """Worker processes worth starting: one per core (at most ``MAX_PROCS``),
    or ``$NKCORPUS_PROCS``; 1 means none."""
    if multiprocessing.get_start_method(allow_none=False) != "fork":
        return 1
    wanted = env.get(PROCS_ENV, "")
    if wanted.isdigit():
        return max(1, int(wanted))
    try:
        cores = len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        cores = os.cpu_count() or 1
    return max(1, min(cores, MAX_PROCS))


class _Jobs(Queue):
    """Whoosh's job queue, but a put that waits on dead workers fails."""

    def __init__(self, maxsize: int, tasks: list) -> None:
        super().__init__(maxsize, ctx=multiprocessing.get_context())
        self.tasks = tasks

    def put(self, obj, block: bool = True, timeout: float | None = None) -> None:
        while True:
            try:
                return super().put(obj, timeout=1.0)
            except queue.Full:
                _check(self.tasks)


def _check(tasks: list) -> None:
    failed = [t.exitcode for t in tasks if t.exitcode not in (None, 0)]
    if failed:
        raise IndexError_(f"an indexing worker process failed (exit code {failed[0]})",
                          hint=f"run the command again; {PROCS_ENV}=1 indexes in one process")


def parallel_writer(ix, procs: int, limitmb: int, **kwargs):
    """An ``MpWriter`` on ``ix`` with ``procs`` workers, each pooling ``limitmb``
    (``kwargs``: more ``SegmentWriter`` settings)."""
    from whoosh.multiproc import MpWriter, SubWriterTask

    class Worker(SubWriterTask):
        def run(self) -> None:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent stops us
            super().run()

    class Writer(MpWriter):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.jobqueue = _Jobs(self.procs * 4, self.tasks)

        def _new_task(self):
            task = Worker(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                          self.subargs, self.multisegment)
            self.tasks.append(task)
            task.start()
            return task

        def _commit_toc(self, segments) -> None:
            _check(self.tasks)  # all joined by now: a missing segment fails here
            super()._commit_toc(segments)

        def cancel(self) -> None:
            for task in self.tasks:
                if task.is_alive():
                    task.terminate()
                task.join()
            self.tasks = []
            super().cancel()

    return Writer(ix, procs=procs, multisegment=False, limitmb=limitmb, **kwargs)
