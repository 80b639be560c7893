"""What the desk tells an organisation on its dashboard: the coordinator's open messages, and its
postings held for review or hidden.

Every organisation's dashboard shows these, so the template function is app-wide (bulletin.web
registers ``template_context``), though the decisions behind it are the desk's.
"""

from __future__ import annotations

from dataclasses import dataclass

from flask import url_for

from bulletin.blueprints.desk.organisation_presenters import MessageView, message_views
from bulletin.blueprints.desk.presenters import Title, moderation_labels, posting_title
from bulletin.db import get_session
from bulletin.models import Organisation, OrganisationMessage, Posting
from bulletin.services import moderation


@dataclass(frozen=True)
class WithheldPosting:
    title: Title
    moderation: str
    label: str
    reason: str | None
    edit_url: str


@dataclass(frozen=True)
class CoordinatorNotices:
    """What the coordinator has to say to an organisation: open messages, held and hidden postings."""

    messages: list[MessageView]
    withheld: list[WithheldPosting]

    def __bool__(self) -> bool:
        return bool(self.messages or self.withheld)


def notices_for(messages: list[OrganisationMessage], withheld: list[Posting]) -> CoordinatorNotices:
    labels = moderation_labels()
    return CoordinatorNotices(
        messages=message_views(messages),
        withheld=[
            WithheldPosting(
                title=posting_title(posting),
                moderation=posting.moderation,
                label=labels.get(posting.moderation, posting.moderation),
                reason=posting.moderation_reason,
                edit_url=url_for("dashboard.edit_posting", posting_id=posting.id),
            )
            for posting in withheld
        ],
    )


def template_context() -> dict:
    def coordinator_notices(organisation: Organisation) -> CoordinatorNotices:
        """The coordinator's open messages and held or hidden postings, for the organisation's dashboard."""
        session = get_session()
        return notices_for(
            moderation.messages_of(session, organisation.id, open_only=True),
            moderation.withheld_postings(session, organisation.id),
        )

    return {"coordinator_notices": coordinator_notices}
