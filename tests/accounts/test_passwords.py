"""Passwords: argon2id hashes, and checks that run off the event loop, a few at a time."""

from __future__ import annotations

import threading
import time

import anyio
import pytest

from prevention_lens.accounts import passwords


def test_hash_and_verify() -> None:
    stored = passwords.hash_password("correct horse battery")
    assert stored.startswith("$argon2id$")
    assert passwords.verify_password(stored, "correct horse battery")
    assert not passwords.verify_password(stored, "wrong horse battery")
    assert not passwords.verify_password("not a hash", "anything")


def test_checks_run_in_threads_at_most_n_at_once_and_the_loop_stays_free(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    running = peak = 0
    lock = threading.Lock()

    def slow_verify(stored_hash: str, password: str) -> bool:
        nonlocal running, peak
        with lock:
            running += 1
            peak = max(peak, running)
        time.sleep(0.05)  # blocks its thread, as argon2 does
        with lock:
            running -= 1
        return password == "right"

    monkeypatch.setattr(passwords, "verify_password", slow_verify)

    async def main() -> tuple[list[bool], int]:
        ticks = 0
        results: list[bool] = []

        async def ticker() -> None:
            nonlocal ticks
            while True:
                await anyio.sleep(0.005)
                ticks += 1

        async def check(password: str) -> None:
            results.append(await passwords.verify_password_off_loop("hash", password, threads=2))

        async with anyio.create_task_group() as outer:
            outer.start_soon(ticker)
            async with anyio.create_task_group() as checks:
                for number in range(6):
                    checks.start_soon(check, "right" if number == 0 else "wrong")
            outer.cancel_scope.cancel()
        return results, ticks

    results, ticks = anyio.run(main)
    assert sorted(results) == [False] * 5 + [True]
    assert peak == 2
    # Three rounds of 50 ms: a loop blocked by the checks would not have ticked in between.
    assert ticks >= 15
