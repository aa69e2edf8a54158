"""The Flask + htmx submissions app: `create_app` builds it, nothing runs at import."""

import base64
import os
import time
from datetime import timedelta
from pathlib import Path

import click
from flask import Flask, current_app, g, request
from flask.templating import Environment
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from jinja_partials import register_environment

from support import assets, backup, dbfile, htmx, security, settings, transport, views
from support.humanize import ago, machine_time
from support.sessions import CookieSessions
from support.store import MAX_LENGTH, Store

ROOT = Path(__file__).resolve().parent
HTMX_FILE = "vendor/htmx-4.0.1.min.js"
# sha256 of the vendored file, as `sha256sum` prints it; a test checks the file against it.
HTMX_SHA256 = "a0abb04f2f45a1f89d1d4844023245537e5e6014c87b144553e0607b4cc32130"

csrf = CSRFProtect()


class TemplateEnvironment(Environment):
    """Flask's template environment, with each template's globals the environment's own dict.

    Jinja gives each template a ChainMap of its own globals over the environment's, and every
    render copies that into a new context; no template here has globals of its own, so the
    ChainMap only made each copy slower (~2% of a home page for each of its five templates).
    """

    def make_globals(self, d):
        return super().make_globals(d) if d else self.globals


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, templates, database, routes (support/views.py), logging."""
    app = Flask(__name__, static_folder=None)  # support/assets.py serves static/
    app.jinja_environment = TemplateEnvironment
    app.session_interface = CookieSessions()
    app.jinja_options = {"trim_blocks": True, "lstrip_blocks": True}
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    # Flask's own settings, then ours (support/settings.py), each parsed once, then the test
    # mapping's other keys.
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=16 * 1024,
        PERMANENT_SESSION_LIFETIME=timedelta(days=365),
        # The cookie is re-signed when the session changes and on each submission (see
        # `submit`), not on every response: reading pages costs no signing.
        SESSION_REFRESH_EACH_REQUEST=False,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(settings.load(app.instance_path, test_config))
    app.config.update({k: v for k, v in (test_config or {}).items() if k not in settings.NAMES})
    app.logger.setLevel(app.config["LOG_LEVEL"].upper())

    # Pages live in templates/, fragments in partials/ (found as "partials/<name>").
    app.jinja_loader = ChoiceLoader(
        [
            FileSystemLoader(ROOT / "templates"),
            PrefixLoader({"partials": FileSystemLoader(ROOT / "partials")}),
        ]
    )
    # render_partial renders straight through Jinja (no Flask context processors or signals,
    # which no partial uses): partials are cheap enough to use freely.
    register_environment(app.jinja_env, markup=True)
    app.jinja_env.globals.update(
        htmx_file=HTMX_FILE,
        htmx_integrity="sha256-" + base64.b64encode(bytes.fromhex(HTMX_SHA256)).decode(),
        max_length=MAX_LENGTH,
        submission_url=views.submission_url,
        undo_seconds=app.config["UNDO_SECONDS"],
    )
    app.jinja_env.filters["ago"] = ago
    app.jinja_env.filters["machine_time"] = machine_time

    # The schema is prepared by `flask init-db` or serve.py, once, never by each worker.
    store = Store(
        app.config["DATABASE_URL"],
        app.config["DATABASE_BUSY_TIMEOUT_MS"],
        undo_window=timedelta(seconds=app.config["UNDO_SECONDS"]),
    )
    app.extensions["store"] = store
    dbfile.init_app(app)  # SQLite: the file in use stays the one at the configured path
    backup.init_app(app)  # `flask backup` and `flask restore`

    app.before_request(start_timer)  # first, so even a CSRF rejection is timed
    app.after_request(log_request)
    security.init_app(app)  # before CSRF: it checks the raw body before anything parses it
    headers = security.response_headers(app)
    assets.init_app(app, ROOT / "static", headers)
    csrf.init_app(app)
    transport.init_app(app, headers)
    app.register_blueprint(views.bp)
    security.rate_limit(
        app, "main.submit", views.submit_rate_limit, views.visitor_key, views.address_key
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

    return app


def start_timer() -> None:
    g.started = time.perf_counter()


def log_request(response):
    """One line per request; the path only, never the query string or form body."""
    duration_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
    current_app.logger.info(
        "%s %s %s %.1fms htmx=%s",
        request.method,
        request.path,
        response.status_code,
        duration_ms,
        "yes" if htmx.is_htmx() else "no",
    )
    return response


if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
