"""The reads every page makes (`recent`, `get`) run as plain SQL on the DB-API connection:
they must give exactly what the SQLAlchemy queries give, and fail the same way."""

import sqlite3
from datetime import UTC, datetime

import pytest
from sqlalchemy.exc import DBAPIError, OperationalError


def test_recent_and_get_give_what_the_sqlalchemy_queries_give(store, monkeypatch):
    # One time with no fraction of a second, as the database may store it without one.
    whole_second = datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    monkeypatch.setattr(store, "clock", lambda: whole_second)
    first, _ = store.add("visitor", "first")
    monkeypatch.undo()
    second, _ = store.add("visitor", "second <b>")
    edited = store.edit(second.id, "visitor", "second, edited", second.version)
    store.add("someone else", "not theirs")

    listed, _ = store.page("visitor")  # through SQLAlchemy Core
    assert store.recent("visitor", 10) == listed == [edited, first]
    assert store.recent("visitor", 1) == [edited]
    assert store.get(edited.id, "visitor") == edited
    assert store.get(first.id, "visitor") == first
    assert first.created_at == whole_second
    for entry in store.recent("visitor", 10):
        assert entry.created_at.utcoffset() is not None
    assert edited.edited_at.utcoffset() is not None
    assert store.get(first.id, "someone else") is None
    assert store.get("no-such-id", "visitor") is None
    assert store.recent("nobody", 10) == []


def test_a_failing_read_raises_sqlalchemys_error_and_frees_the_connection(make_app, tmp_path):
    database = tmp_path / "empty.db"
    sqlite3.connect(database).close()  # a database without the schema
    store = make_app(migrate=False, DATABASE_URL=f"sqlite:///{database}").extensions["store"]
    for _ in range(store.engine.pool.size() + 2):  # more than the pool holds
        with pytest.raises(OperationalError, match="no such table") as failed:
            store.recent("visitor", 10)
        assert isinstance(failed.value.orig, sqlite3.OperationalError)
    assert store.engine.pool.checkedout() == 0


def test_an_unreachable_postgresql_raises_sqlalchemys_error(make_app):
    store = make_app(
        migrate=False,
        DATABASE_URL="postgresql+psycopg://app@127.0.0.1:9/app?connect_timeout=2",
    ).extensions["store"]
    with pytest.raises(DBAPIError):
        store.get("some-id", "visitor")


def test_the_fast_path_processes_parameters_as_sqlalchemy_does(store):
    from datetime import timedelta, timezone

    from sqlalchemy import bindparam, select

    from submissions.schema import ENTRY_COLUMNS, submissions

    for n in range(3):
        store.add("visitor", f"entry {n}")
    later = select(*ENTRY_COLUMNS).where(submissions.c.created_at < bindparam("before"))
    fast = store.database.fast_read(later)
    # The same moment in Tokyo's zone: stored times are UTC, so it must be converted first.
    tokyo = datetime.now(UTC).astimezone(timezone(timedelta(hours=9))) - timedelta(hours=1)
    with store.engine.connect() as connection:
        through_sqlalchemy = connection.execute(later, {"before": tokyo}).all()
    assert fast.rows(before=tokyo) == [tuple(row) for row in through_sqlalchemy] == []
    with pytest.raises(TypeError, match="missing parameters: before"):
        fast.rows()


@pytest.mark.parametrize(
    "text",
    [
        "2026-12-05 07:40:50.854123",  # as SQLAlchemy writes it
        "2026-12-05 07:40:50.854",  # strftime('%Y-%m-%d %H:%M:%f')
        "2026-12-05 07:40:50",  # CURRENT_TIMESTAMP
        "2026-12-05 07:40:50.000000",
        "2026-12-05T07:40:50.854123+00:00",  # with an offset of its own
        "2026-12-05",  # a date alone
        None,
    ],
)
def test_sqlite_times_read_as_the_general_path_reads_them(text):
    """UTCDateTime's one-step reading on SQLite against the impl's processor followed by
    process_result_value."""
    from sqlalchemy.dialects import sqlite
    from sqlalchemy.types import TypeDecorator

    from submissions.schema import UTCDateTime

    dialect = sqlite.dialect()
    column = UTCDateTime().dialect_impl(dialect)  # as a query uses it
    fast = column.result_processor(dialect, None)
    general = TypeDecorator.result_processor(column, dialect, None)
    assert fast(text) == general(text)
    if text is not None:
        assert fast(text).utcoffset().total_seconds() == 0
