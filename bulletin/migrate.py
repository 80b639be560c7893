"""Database migrations (Alembic) and their command line: flask --app bulletin db ..."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass
