import secrets
from datetime import datetime

from sqlalchemy import JSON, Column
from sqlmodel import Field, Relationship, SQLModel

from bulletin.models.base import utcnow
from bulletin.models.organisation import Organisation


class User(SQLModel, table=True):
    """A person who signs in: a member of an organisation or the coordinator."""

    __tablename__ = "user_account"  # "user" is reserved in PostgreSQL

    id: int | None = Field(default=None, primary_key=True)
    email: str = Field(max_length=254, unique=True, index=True)  # stored lower-case
    password_hash: str = Field(max_length=255)
    role: str = Field(default="member", max_length=20)  # member | coordinator | translator
    organisation_id: int | None = Field(default=None, foreign_key="organisation.id", index=True)
    active: bool = Field(default=True)
    created_at: datetime = Field(default_factory=utcnow)
    last_login_at: datetime | None = Field(default=None)
    # When the owner of the address proved it by opening the sign-up mail's link. An account someone
    # trusted made (the coordinator, a member, the command line) counts as confirmed when it is created;
    # a sign-up starts unconfirmed (services/signups.py) and cannot sign in until then.
    email_confirmed_at: datetime | None = Field(default_factory=utcnow)
    # The languages a translator translates into (language codes); empty for other roles.
    languages: list[str] = Field(
        default_factory=list, sa_column=Column(JSON, nullable=False, server_default="[]")
    )

    # Every login session repeats this value; a new one (new password, "reset access") ends them all.
    session_secret: str = Field(
        default_factory=lambda: secrets.token_hex(16), max_length=64, sa_column_kwargs={"server_default": ""}
    )
    # Two-step sign-in (services/two_factor.py): the TOTP key in base32, the last time step a code was
    # accepted for (no code works twice), and since when. The key is never shown again after enrolment.
    totp_secret: str | None = Field(default=None, max_length=64)
    totp_last_step: int | None = Field(default=None)
    totp_enabled_at: datetime | None = Field(default=None)

    organisation: Organisation | None = Relationship(sa_relationship_kwargs={"lazy": "joined"})

    # Flask-Login's protocol, written out so models need not import Flask.
    @property
    def is_authenticated(self) -> bool:
        return True

    @property
    def is_active(self) -> bool:
        return self.active

    @property
    def is_anonymous(self) -> bool:
        return False

    def get_id(self) -> str:
        # The login session's token, not the account id: see bulletin/login_sessions.py.
        return getattr(self, "_login_token", "")

    @property
    def is_coordinator(self) -> bool:
        return self.role == "coordinator"

    @property
    def is_translator(self) -> bool:
        return self.role == "translator"
