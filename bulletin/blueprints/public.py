"""What refugees see, without an account or a cookie."""

from flask import Blueprint

bp = Blueprint("public", __name__, url_prefix="/<lang>")
