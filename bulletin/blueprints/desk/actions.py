"""What every desk action does: find what it acts on, run one service call, say what happened."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from flask import abort, flash

from bulletin.blueprints.transactions import commit
from bulletin.db import get_session
from bulletin.services.errors import InvalidData

Result = TypeVar("Result")


def found_or_404(model, object_id: int):
    found = get_session().get(model, object_id)
    if found is None:
        abort(404)
    return found


def decide(change: Callable[[], Result]) -> tuple[bool, Result | None]:
    """Run one service call and commit it; a refused change rolls back and its reasons are flashed."""
    try:
        return True, commit(change)
    except InvalidData as error:
        for message in error.errors.values():
            flash(str(message), "error")
        return False, None


def flash_outcome(changed: bool, done: str, unchanged: str) -> None:
    """Say what happened; a repeated click (nothing left to change) is news, not an error."""
    flash(done if changed else unchanged, "success" if changed else "info")


def decide_and_tell(change: Callable[[], bool], done: str, unchanged: str, *,
                    then: Callable[[], object] | None = None) -> None:
    """``decide`` a change that answers whether it changed anything, and ``flash_outcome`` it.

    ``then`` runs only after a change was committed, before the flash: mailing the members, for example.
    """
    ok, changed = decide(change)
    if ok and changed and then is not None:
        then()
    if ok:
        flash_outcome(changed, done, unchanged)
