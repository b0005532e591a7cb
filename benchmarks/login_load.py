"""/healthz latency while 20 clients send wrong passwords, beside its latency without them.

Prints one JSON object. Starts the real `lens serve` on a free loopback port over a temporary
LENS_HOME. Login throttling is turned off in that server (its limits are raised out of reach) so
that every wrong password is hashed: the worst case for the CPU, which the login route must
survive by hashing off the event loop, a few at a time (LENS_LOGIN_HASH_THREADS). Everything runs
on 127.0.0.1 and every loop is bounded in time.

    .venv/bin/python benchmarks/login_load.py [--seconds 10] [--attackers 20] [--with-throttle]

With --with-throttle the server keeps the default LENS_LOGIN_* limits: the attackers, all on
one address, are soon answered 429 without any hashing.
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import re
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

PASSWORD = "benchmark-password-1"  # noqa: S105  (a throwaway server's)
SECRET_KEY = "benchmark-secret-key-0123456789-abcdefghijkl"  # noqa: S105
PROBE_INTERVAL_S = 0.02


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


def _lens() -> list[str]:
    return [str(Path(sys.executable).parent / "lens")]


def _percentile(values: list[float], share: float) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def _probe_healthz(port: int, seconds: float) -> list[float]:
    """Latencies (ms) of /healthz, one request at a time, for ``seconds``."""
    latencies = []
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        started = time.perf_counter()
        connection.request("GET", "/healthz")
        answer = connection.getresponse()
        answer.read()
        if answer.status != 200:
            raise RuntimeError(f"/healthz answered {answer.status}")
        latencies.append((time.perf_counter() - started) * 1000)
        time.sleep(PROBE_INTERVAL_S)
    connection.close()
    return latencies


def _attacker(
    port: int, stop: threading.Event, counts: dict[int, int], lock: threading.Lock
) -> None:
    """Wrong passwords in a loop, with a CSRF cookie and token like a browser."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    connection.request("GET", "/login")
    page = connection.getresponse()
    html = page.read().decode()
    cookie = (page.getheader("set-cookie") or "").split(";")[0]
    token = re.search(r'name="csrf_token" value="([0-9a-f]+)"', html)
    if token is None:
        raise RuntimeError("no CSRF token on /login")
    body = urlencode(
        {"username": "bench", "password": "wrong password 123", "csrf_token": token.group(1)}
    )
    headers = {"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie}
    while not stop.is_set():
        connection.request("POST", "/login", body=body, headers=headers)
        answer = connection.getresponse()
        answer.read()
        with lock:
            counts[answer.status] = counts.get(answer.status, 0) + 1
    connection.close()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--seconds", type=float, default=10.0, help="length of each phase")
    parser.add_argument("--attackers", type=int, default=20, help="clients sending wrong passwords")
    parser.add_argument(
        "--with-throttle", action="store_true", help="keep the default login throttling"
    )
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as workdir:
        env = {k: v for k, v in os.environ.items() if not k.startswith("LENS_")}
        env.update(
            LENS_HOME=str(Path(workdir) / "home"),
            LENS_SECRET_KEY=SECRET_KEY,
            LENS_LOG_LEVEL="warning",
        )
        if not args.with_throttle:
            env.update(
                LENS_LOGIN_FREE_FAILURES="999999",
                LENS_LOGIN_LOCKOUT_FAILURES="1000000",
                LENS_LOGIN_CLIENT_FREE_FAILURES="999999",
                LENS_LOGIN_CLIENT_LOCKOUT_FAILURES="1000000",
            )
        subprocess.run(
            [*_lens(), "users", "add", "bench", "--role", "analyst", "--password-stdin"],
            input=PASSWORD + "\n",
            text=True,
            env=env,
            cwd=workdir,
            check=True,
            capture_output=True,
            timeout=120,
        )
        port = _free_port()
        server = subprocess.Popen(
            [*_lens(), "serve", "--host", "127.0.0.1", "--port", str(port)],
            env=env,
            cwd=workdir,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + 60
            while True:
                try:
                    probe = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                    probe.request("GET", "/healthz")
                    probe.getresponse().read()
                    probe.close()
                    break
                except OSError:
                    if time.monotonic() > deadline or server.poll() is not None:
                        raise RuntimeError("lens serve did not start") from None
                    time.sleep(0.2)
            _probe_healthz(port, 1.0)  # warm up
            idle = _probe_healthz(port, args.seconds)

            stop, lock = threading.Event(), threading.Lock()
            counts: dict[int, int] = {}
            attackers = [
                threading.Thread(target=_attacker, args=(port, stop, counts, lock), daemon=True)
                for _ in range(args.attackers)
            ]
            for thread in attackers:
                thread.start()
            time.sleep(1.0)  # let the queue of hashes build up
            with lock:
                counts.clear()
            started = time.monotonic()
            loaded = _probe_healthz(port, args.seconds)
            elapsed = time.monotonic() - started
            with lock:
                answered = dict(counts)
            stop.set()
            for thread in attackers:
                thread.join(timeout=120)
        finally:
            server.terminate()
            try:
                server.wait(timeout=20)
            except subprocess.TimeoutExpired:
                server.kill()
                server.wait(timeout=20)

    idle_p95, loaded_p95 = _percentile(idle, 0.95), _percentile(loaded, 0.95)
    print(
        json.dumps(
            {
                "attackers": args.attackers,
                "throttle": "default" if args.with_throttle else "off (every attempt hashed)",
                "seconds_per_phase": args.seconds,
                "cpu_count": os.cpu_count(),
                "healthz_requests_idle": len(idle),
                "healthz_requests_under_attack": len(loaded),
                "healthz_p50_ms_idle": round(statistics.median(idle), 2),
                "healthz_p50_ms_under_attack": round(statistics.median(loaded), 2),
                "healthz_p95_ms_idle": round(idle_p95, 2),
                "healthz_p95_ms_under_attack": round(loaded_p95, 2),
                "p95_ratio": round(loaded_p95 / idle_p95, 2),
                "target_ratio": 3.0,
                "wrong_logins_answered": answered,
                "wrong_logins_per_s": round(sum(answered.values()) / elapsed, 1),
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
