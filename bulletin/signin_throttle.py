"""A short back-off per account after many failed sign-ins, in the rate-limit store every worker shares.

Guessing from one address is stopped by the per-address limit (``BULLETIN_LOGIN_LIMIT``). Guessing one
account's password from many addresses is slowed here, without a hard lock: a lock would let anybody who
knows an e-mail address keep its owner out. An account may fail ``BULLETIN_LOGIN_FREE_FAILURES`` times in
15 minutes; after that each further failure makes the next attempt wait 1, 2, 4 ... seconds, at most a
minute. While it waits, every attempt on that account is refused without looking at the password (else
the guessing would go on at full speed), and the owner is told how many seconds to wait.

The store holds no e-mail address: keys are SHA-256 hashes of it. Counting uses the public storage API
of the ``limits`` library (``incr``, ``get``, ``get_expiry``, ``clear``), which Flask-Limiter exposes.
"""

from __future__ import annotations

import hashlib
import math
import time

from bulletin import settings
from bulletin.extensions import limiter

WINDOW_SECONDS = 15 * 60
LONGEST_PAUSE = 60


def _account_key(email: str) -> str:
    return hashlib.sha256(email.encode()).hexdigest()


def _enabled() -> bool:
    return settings.current().ratelimit_enabled and limiter.enabled


def _failures_key(account: str) -> str:
    return f"bulletin/signin-failures/{account}"


def _pause_key(account: str, failures: int) -> str:
    # One key per failure count: the store sets a key's expiry when it is created, so a longer pause
    # after a further failure needs a key of its own.
    return f"bulletin/signin-pause/{account}/{failures}"


def seconds_to_wait(email: str) -> int:
    """How long sign-in attempts on this account must wait now (0: go ahead)."""
    if not email or not _enabled():
        return 0
    storage = limiter.storage
    account = _account_key(email)
    failures = storage.get(_failures_key(account))
    if failures <= settings.current().login_free_failures:
        return 0
    pause = _pause_key(account, failures)
    if not storage.get(pause):
        return 0
    return max(1, math.ceil(storage.get_expiry(pause) - time.time()))


def record_failure(email: str) -> None:
    if not email or not _enabled():
        return
    storage = limiter.storage
    account = _account_key(email)
    failures = storage.incr(_failures_key(account), WINDOW_SECONDS)
    beyond = failures - settings.current().login_free_failures
    if beyond > 0:
        storage.incr(_pause_key(account, failures), min(2 ** (beyond - 1), LONGEST_PAUSE))


def record_success(email: str) -> None:
    """The owner is in: earlier failures no longer slow the next sign-in."""
    if email and _enabled():
        limiter.storage.clear(_failures_key(_account_key(email)))
