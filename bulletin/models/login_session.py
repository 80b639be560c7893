from datetime import datetime

from sqlmodel import Field, SQLModel

from bulletin.models.base import utcnow


class LoginSession(SQLModel, table=True):
    """One signed-in browser. The session cookie holds a random token; only its SHA-256 is stored here.

    Signing out deletes the row, so a copy of the cookie taken before is worth nothing afterwards; a new
    password or the coordinator's "reset access" changes the account's ``session_secret``, which every row
    must repeat, so all of that account's sessions end at once.
    """

    __tablename__ = "login_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="user_account.id", index=True, ondelete="CASCADE")
    user_secret: str = Field(max_length=64)
    created_at: datetime = Field(default_factory=utcnow)
    last_seen_at: datetime = Field(default_factory=utcnow)
