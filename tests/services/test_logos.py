"""Logos are stored under a content hash; storing one again makes its file fresh for the purge."""

from __future__ import annotations

import io
import os
import time

from PIL import Image

from bulletin.services.logos import LOGO_FILE, store_logo

MAX_BYTES = 2 * 1024 * 1024


def png() -> bytes:
    output = io.BytesIO()
    Image.new("RGB", (20, 10), "teal").save(output, format="PNG")
    return output.getvalue()


def test_a_logo_stored_again_is_the_same_file_written_just_now(tmp_path):
    name = store_logo(png(), str(tmp_path), MAX_BYTES)
    assert LOGO_FILE.match(name)
    path = tmp_path / name
    a_week_ago = time.time() - 7 * 24 * 3600
    os.utime(path, (a_week_ago, a_week_ago))  # as if an organisation since gone had uploaded it

    assert store_logo(png(), str(tmp_path), MAX_BYTES) == name
    assert path.stat().st_mtime > a_week_ago + 6 * 24 * 3600
    assert sorted(os.listdir(tmp_path)) == [name]
