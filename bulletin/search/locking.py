"""An exclusive lock between processes (and threads), held on a file with flock.

The operating system releases a flock when its holder dies, so a killed writer never leaves the index
locked. Waiting is a loop of short, growing sleeps up to a time-out, so a busy lock delays a request
a little instead of failing it.
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from contextlib import contextmanager

_PROCESS_LOCKS: dict[str, threading.RLock] = {}
_PROCESS_LOCKS_GUARD = threading.Lock()
_HELD: dict[str, int] = {}  # path -> how many times this process holds it (re-entrant per thread)


class LockTimeout(RuntimeError):
    """The lock stayed busy for the whole waiting time."""


def _process_lock(path: str) -> threading.RLock:
    with _PROCESS_LOCKS_GUARD:
        lock = _PROCESS_LOCKS.get(path)
        if lock is None:
            lock = _PROCESS_LOCKS[path] = threading.RLock()
        return lock


class FileLock:
    """``with FileLock(path).held(timeout=10):`` waits up to ``timeout`` seconds, else LockTimeout.

    Re-entrant within a thread: code that holds it may call code that takes it again.
    """

    FIRST_WAIT = 0.005
    LONGEST_WAIT = 0.25

    def __init__(self, path: str) -> None:
        self.path = path

    def _try_flock(self) -> int | None:
        fd = os.open(self.path, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            return None
        return fd

    @contextmanager
    def held(self, timeout: float = 30.0):
        thread_lock = _process_lock(self.path)
        deadline = time.monotonic() + timeout
        if not thread_lock.acquire(timeout=max(timeout, 0)):
            raise LockTimeout(self.path)
        try:
            depth = _HELD.get(self.path, 0)
            fd = None
            if depth == 0:
                wait = self.FIRST_WAIT
                while (fd := self._try_flock()) is None:
                    if time.monotonic() + wait > deadline:
                        raise LockTimeout(self.path)
                    time.sleep(wait)
                    wait = min(wait * 2, self.LONGEST_WAIT)
            _HELD[self.path] = depth + 1
            try:
                yield
            finally:
                _HELD[self.path] -= 1
                if fd is not None:
                    fcntl.flock(fd, fcntl.LOCK_UN)
                    os.close(fd)
        finally:
            thread_lock.release()

    def is_held(self) -> bool:
        """Whether anyone, this process included, holds the lock right now."""
        if _HELD.get(self.path):
            return True
        fd = self._try_flock()
        if fd is None:
            return True
        fcntl.flock(fd, fcntl.LOCK_UN)
        os.close(fd)
        return False
