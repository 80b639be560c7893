"""Command-line tools for the operator: flask --app bulletin <command>."""

from flask import Flask


def init_app(app: Flask) -> None:
    pass
