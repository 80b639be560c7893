"""Who may do what, checked on the server for every object."""

from __future__ import annotations

from bulletin.models import Organisation, Posting
from bulletin.services.errors import PermissionDenied


def is_active_member_of(actor, organisation: Organisation) -> bool:
    return (
        getattr(actor, "organisation_id", None) is not None
        and actor.organisation_id == organisation.id
        and organisation.status == "approved"
    )


def can_post_for(actor, organisation: Organisation) -> bool:
    """Members of an approved organisation, and the coordinator, may post for it."""
    return actor.is_coordinator or is_active_member_of(actor, organisation)


def can_edit_posting(actor, posting: Posting) -> bool:
    return can_post_for(actor, posting.organisation)


def can_edit_profile(actor, organisation: Organisation) -> bool:
    """Members may keep their profile right while they wait for approval; not once suspended."""
    if actor.is_coordinator:
        return True
    return actor.organisation_id == organisation.id and organisation.status in {"pending", "approved"}


def ensure(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied()
