"""Signing up, in and out, and resetting a forgotten password."""

from flask import Blueprint

bp = Blueprint("account", __name__, url_prefix="/<lang>/account")
