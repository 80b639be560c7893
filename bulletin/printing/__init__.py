"""Print: the multilingual flyer and the notice-board sheets, as PDF.

``pdf`` turns HTML into PDF (WeasyPrint, our static files only) and caches the result; ``qr`` draws the
codes; ``flyer`` and ``notices`` prepare what each document says, one language at a time; ``featured``
holds the coordinator's choice of organisations for the flyer.
"""
