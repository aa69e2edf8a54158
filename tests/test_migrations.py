"""Schema migrations (Alembic): empty to head and back, the models agree with the migrated
schema, and a database made before migrations is taken over with its data."""

import sqlite3

import pytest
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from helpers import count_rows
from sqlalchemy import inspect

from support.store import MIGRATIONS, Store, metadata


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
    metadata.create_all(store.engine)  # how the app made its schema before migrations
    entry, _ = store.add("visitor", "from before")

    store.migrate()

    assert current(store) == ScriptDirectory(str(MIGRATIONS)).get_current_head()
    assert store.get(entry.id, "visitor") == entry


def test_sqlite_databases_are_switched_to_wal(tmp_path):
    Store(f"sqlite:///{tmp_path / 'wal.db'}").migrate()
    with sqlite3.connect(tmp_path / "wal.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
