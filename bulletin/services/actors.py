"""Who does something: a signed-in user, or the command line acting for the operator."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class SystemActor:
    """The operator at the command line (import, create-user). Trusted like the coordinator."""

    label: str
    id: None = None
    organisation_id: None = None
    is_coordinator: bool = True

    @property
    def email(self) -> str:
        return self.label


@dataclass(frozen=True)
class Applicant:
    """Someone signing up an organisation: not yet a user, trusted with nothing."""

    email: str
    id: None = None
    organisation_id: None = None
    is_coordinator: bool = False
