"""The product: a visitor's submissions. What a feature touches lives here:

- schema.py: a submission defined once (its columns, the list order, the paging cursor);
- store.py: every query on it;
- forms.py: the submit and edit forms and their rules;
- regions.py: the page regions that show submissions, and the one answer to a write;
- views.py: the routes.

Its pages and fragments are templates/ and partials/; its schema history is migrations/.
"""

from datetime import timedelta

import click
from flask import Flask

from submissions import views
from submissions.schema import MAX_LENGTH
from submissions.store import Store


def init_app(app: Flask) -> Store:
    """The store, the routes, what templates need, and the `init-db` and `purge-deleted`
    commands. The schema is prepared by `flask init-db` or serve.py, never by each worker."""
    store = Store(
        app.config["DATABASE_URL"],
        app.config["DATABASE_TIMEOUT_MS"],
        undo_window=timedelta(seconds=app.config["UNDO_SECONDS"]),
    )
    app.extensions["store"] = store
    app.extensions["database"] = store.database
    app.register_blueprint(views.bp)
    # A filter rather than a function: Jinja calls filters directly, once per row of a list.
    app.jinja_env.filters["submission_url"] = views.submission_url
    app.jinja_env.globals.update(
        max_length=MAX_LENGTH,
        undo_seconds=app.config["UNDO_SECONDS"],
    )

    @app.cli.command("init-db")
    def init_db() -> None:
        """Apply pending schema migrations (keeps existing data)."""
        store.migrate()
        click.echo(f"Database ready: {store.engine.url.render_as_string(hide_password=True)}")

    @app.cli.command("purge-deleted")
    def purge_deleted() -> None:
        """Remove for good the submissions deleted longer ago than UNDO_SECONDS.

        Later writes do this too; run it (from cron, say) where writes are rare."""
        click.echo(f"Purged {store.purge_deleted()} deleted submission(s).")

    return store
