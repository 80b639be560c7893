"""The posting rules every path (forms, import, API) goes through."""

from datetime import timedelta

import pytest
from sqlmodel import select

from bulletin.models import AuditEntry, PostingText
from bulletin.services import postings
from bulletin.services.actors import SystemActor
from bulletin.services.errors import InvalidData, PermissionDenied

ACTOR = SystemActor("test")


def posting_input(**overrides):
    values = {
        "type": "offer",
        "category": "furniture-household",
        "titles": {"de": "Kinderbett abzugeben"},
        "bodies": {"de": "Holz, 70x140, mit Matratze."},
        "original_language": "de",
        "district": "Altstadt",
    }
    values.update(overrides)
    return postings.PostingInput(**values)


def audit_actions(db):
    return [entry.action for entry in db.exec(select(AuditEntry).order_by(AuditEntry.id))]


def test_create_stores_texts_per_language_with_their_source(db, make_organisation):
    organisation = make_organisation()
    data = posting_input(titles={"de": "Kinderbett", "ar": "سرير أطفال"}, bodies={"de": "Aus Holz."})
    posting = postings.create_posting(db, ACTOR, organisation, data)
    db.commit()
    texts = {text.language: text for text in posting.texts}
    assert texts["de"].is_original and not texts["ar"].is_original
    assert texts["ar"].source_language == "de"
    assert posting.languages == ["de", "ar"]
    assert posting.text("ar").title == "سرير أطفال"
    assert posting.text("uk").title == "Kinderbett"  # no Ukrainian text: the original
    assert "posting.create" in audit_actions(db)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"type": "gift"}, "type"),
        ({"category": "weapons"}, "category"),
        ({"titles": {"de": "  "}}, "title"),
        ({"titles": {"en": "Bed"}}, "title"),  # no title in the original language
        ({"titles": {"de": "x" * 201}}, "title"),
        ({"bodies": {"de": "x" * 5001}}, "body"),
        ({"bodies": {"fr": "Un lit"}}, "body"),  # a body without a title in its language
        ({"original_language": "xx"}, "original_language"),
        ({"status": "deleted"}, "status"),
        ({"district": "d" * 101}, "district"),
    ],
)
def test_invalid_input_is_refused_and_nothing_is_stored(db, make_organisation, overrides, field):
    organisation = make_organisation()
    with pytest.raises(InvalidData) as raised:
        postings.create_posting(db, ACTOR, organisation, posting_input(**overrides))
    assert field in raised.value.errors
    db.rollback()
    assert db.exec(select(PostingText)).all() == []


def test_update_without_changes_writes_no_audit_entry(db, make_posting):
    posting = make_posting(title="Sofa")
    data = posting_input(titles={"de": "Sofa"}, bodies={"de": "Gut erhalten, bitte abholen."})
    assert postings.update_posting(db, ACTOR, posting, data) is False
    assert postings.update_posting(db, ACTOR, posting, posting_input(titles={"de": "Großes Sofa"})) is True
    db.commit()
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "posting.update")).one()
    assert entry.changes["title"] == {"before": {"de": "Sofa"}, "after": {"de": "Großes Sofa"}}


def test_renew_extends_and_never_shortens(db, make_posting, today):
    posting = make_posting(valid_until=today + timedelta(days=3))
    postings.renew_posting(db, ACTOR, posting, today, days=90)
    assert posting.valid_until == today + timedelta(days=90)
    posting.valid_until = today + timedelta(days=300)
    postings.renew_posting(db, ACTOR, posting, today, days=90)
    assert posting.valid_until == today + timedelta(days=300)


def test_close_and_reopen_change_what_visitors_see(db, make_posting, today):
    posting = make_posting()
    postings.close_posting(db, ACTOR, posting)
    assert not posting.is_listed(today)
    postings.reopen_posting(db, ACTOR, posting)
    assert posting.is_listed(today)
    assert audit_actions(db)[-2:] == ["posting.close", "posting.reopen"]


def test_members_of_other_or_pending_organisations_may_not_post(db, make_organisation, make_user):
    own = make_organisation()
    other_member = make_user(organisation=make_organisation())
    pending_member = make_user(organisation=make_organisation(status="pending"))
    for actor in (other_member, pending_member):
        with pytest.raises(PermissionDenied):
            postings.create_posting(db, actor, own, posting_input())
    pending_own = pending_member.organisation
    with pytest.raises(PermissionDenied):
        postings.create_posting(db, pending_member, pending_own, posting_input())


def test_upsert_is_idempotent(db, make_organisation):
    organisation = make_organisation()
    assert postings.upsert_posting(db, ACTOR, organisation, "k-1", posting_input()) == "created"
    assert postings.upsert_posting(db, ACTOR, organisation, "k-1", posting_input()) == "unchanged"
    changed = posting_input(district="Oberstadt")
    assert postings.upsert_posting(db, ACTOR, organisation, "k-1", changed) == "updated"
