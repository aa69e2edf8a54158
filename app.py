"""The Flask + htmx submissions app: `create_app` builds it, nothing runs at import."""

import base64
import os
import secrets
import time
from datetime import timedelta
from pathlib import Path

import click
from dotenv import dotenv_values
from flask import (
    Blueprint,
    Flask,
    abort,
    current_app,
    flash,
    g,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from flask_wtf.csrf import CSRFProtect
from jinja2 import ChoiceLoader, FileSystemLoader, PrefixLoader
from jinja_partials import register_environment
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from support import assets, htmx, security, transport
from support.forms import MAX_LENGTH, SubmissionForm
from support.humanize import ago
from support.store import InvalidCursor, Store

ROOT = Path(__file__).resolve().parent
HTMX_FILE = "vendor/htmx-4.0.1.min.js"
# sha256 of the vendored file, as `sha256sum` prints it; a test checks the file against it.
HTMX_SHA256 = "a0abb04f2f45a1f89d1d4844023245537e5e6014c87b144553e0607b4cc32130"
ENV_KEYS = (
    "SECRET_KEY",
    "DATABASE_URL",
    "LOG_LEVEL",
    "HTTPS",
    "TRUSTED_PROXIES",
    "SUBMIT_RATE_LIMIT",
    "RATELIMIT_STORAGE_URI",
    "DATABASE_BUSY_TIMEOUT_MS",
)

# What a visitor is told for each error status; anything else uses Werkzeug's text.
ERROR_TEXT = {
    400: (
        "Bad request",
        "The form could not be accepted. It may have expired: reload it and try again.",
    ),
    404: ("Not found", "There is nothing at this address."),
    405: ("Method not allowed", "This address does not accept that kind of request."),
    413: ("Too large", "What you sent is larger than this site accepts."),
    414: ("Address too long", "This address is longer than this site accepts."),
    415: ("Unsupported form", "This site accepts forms sent the way a browser sends them."),
    429: ("Too many submissions", "Please wait a little, then try again."),
    500: ("Something went wrong", "An unexpected error happened on our side. Please try again."),
    503: (
        "Temporarily unavailable",
        "Your data could not be reached just now; nothing was changed. Please try again shortly.",
    ),
}

csrf = CSRFProtect()
bp = Blueprint("main", __name__)


def load_config(app: Flask, test_config: dict | None) -> None:
    """Defaults, then `.env` (working directory), then the environment, then the test mapping."""
    app.config.from_mapping(
        DATABASE_URL=f"sqlite:///{Path(app.instance_path) / 'app.db'}",
        LOG_LEVEL="INFO",
        HTTPS=False,
        TRUSTED_PROXIES=0,
        SUBMIT_RATE_LIMIT="30 per minute",
        RATELIMIT_STORAGE_URI="memory://",
        DATABASE_BUSY_TIMEOUT_MS=5000,
        MAX_CONTENT_LENGTH=16 * 1024,
        PERMANENT_SESSION_LIFETIME=timedelta(days=365),
        # The cookie is re-signed when the session changes and on each submission (see
        # `submit`), not on every response: reading pages costs no signing.
        SESSION_REFRESH_EACH_REQUEST=False,
        SESSION_COOKIE_SAMESITE="Lax",
        WTF_CSRF_TIME_LIMIT=None,
    )
    env_file = dotenv_values(Path.cwd() / ".env")
    for key in ENV_KEYS:
        value = os.environ.get(key, env_file.get(key))
        if value:
            app.config[key] = value
    if isinstance(app.config["HTTPS"], str):
        app.config["HTTPS"] = app.config["HTTPS"].lower() in ("1", "true", "yes", "on")
    if test_config:
        app.config.update(test_config)


def create_app(test_config: dict | None = None) -> Flask:
    """Build the app: config, templates, database, routes, error pages, logging."""
    app = Flask(__name__, static_folder=None)  # support/assets.py serves static/
    app.jinja_options = {"trim_blocks": True, "lstrip_blocks": True}
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    load_config(app, test_config)
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
    )
    app.jinja_env.filters["ago"] = ago

    # The schema is prepared by `flask init-db` or serve.py, once, never by each worker.
    store = Store(app.config["DATABASE_URL"], app.config["DATABASE_BUSY_TIMEOUT_MS"])
    app.extensions["store"] = store

    app.before_request(start_timer)  # first, so even a CSRF rejection is timed
    app.after_request(log_request)
    security.init_app(app)  # before CSRF: it checks the raw body before anything parses it
    assets.init_app(app, ROOT / "static", security.response_headers(app))
    csrf.init_app(app)
    htmx.init_app(app)
    transport.init_app(app)
    app.register_blueprint(bp)
    security.rate_limit(app, "main.submit", submit_rate_limit, visitor_key, address_key)
    app.register_error_handler(HTTPException, handle_http_error)
    app.register_error_handler(OperationalError, handle_database_error)

    @app.cli.command("init-db")
    def init_db() -> None:
        """Apply pending schema migrations (keeps existing data)."""
        store.migrate()
        click.echo(f"Database ready: {store.engine.url.render_as_string(hide_password=True)}")

    return app


def get_store() -> Store:
    return current_app.extensions["store"]


def visitor_id(create: bool = False) -> str | None:
    """The browser's random id, kept in the signed session cookie.

    `create` (on a submission) makes one if needed and renews the cookie for another
    PERMANENT_SESSION_LIFETIME, so an active visitor keeps their id.
    """
    if create:
        session.setdefault("visitor_id", secrets.token_urlsafe(16))
        session.permanent = True
        session.modified = True
    return session.get("visitor_id")


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


def handle_http_error(error: HTTPException):
    """A styled page without htmx, a small fragment with it; never a stack trace."""
    code = error.code or 500
    title, message = ERROR_TEXT.get(code, (error.name, error.description))
    # With htmx the error goes to the status region, never into the requester's target.
    response = htmx.render(
        "error.html",
        "partials/error.html",
        status=code,
        retarget="#status",
        code=code,
        title=title,
        message=message,
    )
    # Keep headers the error defines, such as Allow on a 405.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


def handle_database_error(error: OperationalError):
    """503 for a database that is locked, read-only or unreachable; logged once, in one line."""
    current_app.logger.error(
        "Database unavailable during %s %s: %s", request.method, request.path, error.orig
    )
    return handle_http_error(ServiceUnavailable(retry_after=5))


def form_page(form: SubmissionForm, submission=None, *, status: int = 200, partial: str):
    """The form page; with a submission it is that submission's result page."""
    title = "Submitted" if submission else "Submit"
    return htmx.render(
        "submit.html",
        partial,
        status=status,
        title=title,
        form=form,
        field=form.user_input,
        submission=submission,
        page_context=lambda: {"submissions": get_store().recent(visitor_id())},
    )


@bp.get("/healthz")
def healthz():
    """For load balancers and monitors: 200 while the database answers, 503 otherwise."""
    healthy = get_store().ping()
    response = make_response("ok\n" if healthy else "unavailable\n", 200 if healthy else 503)
    response.mimetype = "text/plain"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
def home():
    """Home page: welcome, a link to the form, and the visitor's recent submissions."""
    recent = get_store().recent(visitor_id())
    return htmx.render("home.html", "partials/recent.html", title="Home", submissions=recent)


@bp.get("/submit")
def submit_form():
    """The empty form."""
    return form_page(SubmissionForm(), partial="partials/submit_form.html")


@bp.get("/submit/validate")
def validate():
    """The submit rules applied to `user_input` as typed: characters left and any error."""
    form = SubmissionForm(formdata=request.args, meta={"csrf": False})
    form.user_input.validate(form)
    return form_page(form, partial="partials/feedback.html")


def visitor_key() -> str:
    return f"visitor:{visitor_id(create=True)}"


def address_key() -> str:
    return f"address:{request.remote_addr}"


def submit_rate_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


@bp.post("/submit")
def submit():
    """Validate and store; PRG without htmx, the result fragment with it."""
    form = SubmissionForm()
    if not form.validate():
        if form.request_id.errors:
            abort(400)
        return form_page(form, status=422, partial="partials/submit_form.html")
    store, visitor = get_store(), visitor_id(create=True)
    submission, new = store.add(visitor, form.user_input.data, form.request_id.data or None)
    url = url_for("main.show", submission_id=submission.id)
    if not htmx.wants_fragment():
        flash("Saved.")
        return redirect(url, 303)
    # A new submission joins a recent list already on the page by itself (pushing out the
    # eleventh); otherwise the whole list is sent.
    recent = store.recent(visitor, limit=11)
    added = new and len(recent) > 1
    return htmx.fragment(
        "partials/result.html",
        oob=(
            "partials/submit_form.html",
            "partials/recent_added.html" if added else "partials/recent.html",
            "partials/status.html",
        ),
        push_url=url,
        title="Submitted",
        form=SubmissionForm(formdata=None),
        submission=submission,
        item=submission,
        dropped=recent[10] if len(recent) > 10 else None,
        submissions=recent[:10],
        messages=["Saved."],
    )


@bp.get("/submissions")
def submissions():
    """The visitor's submissions, 20 at a time, optionally searched with `q`."""
    q = request.args.get("q", "").strip()
    cursor = request.args.get("cursor") or None
    store, visitor = get_store(), visitor_id()
    try:
        entries, next_cursor = store.page(visitor, q=q, cursor=cursor)
    except InvalidCursor:
        abort(400)
    # "Load more" appends rows and replaces itself; a search replaces the whole result list.
    partial, oob = (
        ("partials/rows.html", ("partials/load_more.html",))
        if cursor
        else ("partials/results.html", ())
    )
    return htmx.render(
        "submissions.html",
        partial,
        oob=oob,
        title="Your submissions",
        page_context=lambda: {"total": store.count(visitor)},
        matches=store.count(visitor, q) if q else None,
        q=q,
        cursor=cursor,
        entries=entries,
        next_cursor=next_cursor,
        focus_first=True,
    )


def owned_submission(submission_id: str):
    """The visitor's submission with that id, or a 404."""
    submission = get_store().get(submission_id, visitor_id())
    if submission is None:
        abort(404)
    return submission


@bp.get("/submissions/<submission_id>")
def show(submission_id: str):
    """One submission's result page, with the form for the next entry."""
    submission = owned_submission(submission_id)
    return form_page(SubmissionForm(), submission, partial="partials/result.html")


@bp.get("/submissions/<submission_id>/delete")
def confirm_delete(submission_id: str):
    """Asks before deleting (the path without JavaScript; htmx asks in a dialog)."""
    submission = owned_submission(submission_id)
    return htmx.render(
        "confirm_delete.html",
        "partials/confirm_delete.html",
        title="Delete?",
        submission=submission,
    )


@bp.post("/submissions/<submission_id>/delete")
def delete(submission_id: str):
    """Delete; PRG to the list without htmx, out-of-band removals and updates with it."""
    store, visitor = get_store(), visitor_id()
    if not store.delete(submission_id, visitor):
        abort(404)
    if not htmx.wants_fragment():
        flash("Deleted.")
        return redirect(url_for("main.submissions"), 303)
    return htmx.fragment(
        None,
        oob=(
            "partials/removed.html",
            "partials/status.html",
            "partials/count.html",
            "partials/recent.html",
        ),
        submission_id=submission_id,
        messages=["Deleted."],
        total=store.count(visitor),
        submissions=store.recent(visitor),
    )


if __name__ == "__main__":
    create_app().run(host="127.0.0.1", port=int(os.environ.get("PORT", "5000")))
