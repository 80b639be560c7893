"""What the coordinator's desk lists: sign-ups, organisations, postings, accounts, reports, audit entries.

Each function answers with loaded objects or one page of them, never with a statement, and loads what
its page shows in one go (the members of every sign-up, the subject of every report) rather than one
query per row.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, select

from bulletin.models import Organisation, Posting, Report, User
from bulletin.services import audit_log, moderation, organisations, postings, reports, staff
from bulletin.services.pagination import Page, paginate


@dataclass(frozen=True)
class SignUp:
    """An organisation waiting for approval, with the accounts that signed it up."""

    organisation: Organisation
    members: list[User]


@dataclass(frozen=True)
class ReportAbout:
    """A report with what it is about: a posting (and its organisation) or an organisation alone."""

    report: Report
    posting: Posting | None
    organisation: Organisation


@dataclass(frozen=True)
class WaitingCounts:
    """What waits for the coordinator, for the desk's navigation."""

    waiting: int
    held: int
    reports: int


def waiting_counts(session: Session) -> WaitingCounts:
    return WaitingCounts(
        waiting=moderation.count_waiting(session),
        held=moderation.count_held(session),
        reports=reports.open_count(session),
    )


def sign_ups(session: Session) -> list[SignUp]:
    """Pending sign-ups, oldest first, each with its members (by email)."""
    waiting = organisations.waiting_for_approval(session)
    members = _members_by_organisation(session, [organisation.id for organisation in waiting])
    return [SignUp(organisation, members.get(organisation.id, [])) for organisation in waiting]


def _members_by_organisation(session: Session, organisation_ids: list[int]) -> dict[int, list[User]]:
    if not organisation_ids:
        return {}
    statement = select(User).where(User.organisation_id.in_(organisation_ids)).order_by(User.email)
    grouped: dict[int, list[User]] = {}
    for user in session.exec(statement):
        grouped.setdefault(user.organisation_id, []).append(user)
    return grouped


def organisations_page(session: Session, *, status: str | None, verified: bool | None, page: int,
                       per_page: int) -> Page:
    """One page of every organisation, by name, narrowed to a status and to verified or not."""
    return paginate(session, moderation.organisations_by_name(status, verified), page, per_page)


def postings_page(session: Session, today: date, *, state: str | None, review: str | None,
                  organisation_id: int | None, page: int, per_page: int) -> Page:
    """One page of every posting, newest change first, narrowed by state, moderation and organisation."""
    statement = moderation.with_moderation(
        postings.overview(today, state=state, organisation_id=organisation_id), review
    )
    return paginate(session, statement, page, per_page)


def postings_of(session: Session, today: date, organisation_id: int) -> list[Posting]:
    """All of one organisation's postings, newest change first."""
    return list(session.exec(postings.overview(today, organisation_id=organisation_id)))


def accounts_page(session: Session, *, role: str | None, page: int, per_page: int) -> Page:
    return paginate(session, staff.all_accounts(role), page, per_page)


def audit_page(session: Session, filters: audit_log.AuditFilter, page: int, per_page: int) -> Page:
    return paginate(session, audit_log.entries(filters), page, per_page)


def reports_page(session: Session, *, status: str, page: int, per_page: int) -> Page:
    """One page of the report queue; its items are ``ReportAbout``."""
    found = paginate(session, reports.queue(status), page, per_page)
    return Page(items=with_subjects(session, found.items), total=found.total, page=found.page,
                per_page=found.per_page)


def reports_about_organisation(session: Session, organisation_id: int) -> list[ReportAbout]:
    return with_subjects(session, reports.about_organisation(session, organisation_id))


def reports_about_posting(session: Session, posting_id: int) -> list[ReportAbout]:
    return with_subjects(session, reports.about_posting(session, posting_id))


def with_subjects(session: Session, items: list[Report]) -> list[ReportAbout]:
    """Each report with its posting or organisation: one query for all postings, one for all organisations."""
    posting_ids = {report.posting_id for report in items if report.posting_id is not None}
    organisation_ids = {report.organisation_id for report in items if report.posting_id is None}
    found_postings = _by_id(session, Posting, posting_ids)
    found_organisations = _by_id(session, Organisation, organisation_ids)
    about = []
    for report in items:
        posting = found_postings.get(report.posting_id) if report.posting_id is not None else None
        organisation = posting.organisation if posting else found_organisations[report.organisation_id]
        about.append(ReportAbout(report, posting, organisation))
    return about


def _by_id(session: Session, model, ids: set[int]) -> dict:
    if not ids:
        return {}
    return {item.id: item for item in session.exec(select(model).where(model.id.in_(ids)))}
