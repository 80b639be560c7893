"""Errors services raise; blueprints turn them into translated 4xx answers."""

from __future__ import annotations


class ServiceError(Exception):
    """Base of every error a service raises on purpose."""


class PermissionDenied(ServiceError):
    """The actor may not do this to this object."""


class NotFound(ServiceError):
    """No such object, or not one the actor may see."""


class Gone(ServiceError):
    """The object existed publicly but is closed or expired."""

    def __init__(self, obj=None):
        super().__init__("gone")
        self.obj = obj


class InvalidData(ServiceError):
    """Input that breaks a rule. ``errors`` maps a field name to a (lazily translated) message."""

    def __init__(self, errors: dict[str, object]):
        super().__init__("; ".join(f"{field}: {message}" for field, message in errors.items()))
        self.errors = errors
