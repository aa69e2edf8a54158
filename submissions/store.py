"""Every query on submissions, behind methods named by intent. Columns and order come from
schema.py; the engine and its connections from plumbing/database.py."""

import itertools
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from flask import current_app
from sqlalchemy import Select, bindparam, func, insert, select, update
from sqlalchemy.exc import IntegrityError

from plumbing.database import Database
from submissions.schema import (
    ENTRY_COLUMNS,
    MAX_LENGTH,
    NEWEST_FIRST,
    OLDEST_FIRST,
    Entry,
    after,
    before,
    decode_cursor,
    encode_cursor,
    has_control_character,
    new_id,
    position,
    submissions,
)

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
FIRST_MIGRATION = "0001"

_ENTRY = select(*ENTRY_COLUMNS)
_LIVE = submissions.c.deleted_at.is_(None)
# One submission of one visitor: `_keys` gives the values (bindparam names may not be column
# names in an UPDATE).
_OWN = (
    submissions.c.id == bindparam("submission"),
    submissions.c.visitor_id == bindparam("visitor"),
)


def _keys(submission_id: str, visitor_id: str) -> dict[str, str]:
    return {"submission": submission_id, "visitor": visitor_id}


_ONE = _ENTRY.where(*_OWN, _LIVE)
_RECENT = (
    _ENTRY.where(submissions.c.visitor_id == bindparam("visitor"), _LIVE)
    .order_by(*NEWEST_FIRST)
    .limit(bindparam("limit"))
)


def _utc_now() -> datetime:
    return datetime.now(UTC)


class Store:
    """The visitor's submissions: add, read, page, search, edit, delete and undo."""

    def __init__(
        self,
        url: str,
        timeout_ms: int = 5000,
        undo_window: timedelta = timedelta(seconds=30),
        clock: Callable[[], datetime] = _utc_now,
    ) -> None:
        self.database = Database(url, timeout_ms)
        self.engine = self.database.engine
        self.undo_window = undo_window
        self.clock = clock
        self._fold = self.database.casefold(submissions.c.text)
        # The two reads every page makes, straight on the driver.
        self._one = self.database.fast_read(_ONE)
        self._recent = self.database.fast_read(_RECENT)
        self._next_purge = 0.0  # time.monotonic() of the next purge a write may make
        self._purge_check = threading.Lock()

    def migrate(self) -> None:
        """Apply pending migrations (migrations/); run once before serving."""
        self.database.migrate(MIGRATIONS, FIRST_MIGRATION, submissions.name)

    def ping(self) -> bool:
        """True when the database answers a query on the submissions table."""
        return self.database.ping(submissions.name)

    def add(self, visitor_id: str, text: str, request_id: str | None = None) -> tuple[Entry, bool]:
        """Store a submission: (it, True). A repeat of a request_id: (the first one, False)."""
        values = {
            "id": new_id(),
            "visitor_id": visitor_id,
            "request_id": request_id,
            "text": text,
            "created_at": self.clock(),
        }
        try:
            with self.database.writing(), self.engine.begin() as connection:
                row = connection.execute(insert(submissions).returning(*ENTRY_COLUMNS), values)
                entry = Entry(*row.one())
                self._purge_when_due(connection)
            return entry, True
        except IntegrityError:
            if request_id is None:
                raise
            query = _ENTRY.filter_by(visitor_id=visitor_id, request_id=request_id).where(_LIVE)
            with self.engine.connect() as connection:
                return Entry(*connection.execute(query).one()), False

    def get(self, submission_id: str, visitor_id: str | None) -> Entry | None:
        """The visitor's submission with that id, or None (also for anyone else's)."""
        if visitor_id is None:
            return None
        rows = self._one.rows(**_keys(submission_id, visitor_id))
        return Entry(*rows[0]) if rows else None

    def recent(self, visitor_id: str | None, limit: int = 10) -> list[Entry]:
        """The visitor's first `limit` submissions in the list order."""
        if visitor_id is None:
            return []
        return [Entry(*row) for row in self._recent.rows(visitor=visitor_id, limit=limit)]

    def page(
        self, visitor_id: str | None, *, q: str = "", cursor: str | None = None, limit: int = 20
    ) -> tuple[list[Entry], str | None]:
        """Up to `limit` of the visitor's submissions after `cursor`, in the list order.

        `q` keeps those containing it (case-insensitive; % and _ are literal). Returns
        the entries and the cursor of the next page (None at the end). Raises
        InvalidCursor for a cursor this store did not make.
        """
        start = decode_cursor(cursor) if cursor else None
        query = self._matching(_ENTRY, visitor_id, q)
        if query is None:
            return [], None
        if start is not None:
            query = query.where(after(start))
        with self.engine.connect() as connection:
            rows = connection.execute(query.order_by(*NEWEST_FIRST).limit(limit + 1))
            entries = [Entry(*row) for row in rows]
        if len(entries) > limit:
            return entries[:limit], encode_cursor(entries[limit - 1])
        return entries, None

    def every(self, visitor_id: str | None, batch: int = 500) -> Iterator[Entry]:
        """All the visitor's submissions in the list order, read `batch` at a time (no
        connection is held between batches). The first batch is read at once, so that a
        database that cannot be reached fails the call, not the iteration."""
        first, cursor = self.page(visitor_id, limit=batch)

        def rest(cursor: str | None) -> Iterator[Entry]:
            while cursor is not None:
                entries, cursor = self.page(visitor_id, cursor=cursor, limit=batch)
                yield from entries

        return itertools.chain(first, rest(cursor))

    def count(self, visitor_id: str | None, q: str = "") -> int:
        """How many of the visitor's submissions contain `q` (all of them without it)."""
        query = self._matching(select(func.count()).select_from(submissions), visitor_id, q)
        if query is None:
            return 0
        with self.engine.connect() as connection:
            return connection.execute(query).scalar_one()

    def matches(self, entry: Entry, visitor_id: str | None, q: str) -> bool:
        """True when the visitor's `entry` is stored and contains `q`."""
        query = self._matching(select(submissions.c.id), visitor_id, q)
        if query is None:
            return False
        with self.engine.connect() as connection:
            return connection.execute(query.filter_by(id=entry.id)).first() is not None

    def previous(self, entry: Entry, visitor_id: str | None, q: str = "") -> Entry | None:
        """The submission right before `entry` in the visitor's list (searched with `q`)."""
        query = self._matching(_ENTRY, visitor_id, q)
        if query is None:
            return None
        query = query.where(before(position(entry))).order_by(*OLDEST_FIRST).limit(1)
        with self.engine.connect() as connection:
            row = connection.execute(query).first()
        return Entry(*row) if row else None

    def update(
        self, submission_id: str, visitor_id: str | None, version: int | None = None, **values: Any
    ) -> Entry | None:
        """Set `values` on the visitor's submission; the changed entry, or None if there is
        no such submission.

        With `version`, only if it is still at that version, which then goes up by one:
        raises EditConflict, holding the stored entry, if it was edited since.
        """
        if visitor_id is None:
            return None
        query = update(submissions).where(*_OWN, _LIVE).values(**values)
        if version is not None:
            query = query.filter_by(version=version).values(version=version + 1)
        keys = _keys(submission_id, visitor_id)
        with self.database.writing(), self.engine.begin() as connection:
            row = connection.execute(query.returning(*ENTRY_COLUMNS), keys).first()
        if row is not None:
            return Entry(*row)
        current = self.get(submission_id, visitor_id)
        if current is not None and version is not None:
            raise EditConflict(current)
        return None

    def edit(
        self, submission_id: str, visitor_id: str | None, text: str, version: int
    ) -> Entry | None:
        """Replace the text of the visitor's submission, if it is still at `version` (see
        `update`)."""
        return self.update(submission_id, visitor_id, version, text=text, edited_at=self.clock())

    def delete(self, submission_id: str, visitor_id: str | None) -> Entry | None:
        """Delete the visitor's submission, restorable with `undo_delete` for the undo window.

        Returns it, or None if there is none (or it is someone else's).
        """
        if visitor_id is None:
            return None
        # Its request id goes: submitting that form again stores the text anew, as it would
        # had the submission never existed.
        query = (
            update(submissions).where(*_OWN, _LIVE).values(deleted_at=self.clock(), request_id=None)
        )
        keys = _keys(submission_id, visitor_id)
        with self.database.writing(), self.engine.begin() as connection:
            row = connection.execute(query.returning(*ENTRY_COLUMNS), keys).first()
            self._purge_when_due(connection)
        return Entry(*row) if row else None

    def restorable(self, submission_id: str, visitor_id: str | None) -> Entry | None:
        """The visitor's submission deleted within the undo window, or None."""
        if visitor_id is None:
            return None
        query = _ENTRY.where(*_OWN, self._in_undo_window())
        with self.engine.connect() as connection:
            row = connection.execute(query, _keys(submission_id, visitor_id))
            found = row.first()
        return Entry(*found) if found else None

    def undo_delete(self, submission_id: str, visitor_id: str | None) -> Entry | None:
        """Put back the visitor's submission deleted within the undo window, exactly as it
        was; None if there is none to put back."""
        if visitor_id is None:
            return None
        query = update(submissions).where(*_OWN, self._in_undo_window()).values(deleted_at=None)
        keys = _keys(submission_id, visitor_id)
        with self.database.writing(), self.engine.begin() as connection:
            row = connection.execute(query.returning(*ENTRY_COLUMNS), keys).first()
        return Entry(*row) if row else None

    def _in_undo_window(self):
        return submissions.c.deleted_at >= self.clock() - self.undo_window

    def purge_deleted(self) -> int:
        """Remove for good what was deleted before the undo window; how many went."""
        with self.database.writing(), self.engine.begin() as connection:
            self.database.unbounded(connection)  # a long backlog is not a request
            return self._purge(connection)

    def _purge_when_due(self, connection) -> None:
        """Purge within a submit or a delete about once per undo window (per process): a
        deleted row is gone for good at the first of those two windows after its deletion, at
        the latest."""
        now = time.monotonic()
        with self._purge_check:  # one thread of this process purges; the others go on
            due = now >= self._next_purge
            if due:
                self._next_purge = now + self.undo_window.total_seconds()
        if due:
            self._purge(connection)

    def _purge(self, connection) -> int:
        cutoff = self.clock() - self.undo_window
        query = submissions.delete().where(submissions.c.deleted_at < cutoff)
        return connection.execute(query).rowcount

    def _matching(self, query: Select, visitor_id: str | None, q: str) -> Select | None:
        """`query` narrowed to the visitor's stored submissions containing `q`, or None where
        nothing can match."""
        if visitor_id is None or len(q) > MAX_LENGTH or has_control_character(q):
            return None  # no stored text is that long or holds a control character
        query = query.where(submissions.c.visitor_id == visitor_id, _LIVE)
        if q:
            sql_fold, python_fold = self._fold
            pattern = python_fold(q).replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
            query = query.where(sql_fold.like(f"%{pattern}%", escape="\\"))
        return query


class EditConflict(Exception):
    """An edit made from an older version than the stored one."""

    def __init__(self, current: Entry) -> None:
        super().__init__(current.id)
        self.current = current


def current() -> Store:
    """The app's store (submissions.init_app makes it)."""
    return current_app.extensions["store"]
