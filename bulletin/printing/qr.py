"""QR codes for print, as SVG data URIs: vector, so they stay sharp at any size and on a photocopy."""

from __future__ import annotations

import segno

# "h" restores up to 30 % of the symbol: enough for a faded copy, a crease or a pin through it.
ERROR_CORRECTION = "h"
QUIET_ZONE = 4  # modules of white around the code, as the standard asks


def qr_data_uri(url: str) -> str:
    """A black-on-white QR code for ``url``, sized by the CSS box it is drawn in."""
    code = segno.make_qr(url, error=ERROR_CORRECTION, boost_error=False)
    return code.svg_data_uri(omitsize=True, border=QUIET_ZONE, dark="#000", light="#fff")
