"""Finished public pages kept per worker: answered again without the view, never older than the database."""

from datetime import timedelta

import pytest

from bulletin import page_cache
from bulletin.blueprints import public
from bulletin.db import get_engine
from bulletin.search import EXTENSION_KEY as SEARCH_KEY
from bulletin.search import sync
from bulletin.services import clock, moderation, postings, visits
from bulletin.services.actors import SystemActor

ACTOR = SystemActor("test")


@pytest.fixture
def views_run(monkeypatch):
    """How often a view listing postings (the home page) really ran."""
    calls = []
    real_list = public.listing.list_postings

    def counting(*args, **kwargs):
        calls.append("list")
        return real_list(*args, **kwargs)

    monkeypatch.setattr(public.listing, "list_postings", counting)
    return calls


def test_a_second_visitor_gets_the_same_page_without_the_view_running(client, make_posting, views_run):
    make_posting(title="Sofa abzugeben")
    first = client.get("/de/")
    assert "Sofa abzugeben" in first.get_data(as_text=True) and views_run == ["list"]
    second = client.get("/de/")
    assert second.status_code == 200 and second.get_data() == first.get_data()
    assert views_run == ["list"]
    assert second.headers["Content-Security-Policy"] == first.headers["Content-Security-Policy"]
    assert second.headers["ETag"] == first.headers["ETag"]


def test_every_kind_of_change_is_shown_at_once(client, db, make_organisation, make_posting):
    organisation = make_organisation()
    sofa = make_posting(organisation, title="Sofa abzugeben")
    assert "Sofa abzugeben" in client.get("/de/").get_data(as_text=True)

    chair = make_posting(organisation, title="Stuhl abzugeben")
    assert "Stuhl abzugeben" in client.get("/de/").get_data(as_text=True)

    moderation.hide_posting(db, ACTOR, sofa, "Spam")
    db.commit()
    assert "Sofa abzugeben" not in client.get("/de/").get_data(as_text=True)
    assert client.get(f"/de/postings/{sofa.id}").status_code == 404

    postings.set_translation(db, ACTOR, chair, "ar", "كرسي مجاني", "")
    db.commit()
    assert "كرسي مجاني" in client.get("/ar/").get_data(as_text=True)

    postings.close_posting(db, ACTOR, chair)
    db.commit()
    assert client.get(f"/de/postings/{chair.id}").status_code == 410

    moderation.suspend_organisation(db, ACTOR, organisation, "Unklar")
    db.commit()
    assert client.get(f"/de/organisations/{organisation.key}").status_code == 404


def test_a_posting_that_expires_at_midnight_is_gone_the_next_day(client, db, make_posting, monkeypatch):
    today = clock.today()
    posting = make_posting(title="Kinderwagen", valid_until=today)
    assert "Kinderwagen" in client.get("/de/").get_data(as_text=True)
    monkeypatch.setattr(clock, "today", lambda: today + timedelta(days=1))
    assert "Kinderwagen" not in client.get("/de/").get_data(as_text=True)
    assert client.get(f"/de/postings/{posting.id}").status_code == 410


def test_search_pages_follow_the_index_when_it_catches_up_later(app, client, db, make_posting, monkeypatch):
    make_posting(title="Waschmaschine")
    assert "Waschmaschine" in client.get("/de/search?q=Waschmaschine").get_data(as_text=True)
    search = app.extensions.pop(SEARCH_KEY)  # this commit leaves its index write to the search worker
    make_posting(title="Waschmaschine Bosch")
    app.extensions[SEARCH_KEY] = search
    assert "Bosch" not in client.get("/de/search?q=Waschmaschine").get_data(as_text=True)
    sync.process_queue(search, get_engine(app))  # the worker's turn: the database did not change
    assert "Waschmaschine Bosch" in client.get("/de/search?q=Waschmaschine").get_data(as_text=True)


def test_requests_with_a_cookie_are_made_by_their_view(client, make_posting, views_run):
    make_posting()
    client.get("/de/")
    client.set_cookie("session", "anything", domain="board.test")
    client.get("/de/")
    assert views_run == ["list", "list"]


def test_signed_in_pages_are_neither_kept_nor_answered_from_the_cache(app, client, login, make_user,
                                                                      make_posting, views_run):
    make_posting()
    login(make_user())
    client.get("/de/")
    client.get("/de/")
    assert views_run == ["list", "list"]
    assert len(page_cache.cache_of(app)) == 0


def test_visits_and_readers_are_counted_for_answers_from_the_cache(client, db, make_posting, today):
    posting = make_posting()
    for _ in range(3):
        assert client.get(f"/de/postings/{posting.id}").status_code == 200
    assert visits.count_on(db, today, "posting", "de") == 3
    db.expire_all()
    assert db.get(postings.Posting, posting.id).view_count == 3


def test_head_and_conditional_requests_are_answered_from_the_cache(client, make_posting, views_run):
    make_posting()
    etag = client.get("/de/").headers["ETag"]
    assert client.head("/de/").status_code == 200
    assert client.get("/de/", headers={"If-None-Match": etag}).status_code == 304
    assert views_run == ["list"]


def test_the_api_is_kept_per_language(client, make_posting):
    make_posting()
    english = client.get("/api/v1/postings", headers={"Accept-Language": "en"})
    german = client.get("/api/v1/postings", headers={"Accept-Language": "de"})
    assert english.status_code == german.status_code == 200
    again = client.get("/api/v1/postings", headers={"Accept-Language": "en"})
    assert again.get_data() == english.get_data()


def test_the_cache_keeps_within_its_budget_and_drops_the_least_recently_used(app, configure):
    configure(BULLETIN_PAGE_CACHE_MB=1)
    cache = page_cache.cache_of(app)
    epoch = (1, None, clock.today())
    page = page_cache.CachedPage(b"x" * 400_000, ())
    cache.put((*epoch, "a"), page)
    cache.put((*epoch, "b"), page)
    assert cache.get((*epoch, "a")) is page  # "a" is now the most recent
    cache.put((*epoch, "c"), page)
    assert cache.get((*epoch, "b")) is None and cache.get((*epoch, "a")) is page
    cache.put((*epoch, "huge"), page_cache.CachedPage(b"x" * 2_000_000, ()))
    assert cache.get((*epoch, "huge")) is None


def test_a_new_revision_lets_the_old_pages_go(app, configure):
    cache = page_cache.cache_of(app)
    page = page_cache.CachedPage(b"page", ())
    cache.put((1, None, clock.today(), "a"), page)
    cache.put((2, None, clock.today(), "b"), page)
    assert len(cache) == 1 and cache.get((1, None, clock.today(), "a")) is None


def test_no_cache_at_all_when_it_is_turned_off(app, client, configure, make_posting, views_run):
    configure(BULLETIN_PAGE_CACHE_MB=0)
    make_posting()
    client.get("/de/")
    client.get("/de/")
    assert views_run == ["list", "list"] and len(page_cache.cache_of(app)) == 0
