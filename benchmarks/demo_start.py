"""Seconds from `make demo`'s script to the first 200 from /healthz, on a store that is new.

Runs scripts/demo.sh (what `make demo` runs once set up) with a new temporary LENS_HOME and a
free loopback port, polls http://127.0.0.1:PORT/healthz, and prints one JSON object. With
--wait-background it also waits for the background setup (the UCDP incidents, the forecast and
the backtest) to finish and reports that time too. The server and every process the demo
started are stopped at the end. The aim (issue 11, item 2) is under 180 s on a 2-core machine.

Options: --timeout S (default 600), --wait-background, --keep (leave the temp LENS_HOME).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
TARGET_S = 180


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def _healthy(url: str) -> bool:
    try:
        with urllib.request.urlopen(url, timeout=2) as answer:  # noqa: S310  (loopback)
            return int(answer.status) == 200
    except OSError:
        return False


def _stop_group(pgid: int) -> None:
    """SIGTERM a process group, then SIGKILL what is left after 15 s."""
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGTERM)
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except (ProcessLookupError, PermissionError):
            return
        time.sleep(0.2)
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(pgid, signal.SIGKILL)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--timeout", type=float, default=600)
    parser.add_argument("--wait-background", action="store_true")
    parser.add_argument("--keep", action="store_true")
    args = parser.parse_args()
    home = Path(tempfile.mkdtemp(prefix="lens-demo-start-"))
    port = _free_port()
    env = {**os.environ, "LENS_HOME": str(home), "LENS_PORT": str(port), "LENS_HOST": "127.0.0.1"}
    env.pop("LENS_DATABASE_URL", None)
    url = f"http://127.0.0.1:{port}/healthz"
    output = home.parent / f"{home.name}.out"
    result: dict[str, object] = {"lens_home": str(home), "port": port, "target_s": TARGET_S}
    started = time.monotonic()
    with output.open("w") as log:
        # Its own process group, so that the server and its children are stopped together.
        demo = subprocess.Popen(
            ["bash", "scripts/demo.sh"],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
            stdin=subprocess.DEVNULL,
            start_new_session=True,
        )
    background_pid: int | None = None
    try:
        while not _healthy(url):
            if demo.poll() is not None:
                result["error"] = f"demo.sh exited with {demo.returncode}; see {output}"
                break
            if time.monotonic() - started > args.timeout:
                result["error"] = f"no 200 from /healthz within {args.timeout:.0f} s"
                break
            time.sleep(0.25)
        else:
            result["healthz_s"] = round(time.monotonic() - started, 1)
            result["ok"] = result["healthz_s"] < TARGET_S  # type: ignore[operator]
        pid_file = home / "demo-setup.pid"
        if pid_file.exists():
            background_pid = int(pid_file.read_text())
        setup_log = home / "demo-setup.log"
        if args.wait_background and "error" not in result:
            while time.monotonic() - started < args.timeout:
                text = setup_log.read_text() if setup_log.exists() else ""
                if "Demo data ready" in text:
                    result["background_done_s"] = round(time.monotonic() - started, 1)
                    break
                if background_pid is not None and not _alive(background_pid):
                    result["background_error"] = f"the background setup stopped; see {setup_log}"
                    break
                time.sleep(1)
            else:
                result["background_error"] = f"not finished within {args.timeout:.0f} s"
    finally:
        _stop_group(demo.pid)
        if background_pid is not None:
            _stop_group(background_pid)
        demo.wait(timeout=30)
    result["cpu_count"] = os.cpu_count()
    result["load_average_1min"] = round(os.getloadavg()[0], 2)
    if args.keep:
        result["output"] = str(output)
    else:
        shutil.rmtree(home, ignore_errors=True)
        output.unlink(missing_ok=True)
    print(json.dumps(result))
    return 0 if "error" not in result else 1


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except (ProcessLookupError, PermissionError):
        return False
    return True


if __name__ == "__main__":
    sys.exit(main())
