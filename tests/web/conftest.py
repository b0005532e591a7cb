"""A real `lens serve` on loopback and one headless Chromium for the browser tests.

The server runs in a subprocess over a temporary LENS_HOME, with an admin created by the real
CLI, so these tests see the app exactly as a user who ran `lens serve` would.
"""

from __future__ import annotations

import importlib.util
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING
from urllib.parse import urlsplit

import pytest

from tests.risk.conftest import SMALL_FRAMEWORK

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
IN_CI = os.environ.get("CI", "").lower() == "true"
ADMIN = "admin"
ADMIN_PASSWORD = "browser-admin-password-1"
SECRET_KEY = "browser-test-secret-key-0123456789-abcdefghij"
START_TIMEOUT_S = 30.0


def skip_or_fail(reason: str) -> None:
    """Without a browser the tests are skipped on a workstation but fail in CI."""
    if IN_CI:
        pytest.fail(f"{reason} (CI=true, so this is an error)")
    pytest.skip(reason)


def lens_command() -> list[str]:
    """The real CLI: `python -m prevention_lens.cli` when it has a __main__, else `lens`."""
    if importlib.util.find_spec("prevention_lens.cli.__main__") is not None:
        return [sys.executable, "-m", "prevention_lens.cli"]
    script = Path(sys.executable).parent / "lens"
    if not script.exists():
        pytest.fail(f"the `lens` script is missing beside {sys.executable}: pip install -e .")
    return [str(script)]


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
    return port


@dataclass
class LiveServer:
    base_url: str
    admin: str
    admin_password: str
    log: Path

    def url(self, path: str) -> str:
        return self.base_url + path


@dataclass
class Browsing:
    """A fresh browser profile and every URL it asked for, to prove nothing leaves loopback."""

    context: BrowserContext
    base_url: str
    urls: list[str] = field(default_factory=list)

    def foreign_requests(self) -> list[str]:
        allowed = urlsplit(self.base_url).hostname
        return [url for url in self.urls if urlsplit(url).hostname != allowed]


def _server_env(home: Path) -> dict[str, str]:
    env = {name: value for name, value in os.environ.items() if not name.startswith("LENS_")}
    env.update(
        LENS_HOME=str(home),
        LENS_SECRET_KEY=SECRET_KEY,
        LENS_LOG_LEVEL="warning",
        PYTHONUNBUFFERED="1",
    )
    return env


def _wait_until_healthy(base_url: str, process: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"lens serve exited with {process.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(base_url + "/healthz", timeout=1.0) as answer:
                if answer.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.1)
    pytest.fail(
        f"lens serve did not answer /healthz within {START_TIMEOUT_S} s:\n{log.read_text()}"
    )


@pytest.fixture(scope="session")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    workdir = tmp_path_factory.mktemp("browser")
    home = workdir / "home"
    env = _server_env(home)
    command = lens_command()

    def lens(*args: str, stdin: str | None = None) -> None:
        done = subprocess.run(
            [*command, *args],
            input=stdin,
            capture_output=True,
            text=True,
            env=env,
            cwd=workdir,
            timeout=60,
            check=False,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    lens("users", "add", ADMIN, "--role", "admin", "--password-stdin", stdin=ADMIN_PASSWORD + "\n")
    framework = workdir / "framework.yaml"
    framework.write_text(SMALL_FRAMEWORK)
    lens("data", "import", "un-framework", str(framework))
    port = free_port()
    log = workdir / "serve.log"
    with log.open("wb") as output:
        process = subprocess.Popen(
            [*command, "serve", "--host", "127.0.0.1", "--port", str(port)],
            stdout=output,
            stderr=subprocess.STDOUT,
            env=env,
            cwd=workdir,
        )
    base_url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_healthy(base_url, process, log)
        yield LiveServer(base_url, ADMIN, ADMIN_PASSWORD, log)
    finally:
        process.terminate()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=10)


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    """Chromium for one test file.

    Playwright's sync API marks an asyncio loop as running in this thread for as long as it
    is started, so a session-wide browser broke `asyncio.run` and `anyio.run` in whatever
    test file a pytest-xdist worker took next. Started per file, it is stopped before the
    next file begins (the root conftest checks that).
    """
    if not CHROMIUM.exists():
        skip_or_fail(f"{CHROMIUM} is missing: install Debian's chromium to run the browser tests")
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        skip_or_fail("the playwright package is not installed (pip install -e '.[dev]')")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield launched
        launched.close()


@pytest.fixture
def browsing(browser: Browser, live_server: LiveServer) -> Iterator[Browsing]:
    """A fresh profile (no cookies) per test; after it, no request may have left loopback."""
    context = browser.new_context(base_url=live_server.base_url, service_workers="block")
    context.set_default_timeout(10_000)
    session = Browsing(context, live_server.base_url)
    context.on("request", lambda request: session.urls.append(request.url))
    yield session
    context.close()
    assert session.foreign_requests() == [], "the browser asked a host other than 127.0.0.1"


def watch_console(page: Page) -> list[str]:
    """Every console error or warning and page error the page raises, as it happens."""
    problems: list[str] = []

    def console(message: ConsoleMessage) -> None:
        if message.type in ("error", "warning"):
            problems.append(f"{page.url}: console {message.type}: {message.text}")

    page.on("console", console)
    page.on("pageerror", lambda error: problems.append(f"{page.url}: page error: {error}"))
    return problems
