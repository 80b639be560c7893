"""One page of a longer list."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlalchemy import func, select
from sqlmodel import Session


@dataclass(frozen=True)
class Page:
    items: list[Any]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_previous(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def paginate(session: Session, statement, page: int, per_page: int, total: int | None = None) -> Page:
    """Run ``statement`` for one page, and count all its rows unless the caller knows ``total``."""
    if total is None:
        total = session.scalar(select(func.count()).select_from(statement.order_by(None).subquery())) or 0
    offset = (page - 1) * per_page
    if offset >= total:  # past the end (or nothing at all): no need to ask
        return Page(items=[], total=total, page=page, per_page=per_page)
    rows = session.scalars(statement.limit(per_page).offset(offset)).unique().all()
    return Page(items=list(rows), total=total, page=page, per_page=per_page)
