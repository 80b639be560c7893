"""WeasyPrint reads only our static files, and built PDFs are kept under a key of all that went in."""

from __future__ import annotations

import os

import pytest

from bulletin.printing.pdf import PdfCache, StaticFilesOnly, render_pdf


@pytest.fixture
def fetcher(app):
    return StaticFilesOnly(app.static_folder)


def test_the_print_stylesheet_and_data_uris_are_served(fetcher):
    response = fetcher.fetch("https://print.invalid/static/css/print.css?v=abc")
    assert response.content_type == "text/css"
    assert b"@page" in response.read()
    assert fetcher.fetch("data:text/plain;base64,aGFsbG8=").read() == b"hallo"


@pytest.mark.parametrize("address", [
    "http://127.0.0.1:9/picture.png",  # another host
    "https://print.invalid/logos/picture.png",  # not a static file
    "https://print.invalid/static/../bulletin/__init__.py",  # out of the static folder
    "https://print.invalid/static/%2e%2e/pyproject.toml",
    "file:///etc/passwd",
])
def test_anything_else_is_refused(fetcher, address):
    with pytest.raises(ValueError):
        fetcher.fetch(address)


def test_a_document_naming_another_host_is_built_without_it(app, caplog):
    html = '<p>Hallo</p><img src="http://127.0.0.1:9/tracker.png"><img src="file:///etc/hostname">'
    assert render_pdf(html, app.static_folder).startswith(b"%PDF-")
    refused = [record.getMessage() for record in caplog.records if "Failed to load" in record.getMessage()]
    assert len(refused) == 2


def test_the_cache_builds_once_per_key(tmp_path):
    cache = PdfCache(str(tmp_path))
    built = []

    def build():
        built.append(1)
        return b"%PDF-1.7 one"

    first = cache.get_or_build({"languages": ["de", "ar"], "paper": "a4"}, build)
    again = cache.get_or_build({"paper": "a4", "languages": ["de", "ar"]}, build)  # same parts, any order
    assert (first.from_cache, again.from_cache) == (False, True)
    assert again.data == first.data and again.key == first.key
    other = cache.get_or_build({"languages": ["de", "ar"], "paper": "a5"}, build)
    assert not other.from_cache and other.key != first.key
    assert len(built) == 2


def test_the_cache_keeps_only_the_newest_files(tmp_path):
    cache = PdfCache(str(tmp_path), keep=3)
    keys = []
    for number in range(5):
        document = cache.get_or_build({"number": number}, lambda: b"%PDF")
        os.utime(os.path.join(tmp_path, document.key + ".pdf"), ns=(number * 10**9, number * 10**9))
        keys.append(document.key)
    cache.store(PdfCache.key({"number": 5}), b"%PDF")
    kept = sorted(name.removesuffix(".pdf") for name in os.listdir(tmp_path))
    assert kept == sorted([*keys[3:], PdfCache.key({"number": 5})])
