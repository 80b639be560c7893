"""Password hashing with Argon2id, at the cost the settings name, kept in the app's state."""

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from flask import Flask, current_app

from bulletin import settings

EXTENSION_KEY = "bulletin.password_hasher"


def init_app(app: Flask) -> None:
    # One hasher per app, not per process: two apps in one process (the tests make many) keep their own cost.
    board = settings.of(app)
    app.extensions[EXTENSION_KEY] = PasswordHasher(
        time_cost=board.argon2_time_cost, memory_cost=board.argon2_memory_cost
    )


def _hasher() -> PasswordHasher:
    return current_app.extensions[EXTENSION_KEY]


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(password_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(password_hash, password)
    except (VerificationError, InvalidHashError):
        return False


def needs_rehash(password_hash: str) -> bool:
    return _hasher().check_needs_rehash(password_hash)
