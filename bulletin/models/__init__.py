"""The board's tables. Models know data, not HTTP: no Flask imports below this package."""

from bulletin.models.audit import AuditEntry
from bulletin.models.base import utcnow
from bulletin.models.expiry import ExpiryReminder
from bulletin.models.listing import ListingRevision
from bulletin.models.login_session import LoginSession
from bulletin.models.moderation import OrganisationMessage
from bulletin.models.organisation import Organisation, OrganisationText
from bulletin.models.posting import Posting, PostingText
from bulletin.models.report import Report
from bulletin.models.search import MatchDigestEntry, SearchQueueEntry
from bulletin.models.statistics import OpenPostingsSnapshot, VisitCounter
from bulletin.models.translation import TranslationDraft
from bulletin.models.user import User

__all__ = ["AuditEntry", "Organisation", "OrganisationText", "Posting", "PostingText", "User", "utcnow"]
__all__ += ["TranslationDraft"]
__all__ += ["ExpiryReminder", "OpenPostingsSnapshot", "OrganisationMessage", "Report", "VisitCounter"]
__all__ += ["MatchDigestEntry", "SearchQueueEntry"]
__all__ += ["ListingRevision", "LoginSession"]
