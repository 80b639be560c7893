"""The safety net under every request: input no database can hold is refused before any view runs.

A NUL byte or a lone surrogate (what is left of text that was not UTF-8) anywhere in a query string, a
form or a JSON body answers 400, with the API's JSON error under /api/; in the address itself it is no
page (404). PostgreSQL refuses a NUL even in a comparison, so without this net a NUL in a filter or a
hidden field would be a 500. The forms, the query-string readers and the API check their text in detail
(bulletin.services.text_rules); the net is for what reaches the board some other way.
"""

from __future__ import annotations

import json
from collections.abc import Iterator

from flask import Flask, request
from flask_babel import lazy_gettext as _l
from werkzeug.exceptions import NotFound

from bulletin.blueprints.query_args import InvalidArgument
from bulletin.services import text_rules

FIELD_NAME_MAX = 100


class UnreadableInput(InvalidArgument):
    """A value in the request no database can hold; ``field`` names where it was, when it has a name."""

    def __init__(self, field: str | None = None):
        super().__init__(_l(
            "What you sent holds a character that cannot be accepted (a NUL byte or text that is not "
            "UTF-8). Please check what you entered and try again."
        ))
        self.field = text_rules.shown(field)[:FIELD_NAME_MAX] if field is not None else None


def _json_texts(value: object) -> Iterator[str]:
    """Every string in a JSON document, names included; a loop, not recursion, for any depth."""
    pending = [value]
    while pending:
        item = pending.pop()
        if isinstance(item, str):
            yield item
        elif isinstance(item, dict):
            pending.extend(item.keys())
            pending.extend(item.values())
        elif isinstance(item, list):
            pending.extend(item)


def _json_body() -> object:
    try:
        return json.loads(request.get_data(cache=True))
    except (ValueError, RecursionError) as error:  # not JSON, not UTF-8, or nested beyond reading
        raise UnreadableInput() from error


def refuse_unreadable_input() -> None:
    if not text_rules.storable(request.path):
        raise NotFound()
    for values in (request.args, request.form):
        for name, value in values.items(multi=True):
            if not (text_rules.storable(name) and text_rules.storable(value)):
                raise UnreadableInput(name)
    has_json = request.is_json and request.get_data(cache=True)
    if has_json and not all(text_rules.storable(text) for text in _json_texts(_json_body())):
        raise UnreadableInput()


def init_app(app: Flask) -> None:
    # After the other app-wide hooks (the language of the answer is known by then), before any view and
    # any blueprint's own hook.
    app.before_request(refuse_unreadable_input)
