"""The coordinator's decisions: review hold, hide and restore, suspension, the badge, messages."""

from datetime import timedelta

import pytest
from sqlmodel import select

from bulletin.models import AuditEntry
from bulletin.services import listing, moderation
from bulletin.services.actors import SystemActor
from bulletin.services.errors import InvalidData, PermissionDenied
from bulletin.services.postings import PostingInput, create_posting

COORDINATOR = SystemActor("coordinator@board.example")


def listed_ids(db, today) -> set[int]:
    return {item.id for item in listing.listed_postings(db, today)}


def actions(db) -> list[str]:
    return [entry.action for entry in db.exec(select(AuditEntry).order_by(AuditEntry.id))]


def new_posting_by(db, member, organisation, review="none"):
    data = PostingInput(type="offer", category="food", titles={"de": "Brot"}, original_language="de")
    return create_posting(db, member, organisation, data, review=review)


@pytest.mark.parametrize(
    ("policy", "verified", "held"),
    [("none", False, False), ("unverified", False, True), ("unverified", True, False)],
)
def test_new_postings_of_members_wait_for_review_only_where_the_board_asks(
    app, db, make_organisation, make_user, policy, verified, held
):
    organisation = make_organisation(verified=verified)
    posting = new_posting_by(db, make_user(organisation=organisation), organisation, review=policy)
    db.commit()
    assert (posting.moderation == "held") is held
    assert ("posting.hold" in actions(db)) is held


def test_the_coordinator_and_imports_are_never_held(app, db, make_organisation):
    organisation = make_organisation(verified=False)
    assert new_posting_by(db, COORDINATOR, organisation, review="unverified").moderation == "visible"


def test_hiding_takes_a_posting_off_every_list_and_restoring_brings_it_back(db, make_posting, today):
    posting = make_posting(valid_until=today + timedelta(days=10))
    assert moderation.hide_posting(db, COORDINATOR, posting, "  Telefonnummer falsch  ")
    db.commit()
    assert posting.moderation_reason == "Telefonnummer falsch"
    assert not posting.is_listed(today) and posting.id not in listed_ids(db, today)
    assert not moderation.hide_posting(db, COORDINATOR, posting, "Telefonnummer falsch")  # nothing new
    assert moderation.restore_posting(db, COORDINATOR, posting)
    db.commit()
    assert posting.is_listed(today) and posting.id in listed_ids(db, today)
    assert posting.moderation_reason is None
    assert not moderation.restore_posting(db, COORDINATOR, posting)
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "posting.hide")).one()
    assert entry.changes["moderation"] == {"before": "visible", "after": "hidden"}
    assert entry.changes["moderation_reason"]["after"] == "Telefonnummer falsch"


@pytest.mark.parametrize("reason", ["", "   ", "x" * 1001])
def test_hiding_needs_a_short_reason(db, make_posting, reason):
    posting = make_posting()
    with pytest.raises(InvalidData) as refused:
        moderation.hide_posting(db, COORDINATOR, posting, reason)
    assert "reason" in refused.value.errors
    assert posting.moderation == "visible"


def test_releasing_a_held_posting_lists_it(app, db, make_organisation, make_user, today):
    organisation = make_organisation()
    posting = new_posting_by(db, make_user(organisation=organisation), organisation, review="unverified")
    db.commit()
    assert posting.id not in listed_ids(db, today)
    assert moderation.count_held(db) == 1
    assert moderation.release_posting(db, COORDINATOR, posting)
    db.commit()
    assert posting.id in listed_ids(db, today)
    assert not moderation.release_posting(db, COORDINATOR, posting)


def test_only_the_coordinator_decides(db, make_organisation, make_posting, make_user):
    organisation = make_organisation()
    member = make_user(organisation=organisation)
    posting = make_posting(organisation=organisation)
    for decision in (
        lambda: moderation.hide_posting(db, member, posting, "weg"),
        lambda: moderation.release_posting(db, member, posting),
        lambda: moderation.restore_posting(db, member, posting),
        lambda: moderation.suspend_organisation(db, member, organisation),
        lambda: moderation.set_verified(db, member, organisation, True),
        lambda: moderation.ask_for_changes(db, member, organisation, "Bitte"),
    ):
        with pytest.raises(PermissionDenied):
            decision()
    assert posting.moderation == "visible" and organisation.status == "approved" and not organisation.verified


def test_suspension_hides_the_organisation_and_its_postings_until_restored(
    db, make_organisation, make_posting, today
):
    organisation = make_organisation()
    posting = make_posting(organisation=organisation)
    moderation.suspend_organisation(db, COORDINATOR, organisation, "Beschwerden")
    db.commit()
    assert posting.id not in listed_ids(db, today)
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "organisation.suspend")).one()
    assert entry.changes["reason"] == "Beschwerden"
    with pytest.raises(InvalidData):
        moderation.suspend_organisation(db, COORDINATOR, organisation)
    moderation.restore_organisation(db, COORDINATOR, organisation)
    db.commit()
    assert posting.id in listed_ids(db, today)
    with pytest.raises(InvalidData):
        moderation.restore_organisation(db, COORDINATOR, organisation)


def test_the_verified_badge_is_granted_and_withdrawn_once(db, make_organisation):
    organisation = make_organisation()
    assert moderation.set_verified(db, COORDINATOR, organisation, True)
    assert not moderation.set_verified(db, COORDINATOR, organisation, True)
    assert moderation.set_verified(db, COORDINATOR, organisation, False)
    assert actions(db)[-2:] == ["organisation.verify", "organisation.unverify"]


def test_messages_stay_open_until_resolved(db, make_organisation):
    organisation = make_organisation()
    message = moderation.ask_for_changes(db, COORDINATOR, organisation, "  Bitte Adresse ergänzen.  ")
    db.commit()
    assert message.text == "Bitte Adresse ergänzen." and message.author == "coordinator@board.example"
    assert moderation.messages_of(db, organisation.id, open_only=True) == [message]
    assert moderation.resolve_message(db, COORDINATOR, message)
    assert not moderation.resolve_message(db, COORDINATOR, message)
    db.commit()
    assert moderation.messages_of(db, organisation.id, open_only=True) == []
    assert moderation.messages_of(db, organisation.id) == [message]
    with pytest.raises(InvalidData):
        moderation.ask_for_changes(db, COORDINATOR, organisation, " ")
