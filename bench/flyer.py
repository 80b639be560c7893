"""Time to build the four-language flyer (German, Arabic, Ukrainian, Persian, A4) cold and from the cache.

    .venv/bin/python bench/flyer.py [--cold N] [--cached N] [--previews DIR]

Runs the real request (/de/flyer.pdf?lang=de,ar,uk,fa) through the Flask test client on a temporary
board with four featured counselling contacts. "Cold" empties the PDF cache before every request, so
each one lays out and writes the PDF with WeasyPrint; "cached" repeats the same request, which reads the
stored file. Prints the median and the slowest time of each, and how many times faster the cache is.

``--previews docs/screenshots`` also writes the pictures the documentation shows: flyer.png (the same
flyer, both pages) and notice.png (a posting's notice in German and Arabic), rendered with pypdfium2.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from datetime import date, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, ROOT)

import pypdfium2  # noqa: E402
from PIL import Image  # noqa: E402
from sqlmodel import SQLModel  # noqa: E402

from bulletin import create_app  # noqa: E402
from bulletin.db import get_engine, get_session  # noqa: E402
from bulletin.printing import featured  # noqa: E402
from bulletin.services import organisations, postings  # noqa: E402
from bulletin.services.actors import SystemActor  # noqa: E402

ADDRESS = "/de/flyer.pdf?lang=de,ar,uk,fa&format=a4"
CONTACTS = [
    ("Migrationsberatung Caritas", "07141 9876-0", "mbe@caritas.example", "Kirchstraße 4"),
    ("Refugio Sozialberatung", "07141 55 44 33", "beratung@refugio.example", "Bahnhofstraße 12"),
    ("Psychosoziales Zentrum", "07141 2020 77", "kontakt@psz.example", "Am Mühlbach 3"),
    ("Jugendmigrationsdienst", "07141 3300", "jmd@example.org", "Schulstraße 1"),
]


def board(folder: str):
    app = create_app({
        "BULLETIN_ENV": "test", "SECRET_KEY": "bench", "INSTANCE_PATH": os.path.join(folder, "instance"),
        "SQLALCHEMY_DATABASE_URI": f"sqlite:///{folder}/bench.sqlite", "RATELIMIT_ENABLED": False,
        "SERVER_NAME": "board.example", "BULLETIN_INDEX_DIR": os.path.join(folder, "index"),
    })
    SQLModel.metadata.create_all(get_engine(app))
    actor = SystemActor("bench")
    with app.app_context():
        session = get_session()
        chosen = set()
        for name, phone, email, address in CONTACTS:
            data = organisations.OrganisationInput(name=name, type="counselling", phone=phone, email=email,
                                                   address=address, descriptions={"de": "Beratung."})
            chosen.add(organisations.create_organisation(session, actor, data, status="approved").id)
        featured.set_featured(session, actor, chosen)
        furniture = organisations.create_organisation(session, actor, organisations.OrganisationInput(
            name="Möbelbörse der Diakonie", type="ngo", phone="07141 4477-12",
            email="moebel@diakonie.example", address="Industriestraße 8", district="Bahnhofsviertel",
            descriptions={"de": "Gebrauchte Möbel."},
        ), status="approved")
        postings.create_posting(session, actor, furniture, postings.PostingInput(
            type="offer", category="furniture-household", original_language="de", district="Bahnhofsviertel",
            valid_until=date.today() + timedelta(days=60),
            titles={"de": "Sofa und Esstisch zu verschenken", "ar": "أريكة وطاولة طعام مجاناً"},
            bodies={"de": "Ein gut erhaltenes Sofa (drei Plätze, grau) und ein Esstisch mit vier Stühlen, "
                          "kostenlos für Familien, die gerade eine Wohnung bekommen haben. Bitte selbst "
                          "abholen; wir helfen beim Tragen. Termine nach Absprache, am besten vormittags.",
                    "ar": "أريكة بحالة جيدة (ثلاثة مقاعد، رمادية) وطاولة طعام مع أربعة كراسي، مجاناً للعائلات "
                          "التي حصلت للتو على شقة. يرجى الاستلام بأنفسكم؛ نساعد في الحمل. المواعيد "
                          "بالاتفاق، ويفضل في الصباح."},
        ))
        session.commit()
    return app


def preview(pdf: bytes, path: str, scale: float = 1.1) -> None:
    """The PDF's pages side by side on a grey table, as a PNG."""
    document = pypdfium2.PdfDocument(pdf)
    try:
        pages = []
        for page in document:
            pages.append(page.render(scale=scale).to_pil().convert("RGB"))
            page.close()
    finally:
        document.close()
    gap = 24
    width = sum(page.width for page in pages) + gap * (len(pages) + 1)
    height = max(page.height for page in pages) + 2 * gap
    sheet = Image.new("RGB", (width, height), (205, 205, 200))
    left = gap
    for page in pages:
        sheet.paste(page, (left, gap))
        left += page.width + gap
    sheet.save(path, optimize=True)


def write_previews(client, folder: str) -> None:
    os.makedirs(folder, exist_ok=True)
    preview(client.get(ADDRESS).data, os.path.join(folder, "flyer.png"))
    notice = client.get("/de/postings/1/notice.pdf?lang=de,ar")
    assert notice.status_code == 200, notice.status_code
    preview(notice.data, os.path.join(folder, "notice.png"))


def timed(client) -> float:
    start = time.perf_counter()
    response = client.get(ADDRESS)
    elapsed = time.perf_counter() - start
    assert response.status_code == 200 and response.data.startswith(b"%PDF-"), response.status_code
    return elapsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--cold", type=int, default=5, help="cold builds to time (default 5)")
    parser.add_argument("--cached", type=int, default=50, help="cached requests to time (default 50)")
    parser.add_argument("--previews", metavar="DIR", help="also write flyer.png and notice.png into DIR")
    arguments = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        app = board(folder)
        client = app.test_client()
        cache = os.path.join(app.instance_path, "print-cache")
        timed(client)  # the first request loads fonts and templates: not part of either figure
        cold = []
        for _ in range(arguments.cold):
            shutil.rmtree(cache, ignore_errors=True)
            cold.append(timed(client))
        timed(client)
        cached = [timed(client) for _ in range(arguments.cached)]
        if arguments.previews:
            write_previews(client, arguments.previews)

    rows = [("cold (WeasyPrint)", cold), ("from the cache", cached)]
    print(f"Four-language flyer {ADDRESS}")
    print(f"{'build':<20}{'runs':>6}{'median ms':>12}{'max ms':>10}")
    for label, times in rows:
        print(f"{label:<20}{len(times):>6}{statistics.median(times) * 1000:>12.1f}{max(times) * 1000:>10.1f}")
    print(f"the cache is {statistics.median(cold) / statistics.median(cached):.0f} times faster (median)")


if __name__ == "__main__":
    main()
