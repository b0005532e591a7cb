"""Two-factor login with TOTP (RFC 6238) codes and one-time recovery codes.

Users turn it on for themselves; an admin can demand it of a role or of one user, and reset it.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime
from typing import Any, Literal, cast

import pyotp
from sqlalchemy import CursorResult, delete, or_, select, update
from sqlalchemy.orm import Session

from prevention_lens.errors import ConflictError, PermissionDeniedError, ValidationError
from prevention_lens.store.access import Principal, Role, audit, require
from prevention_lens.store.models import LoginSession, RecoveryCode, RoleRequirement, User
from prevention_lens.store.models.base import utcnow

ISSUER = "Prevention Lens"
RECOVERY_CODES = 10
Step = Literal["done", "code", "enrol"]


def _may_change(actor: Principal, user: User) -> None:
    if actor.user_id != user.id:
        require(actor, "update", "user")


def _clean(code: str) -> str:
    return "".join(code.split()).replace("-", "").lower()


# --- what is demanded of whom ---------------------------------------------------------------


def role_requires(session: Session, role: str) -> bool:
    requirement = session.get(RoleRequirement, role)
    return requirement is not None and requirement.require_2fa


def is_required(session: Session, user: User) -> bool:
    return user.totp_required or role_requires(session, user.role)


def is_enabled(user: User) -> bool:
    return user.totp_enabled_at is not None and user.totp_secret is not None


def needs_enrolment(session: Session, user: User) -> bool:
    return not is_enabled(user) and is_required(session, user)


def next_step(session: Session, user: User) -> Step:
    """What a user must do after the right password: nothing more, a code, or enrol first."""
    if is_enabled(user):
        return "code"
    return "enrol" if is_required(session, user) else "done"


def set_role_required(session: Session, actor: Principal, role: Role, required: bool) -> None:
    require(actor, "update", "user")
    requirement = session.get(RoleRequirement, role.label)
    if requirement is None:
        requirement = RoleRequirement(role=role.label, updated_by=actor.username)
        session.add(requirement)
    requirement.require_2fa = required
    requirement.updated_by = actor.username
    requirement.updated_at = utcnow()
    audit(session, actor, "require-2fa" if required else "allow-no-2fa", "role", role.label)


def set_user_required(session: Session, actor: Principal, user: User, required: bool) -> None:
    require(actor, "update", "user")
    user.totp_required = required
    audit(session, actor, "require-2fa" if required else "allow-no-2fa", "user", user.id)


def required_roles(session: Session) -> list[str]:
    rows = session.scalars(select(RoleRequirement).where(RoleRequirement.require_2fa))
    return sorted(row.role for row in rows)


# --- enrolment --------------------------------------------------------------------------------


def begin_enrolment(session: Session, actor: Principal, user: User) -> str:
    """A fresh secret for the user's authenticator app; on only once a code confirms it."""
    _may_change(actor, user)
    if is_enabled(user):
        raise ConflictError(f"Two-factor login is already on for {user.username!r}.")
    user.totp_secret = pyotp.random_base32()
    user.totp_last_step = None
    audit(session, actor, "2fa-enrol-start", "user", user.id)
    return user.totp_secret


def provisioning_uri(user: User) -> str:
    """The otpauth:// address an authenticator app reads (typed in, or as a QR code)."""
    if user.totp_secret is None:
        raise ValidationError("no two-factor secret to show: start the enrolment first")
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def confirm_enrolment(
    session: Session, actor: Principal, user: User, code: str, now: datetime | None = None
) -> list[str]:
    """Turn two-factor login on when ``code`` matches; the recovery codes, shown once."""
    _may_change(actor, user)
    if user.totp_secret is None or is_enabled(user):
        raise ValidationError("start the enrolment first", field="code")
    if not _accept_totp(session, user, _clean(code), now or utcnow()):
        raise ValidationError(
            "the code does not match: check the device's clock and enter the code it shows now",
            field="code",
        )
    user.totp_enabled_at = now or utcnow()
    audit(session, actor, "2fa-enable", "user", user.id)
    return new_recovery_codes(session, actor, user)


def new_recovery_codes(session: Session, actor: Principal, user: User) -> list[str]:
    """Replace the user's recovery codes; the plain codes are returned once, stored salted."""
    _may_change(actor, user)
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    codes = []
    for _ in range(RECOVERY_CODES):
        raw = secrets.token_hex(5)
        codes.append(f"{raw[:5]}-{raw[5:]}")
        session.add(RecoveryCode(user_id=user.id, code_hash=_hash_code(raw)))
    audit(session, actor, "2fa-recovery-codes", "user", user.id)
    return codes


def _clear(session: Session, user: User) -> None:
    user.totp_secret = None
    user.totp_enabled_at = None
    user.totp_last_step = None
    session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))


def disable(session: Session, actor: Principal, user: User) -> None:
    """Turn two-factor login off, unless the user's role (or an admin) demands it."""
    _may_change(actor, user)
    if actor.user_id == user.id and is_required(session, user):
        raise PermissionDeniedError(
            "Your account requires two-factor login; an administrator can reset it."
        )
    _clear(session, user)
    audit(session, actor, "2fa-disable", "user", user.id)


def reset(session: Session, actor: Principal, user: User) -> None:
    """An admin's reset after a lost device: secret and codes go, sessions end, enrol again."""
    require(actor, "update", "user")
    _clear(session, user)
    session.execute(delete(LoginSession).where(LoginSession.user_id == user.id))
    audit(session, actor, "2fa-reset", "user", user.id)


# --- codes at login ---------------------------------------------------------------------------


def verify_code(session: Session, user: User, code: str, now: datetime | None = None) -> str | None:
    """ "totp" or "recovery" when the code is right and unused (it is then spent), else None."""
    if not is_enabled(user):
        return None
    cleaned = _clean(code)
    if len(cleaned) == 6 and cleaned.isascii() and cleaned.isdigit():
        return "totp" if _accept_totp(session, user, cleaned, now or utcnow()) else None
    return "recovery" if _use_recovery_code(session, user, cleaned, now or utcnow()) else None


def _accept_totp(session: Session, user: User, code: str, now: datetime) -> bool:
    if user.totp_secret is None:
        return False
    totp = pyotp.TOTP(user.totp_secret)
    current = totp.timecode(now)
    # The previous and next 30 s windows too, for clocks a little apart.
    step = next(
        (
            s
            for s in (current - 1, current, current + 1)
            if hmac.compare_digest(totp.generate_otp(s), code)
        ),
        None,
    )
    if step is None:
        return False
    # Spend the step in one conditional update, so two workers cannot both accept one code.
    spent = cast(
        CursorResult[Any],
        session.execute(
            update(User)
            .where(User.id == user.id)
            .where(or_(User.totp_last_step.is_(None), User.totp_last_step < step))
            .values(totp_last_step=step)
            .execution_options(synchronize_session=False)
        ),
    )
    if spent.rowcount != 1:
        return False
    user.totp_last_step = step
    return True


def _hash_code(cleaned: str, salt: str | None = None) -> str:
    salt = salt or secrets.token_hex(16)
    return f"{salt}${hashlib.sha256((salt + cleaned).encode()).hexdigest()}"


def _use_recovery_code(session: Session, user: User, cleaned: str, now: datetime) -> bool:
    unused = session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    for record in unused:
        salt = record.code_hash.split("$", 1)[0]
        if hmac.compare_digest(_hash_code(cleaned, salt), record.code_hash):
            spent = cast(
                CursorResult[Any],
                session.execute(
                    update(RecoveryCode)
                    .where(RecoveryCode.id == record.id, RecoveryCode.used_at.is_(None))
                    .values(used_at=now)
                    .execution_options(synchronize_session=False)
                ),
            )
            return spent.rowcount == 1
    return False


def recovery_codes_left(session: Session, user: User) -> int:
    return len(
        session.scalars(
            select(RecoveryCode.id).where(
                RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None)
            )
        ).all()
    )
