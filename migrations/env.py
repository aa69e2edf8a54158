"""Alembic's environment: migrations run on the connection Store.migrate hands over, or, from
the `alembic` command line, on the app's configured database."""

from alembic import context

from submissions.schema import metadata


def run(connection) -> None:
    # Batch mode lets later migrations alter SQLite tables (SQLite's ALTER TABLE is limited).
    context.configure(connection=connection, target_metadata=metadata, render_as_batch=True)
    with context.begin_transaction():
        context.run_migrations()


if context.is_offline_mode():
    raise SystemExit("Offline (--sql) migrations are not supported: run them on a database.")
connection = context.config.attributes.get("connection")
if connection is not None:
    run(connection)
else:
    from app import create_app

    with create_app().extensions["store"].engine.begin() as connection:
        run(connection)
