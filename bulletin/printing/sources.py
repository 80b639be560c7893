"""What a printed document is made of besides the database rows: catalogues, templates, styles, fonts.

Their file stamps go into every cache key, so a new translation or a changed template rebuilds the PDFs
that use it.
"""

from __future__ import annotations

import os

from flask import Flask

from bulletin.printing.pdf import file_stamps, folder_files

PRINTING_PACKAGE = os.path.dirname(os.path.abspath(__file__))


def catalogue_stamps(app: Flask, languages: tuple[str, ...]) -> list[list]:
    """The catalogue files of ``languages`` (source and compiled): a translation changes the panel."""
    directory = app.config["BABEL_TRANSLATION_DIRECTORIES"]
    stamps = []
    for code in sorted(set(languages)):
        folder = os.path.join(directory, code, "LC_MESSAGES")
        stamps.append([code, file_stamps(folder_files(folder, ".po") + folder_files(folder, ".mo"))])
    return stamps


def design_stamps(app: Flask) -> list[list]:
    """Print templates, pictograms, the print stylesheet, shipped fonts and the code that fills them."""
    templates = app.template_folder
    files = [
        *folder_files(os.path.join(templates, "print")),
        *folder_files(os.path.join(templates, "icons"), ".svg"),
        os.path.join(app.static_folder, "css", "print.css"),
        *folder_files(os.path.join(app.static_folder, "fonts")),
        *folder_files(PRINTING_PACKAGE, ".py"),
    ]
    return file_stamps(files)
