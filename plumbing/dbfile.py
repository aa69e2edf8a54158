"""The SQLite file under the app: who has it open, and whether it is still the file at the
configured path.

- **In use.** Each connection holds a shared `flock` on a lock file beside the database
  (`app.db.lock`) for as long as it is open, in every process (granian workers, `flask run`,
  `flask backup`). `flask restore` needs the exclusive lock, so it can never swap the file
  under an open connection. The kernel drops a killed process's locks.
- **Identity.** The lock file also records which file (device and inode) the connections
  holding it have open: the first connection, finding no other, records the file at the path;
  every later one must find that same file there. Before each statement (each cursor, so
  also for queries run on the DB-API connection itself) the connection checks that the path
  still holds its file (one `stat`). When the file was renamed, deleted
  or replaced, statements fail with `DatabaseMoved` (the app answers 503), the app logs it
  once, and it serves again as soon as the file is back at the path.
- **Never re-created.** Connections open the file with `mode=rw`, so a missing database is
  never silently re-created empty; only `flask init-db` and serve.py (`Store.migrate`) create
  one.
"""

import fcntl
import logging
import os
import sqlite3
import threading
from pathlib import Path
from urllib.parse import quote

from flask import Flask
from sqlalchemy import event
from sqlalchemy.engine import URL, make_url

Identity = tuple[int, int] | None  # (device, inode); None: nothing at the path


class DatabaseMoved(sqlite3.OperationalError):
    """The file at the configured path is not the database file in use."""


def identity(path: str | Path) -> Identity:
    try:
        status = os.stat(path)
    except OSError:
        return None
    return status.st_dev, status.st_ino


def describe(file: Identity) -> str:
    return "missing" if file is None else f"device {file[0]}, inode {file[1]}"


def lock_path(database: Path) -> Path:
    return database.with_name(database.name + ".lock")


def record(lock_fd: int, file: Identity) -> None:
    """Write, into the lock file, which file the connections holding it use."""
    os.ftruncate(lock_fd, 0)
    if file is not None:
        os.pwrite(lock_fd, f"{file[0]} {file[1]}\n".encode(), 0)


def recorded(lock_fd: int) -> Identity:
    try:
        device, inode = os.pread(lock_fd, 64, 0).split()
        return int(device), int(inode)
    except ValueError:
        return None


def open_lock(database: Path) -> int:
    try:
        return os.open(lock_path(database), os.O_RDWR | os.O_CREAT, 0o644)
    except OSError as error:
        raise sqlite3.OperationalError(
            f"unable to open database file: {lock_path(database)}: {error.strerror}"
        ) from None


def where_open(file: Identity) -> str | None:
    """The path under which this process has `file` open now (Linux), if it does."""
    fds = Path("/proc/self/fd")
    for fd in fds.iterdir() if fds.is_dir() else ():
        if identity(fd) == file:
            try:
                return os.readlink(fd)
            except OSError:
                continue
    return None


class _Connection(sqlite3.Connection):
    """A connection that holds its share of the lock file, and knows its file, while open."""

    lock_fd: int | None = None
    file: Identity = None
    guard: "FileGuard | None" = None

    def cursor(self, *args, **kwargs) -> sqlite3.Cursor:
        """Every statement runs on a cursor: first check that the file is still this one."""
        if self.guard is not None:
            self.guard.check(self.file)
        return super().cursor(*args, **kwargs)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self._unlock()

    def __del__(self) -> None:
        self._unlock()

    def _unlock(self) -> None:
        if self.lock_fd is not None:
            os.close(self.lock_fd)
            self.lock_fd = None


class FileGuard:
    """Opens the store's SQLite connections and checks, before each statement, that the file
    at the configured path is still theirs."""

    def __init__(self, database: Path, logger: logging.Logger) -> None:
        self.database = database
        self.path = str(database)
        self.uri = f"file:{quote(self.path)}?mode=rw"
        self.logger = logger
        self._reported = False  # the move was logged and has not been resolved yet
        self._reporting = threading.Lock()

    def connect(self, _dialect, _record, _cargs, cparams: dict) -> sqlite3.Connection:
        """SQLAlchemy's do_connect: take a share of the lock, learn the file, open it."""
        lock_fd = open_lock(self.database)
        try:
            try:
                fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                pass  # other connections are open: the file they use is recorded
            else:
                record(lock_fd, identity(self.path))  # none are: the file at the path it is
            fcntl.flock(lock_fd, fcntl.LOCK_SH)  # waits while `flask restore` runs
            file = recorded(lock_fd)
            self.check(file)
            connection = sqlite3.connect(self.uri, uri=True, factory=_Connection, **cparams)
        except BaseException:
            os.close(lock_fd)
            raise
        connection.lock_fd, connection.file = lock_fd, file
        try:
            self.check(file)  # not swapped while it was being opened
        except DatabaseMoved:
            connection.close()
            raise
        connection.guard = self
        return connection

    def check(self, file: Identity) -> None:
        """Raise DatabaseMoved unless the file at the path is `file` (None: missing)."""
        now = identity(self.path)
        if now == file:
            if self._reported:
                self._report_back()
            return
        self._report_moved(file, now)
        raise DatabaseMoved(f"{self.path} is no longer the database file in use ({describe(file)})")

    def _report_moved(self, file: Identity, now: Identity) -> None:
        with self._reporting:
            if self._reported:
                return
            self._reported = True
        elsewhere = where_open(file) if file else None
        self.logger.error(
            "Database file changed: %s is now %s, but the file in use (%s) %s. Requests that "
            "need the database answer 503 until that file is back at %s (or all servers "
            "using it are restarted).",
            self.path,
            "missing" if now is None else f"another file ({describe(now)})",
            describe(file),
            f"is open as {elsewhere}" if elsewhere else "is not open in this process",
            self.path,
        )

    def _report_back(self) -> None:
        with self._reporting:
            if not self._reported:
                return
            self._reported = False
        self.logger.warning("Database file back at %s: serving again.", self.path)


def sqlite_file(url: str | URL) -> Path | None:
    """The path of the SQLite database file `url` names, or None (another database, memory,
    or a `file:` URI, which the guard leaves alone)."""
    url = make_url(url)
    name = url.database or ""
    if url.get_backend_name() != "sqlite" or name in ("", ":memory:") or name.startswith("file:"):
        return None
    return Path(name).absolute()


def init_app(app: Flask) -> None:
    """Guard the store's SQLite file (nothing to do on PostgreSQL)."""
    database = sqlite_file(app.config["DATABASE_URL"])
    if database is None:
        app.extensions["dbfile"] = None
        return
    guard = FileGuard(database, app.logger)
    engine = app.extensions["database"].engine
    event.listen(engine, "do_connect", guard.connect)
    app.extensions["dbfile"] = guard
