"""The yardstick for bench/pages.py's load phase: one Flask route that returns a short string.

Served by gunicorn with the same flags as the board, it shows what the server, the machine and the load
generator manage on their own, so the board's requests/s read as a share of that.
"""

from flask import Flask

app = Flask(__name__)


@app.get("/")
def hello() -> str:
    return "Hallo"
