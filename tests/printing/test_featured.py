"""The coordinator chooses the flyer's contacts; each change is in the audit log."""

from __future__ import annotations

import pytest
from sqlmodel import select

from bulletin.models import AuditEntry
from bulletin.printing import featured
from bulletin.services.errors import InvalidData, PermissionDenied


def test_the_coordinator_features_exactly_the_chosen_organisations(db, make_organisation, make_user):
    coordinator = make_user(role="coordinator")
    advice = make_organisation(name="Beratung", type="counselling")
    food = make_organisation(name="Tafel")
    waiting = make_organisation(name="Wartet noch", status="pending")
    assert featured.candidates(db)[0] == advice  # counselling centres first
    assert waiting not in featured.candidates(db)

    assert featured.set_featured(db, coordinator, {advice.id, food.id}) == 2
    db.commit()
    assert featured.featured_organisations(db) == [advice, food]
    assert featured.set_featured(db, coordinator, {advice.id}) == 1
    db.commit()
    assert featured.featured_organisations(db) == [advice]

    entries = db.exec(select(AuditEntry).where(AuditEntry.action.like("organisation.%feature"))).all()
    assert [(entry.action, entry.object_id, entry.actor) for entry in entries] == [
        ("organisation.feature", advice.id, coordinator.email),
        ("organisation.feature", food.id, coordinator.email),
        ("organisation.unfeature", food.id, coordinator.email),
    ]
    assert entries[-1].changes == {"featured": {"before": True, "after": False}}


def test_members_may_not_choose(db, make_organisation, make_user):
    member = make_user()
    with pytest.raises(PermissionDenied):
        featured.set_featured(db, member, {member.organisation_id})


def test_the_flyer_has_room_for_four(db, make_organisation, make_user):
    coordinator = make_user(role="coordinator")
    chosen = {make_organisation().id for _ in range(featured.MAX_FEATURED + 1)}
    with pytest.raises(InvalidData):
        featured.set_featured(db, coordinator, chosen)
    assert featured.featured_organisations(db) == []
