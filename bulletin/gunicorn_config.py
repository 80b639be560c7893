"""The shipped gunicorn settings: ``gunicorn -c python:bulletin.gunicorn_config wsgi:app``.

Logs keep what running the board needs (when, which page, the answer, how long it took) and nothing
about who asked: no client address, no query string (searches are what visitors typed), no referrer, no
headers, and no secret token from a link in a mail (password reset, sign-up confirmation, renew). A
token in a log is as good as the link to whoever reads the log.

The environment sets the rest (systemd's ``EnvironmentFile=``, docs/deployment.md):

- ``BULLETIN_BIND``: the address to listen on, default ``127.0.0.1:8000`` (reachable only through the
  proxy on the same machine; the app trusts the proxy's ``X-Forwarded-*`` headers).
- ``BULLETIN_WORKERS``: worker processes, default one more than the machine has cores.

Options on the command line take precedence over these, as with every gunicorn configuration file.
"""

from __future__ import annotations

import logging
import os
import re

from gunicorn import glogging

# The routes whose last segment is a secret (grep the blueprints for "<token>"): the password reset
# link, the sign-up confirmation link and the renew link of an expiry reminder, under any language.
# tests/test_gunicorn_config.py checks that this covers every such route of the app.
SECRET_PATH = re.compile(r"(/(?:account/reset|account/confirm|renew)/)[^/?#\s\"']+")
# A query string after a path or an address, wherever a message quotes one.
QUERY = re.compile(r"(?<=[\w/.%~-])\?[^\s\"']+")
# "Invalid request from ip=203.0.113.7: ...", gunicorn's warning about a malformed request (IPv4 or 6).
CLIENT_ADDRESS = re.compile(r"\bip=[0-9A-Fa-f:.]*[0-9A-Fa-f]")
REDACTED = "[redacted]"

ACCESS_LOG_FORMAT = '%(t)s "%(m)s %(U)s %(H)s" %(s)s %(b)s %(M)sms %(p)s'


def redact(message: str) -> str:
    """``message`` without secret tokens in paths, query strings and client addresses."""
    message = QUERY.sub("", message)
    message = SECRET_PATH.sub(r"\1" + REDACTED, message)
    return CLIENT_ADDRESS.sub("ip=" + REDACTED, message)


class RedactingFilter(logging.Filter):
    """Rewrites a record's message with :func:`redact` before any handler writes it."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        cleaned = redact(message)
        if cleaned != message:
            record.msg, record.args = cleaned, None
        return True


class PrivateLogger(glogging.Logger):
    """gunicorn's logger with atoms that cannot reveal a visitor or a secret, whatever the format says.

    Only the atoms below carry a value; every other one (the client address ``h``, the request line
    ``r`` with its query string, ``q``, the referrer ``f``, headers ``{...}i``/``{...}o`` and the
    environment ``{...}e``) is logged as "-".
    """

    def setup(self, cfg) -> None:
        super().setup(cfg)
        if not any(isinstance(known, RedactingFilter) for known in self.error_log.filters):
            self.error_log.addFilter(RedactingFilter())

    def atoms(self, resp, req, environ, request_time) -> dict:
        every = super().atoms(resp, req, environ, request_time)
        path = redact(every.get("U") or "-")
        kept = {name: every[name] for name in ("t", "s", "m", "H", "b", "B", "T", "D", "M", "L", "p")}
        return {**kept, "U": path, "r": f"{every.get('m')} {path} {every.get('H')}"}


def _bind() -> str:
    return os.environ.get("BULLETIN_BIND", "").strip() or "127.0.0.1:8000"


def _workers() -> int:
    value = os.environ.get("BULLETIN_WORKERS", "").strip()
    if value.isdigit() and int(value) > 0:
        return int(value)
    return (os.cpu_count() or 1) + 1


def post_worker_init(worker) -> None:
    """Flask logs an error as "Exception on /de/account/reset/<token> [POST]" through its own handler,
    which writes to gunicorn's error log directly: redact there too."""
    from flask.logging import default_handler

    if not any(isinstance(known, RedactingFilter) for known in default_handler.filters):
        default_handler.addFilter(RedactingFilter())


bind = _bind()
workers = _workers()
logger_class = PrivateLogger
access_log_format = ACCESS_LOG_FORMAT
accesslog = "-"  # stdout: journald under systemd
errorlog = "-"
