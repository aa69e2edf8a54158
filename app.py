"""The Flask + htmx submissions app: `create_app` builds it, nothing runs at import.

The product lives in submissions/, the plumbing every request gets in plumbing/ (which never
imports the product); this file puts them together.
"""

import os
from datetime import timedelta
from pathlib import Path

from flask import Flask

import submissions
from plumbing import (
    assets,
    backup,
    csrf,
    dbfile,
    errors,
    requestlog,
    security,
    settings,
    templates,
    transport,
)
from plumbing.sessions import CookieSessions

ROOT = Path(__file__).resolve().parent


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: settings, templates, the product, then what every request gets."""
    app = Flask(__name__, static_folder=None)  # plumbing/assets.py serves static/
    configure(app, test_config)
    templates.init_app(app, ROOT)
    submissions.init_app(app)  # the store, the routes, `flask init-db`
    dbfile.init_app(app)  # SQLite: the file in use stays the one at the configured path
    backup.init_app(app)  # `flask backup` and `flask restore`
    requestlog.init_app(app)  # first, so even a CSRF rejection is timed and logged
    security.init_app(app)  # before CSRF: it checks the raw body before anything parses it
    headers = security.response_headers(app)
    assets.init_app(app, ROOT / "static", headers)
    csrf.init_app(app)  # Flask-WTF's, checked method first
    transport.init_app(app, headers)
    errors.init_app(app)
    return app


def configure(app: Flask, test_config: dict | None) -> None:
    """Flask's own settings, then ours (plumbing/settings.py), each parsed once, then the test
    mapping's other keys."""
    app.session_interface = CookieSessions()
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    app.config.from_mapping(
        MAX_CONTENT_LENGTH=16 * 1024,
        PERMANENT_SESSION_LIFETIME=timedelta(days=365),
        # The cookie is re-signed when the session changes and on each submission (see
        # `visitor_id` in submissions/views.py), not on every response.
        SESSION_REFRESH_EACH_REQUEST=False,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    app.config.update(settings.load(app.instance_path, test_config))
    app.config.update({k: v for k, v in (test_config or {}).items() if k not in settings.NAMES})
    app.logger.setLevel(app.config["LOG_LEVEL"].upper())


if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
