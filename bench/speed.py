"""Speed of indexing, search and matching at 10k or 100k postings, against SQLite FTS5 in the same run.

    .venv/bin/python bench/speed.py [--postings 10000] [--queries 200] [--matches 100] [--procs 2]

Generates a realistic board (organisations in six districts; offers and requests in 16 categories with
German titles and descriptions, a share translated into Arabic, Ukrainian or English, a share closed or
expired), writes it to a temporary SQLite database, then measures:

- indexing: ``reindex`` of the whole board (postings per second, database reading included);
- search: the board's search (ranked page of 20, facet counts, snippets' terms) for typical queries,
  and the same words as an FTS5 OR query ranked by bm25 with the total count, over the same texts;
  the first run of each query (its terms' postings read from the index) is reported on its own;
- matching: the offers for randomly chosen requests.

Latencies are reported as p50/p95 in milliseconds and as the ratio of the board's p95 to FTS5's.
"""

from __future__ import annotations

import argparse
import os
import random
import sqlite3
import statistics
import sys
import tempfile
import time
from datetime import UTC, date, datetime, timedelta

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.dirname(HERE))

from sqlalchemy import insert  # noqa: E402
from sqlmodel import Session, SQLModel, select  # noqa: E402

from bulletin import create_app  # noqa: E402
from bulletin.db import get_engine  # noqa: E402
from bulletin.models import Organisation, Posting, PostingText  # noqa: E402
from bulletin.search import get_search, sync  # noqa: E402
from bulletin.search.match import matches_for  # noqa: E402
from bulletin.search.query import search_postings, words_of  # noqa: E402

DISTRICTS = ["Altstadt", "Nordviertel", "Weststadt", "Am Bahnhof", "Hohenfeld", "Seewiesen"]
# (category, German item words, Arabic, Ukrainian, English)
ITEMS = [
    ("furniture-household", ["Kinderbett", "Kleiderschrank", "Sofa", "Esstisch", "Waschmaschine",
                             "Kühlschrank", "Matratze", "Kommode", "Schreibtisch", "Staubsauger", "Geschirr",
                             "Bettwäsche"],
     ["سرير أطفال", "خزانة ملابس", "أريكة", "غسالة"], ["дитяче ліжко", "шафа", "диван", "пральна машина"],
     ["children's bed", "wardrobe", "sofa", "washing machine"]),
    ("clothing", ["Winterjacke", "Wintermantel", "Schuhe", "Pullover", "Hosen", "Babykleidung", "Mützen",
                  "Handschuhe", "Sportkleidung"],
     ["جاكيت شتوي", "أحذية", "ملابس أطفال"], ["зимова куртка", "взуття", "дитячий одяг"],
     ["winter jacket", "shoes", "children's clothes"]),
    ("baby-children", ["Kinderwagen", "Buggy", "Babyschale", "Kindersitz", "Hochstuhl", "Spielzeug",
                       "Windeln", "Babytrage"],
     ["عربة أطفال", "كرسي سيارة للأطفال", "ألعاب"], ["дитячий візок", "автокрісло", "іграшки"],
     ["pram", "child car seat", "toys"]),
    ("language", ["Deutschkurs", "Sprachcafé", "Alphabetisierungskurs", "Konversationskurs",
                  "Nachhilfe Deutsch", "Dolmetscher"],
     ["دورة لغة ألمانية", "مترجم"], ["курс німецької мови", "перекладач"], ["German course", "interpreter"]),
    ("counselling", ["Asylberatung", "Sozialberatung", "Schuldnerberatung", "Rechtsberatung",
                     "Beratung zum Familiennachzug"],
     ["استشارة حول اللجوء", "استشارة قانونية"], ["консультація щодо притулку"], ["asylum counselling"]),
    ("accompaniment", ["Begleitung zum Jobcenter", "Begleitung zur Ausländerbehörde", "Arztbegleitung",
                       "Patenschaft"],
     ["مرافقة إلى الطبيب"], ["супровід до лікаря"], ["accompaniment to the doctor"]),
    ("housing", ["Wohnung", "WG-Zimmer", "Hilfe bei der Wohnungssuche", "Gästezimmer"],
     ["شقة", "غرفة"], ["квартира", "кімната"], ["flat", "room"]),
    ("health", ["Hebammensprechstunde", "Zahnarzt", "Brillen", "Rollstuhl", "Psychotherapie"],
     ["قابلة", "كرسي متحرك"], ["акушерка", "інвалідний візок"], ["midwife", "wheelchair"]),
    ("education", ["Hausaufgabenhilfe", "Nachhilfe Mathematik", "Schulsachen", "Lesepaten"],
     ["مساعدة في الواجبات المدرسية"], ["допомога з домашніми завданнями"], ["homework help"]),
    ("leisure-sport", ["Fußballtraining", "Schwimmkurs", "Kochabend", "Tischtennis", "Gitarrenunterricht"],
     ["كرة القدم", "دورة سباحة"], ["футбол", "плавання"], ["football", "swimming course"]),
    ("mobility", ["Fahrrad", "Kinderfahrrad", "Fahrradreparatur", "Radfahren lernen", "Führerschein-Theorie"],
     ["دراجة هوائية", "تصليح الدراجات"], ["велосипед", "ремонт велосипедів"], ["bicycle", "bike repair"]),
    ("digital", ["Laptop", "Smartphone", "Tablet", "Computerkurs", "Handy-Sprechstunde"],
     ["حاسوب محمول", "هاتف ذكي"], ["ноутбук", "смартфон"], ["laptop", "smartphone"]),
    ("food", ["Lebensmittelausgabe", "Mittagstisch", "Babynahrung", "Frühstück"],
     ["توزيع المواد الغذائية"], ["видача продуктів"], ["food bank"]),
    ("work-training", ["Bewerbungstraining", "Praktikum", "Jobmesse", "Anerkennungsberatung"],
     ["تدريب على التقديم للوظائف"], ["тренінг з працевлаштування"], ["job application training"]),
    ("volunteering", ["Ehrenamt in der Kleiderkammer", "Helfen bei der Tafel", "Mitschrauben"],
     ["تطوع"], ["волонтерство"], ["volunteering"]),
    ("other", ["Möbeltransport", "Umzugshilfe", "Passfotos", "Kopien"],
     ["نقل الأثاث"], ["перевезення меблів"], ["furniture transport"]),
]
ADJECTIVES = ["gut erhalten", "neu", "gebraucht", "kostenlos", "für Familien", "für Kinder", "für Frauen",
              "am Wochenende", "abends", "sofort", "zu verschenken", "gesucht", "dringend"]
SENTENCES = [
    "Bitte melden Sie sich telefonisch oder per E-Mail.", "Abholung nach Absprache in {district}.",
    "Wir helfen gern und sprechen Arabisch, Ukrainisch und Englisch.", "Das Angebot ist kostenlos.",
    "Termine gibt es dienstags und donnerstags.", "Eine Familie mit {number} Kindern braucht Unterstützung.",
    "Geeignet für Anfängerinnen und Anfänger.", "Ehrenamtliche begleiten Sie gern.",
    "Wir haben {number} Stück davon, alles sauber und funktionsfähig.", "Kinderbetreuung ist möglich.",
]
QUERIES = ["Kinderbett", "Waschmaschine", "Winterjacke", "Kinderwagen", "Deutschkurs", "Fahrrad", "Laptop",
           "Wohnung", "Hilfe", "Beratung Familie", "Kinder", "kostenlos Kinder Hilfe", "Schuhe für Kinder",
           "سرير أطفال", "دورة لغة ألمانية", "пральна машина", "велосипед", "winter jacket", "Asylberatung",
           "Sofa Weststadt", "Hausaufgabenhilfe", "Arzt Begleitung", "Lebensmittel", "Fussball"]


def generate(count: int, seed: int = 4):
    """Yield (posting row, [text rows]) for ``count`` postings, the same for the same seed."""
    rng = random.Random(seed)
    today = date.today()
    for number in range(1, count + 1):
        category, words, arabic, ukrainian, english = rng.choice(ITEMS)
        index = rng.randrange(len(words))
        posting_type = "request" if rng.random() < 0.3 else "offer"
        title = f"{words[index]} {rng.choice(ADJECTIVES)}"
        district = rng.choice(DISTRICTS)
        body = " ".join(rng.choice(SENTENCES).format(district=district, number=rng.randint(2, 6))
                        for _ in range(rng.randint(2, 5)))
        roll = rng.random()
        status = "closed" if roll < 0.05 else "open"
        valid_until = today - timedelta(days=10) if 0.05 <= roll < 0.1 else (
            None if roll < 0.6 else today + timedelta(days=rng.randint(1, 300)))
        texts = [("de", title, body)]
        if rng.random() < 0.25:
            language, names = rng.choice([("ar", arabic), ("uk", ukrainian), ("en", english)])
            texts.append((language, names[index % len(names)], ""))
        posting = {"id": number, "key": f"p{number}", "organisation_id": rng.randint(1, 200),
                   "type": posting_type, "category": category, "district": district,
                   "valid_until": valid_until, "status": status,
                   "moderation": "visible", "original_language": "de",
                   "created_at": datetime(2025, 1, 1, tzinfo=UTC) + timedelta(minutes=number)}
        yield posting, [{"posting_id": number, "language": language, "title": text_title, "body": text_body,
                         "source_language": "de"} for language, text_title, text_body in texts]


def fill_database(engine, count: int) -> list[tuple[int, str]]:
    """Write the board with plain inserts (no per-posting index writes); returns (id, text) for FTS5."""
    with Session(engine) as session:
        session.execute(insert(Organisation), [
            {"id": number, "key": f"org-{number}", "name": f"Verein {number}", "status": "approved",
             "languages": ["de"], "type": "ngo"} for number in range(1, 201)
        ])
        texts_for_fts = []
        postings, texts = [], []
        for posting, posting_texts in generate(count):
            postings.append(posting)
            texts.extend(posting_texts)
            texts_for_fts.append((posting["id"], " ".join(text["title"] for text in posting_texts),
                                  " ".join(text["body"] for text in posting_texts)))
            if len(postings) == 5000:
                session.execute(insert(Posting), postings)
                session.execute(insert(PostingText), texts)
                postings, texts = [], []
        if postings:
            session.execute(insert(Posting), postings)
            session.execute(insert(PostingText), texts)
        session.commit()
    return texts_for_fts


def fts_database(path: str, texts) -> sqlite3.Connection:
    connection = sqlite3.connect(path)
    connection.execute(
        "CREATE VIRTUAL TABLE fts USING fts5(title, body, tokenize='unicode61 remove_diacritics 2')"
    )
    connection.executemany("INSERT INTO fts(rowid, title, body) VALUES (?, ?, ?)", texts)
    connection.commit()
    return connection


def fts_search(connection: sqlite3.Connection, text: str):
    words = [word.replace('"', "") for word in words_of(text)]
    match = " OR ".join(f'"{word}"' for word in words if word)
    total = connection.execute("SELECT count(*) FROM fts WHERE fts MATCH ?", (match,)).fetchone()[0]
    top = connection.execute(
        "SELECT rowid, bm25(fts, 3.0, 1.0) AS rank FROM fts WHERE fts MATCH ? ORDER BY rank LIMIT 20",
        (match,),
    ).fetchall()
    return total, top


def timed(function, *args, **kwargs) -> float:
    start = time.perf_counter()
    function(*args, **kwargs)
    return (time.perf_counter() - start) * 1000


def percentiles(values: list[float]) -> tuple[float, float]:
    ordered = sorted(values)
    return statistics.median(ordered), ordered[min(len(ordered) - 1, int(round(0.95 * (len(ordered) - 1))))]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--postings", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200, help="search queries timed (the list repeated)")
    parser.add_argument("--matches", type=int, default=100, help="requests whose matches are timed")
    parser.add_argument("--procs", type=int, default=2,
                        help="processes reading, analysing and writing the index")
    args = parser.parse_args()
    rng = random.Random(7)
    with tempfile.TemporaryDirectory() as directory:
        app = create_app({
            "TESTING": True, "BULLETIN_ENV": "test", "SECRET_KEY": "bench", "INSTANCE_PATH": directory,
            "SQLALCHEMY_DATABASE_URI": f"sqlite:///{directory}/board.sqlite",
            "BULLETIN_INDEX_DIR": f"{directory}/index", "MAIL_BACKEND": "memory", "SERVER_NAME": "board.test",
        })
        with app.app_context():
            engine = get_engine()
            SQLModel.metadata.create_all(engine)
            started = time.perf_counter()
            fts_texts = fill_database(engine, args.postings)
            print(f"board of {args.postings} postings written in {time.perf_counter() - started:.1f} s",
                  file=sys.stderr)
            search = get_search()
            started = time.perf_counter()
            sync.rebuild(search, engine, procs=args.procs)
            indexing = time.perf_counter() - started
            fts = fts_database(os.path.join(directory, "fts.sqlite"), fts_texts)

            queries = [QUERIES[number % len(QUERIES)] for number in range(args.queries)]
            # The first run of each query reads its terms' postings from the index (scoring.py keeps
            # them); timed on its own, after one query has opened the searcher.
            search_postings(search, "", reader_language="de")
            fts_search(fts, "Hilfe")
            first = [timed(search_postings, search, query, reader_language="de") for query in QUERIES]
            first_fts = [timed(fts_search, fts, query) for query in QUERIES]
            ours = [timed(search_postings, search, query, reader_language="de", per_page=20)
                    for query in queries]
            baseline = [timed(fts_search, fts, query) for query in queries]

            with Session(engine) as session:
                request_ids = list(session.exec(select(Posting.id).where(Posting.type == "request",
                                                                        Posting.status == "open")))
                chosen = rng.sample(request_ids, min(args.matches, len(request_ids)))
                requests = [session.get(Posting, posting_id) for posting_id in chosen]
                for request in requests[:5]:
                    matches_for(search, request)
                matching = [timed(matches_for, search, request) for request in requests]
            search.store.close()
    first_p50, first_p95 = percentiles(first)
    first_fts_p50, first_fts_p95 = percentiles(first_fts)
    search_p50, search_p95 = percentiles(ours)
    fts_p50, fts_p95 = percentiles(baseline)
    match_p50, match_p95 = percentiles(matching)
    rows = [
        ("Postings", f"{args.postings:,}", ""),
        (f"Indexing (reindex, procs={args.procs})", f"{args.postings / indexing:,.0f} postings/s",
         f"{indexing:.1f} s in all"),
        ("Search, first run of each query, p50 / p95", f"{first_p50:.1f} / {first_p95:.1f} ms",
         f"{len(first)} queries; FTS5 {first_fts_p50:.1f} / {first_fts_p95:.1f} ms, ratio "
         f"{first_p95 / first_fts_p95:.2f}"),
        ("Search p50 / p95", f"{search_p50:.1f} / {search_p95:.1f} ms", f"{len(ours)} queries"),
        ("SQLite FTS5 p50 / p95, same texts and words", f"{fts_p50:.1f} / {fts_p95:.1f} ms", ""),
        ("Search p95 / FTS5 p95", f"{search_p95 / fts_p95:.2f}", "target <= 3"),
        ("Match p50 / p95", f"{match_p50:.1f} / {match_p95:.1f} ms",
         f"{len(matching)} requests; target < 100"),
    ]
    print("| Measure | Value | Note |\n| --- | --- | --- |")
    for name, value, note in rows:
        print(f"| {name} | {value} | {note} |")


if __name__ == "__main__":
    main()
