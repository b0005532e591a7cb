"""Password hashing with argon2id, and the minimum a password must meet.

argon2id is slow on purpose; in the web app it runs in a few threads of its own at a lower CPU
priority, so a flood of logins neither blocks the event loop nor starves other requests.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import threading
from concurrent.futures import ThreadPoolExecutor

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


# The checks get their own few threads, not the shared pool that serves database calls: a
# queue of waiting checks then holds no thread, and these threads can run at a lower CPU
# priority, which argon2's own lane threads inherit.
_POOLS: dict[int, ThreadPoolExecutor] = {}
_POOLS_LOCK = threading.Lock()
NICENESS = 10


def _lower_priority() -> None:
    # On Linux, PRIO_PROCESS with a thread id sets that thread's niceness only; elsewhere, or
    # where it is not permitted, the checks run at normal priority.
    with contextlib.suppress(AttributeError, OSError):
        os.setpriority(os.PRIO_PROCESS, threading.get_native_id(), NICENESS)


def _pool(threads: int) -> ThreadPoolExecutor:
    with _POOLS_LOCK:
        if threads not in _POOLS:
            _POOLS[threads] = ThreadPoolExecutor(
                max_workers=threads,
                thread_name_prefix="lens-password-check",
                initializer=_lower_priority,
            )
        return _POOLS[threads]


async def verify_password_off_loop(stored_hash: str, password: str, threads: int) -> bool:
    """verify_password in a worker thread, at most ``threads`` at once; waiters hold no thread."""
    loop = asyncio.get_running_loop()
    # Looked up at call time, so tests can stand in a slow fake.
    check = verify_password
    return await loop.run_in_executor(_pool(threads), check, stored_hash, password)


# Verifying against this when the user does not exist keeps the timing of both answers alike.
DUMMY_HASH = _HASHER.hash("not-a-real-password-for-timing")
