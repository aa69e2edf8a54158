"""Schema migrations (Alembic): empty to head and back, the models agree with the migrated
schema, and a database made before migrations is taken over with its data."""

import sqlite3
from datetime import UTC, datetime

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from helpers import count_rows
from sqlalchemy import insert, inspect

from submissions.schema import Entry, metadata, submissions
from submissions.store import MIGRATIONS, Store


@pytest.fixture
def store(database_url):
    store = Store(database_url)
    yield store
    store.engine.dispose()


def alembic(store: Store, action, revision: str) -> None:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.begin() as connection:
        config.attributes["connection"] = connection
        action(config, revision)


def current(store: Store) -> str | None:
    with store.engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def test_an_empty_database_migrates_to_head_matching_the_models(store):
    store.migrate()

    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert current(store) == head
    with store.engine.connect() as connection:
        assert compare_metadata(MigrationContext.configure(connection), metadata) == []
    assert count_rows(store) == 0


def test_downgrading_to_nothing_and_up_again(store):
    store.migrate()
    alembic(store, command.downgrade, "base")
    assert inspect(store.engine).get_table_names() == ["alembic_version"]
    assert current(store) is None

    store.migrate()
    store.add("visitor", "after a round trip")
    assert count_rows(store) == 1


def test_migrating_again_changes_nothing_and_keeps_data(store):
    store.migrate()
    entry, _ = store.add("visitor", "keep me")
    store.migrate()
    assert store.get(entry.id, "visitor") == entry


def test_a_database_from_before_migrations_is_taken_over_with_its_rows(store):
    # How the app made its schema before migrations: the first migration's tables, unrecorded.
    alembic(store, command.upgrade, "0001")
    created_at = datetime.now(UTC)
    with store.engine.begin() as connection:
        connection.exec_driver_sql("DROP TABLE alembic_version")
        connection.execute(
            insert(submissions).values(
                id="before", visitor_id="visitor", text="from before", created_at=created_at
            )
        )

    store.migrate()

    assert current(store) == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert store.get("before", "visitor") == Entry(
        "before", "from before", created_at, 1, None, False
    )


def test_the_edit_migration_goes_down_and_up_keeping_rows(store):
    store.migrate()
    entry, _ = store.add("visitor", "typo")
    edited = store.edit(entry.id, "visitor", "fixed", entry.version)

    alembic(store, command.downgrade, "0001")
    assert "version" not in {c["name"] for c in inspect(store.engine).get_columns("submissions")}
    with store.engine.connect() as connection:
        assert connection.exec_driver_sql("SELECT text FROM submissions").scalar_one() == "fixed"

    store.migrate()
    assert store.get(entry.id, "visitor") == edited._replace(version=1, edited_at=None)


def test_sqlite_databases_are_switched_to_wal(tmp_path):
    Store(f"sqlite:///{tmp_path / 'wal.db'}").migrate()
    with sqlite3.connect(tmp_path / "wal.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_the_undo_migration_goes_down_and_up(store):
    """0003 made the table of deleted rows; 0004 moved them into submissions."""
    store.migrate()
    entry, _ = store.add("visitor", "doomed")
    assert store.delete(entry.id, "visitor") == entry

    alembic(store, command.downgrade, "0002")
    assert "deleted_submissions" not in inspect(store.engine).get_table_names()

    store.migrate()
    assert store.undo_delete(entry.id, "visitor") is None  # the trash went with the table
    kept, _ = store.add("visitor", "kept")
    assert store.delete(kept.id, "visitor") == kept
    assert store.undo_delete(kept.id, "visitor") == kept
    assert store.get(kept.id, "visitor") == kept


def test_the_deleted_at_migration_moves_the_trash_over_and_back(store):
    store.migrate()
    kept, _ = store.add("visitor", "kept")
    doomed, _ = store.add("visitor", "doomed")
    edited = store.edit(doomed.id, "visitor", "doomed, edited", doomed.version)
    assert store.delete(doomed.id, "visitor") == edited

    # Down: the deleted row waits in the table of its own, as before.
    alembic(store, command.downgrade, "0003")
    assert "deleted_at" not in {c["name"] for c in inspect(store.engine).get_columns("submissions")}
    with store.engine.connect() as connection:
        trash = connection.exec_driver_sql("SELECT id, text, version FROM deleted_submissions")
        assert trash.all() == [(doomed.id, "doomed, edited", 2)]
        live = connection.exec_driver_sql("SELECT id FROM submissions").scalars().all()
    assert live == [kept.id]

    # Up: it moves back, restorable exactly as it was; the table of its own is gone.
    store.migrate()
    assert "deleted_submissions" not in inspect(store.engine).get_table_names()
    assert store.get(doomed.id, "visitor") is None
    assert store.undo_delete(doomed.id, "visitor") == edited
    assert store.recent("visitor") == [edited, kept]


def test_the_pin_migration_goes_down_and_up_keeping_rows(store):
    store.migrate()
    entry, _ = store.add("visitor", "pinned")
    pinned = store.update(entry.id, "visitor", pinned=True)
    assert pinned.pinned is True

    alembic(store, command.downgrade, "0004")
    assert "pinned" not in {c["name"] for c in inspect(store.engine).get_columns("submissions")}

    store.migrate()
    assert store.get(entry.id, "visitor") == pinned._replace(pinned=False)


def test_migrations_and_the_purge_are_not_held_to_the_request_timeout(database_url):
    store = Store(database_url, timeout_ms=1)  # no request could be answered in time
    try:
        store.migrate()
        store.purge_deleted()
        assert current(store) == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    finally:
        store.engine.dispose()
