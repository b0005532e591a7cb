"""A throw-away PostgreSQL server on loopback for the test-suite (Debian's postgresql package).

When the tests run as root, the server runs as the `postgres` system user, as initdb demands.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

import psycopg


def _bin_dir() -> Path:
    candidates = sorted(Path("/usr/lib/postgresql").glob("*/bin"), reverse=True)
    for candidate in candidates:
        if (candidate / "initdb").exists():
            return candidate
    found = shutil.which("initdb")
    if found:
        return Path(found).parent
    raise RuntimeError("initdb not found: install Debian's postgresql package")


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@dataclass
class PostgresServer:
    root: Path
    port: int
    as_user: list[str]
    bin_dir: Path
    created: list[str] = field(default_factory=list)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def create_database(self) -> str:
        name = f"lens_test_{len(self.created) + 1}"
        with psycopg.connect(self.admin_url, autocommit=True) as connection:
            connection.execute(f'DROP DATABASE IF EXISTS "{name}"')
            connection.execute(f'CREATE DATABASE "{name}"')
        self.created.append(name)
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{name}"

    def stop(self) -> None:
        subprocess.run(
            [
                *self.as_user,
                str(self.bin_dir / "pg_ctl"),
                "-D",
                str(self.root / "data"),
                "-m",
                "immediate",
                "stop",
            ],
            check=False,
            capture_output=True,
        )
        shutil.rmtree(self.root, ignore_errors=True)


def start_postgres() -> PostgresServer:
    bin_dir = _bin_dir()
    root = Path(tempfile.mkdtemp(prefix="lens-pg-"))
    as_user: list[str] = []
    if os.geteuid() == 0:
        runuser = shutil.which("runuser")
        if runuser is None:
            raise RuntimeError("running as root and runuser is missing")
        as_user = [runuser, "-u", "postgres", "--"]
        shutil.chown(root, user="postgres")
    root.chmod(0o700)
    port = _free_port()
    data = root / "data"
    steps = [
        [
            str(bin_dir / "initdb"),
            "-D",
            str(data),
            "-U",
            "postgres",
            "--auth=trust",
            "--encoding=UTF8",
            "--no-sync",
        ],
        [
            str(bin_dir / "pg_ctl"),
            "-D",
            str(data),
            "-l",
            str(root / "log"),
            "-w",
            "-o",
            f"-h 127.0.0.1 -p {port} -k {root} -F -c fsync=off -c full_page_writes=off",
            "start",
        ],
    ]
    for step in steps:
        result = subprocess.run([*as_user, *step], capture_output=True, text=True, check=False)
        if result.returncode != 0:
            shutil.rmtree(root, ignore_errors=True)
            raise RuntimeError(f"{Path(step[0]).name} failed: {result.stderr.strip()[-500:]}")
    server = PostgresServer(root=root, port=port, as_user=as_user, bin_dir=bin_dir)
    deadline = time.monotonic() + 30
    while True:
        try:
            with psycopg.connect(server.admin_url, connect_timeout=2):
                return server
        except psycopg.OperationalError:
            if time.monotonic() > deadline:
                server.stop()
                raise RuntimeError("the server did not accept connections within 30 s") from None
            time.sleep(0.2)
