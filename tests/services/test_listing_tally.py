"""Counts, district lists and totals come from a tally cached per listing revision and day: they must be
exact after every kind of change, the moment it is committed, seen from another session (another worker).

Each test fills the cache through a session of its own (as a request in another worker would), makes
one change through the services in the test's session, commits, and reads again in a fresh session.
"""

from datetime import timedelta

import pytest
from sqlmodel import Session

from bulletin.db import get_engine
from bulletin.services import listing, listing_revision, listing_tally, moderation, organisations, postings
from bulletin.services.actors import SystemActor
from bulletin.services.listing import PostingFilter

ACTOR = SystemActor("test")


def seen(app, today, **filters):
    """What a visitor's request sees now: (total listed, counts by category, districts, page total)."""
    with Session(get_engine(app)) as session:
        counts = listing.count_by_category(session, today)
        page = listing.list_postings(session, today, PostingFilter(**filters), page=1, per_page=50)
        return {
            "counts": counts,
            "districts": listing.listed_districts(session, today),
            "total": page.total,
            "ids": [posting.id for posting in page.items],
        }


@pytest.fixture
def board(app, make_organisation, make_posting, today):
    organisation = make_organisation()
    kept = make_posting(organisation, category="clothing", district="Altstadt")
    changed = make_posting(organisation, category="furniture-household", district="Weststadt")
    assert seen(app, today)["total"] == 2  # the cache now holds this revision
    return organisation, kept, changed


def test_a_new_posting_is_counted_and_listed_at_once(app, board, make_posting, today):
    organisation, _, _ = board
    created = make_posting(organisation, category="housing", district="Seewiesen")
    after = seen(app, today)
    assert after["total"] == 3 and created.id in after["ids"]
    assert after["counts"]["housing"] == {"offer": 1}
    assert "Seewiesen" in after["districts"]


def test_a_closed_posting_leaves_counts_lists_and_districts(app, db, board, today):
    _, kept, changed = board
    postings.close_posting(db, ACTOR, changed)
    db.commit()
    after = seen(app, today)
    assert after["ids"] == [kept.id] and after["total"] == 1
    assert "furniture-household" not in after["counts"]
    assert after["districts"] == ["Altstadt"]


def test_a_posting_expires_at_midnight_without_any_write(app, db, board, today):
    _, kept, changed = board
    postings.renew_posting(db, ACTOR, changed, today, 0)  # valid until today
    db.commit()
    assert seen(app, today)["total"] == 2
    tomorrow = seen(app, today + timedelta(days=1))
    assert tomorrow["ids"] == [kept.id] and "furniture-household" not in tomorrow["counts"]


def test_a_hidden_posting_is_gone_from_every_count_and_back_when_restored(app, db, board, today):
    _, kept, changed = board
    moderation.hide_posting(db, ACTOR, changed, "Spam")
    db.commit()
    assert seen(app, today)["ids"] == [kept.id]
    assert seen(app, today, category="furniture-household")["total"] == 0
    moderation.restore_posting(db, ACTOR, changed)
    db.commit()
    assert seen(app, today, category="furniture-household")["total"] == 1


def test_a_suspended_organisation_takes_all_its_postings_out(app, db, board, today):
    organisation, _, _ = board
    moderation.suspend_organisation(db, ACTOR, organisation, "Unklar")
    db.commit()
    after = seen(app, today)
    assert after["total"] == 0 and after["counts"] == {} and after["districts"] == []
    with Session(get_engine(app)) as session:
        assert listing.listed_posting_counts(session, today, [organisation.id]) == {}


def test_approving_an_organisation_lists_its_postings(app, db, make_organisation, make_posting, today):
    waiting = make_organisation(status="pending")
    posting = make_posting(waiting, category="health")
    assert seen(app, today)["total"] == 0
    organisations.approve(db, ACTOR, waiting)
    db.commit()
    after = seen(app, today)
    assert after["ids"] == [posting.id] and after["counts"] == {"health": {"offer": 1}}
    with Session(get_engine(app)) as session:
        assert listing.listed_posting_counts(session, today, [waiting.id]) == {waiting.id: 1}


def test_a_translation_counts_for_its_language_at_once(app, db, board, today):
    _, kept, changed = board
    assert seen(app, today, language="ar")["total"] == 0
    postings.set_translation(db, ACTOR, changed, "ar", "أريكة", "")
    db.commit()
    after = seen(app, today, language="ar")
    assert after["total"] == 1 and after["ids"] == [changed.id]
    assert seen(app, today, language="ar", category="clothing")["total"] == 0


def test_filtered_totals_agree_with_a_count_of_the_rows(app, board, make_posting, today):
    organisation, _, _ = board
    make_posting(organisation, category="clothing", district="Weststadt", type="request")
    for filters in ({}, {"category": "clothing"}, {"district": "Weststadt"}, {"type": "request"},
                    {"category": "clothing", "district": "Altstadt", "type": "offer"},
                    {"organisation_key": organisation.key}, {"language": "de"}):
        result = seen(app, today, **filters)
        assert result["total"] == len(result["ids"]), filters


def test_an_uncommitted_change_is_counted_in_its_own_transaction_but_cached_for_nobody(
        app, db, board, today):
    _, _, changed = board
    postings.close_posting(db, ACTOR, changed)
    db.flush()
    assert listing.list_postings(db, today, PostingFilter(), page=1, per_page=10).total == 1
    assert seen(app, today)["total"] == 2  # another session still sees the committed state
    db.rollback()
    assert seen(app, today)["total"] == 2


def test_the_revision_moves_once_per_commit_and_not_for_page_views(app, db, board, today):
    _, kept, _ = board
    before = listing_revision.current(db).number
    db.commit()
    postings.count_views(db.connection(), {kept.id: 1})
    db.commit()
    assert listing_revision.current(db).number == before
    postings.close_posting(db, ACTOR, kept)
    db.commit()
    assert listing_revision.current(db).number == before + 1


def test_a_writer_bypassing_the_orm_moves_the_revision_with_bump(app, db, board, today):
    before = listing_revision.current(db).number
    db.commit()
    with get_engine(app).begin() as connection:
        listing_revision.bump(connection)
    assert listing_revision.current(db).number == before + 1


def test_the_tally_is_counted_again_only_when_the_revision_or_the_day_moves(app, board, today):
    with Session(get_engine(app)) as session:
        first = listing_tally.tally(session, today)
    with Session(get_engine(app)) as session:
        assert listing_tally.tally(session, today) is first
        assert listing_tally.tally(session, today + timedelta(days=1)) is not first
