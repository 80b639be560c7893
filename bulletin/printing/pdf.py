"""HTML to PDF with WeasyPrint, and a cache of the PDFs built.

WeasyPrint may read nothing but the board's own static files and ``data:`` URIs: a document never
reaches the network, whatever its HTML names. Fonts come from the system (fontconfig) or from
``@font-face`` rules pointing into the static folder, and are embedded as subsets.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import mimetypes
import os
import tempfile
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from urllib.parse import unquote, urlsplit

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse
from werkzeug.security import safe_join

STATIC_PATH = "/static/"
BASE_URL = "https://print.invalid/"  # resolves the documents' relative links; never contacted
KEEP_FILES = 500  # the cache keeps this many PDFs, newest first: a few MB for a town's board


class StaticFilesOnly(URLFetcher):
    """Serves ``/static/...`` from the static folder and decodes ``data:`` URIs; refuses anything else."""

    def __init__(self, static_folder: str):
        super().__init__(allowed_protocols=("data",))
        self.static_folder = static_folder

    def fetch(self, url: str, headers=None):
        if url.startswith("data:"):
            return super().fetch(url, headers)
        path = urlsplit(url).path
        if path.startswith(STATIC_PATH):
            local = safe_join(self.static_folder, unquote(path[len(STATIC_PATH):]))
            if local and os.path.isfile(local):
                with open(local, "rb") as handle:
                    body = handle.read()
                content_type = mimetypes.guess_type(local)[0] or "application/octet-stream"
                return URLFetcherResponse(url, body, {"Content-Type": content_type})
        raise ValueError(f"Only the board's static files can be printed, not {url}")


def render_pdf(html: str, static_folder: str) -> bytes:
    """The PDF of ``html``: text stays text (selectable, searchable), fonts are embedded as subsets."""
    document = HTML(string=html, base_url=BASE_URL, url_fetcher=StaticFilesOnly(static_folder))
    return document.write_pdf()


def file_stamps(paths: Iterable[str]) -> list[list]:
    """Name, modification time and size of each file: part of a cache key, so an edit rebuilds."""
    stamps = []
    for path in sorted(paths):
        try:
            status = os.stat(path)
        except FileNotFoundError:
            continue
        stamps.append([os.path.basename(path), status.st_mtime_ns, status.st_size])
    return stamps


def folder_files(folder: str, suffix: str = "") -> list[str]:
    if not os.path.isdir(folder):
        return []
    return [os.path.join(folder, name) for name in os.listdir(folder) if name.endswith(suffix)]


@dataclass(frozen=True)
class CachedPdf:
    key: str  # also the response's ETag
    data: bytes
    from_cache: bool


class PdfCache:
    """PDFs on disk, named by a hash of everything that went into them.

    A key covers the request (languages, paper, options), the content (``updated_at`` of every row
    shown), the catalogues and the templates; when any of these changes, the key does, and the PDF is
    built anew. Old files are never stale, only unused: the oldest go once there are too many.
    """

    def __init__(self, directory: str, keep: int = KEEP_FILES):
        self.directory = directory
        self.keep = keep

    @staticmethod
    def key(parts: object) -> str:
        encoded = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
        return hashlib.sha256(encoded.encode()).hexdigest()

    def _path(self, key: str) -> str:
        return os.path.join(self.directory, key + ".pdf")

    def load(self, key: str) -> bytes | None:
        try:
            with open(self._path(key), "rb") as handle:
                return handle.read()
        except FileNotFoundError:
            return None

    def store(self, key: str, data: bytes) -> None:
        os.makedirs(self.directory, exist_ok=True)
        # Written aside, then renamed: a reader never sees half a file, two writers never mix.
        handle, temporary = tempfile.mkstemp(dir=self.directory, suffix=".part")
        with os.fdopen(handle, "wb") as output:
            output.write(data)
        os.replace(temporary, self._path(key))
        self._prune()

    def _prune(self) -> None:
        files = folder_files(self.directory, ".pdf")
        if len(files) <= self.keep:
            return
        by_age = sorted(files, key=lambda path: os.stat(path).st_mtime_ns)
        for path in by_age[: len(files) - self.keep]:
            with contextlib.suppress(FileNotFoundError):  # another process pruned it first
                os.remove(path)

    def get_or_build(self, parts: object, build: Callable[[], bytes]) -> CachedPdf:
        key = self.key(parts)
        data = self.load(key)
        if data is not None:
            return CachedPdf(key, data, from_cache=True)
        data = build()
        self.store(key, data)
        return CachedPdf(key, data, from_cache=False)
