"""`flask backup DEST` and `flask restore SRC` for the SQLite database.

A backup is a consistent snapshot taken while the app serves (SQLite's online backup API, in
one step, so it sees a single moment), written under a temporary name, checked, then renamed.
A restore puts one back only while no process has the database open (it needs the exclusive
lock on the lock file that every open connection holds a share of: plumbing/dbfile.py), and
keeps the database it replaces beside it. PostgreSQL has its own tools for both; the commands
say so (see the README, "Backups").
"""

import fcntl
import os
import sqlite3
import time
from contextlib import closing
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import quote

import click
from flask import Flask, current_app
from flask.cli import with_appcontext
from sqlalchemy.exc import DBAPIError

from plumbing import dbfile

ON_POSTGRESQL = (
    'the database is PostgreSQL: use {tool} instead (see the README, "Backups"), e.g. {example}'
)


def inspect_copy(path: Path) -> int:
    """How many submissions the SQLite file at `path` holds, once `PRAGMA integrity_check`
    passes; a one-line error if it is not a sound database of this app."""
    if not path.is_file():
        raise click.ClickException(f"{path}: no such file")
    try:
        uri = f"file:{quote(str(path.absolute()))}?mode=ro"
        with closing(sqlite3.connect(uri, uri=True)) as connection:
            problems = [row[0] for row in connection.execute("PRAGMA integrity_check")]
            if problems != ["ok"]:
                raise click.ClickException(
                    f"{path} is damaged: the integrity check says {problems[0]!r}"
                )
            return connection.execute("SELECT count(*) FROM submissions").fetchone()[0]
    except sqlite3.DatabaseError as error:
        raise click.ClickException(f"{path} is not a database of this app ({error})") from None


def beside(path: Path, suffix: str) -> Path:
    """`path` with `suffix` added to its name: app.db, "-wal" -> app.db-wal."""
    return path.with_name(path.name + suffix)


def fsync_directory(path: Path) -> None:
    """Make a rename in `path` durable."""
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def sqlite_guard(tool: str, example: str) -> dbfile.FileGuard:
    """The SQLite file's guard; on PostgreSQL, an error pointing to `tool` (its own)."""
    guard = current_app.extensions["dbfile"]
    if guard is None:
        raise click.ClickException(ON_POSTGRESQL.format(tool=tool, example=example))
    return guard


@click.command("backup")
@click.argument("dest", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def backup(dest: Path) -> None:
    """Write a consistent copy of the SQLite database to DEST, also while the app serves."""
    guard = sqlite_guard("pg_dump", "pg_dump --format=custom --file=DEST postgresql://...")
    if dest.exists():
        raise click.ClickException(f"{dest} already exists: give the backup a new name")
    dest.parent.mkdir(parents=True, exist_ok=True)
    partial = beside(dest, ".partial")
    partial.unlink(missing_ok=True)  # left by an interrupted run
    engine = current_app.extensions["database"].engine
    started = time.monotonic()
    try:
        with closing(sqlite3.connect(partial)) as copy, engine.connect() as connection:
            # One step: the copy is the database as of a single moment; writers carry on.
            connection.connection.driver_connection.backup(copy)
            copy.execute("PRAGMA journal_mode=DELETE")  # the copy is one self-contained file
        rows = inspect_copy(partial)
        partial.rename(dest)
        fsync_directory(dest.parent)
    except (DBAPIError, sqlite3.Error) as error:
        raise click.ClickException(f"the backup failed: {getattr(error, 'orig', error)}") from None
    finally:
        partial.unlink(missing_ok=True)
        engine.dispose()
    click.echo(
        f"Backed up {rows:,} submissions from {guard.database} to {dest} "
        f"({dest.stat().st_size:,} bytes in {time.monotonic() - started:.2f} s; "
        "integrity check ok)."
    )


@click.command("restore")
@click.argument("src", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def restore(src: Path) -> None:
    """Replace the SQLite database with the backup SRC; refused while anything has it open."""
    guard = sqlite_guard(
        "pg_restore",
        "pg_restore --clean --if-exists --single-transaction --dbname=postgresql://... SRC",
    )
    database = guard.database
    if src.exists() and dbfile.identity(src) == dbfile.identity(database):
        raise click.ClickException(f"{src} is the database itself")
    rows = inspect_copy(src)
    try:
        lock_fd = dbfile.open_lock(database)
    except sqlite3.Error as error:
        raise click.ClickException(str(error)) from None
    try:
        try:
            fcntl.flock(lock_fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise click.ClickException(
                f"refused: {database} is in use (a server or another command holds a lock on "
                f"{dbfile.lock_path(database)}); stop it, then run restore again"
            ) from None
        staged = beside(database, ".restoring")
        staged.unlink(missing_ok=True)
        try:
            source = sqlite3.connect(f"file:{quote(str(src.absolute()))}?mode=ro", uri=True)
            with closing(source), closing(sqlite3.connect(staged)) as copy:
                source.backup(copy)
                copy.execute("PRAGMA journal_mode=WAL")  # as `flask init-db` leaves it
        except BaseException:
            staged.unlink(missing_ok=True)
            raise
        # The file and its write-ahead log move aside together (the log may hold commits a
        # killed process never copied into the file); the shared-memory index is rebuilt.
        kept = beside(database, f".replaced-{datetime.now(UTC):%Y%m%dT%H%M%SZ}")
        wal = beside(database, "-wal")
        if wal.exists() and not wal.stat().st_size:
            wal.unlink()  # an empty log holds nothing
        kept_files = []
        for suffix in ("", "-wal"):
            if beside(database, suffix).exists():
                beside(database, suffix).rename(beside(kept, suffix))
                kept_files.append(beside(kept, suffix))
        beside(database, "-shm").unlink(missing_ok=True)
        staged.rename(database)
        fsync_directory(database.parent)
        dbfile.record(lock_fd, dbfile.identity(database))
    finally:
        os.close(lock_fd)

    click.echo(f"Restored {rows:,} submissions from {src} into {database}.")
    if kept_files:
        click.echo(f"What it replaced is kept beside it: {', '.join(map(str, kept_files))}")
    click.echo(
        "Next: start the server (`make serve`: serve.py applies any pending migrations; for "
        "other start commands run `flask --app app init-db` first), check the data, and "
        "delete the replaced file once you no longer need it."
    )


def init_app(app: Flask) -> None:
    app.cli.add_command(backup)
    app.cli.add_command(restore)
