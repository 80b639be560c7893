"""The board's tables. Models know data, not HTTP: no Flask imports below this package."""

from bulletin.models.audit import AuditEntry
from bulletin.models.base import utcnow
from bulletin.models.organisation import Organisation, OrganisationText
from bulletin.models.posting import Posting, PostingText
from bulletin.models.user import User

__all__ = ["AuditEntry", "Organisation", "OrganisationText", "Posting", "PostingText", "User", "utcnow"]
