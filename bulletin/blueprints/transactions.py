"""One service call, one commit: how every view that changes data ends."""

from collections.abc import Callable
from typing import TypeVar

from flask import abort

from bulletin.db import get_session
from bulletin.services.errors import PermissionDenied

Result = TypeVar("Result")


def commit(change: Callable[[], Result]) -> Result:
    """Run one service call and commit it; a refusal rolls back and answers 403.

    Any other error rolls back and passes on (InvalidData goes back to the form that sent it).
    """
    session = get_session()
    try:
        result = change()
        session.commit()
    except PermissionDenied:
        session.rollback()
        abort(403)
    except Exception:
        session.rollback()
        raise
    return result
