"""The desk's long lists, one page at a time: a number past the last page is no page, and the links to
the neighbouring pages keep the list's filters."""

from __future__ import annotations

from flask import abort, url_for

from bulletin.blueprints.presenters import PageNav, page_nav
from bulletin.services.pagination import Page


def page_or_404(page: Page) -> Page:
    if page.page > page.pages:
        abort(404)
    return page


def nav(page: Page, endpoint: str, **filters) -> PageNav:
    """Previous and next links of ``endpoint`` with the same ``filters``; the first page carries no number."""
    return page_nav(page, lambda number: url_for(endpoint, page=number if number > 1 else None, **filters))
