"""The statistics page: the picture of needs, its CSV tables (safe in a spreadsheet), and the visitor
counters the public pages keep without cookies or addresses."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from sqlmodel import select

from bulletin.models import OpenPostingsSnapshot, VisitCounter
from bulletin.services import visits


@pytest.fixture
def coordinator(make_user, login):
    user = make_user(role="coordinator")
    login(user)
    return user


@pytest.fixture
def needs(make_organisation, make_posting):
    organisation = make_organisation(name="Willkommensnetz")
    make_posting(organisation=organisation, category="housing", district="Altstadt", title="Zimmer frei")
    make_posting(organisation=organisation, type="request", category="housing", district="Oberstadt",
                 title="=HYPERLINK(\"http://evil.example\",\"Wohnung gesucht\")")
    make_posting(organisation=organisation, type="request", category="health", district=None,
                 title={"ar": "نبحث عن طبيب أسنان"})
    return organisation


def rows_of(response) -> list[list[str]]:
    text = response.get_data(as_text=True)
    assert text.startswith("\ufeff")
    return list(csv.reader(io.StringIO(text[1:])))


def test_the_page_shows_counts_unmatched_requests_and_languages(client, coordinator, needs):
    page = client.get("/en/desk/statistics").get_data(as_text=True)
    assert "Requests with no open offer in their category and district" in page
    assert "Wohnung gesucht" in page and "نبحث عن طبيب أسنان" in page  # both unmatched
    assert 'class="share-bar"' in page and "<rect" in page  # server-drawn charts
    assert "<script" not in page and "style=" not in page  # strict CSP
    assert '<span lang="ar" dir="rtl">العربية</span>' in page


def test_the_page_records_todays_snapshot_once(client, coordinator, needs, db, today):
    client.get("/en/desk/statistics")
    client.get("/en/desk/statistics")
    days = set(db.exec(select(OpenPostingsSnapshot.day)).all())
    assert days == {today}
    housing = db.exec(select(OpenPostingsSnapshot).where(OpenPostingsSnapshot.category == "housing")).all()
    assert {(row.type, row.district, row.count) for row in housing} == {
        ("offer", "Altstadt", 1), ("request", "Oberstadt", 1)
    }


def test_the_history_can_be_narrowed_and_refuses_unknown_filters(client, coordinator, needs, db, today):
    db.add(OpenPostingsSnapshot(day=today - timedelta(days=7), type="request", category="housing",
                                district="Oberstadt", count=4))
    db.add(OpenPostingsSnapshot(day=today - timedelta(days=7), type="", category="", district="", count=0))
    db.commit()
    history = rows_of(client.get("/en/desk/statistics/history.csv?category=housing&district=Oberstadt"))
    assert history[0] == ["Week to", "Open offers", "Open requests"]
    assert history[-2] == [(today - timedelta(days=7)).isoformat(), "0", "4"]
    assert history[-1] == [today.isoformat(), "0", "1"]
    assert history[1] == [(today - timedelta(weeks=11)).isoformat(), "", ""]  # before any count
    assert client.get("/en/desk/statistics?category=weapons").status_code == 400
    assert client.get("/en/desk/statistics?district=Atlantis").status_code == 400


def test_csv_downloads_neutralise_formula_cells(client, coordinator, needs):
    response = client.get("/en/desk/statistics/unmatched.csv")
    assert response.mimetype == "text/csv"
    assert "attachment" in response.headers["Content-Disposition"]
    titles = [row[1] for row in rows_of(response)[1:]]
    assert "'=HYPERLINK(\"http://evil.example\",\"Wohnung gesucht\")" in titles
    assert not any(title.startswith(("=", "+", "-", "@")) for title in titles)
    categories = rows_of(client.get("/en/desk/statistics/categories.csv"))
    assert ["Housing", "1", "1"] in categories
    assert client.get("/en/desk/statistics/passwords.csv").status_code == 404


def test_public_pages_are_counted_per_kind_and_language_without_a_cookie(
    app, client, needs, db, today, make_posting
):
    posting = make_posting(organisation=needs)
    for url in ("/ar/", "/ar/", f"/ar/postings/{posting.id}", "/de/search?q=Zimmer"):
        response = client.get(url)
        assert response.status_code == 200 and "Set-Cookie" not in response.headers
    client.get("/en/postings/999999")  # not found: not a visit of a page
    client.get("/api/v1/postings")  # the API is not a page
    client.post("/en/search")  # not a GET
    assert visits.count_on(db, today, "home", "ar") == 2
    assert visits.count_on(db, today, "posting", "ar") == 1
    assert visits.count_on(db, today, "search", "de") == 1
    counters = db.exec(select(VisitCounter)).all()
    assert sum(counter.count for counter in counters) == 4
    assert set(VisitCounter.__table__.columns.keys()) == {"day", "page_kind", "language", "count"}


def test_visits_appear_on_the_statistics_page_and_as_csv(client, coordinator, needs, today):
    client.get("/uk/")
    page = client.get("/en/desk/statistics").get_data(as_text=True)
    assert "1 page visit from" in page and "Start page" in page
    assert [today.isoformat(), "home", "uk", "1"] in rows_of(client.get("/en/desk/statistics/visits.csv"))


def test_a_long_list_of_unmatched_requests_is_cut_on_the_page_but_whole_in_the_csv(
    client, coordinator, needs, monkeypatch
):
    monkeypatch.setattr("bulletin.blueprints.desk.statistics_page.UNMATCHED_SHOWN", 1)
    page = client.get("/en/desk/statistics").get_data(as_text=True)
    assert "2 requests" in page and "1 more request is in the CSV file." in page
    assert len(rows_of(client.get("/en/desk/statistics/unmatched.csv"))) == 3  # the header and both
