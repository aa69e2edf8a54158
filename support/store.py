"""All data access: the schema, the engine and every query the app runs."""

import contextlib
import logging
import re
import secrets
import sqlite3
import threading
import time
import unicodedata
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import NamedTuple

from sqlalchemy import (
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    Select,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    and_,
    bindparam,
    create_engine,
    event,
    func,
    insert,
    inspect,
    or_,
    select,
    update,
)
from sqlalchemy.engine import Engine, Row, make_url
from sqlalchemy.exc import DBAPIError, IntegrityError

from support.dbfile import sqlite_file

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
FIRST_MIGRATION = "0001"
MIGRATION_LOCK = 7_315_001  # any number, the same for every server of the app

# The longest text stored; the submit form enforces it.
MAX_LENGTH = 500


def new_id() -> str:
    """A random, URL-safe id of 128 bits (22 characters)."""
    return secrets.token_urlsafe(16)


class UTCDateTime(TypeDecorator):
    """Stores UTC and always hands back timezone-aware datetimes (SQLite keeps no zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return value.astimezone(UTC) if value is not None else None

    def process_result_value(self, value, dialect):
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


metadata = MetaData()
submissions = Table(
    "submissions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("visitor_id", String(32), nullable=False),
    Column("request_id", String(64)),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Each edit adds one: an edit made from an older version is refused (see `edit`).
    Column("version", Integer, nullable=False, server_default="1"),
    Column("edited_at", UTCDateTime),
    # A repeated submit of the same form (same request_id) stores one row.
    UniqueConstraint("visitor_id", "request_id", name="uq_submissions_visitor_request"),
    Index("ix_submissions_visitor_created", "visitor_id", "created_at", "id"),
)


# A deleted submission waits here, restorable by `undo_delete`, until the undo window ends;
# later writes (and `flask purge-deleted`) then remove it for good.
deleted_submissions = Table(
    "deleted_submissions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("visitor_id", String(32), nullable=False),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("version", Integer, nullable=False),
    Column("edited_at", UTCDateTime),
    Column("deleted_at", UTCDateTime, nullable=False),
    Index("ix_deleted_submissions_deleted", "deleted_at"),
)


class Entry(NamedTuple):
    """What views and templates get: plain values, nothing attached to the database."""

    id: str
    text: str
    created_at: datetime
    version: int = 1
    edited_at: datetime | None = None


def _entry(row: Row) -> Entry:
    return Entry(*row)


# The columns views need, and the lookup of one entry, built once.
_ENTRY = select(
    submissions.c.id,
    submissions.c.text,
    submissions.c.created_at,
    submissions.c.version,
    submissions.c.edited_at,
)
_NEWEST = (submissions.c.created_at.desc(), submissions.c.id.desc())
_ONE = _ENTRY.where(
    submissions.c.id == bindparam("id"), submissions.c.visitor_id == bindparam("visitor_id")
)
# The two reads every page makes, as plain SQL run on the DB-API connection (see `_rows`).
# `?` stands for a parameter on both databases.
_COLUMNS = "id, text, created_at, version, edited_at"
RECENT_SQL = (
    f"SELECT {_COLUMNS} FROM submissions WHERE visitor_id = ? "
    "ORDER BY created_at DESC, id DESC LIMIT ?"
)
ONE_SQL = f"SELECT {_COLUMNS} FROM submissions WHERE id = ? AND visitor_id = ?"


# Bound at import: tests freeze the clock by replacing `datetime` in this module.
_from_text = datetime.fromisoformat


def _utc(value: datetime | str | None) -> datetime | None:
    """A time as the driver hands it back: SQLite's text (UTC, as SQLAlchemy stores it), or
    PostgreSQL's aware datetime."""
    if isinstance(value, str):
        return _from_text(value).replace(tzinfo=UTC)
    return value


def _driver_entry(row: tuple) -> Entry:
    id, text, created_at, version, edited_at = row
    return Entry(id, text, _utc(created_at), version, _utc(edited_at))


def _now() -> datetime:
    return datetime.now(UTC)


def has_control_character(text: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in text)


def _casefold(text: str | None) -> str | None:
    return text.casefold() if text is not None else None


def _sqlite_setup(busy_timeout_ms: int):
    def on_connect(dbapi_connection, _record) -> None:
        # Unicode-aware case folding for search (SQLite's own lower() knows only ASCII).
        dbapi_connection.create_function("casefold", 1, _casefold, deterministic=True)
        # FULL makes every commit durable in WAL mode; a busy database is waited for this
        # long, then the request fails cleanly (the app answers 503).
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA synchronous=FULL")
        cursor.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cursor.close()

    return on_connect


class Store:
    """The submissions table behind a few intention-named methods."""

    def __init__(
        self, url: str, busy_timeout_ms: int = 5000, undo_window: timedelta = timedelta(seconds=30)
    ) -> None:
        self.undo_window = undo_window
        self.sqlite = make_url(url).get_backend_name() == "sqlite"
        # pre_ping replaces connections a database server dropped (a restart, say).
        self.engine: Engine = create_engine(url, pool_pre_ping=not self.sqlite)
        # Case folding for search, the same on both sides of LIKE.
        self._fold = (func.casefold, str.casefold) if self.sqlite else (func.lower, str.lower)
        if self.sqlite:
            event.listen(self.engine, "connect", _sqlite_setup(busy_timeout_ms))
        # psycopg's placeholder for the plain SQL queries; sqlite3's is `?` already.
        self._placeholder = "?" if self.sqlite else "%s"
        # SQLite takes one writer at a time and makes the others sleep and retry; threads of
        # one process queue here instead, which keeps the wait for the write lock short.
        self._writing = threading.Lock() if self.sqlite else contextlib.nullcontext()
        self._next_purge = 0.0  # time.monotonic() of the next purge a write may make

    def migrate(self) -> None:
        """Apply pending migrations (migrations/, Alembic); SQLite switches to WAL.

        Run once before serving (`flask init-db`, serve.py), never by each worker. A database
        made before the app had migrations is taken as being at the first one.
        """
        from alembic import command
        from alembic.config import Config

        if self.sqlite:
            # The app's connections never create the file (support/dbfile.py); this does.
            database = sqlite_file(self.engine.url)
            if database is not None and not database.exists():
                logging.getLogger(__name__).warning("No database at %s: creating one", database)
                sqlite3.connect(database).close()
            with self.engine.connect() as connection:
                connection.exec_driver_sql("PRAGMA journal_mode=WAL")
        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS))
        with self.engine.begin() as connection:
            if not self.sqlite:
                # Servers starting together migrate one after another, never at once.
                connection.execute(select(func.pg_advisory_xact_lock(MIGRATION_LOCK)))
            config.attributes["connection"] = connection
            tables = inspect(connection).get_table_names()
            if "submissions" in tables and "alembic_version" not in tables:
                command.stamp(config, FIRST_MIGRATION)
            command.upgrade(config, "head")

    def ping(self) -> bool:
        """True when the database answers a query on the submissions table."""
        try:
            with self.engine.connect() as connection:
                connection.execute(select(submissions.c.id).limit(1)).all()
            return True
        except DBAPIError:
            return False

    def add(self, visitor_id: str, text: str, request_id: str | None = None) -> tuple[Entry, bool]:
        """Store a submission: (it, True). A repeat of a request_id: (the first one, False)."""
        entry = Entry(id=new_id(), text=text, created_at=_now())
        values = {**entry._asdict(), "visitor_id": visitor_id, "request_id": request_id}
        try:
            with self._writing, self.engine.begin() as connection:
                connection.execute(insert(submissions), values)
                self._purge_when_due(connection)
            return entry, True
        except IntegrityError:
            if request_id is None:
                raise
            query = _ENTRY.filter_by(visitor_id=visitor_id, request_id=request_id)
            with self.engine.connect() as connection:
                return _entry(connection.execute(query).one()), False

    def get(self, submission_id: str, visitor_id: str | None) -> Entry | None:
        """The visitor's submission with that id, or None (also for anyone else's)."""
        if visitor_id is None:
            return None
        rows = self._rows(ONE_SQL, (submission_id, visitor_id))
        return _driver_entry(rows[0]) if rows else None

    def recent(self, visitor_id: str | None, limit: int = 10) -> list[Entry]:
        """The visitor's newest submissions, newest first."""
        if visitor_id is None:
            return []
        return [_driver_entry(row) for row in self._rows(RECENT_SQL, (visitor_id, limit))]

    def _rows(self, sql: str, parameters: tuple) -> list[tuple]:
        """The rows of one plain SQL query, run on the DB-API connection from SQLAlchemy's
        pool: for the reads every page makes, SQLAlchemy's statement machinery cost more
        than the query (a home page's list: ~150 us through Core, ~50 us this way).

        Errors come out as SQLAlchemy's, as from every other query (the app answers 503);
        a connection the server dropped is discarded from the pool.
        """
        dbapi = self.engine.dialect.loaded_dbapi
        connection = cursor = None
        try:
            connection = self.engine.raw_connection()
            cursor = connection.cursor()
            cursor.execute(sql.replace("?", self._placeholder), parameters)
            return cursor.fetchall()
        except dbapi.Error as error:
            gone = connection is not None and self.engine.dialect.is_disconnect(
                error, connection.dbapi_connection, cursor
            )
            if gone:
                connection.invalidate(error)
            raise DBAPIError.instance(
                sql, parameters, error, dbapi.Error, connection_invalidated=gone
            ) from error
        finally:
            if connection is not None:
                connection.close()  # back to the pool, which rolls back what the read began

    def page(
        self, visitor_id: str | None, *, q: str = "", cursor: str | None = None, limit: int = 20
    ) -> tuple[list[Entry], str | None]:
        """Up to `limit` of the visitor's submissions after `cursor`, newest first.

        `q` keeps those containing it (case-insensitive; % and _ are literal). Returns
        the entries and the cursor of the next page (None at the end). Raises
        InvalidCursor for a cursor this store did not make.
        """
        after = decode_cursor(cursor) if cursor else None
        query = self._matching(_ENTRY, visitor_id, q)
        if query is None:
            return [], None
        if after is not None:
            created_at, submission_id = after
            query = query.where(
                or_(
                    submissions.c.created_at < created_at,
                    and_(
                        submissions.c.created_at == created_at,
                        submissions.c.id < submission_id,
                    ),
                )
            )
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(*_NEWEST).limit(limit + 1))
            entries = [_entry(row) for row in rows]
        if len(entries) > limit:
            return entries[:limit], encode_cursor(entries[limit - 1])
        return entries, None

    def count(self, visitor_id: str | None, q: str = "") -> int:
        """How many of the visitor's submissions contain `q` (all of them without it)."""
        query = self._matching(select(func.count()).select_from(submissions), visitor_id, q)
        if query is None:
            return 0
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one()

    def edit(
        self, submission_id: str, visitor_id: str | None, text: str, version: int
    ) -> Entry | None:
        """Replace the text of the visitor's submission, if it is still at `version`.

        Returns the edited entry, or None if the visitor has no such submission. Raises
        EditConflict, holding the stored entry, if it was edited since `version`.
        """
        if visitor_id is None:
            return None
        edited_at = _now()
        query = (
            update(submissions)
            .filter_by(id=submission_id, visitor_id=visitor_id, version=version)
            .values(text=text, version=version + 1, edited_at=edited_at)
        )
        with self._writing, self.engine.begin() as connection:
            if connection.execute(query).rowcount == 1:
                row = connection.execute(_ONE, {"id": submission_id, "visitor_id": visitor_id})
                return _entry(row.one())
        current = self.get(submission_id, visitor_id)
        if current is not None:
            raise EditConflict(current)
        return None

    def delete(self, submission_id: str, visitor_id: str | None) -> Entry | None:
        """Delete the visitor's submission, restorable with `undo_delete` for the undo window.

        Returns it, or None if there is none (or it is someone else's).
        """
        if visitor_id is None:
            return None
        keys = {"id": submission_id, "visitor_id": visitor_id}
        with self._writing, self.engine.begin() as connection:
            row = connection.execute(_ONE, keys).first()
            if row is None:
                return None
            entry = _entry(row)
            values = {**entry._asdict(), "visitor_id": visitor_id, "deleted_at": _now()}
            connection.execute(insert(deleted_submissions), values)
            connection.execute(submissions.delete().filter_by(**keys))
            self._purge_when_due(connection)
        return entry

    def restorable(self, submission_id: str, visitor_id: str | None) -> Entry | None:
        """The visitor's submission deleted within the undo window, or None."""
        if visitor_id is None:
            return None
        with self.engine.connect() as connection:
            row = connection.execute(self._restorable(submission_id, visitor_id)).first()
        return _entry(row) if row else None

    def undo_delete(self, submission_id: str, visitor_id: str | None) -> Entry | None:
        """Put back the visitor's submission deleted within the undo window, exactly as it
        was (id, text, times, version); None if there is none to put back."""
        if visitor_id is None:
            return None
        with self._writing, self.engine.begin() as connection:
            row = connection.execute(self._restorable(submission_id, visitor_id)).first()
            if row is None:
                return None
            entry = _entry(row)
            connection.execute(insert(submissions), {**entry._asdict(), "visitor_id": visitor_id})
            connection.execute(deleted_submissions.delete().filter_by(id=submission_id))
        return entry

    def _restorable(self, submission_id: str, visitor_id: str) -> Select:
        trash = deleted_submissions.c
        return (
            select(trash.id, trash.text, trash.created_at, trash.version, trash.edited_at)
            .filter_by(id=submission_id, visitor_id=visitor_id)
            .where(trash.deleted_at >= _now() - self.undo_window)
        )

    def purge_deleted(self) -> int:
        """Remove for good what was deleted before the undo window; how many went."""
        with self._writing, self.engine.begin() as connection:
            return self._purge(connection)

    def _purge_when_due(self, connection) -> None:
        """Purge within a write about once per undo window (in this process): a deleted row
        is gone for good at the first write two windows after its deletion, at the latest.
        Purging in every write cost 5% of each submission."""
        now = time.monotonic()
        if now >= self._next_purge:
            self._next_purge = now + self.undo_window.total_seconds()
            self._purge(connection)

    def _purge(self, connection) -> int:
        cutoff = _now() - self.undo_window
        query = deleted_submissions.delete().where(deleted_submissions.c.deleted_at < cutoff)
        return connection.execute(query).rowcount

    def _matching(self, query: Select, visitor_id: str | None, q: str) -> Select | None:
        """`query` narrowed to the visitor's submissions containing `q`, or None where
        nothing can match."""
        if visitor_id is None or len(q) > MAX_LENGTH or has_control_character(q):
            return None  # no stored text is that long or holds a control character
        query = query.where(submissions.c.visitor_id == visitor_id)
        if q:
            sql_fold, python_fold = self._fold
            pattern = python_fold(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(sql_fold(submissions.c.text).like(f"%{pattern}%", escape="\\"))
        return query


class EditConflict(Exception):
    """An edit made from an older version than the stored one."""

    def __init__(self, current: Entry) -> None:
        super().__init__(current.id)
        self.current = current


class InvalidCursor(ValueError):
    """A paging cursor that is malformed or out of range."""


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_CURSOR = re.compile(r"([0-9]{1,17})\.([A-Za-z0-9_-]{1,32})")


def encode_cursor(entry: Entry) -> str:
    """The position after `entry`: its time in microseconds and its id."""
    return f"{(entry.created_at - _EPOCH) // timedelta(microseconds=1)}.{entry.id}"


def decode_cursor(cursor: str) -> tuple[datetime, str]:
    match = _CURSOR.fullmatch(cursor)
    if match is None:
        raise InvalidCursor(cursor)
    return _EPOCH + timedelta(microseconds=int(match[1])), match[2]
