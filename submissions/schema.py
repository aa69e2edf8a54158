"""A submission, defined once: its columns, the list order and the paging cursor.

Everything else is built from these: the table and its indexes (and so the migrations'
target), `Entry` (what views and templates get), every select in store.py, the ORDER BY, the
paging condition and the cursor. A new column is one line in `submissions` and a migration.
"""

import re
import secrets
import unicodedata
from collections import namedtuple
from datetime import UTC, datetime, timedelta

from sqlalchemy import (
    Boolean,
    Column,
    DateTime,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
    false,
    tuple_,
)

# The longest text stored; the forms enforce it.
MAX_LENGTH = 500


def new_id() -> str:
    """A random, URL-safe id of 128 bits (22 characters)."""
    return secrets.token_urlsafe(16)


def has_control_character(value: str) -> bool:
    return any(unicodedata.category(char) == "Cc" for char in value)


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

    def result_processor(self, dialect, coltype):
        """On SQLite, the stored text ("2026-12-05 07:40:50.854123", UTC) read as UTC in one
        step, where the impl's processor and process_result_value take two (and `replace`
        alone costs more than the parse); anything else the way above."""
        general = super().result_processor(dialect, coltype)
        if dialect.name != "sqlite":
            return general

        def process(value):
            if value is None:
                return None
            try:
                moment = datetime.fromisoformat(value + "+00:00")
            except ValueError:  # text with an offset of its own, say
                return general(value)
            # A date alone parses, but without its offset: the general way makes it UTC.
            return moment if moment.tzinfo is not None else general(value)

        return process


metadata = MetaData()
submissions = Table(
    "submissions",
    metadata,
    Column("id", String(32), primary_key=True),
    Column("visitor_id", String(32), nullable=False, info={"private": True}),
    # A repeated submit of the same form (same request_id) stores one row.
    Column("request_id", String(64), info={"private": True}),
    Column("text", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    # Each edit adds one: an edit made from an older version is refused (store.py, `edit`).
    Column("version", Integer, nullable=False, server_default="1"),
    Column("edited_at", UTCDateTime),
    Column("pinned", Boolean, nullable=False, server_default=false()),
    # Set when deleted: the row stays, restorable, for the undo window, then is purged.
    Column("deleted_at", UTCDateTime, info={"private": True}),
    UniqueConstraint("visitor_id", "request_id", name="uq_submissions_visitor_request"),
    Index("ix_submissions_deleted", "deleted_at"),
)

# What views and templates see of a submission: plain values, nothing attached to the
# database; every column but those marked private.
ENTRY_COLUMNS = tuple(column for column in submissions.c if not column.info.get("private"))
Entry = namedtuple("Entry", [column.name for column in ENTRY_COLUMNS])

# The list order, each column descending: pinned ones first, then newest first, the id
# breaking ties. Every list query orders by it and pages through it (see `encode_cursor`).
ORDER = (submissions.c.pinned, submissions.c.created_at, submissions.c.id)
NEWEST_FIRST = tuple(column.desc() for column in ORDER)
OLDEST_FIRST = tuple(column.asc() for column in ORDER)
Index("ix_submissions_visitor_order", submissions.c.visitor_id, *ORDER)


def after(position: tuple) -> object:
    """The SQL condition "comes after `position` in the list order"."""
    return tuple_(*ORDER) < tuple_(*position)


def before(position: tuple) -> object:
    """The SQL condition "comes before `position` in the list order"."""
    return tuple_(*ORDER) > tuple_(*position)


class InvalidCursor(ValueError):
    """A paging cursor that is malformed or out of range."""


_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
# How each type in ORDER is written in a cursor, and read back: (pattern, write, read).
_CODECS = {
    Boolean: (r"[01]", lambda value: str(int(value)), lambda text: text == "1"),
    UTCDateTime: (
        r"[0-9]{1,17}",
        lambda value: str((value - _EPOCH) // timedelta(microseconds=1)),
        lambda text: _EPOCH + timedelta(microseconds=int(text)),
    ),
    String: (r"[A-Za-z0-9_-]{1,32}", str, str),
}
_ORDER_CODECS = [_CODECS[type(column.type)] for column in ORDER]
_CURSOR = re.compile(r"\.".join(f"({pattern})" for pattern, _, _ in _ORDER_CODECS))
_BEFORE_PINS = re.compile(r"[0-9]{1,17}\.[A-Za-z0-9_-]{1,32}")


def position(entry: Entry) -> tuple:
    """Where `entry` stands in the list order."""
    return tuple(getattr(entry, column.name) for column in ORDER)


def encode_cursor(entry: Entry) -> str:
    """The list position right after `entry`, for a URL."""
    return ".".join(
        write(v) for (_, write, _), v in zip(_ORDER_CODECS, position(entry), strict=True)
    )


def decode_cursor(cursor: str) -> tuple:
    if _BEFORE_PINS.fullmatch(cursor):
        cursor = f"0.{cursor}"  # made before pins existed: a place among the unpinned
    match = _CURSOR.fullmatch(cursor)
    if match is None:
        raise InvalidCursor(cursor)
    return tuple(
        read(text) for (_, _, read), text in zip(_ORDER_CODECS, match.groups(), strict=True)
    )
