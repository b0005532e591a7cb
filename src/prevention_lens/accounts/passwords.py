"""Password hashing with argon2id, and the minimum a password must meet."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from prevention_lens.errors import ValidationError

_HASHER = PasswordHasher()
MIN_LENGTH = 10


def check_strength(password: str) -> None:
    if len(password) < MIN_LENGTH:
        raise ValidationError(
            f"password must be at least {MIN_LENGTH} characters, got {len(password)}",
            field="password",
        )


def hash_password(password: str) -> str:
    check_strength(password)
    return _HASHER.hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _HASHER.verify(stored_hash, password)
    except (VerifyMismatchError, VerificationError, InvalidHashError):
        return False


# Verifying against this when the user does not exist keeps the timing of both answers alike.
DUMMY_HASH = _HASHER.hash("not-a-real-password-for-timing")
