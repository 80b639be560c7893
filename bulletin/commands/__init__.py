"""Command-line tools for the operator: flask --app bulletin <command>.

One module per group of commands; ``init_app`` registers them all. Each command opens the request-less
database session of its app context, calls the services, and saves through one commit boundary
(``console.commit``), or lets a service commit in short steps of its own where it must (the purge, the
daily mails). What every command shares is in ``console``, which imports no command module.

- ``data``       import-data, export-data
- ``demo``       load-demo
- ``users``      create-user
- ``purge``      purge
- ``reminders``  send-expiry-reminders
- ``digest``     send-match-digest
- ``search``     reindex, search-worker
- ``database``   db upgrade | downgrade | current | check | revision
"""

from __future__ import annotations

from flask import Flask

from bulletin.commands import data, database, demo, digest, purge, reminders, search, users

GROUPS = (data, demo, users, purge, reminders, digest, search, database)


def init_app(app: Flask) -> None:
    for group in GROUPS:
        for command in group.COMMANDS:
            app.cli.add_command(command)
