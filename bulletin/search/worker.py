"""The search worker: works off the search queue in order, for as long as it runs (or once).

A commit writes only its own rows, within a second (sync.write_rows); everything else waits in the queue:
what a busy index made a request leave, an import's postings, what a killed process left. The worker
writes it in order of arrival, a batch per index commit, and releases the writer lock between two full
batches for a moment, so a request waiting for the lock gets its turn instead of leaving its own change
to the end of a long queue. An empty queue is looked at again every ``poll`` seconds: one small query,
the same on SQLite and PostgreSQL.

SIGTERM and SIGINT stop it after the batch at hand; that batch is finished, and its rows are deleted only
once the index holds them, so a worker killed outright (SIGKILL) merely leaves its batch to be written
again.
"""

from __future__ import annotations

import logging
import signal
import threading
import time
from contextlib import contextmanager

from sqlalchemy.engine import Engine

from bulletin.search import sync
from bulletin.search.locking import FileLock, LockTimeout

log = logging.getLogger(__name__)

# Queue rows per index commit: 0.2 to 0.4 seconds of writing on a board of 20,000 postings, so a request
# waiting for the writer lock (up to a second) gets it between two batches.
BATCH = 200
POLL_SECONDS = 2.0  # between two looks at an empty queue
# Between two full batches: longer than the longest pause of a request waiting for the writer lock.
TURN_SECONDS = FileLock.LONGEST_WAIT + 0.05
RETRY_SECONDS = 10.0  # after a failure (the database restarting, a full disk) before trying again
# How long the running worker waits for the writer lock before it logs "busy" and looks again later: short,
# so a stop signal is not kept waiting behind a long import. ``--once`` waits as long as a command does.
LOCK_WAIT = 5.0
SLEEP_SLICE = 0.2  # a stop signal is noticed within this while the worker waits
STOP_SIGNALS = (signal.SIGTERM, signal.SIGINT)


class Worker:
    def __init__(self, search, engine: Engine, batch: int = BATCH, poll: float = POLL_SECONDS) -> None:
        self.search = search
        self.engine = engine
        self.batch = batch
        self.poll = poll
        self.stopping = False
        self.rows = 0
        self.postings = 0

    def stop(self, signum: int | None = None, _frame=None) -> None:
        """Stop after the batch at hand (a signal handler: it only sets a flag)."""
        self.stopping = True

    @contextmanager
    def signals_handled(self):
        """SIGTERM and SIGINT call ``stop`` while inside (only the main thread can take signals)."""
        if threading.current_thread() is not threading.main_thread():
            yield
            return
        previous = {number: signal.signal(number, self.stop) for number in STOP_SIGNALS}
        try:
            yield
        finally:
            for number, handler in previous.items():
                signal.signal(number, handler)

    def run(self, once: bool = False) -> int:
        """Work off the queue until stopped; with ``once``, until it is empty. Returns postings written.

        With ``once`` a failure is raised (cron reports it); otherwise it is logged and tried again.
        """
        log.info("Search worker started (%d rows waiting).", sync.pending_count(self.engine))
        wait = sync.QUEUE_LOCK_WAIT if once else LOCK_WAIT
        while not self.stopping:
            try:
                batch = sync.process_batch(self.search, self.engine, limit=self.batch, wait=wait)
            except (LockTimeout, sync.RebuildRunning):
                if once:
                    raise
                log.info("The search index is busy; trying again in %.0f seconds.", self.poll)
                self._sleep(self.poll)
                continue
            except Exception:
                if once:
                    raise
                log.exception("Writing the search queue failed; trying again in %.0f seconds.", RETRY_SECONDS)
                self._sleep(RETRY_SECONDS)
                continue
            if batch:
                self.rows += batch.rows
                self.postings += batch.postings
                log.info("Wrote a batch to the search index: %d postings, %d queue rows.", batch.postings,
                         batch.rows)
                if batch.rows >= self.batch:
                    self._sleep(TURN_SECONDS)
                continue
            if once:
                break
            self._sleep(self.poll)
        log.info("Search worker %s: %d postings, %d queue rows written in all.",
                 "stopped" if self.stopping else "done", self.postings, self.rows)
        return self.postings

    def _sleep(self, seconds: float) -> None:
        """Wait ``seconds``, or less when a stop signal comes (a signal handler only sets a flag)."""
        end = time.monotonic() + seconds
        while not self.stopping and (left := end - time.monotonic()) > 0:
            time.sleep(min(left, SLEEP_SLICE))


def configure_logging() -> None:
    """Log to standard error (the journal, under systemd) unless the process has its own logging."""
    if not logging.getLogger().handlers:
        logging.basicConfig(level=logging.INFO, format="%(levelname)s %(name)s: %(message)s")
