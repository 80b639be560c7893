"""A live server of the test app, and pages in the headless Chromium of tests/conftest.py to drive it."""

from __future__ import annotations

import gc
import os
import threading
import warnings

import pytest
from werkzeug.serving import make_server


@pytest.fixture
def live_server(app):
    """The app served on a free local port for the length of one test."""
    app.config["SERVER_NAME"] = None
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
    # A browser that drops a download half-way (a font it no longer needs) leaves the development
    # server's file object to the garbage collector; collect it here, where that is expected.
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ResourceWarning)
        gc.collect()


@pytest.fixture
def new_page(chromium):
    """Pages in fresh browser contexts (no shared cookies), closed after the test."""
    contexts = []

    def make(width: int = 390, height: int = 844):
        context = chromium.new_context(viewport={"width": width, "height": height}, locale="de-DE")
        contexts.append(context)
        return context.new_page()

    yield make
    for context in contexts:
        context.close()


@pytest.fixture
def screenshot_dir(tmp_path):
    """Where the journey keeps its screenshots: docs/screenshots when BULLETIN_SCREENSHOT_DIR says so."""
    return os.environ.get("BULLETIN_SCREENSHOT_DIR") or str(tmp_path)
