"""Visits and posting readers gathered in each worker and written together, as production runs it."""

import pytest
from sqlalchemy.exc import OperationalError

from bulletin.blueprints import visits as visit_counting
from bulletin.models import Posting
from bulletin.services import visits


@pytest.fixture
def gathering(configure):
    configure(BULLETIN_VISIT_FLUSH_SECONDS=3600)


def view_count(db, posting_id: int) -> int:
    db.expire_all()
    return db.get(Posting, posting_id).view_count


def test_counts_wait_in_the_worker_and_are_written_together(app, client, db, today, make_posting,
                                                             gathering):
    posting = make_posting()
    for url in ("/ar/", "/ar/", f"/de/postings/{posting.id}", f"/de/postings/{posting.id}"):
        assert client.get(url).status_code == 200
    assert visits.count_on(db, today, "home", "ar") == 0
    assert view_count(db, posting.id) == 0

    visit_counting.buffer_of(app).write()

    assert visits.count_on(db, today, "home", "ar") == 2
    assert visits.count_on(db, today, "posting", "de") == 2
    assert view_count(db, posting.id) == 2


def test_counts_are_written_once_the_interval_has_passed(app, client, db, today, make_posting, configure):
    posting = make_posting()
    configure(BULLETIN_VISIT_FLUSH_SECONDS=3600)
    client.get("/uk/")
    assert visits.count_on(db, today, "home", "uk") == 0
    configure(BULLETIN_VISIT_FLUSH_SECONDS=0)  # as if the interval had run out
    client.get(f"/uk/postings/{posting.id}")
    assert visits.count_on(db, today, "home", "uk") == 1
    assert visits.count_on(db, today, "posting", "uk") == 1
    assert view_count(db, posting.id) == 1


def test_a_failed_write_keeps_the_counts_for_the_next_one(app, client, db, today, gathering, monkeypatch):
    client.get("/fa/")
    buffer = visit_counting.buffer_of(app)

    def broken(*_args):
        raise OperationalError("UPDATE", {}, Exception("database is locked"))

    with monkeypatch.context() as patched:
        patched.setattr(visits, "count_visits", broken)
        with pytest.raises(OperationalError):
            buffer.write()
    buffer.write()
    assert visits.count_on(db, today, "home", "fa") == 1


def test_a_view_of_a_posting_removed_since_is_skipped(app, client, db, today, make_posting, gathering):
    posting = make_posting()
    client.get(f"/de/postings/{posting.id}")
    db.delete(db.get(Posting, posting.id))
    db.commit()
    visit_counting.buffer_of(app).write()
    assert visits.count_on(db, today, "posting", "de") == 1


def test_writing_at_exit_leaves_nothing_behind(app, client, db, today, gathering):
    client.get("/so/")
    visit_counting._write_at_exit(lambda: visit_counting.buffer_of(app))
    assert visits.count_on(db, today, "home", "so") == 1


def test_a_repeat_visit_answered_with_304_is_a_visit_too(client, db, today, make_posting):
    posting = make_posting()
    etag = client.get(f"/de/postings/{posting.id}").headers["ETag"]
    assert client.get(f"/de/postings/{posting.id}", headers={"If-None-Match": etag}).status_code == 304
    assert visits.count_on(db, today, "posting", "de") == 2
    assert view_count(db, posting.id) == 2
