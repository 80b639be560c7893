"""Organisation logos: checked from their content, re-encoded, stored under a content hash."""

from __future__ import annotations

import hashlib
import io
import os
import re
import warnings

from flask_babel import lazy_gettext as _l
from PIL import Image, UnidentifiedImageError

from bulletin.services.errors import InvalidData

ACCEPTED_FORMATS = {"PNG", "JPEG", "GIF", "WEBP"}
MAX_PIXELS = 25_000_000  # refuse decompression bombs long before Pillow's own limit
LOGO_BOX = (400, 400)
# The names store_logo gives its files (and their half-written copies): all the purge may remove.
LOGO_FILE = re.compile(r"^[0-9a-f]{32}\.png(\.tmp)?$")


def store_logo(data: bytes, upload_dir: str, max_bytes: int) -> str:
    """Validate an uploaded image and save a clean PNG copy; returns its file name."""
    if not data:
        raise InvalidData({"logo": _l("The file is empty.")})
    if len(data) > max_bytes:
        raise InvalidData({"logo": _l("The logo may be at most %(size)d KB.", size=max_bytes // 1024)})
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            with Image.open(io.BytesIO(data)) as probe:
                if probe.format not in ACCEPTED_FORMATS:
                    raise InvalidData({"logo": _l("A logo must be a PNG, JPEG, GIF or WebP image.")})
                if probe.width * probe.height > MAX_PIXELS:
                    raise InvalidData({"logo": _l("The image is too large.")})
                probe.verify()
            with Image.open(io.BytesIO(data)) as image:
                image.load()
                image = image.convert("RGBA")
                image.thumbnail(LOGO_BOX)
    except InvalidData:
        raise
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):
        raise InvalidData({"logo": _l("This file is not an image we can read.")}) from None
    output = io.BytesIO()
    image.save(output, format="PNG", optimize=True)  # re-encoding drops anything hidden in the upload
    encoded = output.getvalue()
    filename = hashlib.sha256(encoded).hexdigest()[:32] + ".png"
    os.makedirs(upload_dir, exist_ok=True)
    path = os.path.join(upload_dir, filename)
    try:
        # Stored before (perhaps by an organisation since gone): fresh again, so the purge of unused
        # logos, which spares files written within the last day, leaves it to the upload in progress.
        os.utime(path)
    except FileNotFoundError:
        with open(path + ".tmp", "wb") as handle:
            handle.write(encoded)
        os.replace(path + ".tmp", path)
    return filename
