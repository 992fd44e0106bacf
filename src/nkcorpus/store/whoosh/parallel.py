"""A Whoosh writer for full builds that analyzes and writes in worker processes.

Whoosh's ``MpWriter`` with ``procs`` > 1 and ``multisegment=True``: this
process reads and splits the files and hands batches of passages to one
worker per core; each worker analyzes its batches with a ``BuildWriter``
(``pool``) and writes its own segments (one, or more when its share of
the pool fills up). The segments are not merged: merging them in this
process (Whoosh's default) made a 10 MB build slower than one process, and
merging afterwards (``optimize``) costs three quarters of a whole build.
Term and phrase queries score exactly as on one segment (the statistics
BM25F uses are index-wide); Whoosh's coordination bonus for several words
(``Or(scale=...)``) is per segment.

On top of Whoosh's writer this adds what a CLI needs: Ctrl-C, SIGTERM and
SIGHUP reach only this process (which stops the workers), workers die with
this process however it ends and do not hold the writer lock
(``nkcorpus.procs``, ``store.lockfile``), ``cancel`` stops the workers, and
a worker that died fails the build instead of leaving its documents out.

Only with the ``fork`` start method: workers inherit the schema and the
analyzer instead of unpickling them.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
from multiprocessing.queues import Queue

from nkcorpus.errors import IndexError_
from nkcorpus.procs import signals_held, worker_started
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

    from nkcorpus.store.whoosh.pool import BuildWriter

    class Worker(SubWriterTask):
        def run(self) -> None:
            from nkcorpus.store.lockfile import close_inherited

            close_inherited()  # the indexer's lock is not ours to hold
            worker_started(self.indexer)  # never outlive the indexer
            ix = self.storage.open_index(self.indexname)
            self.writer = BuildWriter(ix, _lk=False, **self.kwargs)
            while (job := self.jobqueue.get()) is not None:
                self._process_file(*job)
            self.resultqueue.put((None, None, self.writer.finish_segments()), timeout=5)

    class Writer(MpWriter):
        def __init__(self, *args, **kwargs) -> None:
            super().__init__(*args, **kwargs)
            self.jobqueue = _Jobs(self.procs * 4, self.tasks)

        def _new_task(self):
            task = Worker(self.storage, self.indexname, self.jobqueue, self.resultqueue,
                          self.subargs, self.multisegment)
            task.indexer = os.getpid()
            self.tasks.append(task)
            with signals_held():  # a stop cannot leave a child unknown
                task.start()
            return task

        def _commit(self, mergetype, optimize, merge) -> None:
            if self.docbuffer:
                self._enqueue()
            for _ in self.tasks:
                self.jobqueue.put(None)
            for task in self.tasks:
                task.join()
            _check(self.tasks)  # a worker that died fails here
            results = [self.resultqueue.get(timeout=5) for _ in self.tasks]
            kept = self._merge_segments(mergetype, optimize, merge)  # a checkpoint's segments
            self._close_segment()  # this process wrote no documents itself
            self._commit_toc(kept + [s for _, _, segments in results for s in segments])
            self._finish()

        def cancel(self) -> None:
            for task in self.tasks:
                if task._popen is None:
                    continue  # never started
                if task.is_alive():
                    task.kill()  # workers ignore SIGTERM (procs.worker_started)
                task.join()
            self.tasks = []
            for q in (self.jobqueue, self.resultqueue):
                q.cancel_join_thread()  # exit must not wait on their threads
            super().cancel()

    return Writer(ix, procs=procs, multisegment=True, limitmb=limitmb, **kwargs)
