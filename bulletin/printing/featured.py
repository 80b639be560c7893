"""Which organisations the flyer names as contacts: the coordinator's choice, kept on the organisation."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l
from sqlmodel import Session, select

from bulletin.models import Organisation
from bulletin.services import audit
from bulletin.services.errors import InvalidData
from bulletin.services.permissions import ensure

MAX_FEATURED = 4  # a flyer panel has room for this many contacts


def candidates(session: Session) -> list[Organisation]:
    """Approved organisations, counselling centres first: those the flyer may name."""
    statement = select(Organisation).where(Organisation.status == "approved")
    organisations = session.exec(statement.order_by(Organisation.name, Organisation.id)).all()
    return sorted(organisations, key=lambda organisation: organisation.type != "counselling")


def featured_organisations(session: Session) -> list[Organisation]:
    """The contacts printed on the flyer: featured and still approved, by name."""
    statement = select(Organisation).where(Organisation.status == "approved", Organisation.featured)
    return list(session.exec(statement.order_by(Organisation.name, Organisation.id)))


def set_featured(session: Session, actor, chosen_ids: set[int]) -> int:
    """Feature exactly the approved organisations in ``chosen_ids``; returns how many changed."""
    ensure(actor.is_coordinator)
    if len(chosen_ids) > MAX_FEATURED:
        raise InvalidData({"organisations": _l(
            "Choose at most %(max)d organisations: the flyer has no room for more.", max=MAX_FEATURED
        )})
    changed = 0
    for organisation in candidates(session):
        wanted = organisation.id in chosen_ids
        if organisation.featured == wanted:
            continue
        action = "organisation.feature" if wanted else "organisation.unfeature"
        audit.record(session, actor, action, organisation,
                     audit.diff({"featured": organisation.featured}, {"featured": wanted}))
        organisation.featured = wanted
        changed += 1
    return changed
