"""An organisation's own postings and profile."""

from flask import Blueprint

bp = Blueprint("dashboard", __name__, url_prefix="/<lang>/dashboard")
