"""Organisation rules: validation, approval, rejection, profile rights."""

import pytest
from sqlmodel import select

from bulletin.models import AuditEntry, Organisation, Posting, User
from bulletin.services import organisations
from bulletin.services.actors import SystemActor
from bulletin.services.errors import InvalidData, PermissionDenied

COORDINATOR = SystemActor("coordinator")


def org_input(**overrides):
    values = {"name": "Tafel Neustetten", "type": "ngo", "descriptions": {"de": "Lebensmittel für alle."}}
    values.update(overrides)
    return organisations.OrganisationInput(**values)


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"name": " "}, "name"),
        ({"name": "n" * 201}, "name"),
        ({"type": "company"}, "type"),
        ({"email": "not-an-address"}, "email"),
        ({"phone": "call me maybe"}, "phone"),
        ({"website": "javascript:alert(1)"}, "website"),
        ({"languages": ["de", "klingon"]}, "languages"),
        ({"descriptions": {"xx": "?"}}, "description"),
    ],
)
def test_invalid_profiles_are_refused(db, overrides, field):
    with pytest.raises(InvalidData) as raised:
        organisations.create_organisation(db, COORDINATOR, org_input(**overrides))
    assert field in raised.value.errors


def test_new_keys_are_unique_slugs(db):
    first = organisations.create_organisation(db, COORDINATOR, org_input(name="Café Übersee"))
    second = organisations.create_organisation(db, COORDINATOR, org_input(name="Café Übersee"))
    assert first.key == "cafe-ubersee"
    assert second.key.startswith("cafe-ubersee-") and second.key != first.key
    arabic = organisations.create_organisation(db, COORDINATOR, org_input(name="بيت الجيران"))
    assert arabic.key.startswith("org")


def test_description_falls_back_to_the_original(db):
    organisation = organisations.create_organisation(
        db, COORDINATOR, org_input(descriptions={"de": "Hallo", "en": "Hello"})
    )
    assert organisation.description("en").description == "Hello"
    assert organisation.description("ar").description == "Hallo"
    assert organisation.description("ar").is_original


def test_approve_makes_public_and_is_audited(db, make_organisation):
    organisation = make_organisation(status="pending")
    assert not organisation.is_public
    assert organisations.approve(db, COORDINATOR, organisation)
    db.commit()
    assert organisation.is_public
    assert db.exec(select(AuditEntry).where(AuditEntry.action == "organisation.approve")).one()


def test_only_the_coordinator_approves(db, make_organisation, make_user):
    organisation = make_organisation(status="pending")
    member = make_user(organisation=organisation)
    with pytest.raises(PermissionDenied):
        organisations.approve(db, member, organisation)


def test_reject_deletes_the_sign_up_and_returns_whom_to_tell(db, make_organisation, make_user):
    organisation = make_organisation(status="pending")
    member = make_user(organisation=organisation, email="helga@example.org")
    emails = organisations.reject(db, COORDINATOR, organisation, reason="Not in our town")
    db.commit()
    assert emails == ["helga@example.org"]
    assert db.get(Organisation, organisation.id) is None
    assert db.get(User, member.id) is None
    entry = db.exec(select(AuditEntry).where(AuditEntry.action == "organisation.reject")).one()
    assert entry.changes["reason"] == "Not in our town"


def test_approved_organisations_cannot_be_rejected(db, make_posting):
    posting = make_posting()
    with pytest.raises(InvalidData):
        organisations.reject(db, COORDINATOR, posting.organisation)
    assert db.get(Posting, posting.id) is not None


def test_members_edit_their_own_profile_only(db, make_organisation, make_user):
    own = make_organisation(status="pending")
    member = make_user(organisation=own)
    assert organisations.update_profile(db, member, own, org_input(name="Neuer Name"))
    with pytest.raises(PermissionDenied):
        organisations.update_profile(db, member, make_organisation(), org_input())
    organisations.set_status(db, COORDINATOR, own, status="suspended")
    with pytest.raises(PermissionDenied):
        organisations.update_profile(db, member, own, org_input(name="Noch ein Name"))
