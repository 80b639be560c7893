"""What the desk pages show of organisations: the sign-up list, the list of all, one organisation's page
with its members, and the coordinator's messages to it."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from flask import url_for
from flask_babel import format_date
from flask_babel import gettext as _

from bulletin.blueprints.desk.presenters import (
    SpokenLanguage,
    organisation_status_labels,
    spoken_languages,
    when,
)
from bulletin.forms.organisation import RejectForm
from bulletin.models import Organisation, OrganisationMessage, User
from bulletin.services.desk_listings import SignUp
from bulletin.taxonomy import ORGANISATION_TYPES


@dataclass(frozen=True)
class OrganisationRow:
    id: int
    name: str
    type_label: str
    status: str
    status_label: str
    verified: bool
    signed_up: str
    detail_url: str


def organisation_rows(items: list[Organisation]) -> list[OrganisationRow]:
    labels = organisation_status_labels()
    return [
        OrganisationRow(
            id=organisation.id,
            name=organisation.name,
            type_label=str(ORGANISATION_TYPES.get(organisation.type, organisation.type)),
            status=organisation.status,
            status_label=labels.get(organisation.status, organisation.status),
            verified=organisation.verified,
            signed_up=format_date(organisation.created_at),
            detail_url=url_for("desk.organisation", organisation_id=organisation.id),
        )
        for organisation in items
    ]


@dataclass(frozen=True)
class MessageView:
    id: int
    text: str
    author: str
    written: str
    is_open: bool
    resolved: str  # "by whom, when", empty while open


def message_views(messages: list[OrganisationMessage]) -> list[MessageView]:
    return [
        MessageView(
            id=message.id,
            text=message.text,
            author=message.author,
            written=when(message.created_at),
            is_open=message.is_open,
            resolved=""
            if message.is_open
            else _("Resolved by %(who)s on %(when)s", who=message.resolved_by or "",
                   when=when(message.resolved_at)),
        )
        for message in messages
    ]


@dataclass(frozen=True)
class OrganisationProfile:
    """What an organisation says about itself, as the sign-up list and its desk page show it."""

    email: str | None
    phone: str | None
    website: str | None
    address: str | None
    district: str | None
    languages: list[SpokenLanguage]
    description: str | None
    description_language: str | None


def profile_fields(organisation: Organisation) -> dict[str, Any]:
    """The ``OrganisationProfile`` fields of ``organisation``, for a view model that extends it."""
    original = next((text for text in organisation.texts if text.is_original), None)
    return {
        "email": organisation.email,
        "phone": organisation.phone,
        "website": organisation.website,
        "address": organisation.address,
        "district": organisation.district,
        "languages": spoken_languages(organisation.languages),
        "description": original.description if original and original.description else None,
        "description_language": original.language if original else None,
    }


@dataclass(frozen=True)
class PendingOrganisation(OrganisationProfile):
    """A sign-up as the coordinator judges it: everything it said, and who signed up."""

    id: int
    name: str
    type_label: str
    signed_up: str
    member_emails: list[str]
    reject_form: RejectForm


def reject_form_for(organisation_id: int, formdata=None) -> RejectForm:
    """The reject form of one organisation; several share a page, so each needs its own field id."""
    form = RejectForm(formdata=formdata)
    field_id = f"reason-{organisation_id}"
    form.reason.id = field_id
    form.reason.label.field_id = field_id
    return form


def pending_organisations(
    sign_ups: list[SignUp], failed: tuple[int, RejectForm] | None = None
) -> list[PendingOrganisation]:
    """The sign-up list; the organisation whose rejection failed keeps its form with the errors."""
    return [
        PendingOrganisation(
            **profile_fields(sign_up.organisation),
            id=sign_up.organisation.id,
            name=sign_up.organisation.name,
            type_label=str(ORGANISATION_TYPES.get(sign_up.organisation.type, sign_up.organisation.type)),
            signed_up=format_date(sign_up.organisation.created_at),
            member_emails=[member.email for member in sign_up.members],
            reject_form=failed[1] if failed and failed[0] == sign_up.organisation.id
            else reject_form_for(sign_up.organisation.id),
        )
        for sign_up in sign_ups
    ]


@dataclass(frozen=True)
class MemberView:
    email: str
    active: bool
    last_sign_in: str


@dataclass(frozen=True)
class OrganisationDetail(OrganisationProfile):
    row: OrganisationRow
    key: str
    public_url: str | None
    members: list[MemberView]


def organisation_detail(organisation: Organisation, members: list[User]) -> OrganisationDetail:
    return OrganisationDetail(
        **profile_fields(organisation),
        row=organisation_rows([organisation])[0],
        key=organisation.key,
        public_url=url_for("public.organisation", key=organisation.key) if organisation.is_public else None,
        members=[
            MemberView(member.email, member.active, when(member.last_login_at) or _("never"))
            for member in members
        ],
    )
