"""Every route of the app and its error pages: the `main` blueprint.

Views stay short: read the request, call the store, render a page or its fragment
(support/htmx.py decides which).
"""

import functools
import secrets

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    request,
    session,
    url_for,
)
from sqlalchemy.exc import OperationalError
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from support import dbfile, htmx
from support.forms import EditForm, SubmissionForm
from support.store import EditConflict, InvalidCursor, Store

bp = Blueprint("main", __name__)

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
# How many of the visitor's newest submissions the recent list shows.
RECENT = 10


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


def visitor_key() -> str:
    return f"visitor:{visitor_id(create=True)}"


def address_key() -> str:
    return f"address:{request.remote_addr}"


def submit_rate_limit() -> str:
    return current_app.config["SUBMIT_RATE_LIMIT"]


def submission_url(submission_id: str, view: str = "show") -> str:
    """The URL of a submission's page, or of another of its views ("delete", ...).

    The one way templates and views build these. url_for runs once per view and app root
    and the id is filled in (ids are URL-safe as they are): a list of 20 rows would
    otherwise pay url_for's ~10 us some 40 times.
    """
    before, after = _around_id(view, request.script_root)
    return f"{before}{submission_id}{after}"


_ID = "__id__"


@functools.cache
def _around_id(view: str, script_root: str) -> tuple[str, str]:
    before, _, after = url_for(f"main.{view}", submission_id=_ID).partition(_ID)
    return before, after


def owned_submission(submission_id: str):
    """The visitor's submission with that id, or a 404."""
    submission = get_store().get(submission_id, visitor_id())
    if submission is None:
        abort(404)
    return submission


def recent_list(visitor: str | None) -> htmx.Part:
    """The recent list as an out-of-band part: sent whole, so it is right whatever the page
    showed before (another tab may have added or deleted rows since)."""
    return ("partials/recent.html", {"submissions": get_store().recent(visitor, RECENT)})


def form_page(form: SubmissionForm, submission=None, *, status: int = 200, partial: str):
    """The form page; with a submission it is that submission's result page."""
    return htmx.render(
        "submit.html",
        partial,
        {
            "title": "Your submission" if submission else "Submit",
            "form": form,
            "submission": submission,
        },
        page_context=lambda: {
            "submissions": get_store().recent(visitor_id(), RECENT),
            "error": bool(form.errors),
        },
        status=status,
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
    recent = get_store().recent(visitor_id(), RECENT)
    return htmx.render(
        "home.html", "partials/recent.html", {"title": "Home", "submissions": recent}
    )


@bp.get("/submit")
def submit_form():
    """The empty form."""
    return form_page(SubmissionForm(), partial="partials/submit_form.html")


@bp.get("/submit/validate")
def validate():
    """The submit rules applied to `user_input` as typed: characters left and any error.

    `form` names the form being typed in (its id prefix), so the answer carries its ids.
    """
    prefix = request.args.get("form", "")
    if not SubmissionForm.valid_prefix(prefix):
        abort(400)
    form = SubmissionForm(formdata=request.args, meta={"csrf": False}, prefix=prefix)
    form.user_input.validate(form)
    return htmx.render(
        "submit.html",
        "partials/feedback.html",
        {"field": form.user_input},
        page_context=lambda: {
            "title": "Submit",
            "form": form,
            "submissions": get_store().recent(visitor_id(), RECENT),
        },
    )


@bp.post("/submit")
def submit():
    """Validate and store; PRG without htmx, the result fragment with it."""
    form = SubmissionForm()
    if not form.validate():
        if form.request_id.errors:
            abort(400)
        return form_page(form, status=422, partial="partials/submit_form.html")
    store, visitor = get_store(), visitor_id(create=True)
    submission, _ = store.add(visitor, form.user_input.data, form.request_id.data or None)
    url = submission_url(submission.id)
    if not htmx.wants_fragment():
        flash("Saved.")
        return redirect(url, 303)
    return htmx.fragment(
        "partials/result.html",
        {"submission": submission, "focus": True},
        oob=[
            ("partials/submit_form.html", {"form": SubmissionForm(formdata=None)}),
            recent_list(visitor),
            ("partials/heading.html", {"heading": "Your submission"}),
            ("partials/status.html", {"messages": ["Saved."]}),
        ],
        title="Your submission",
        push_url=url,
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
    if cursor and htmx.wants_fragment():
        # "Load more" appends rows and replaces itself.
        return htmx.fragment(
            None,
            oob=[
                ("partials/more_rows.html", {"entries": entries, "focus_first": True}),
                ("partials/load_more.html", {"next_cursor": next_cursor, "q": q}),
            ],
        )
    # A search replaces the whole result list; the page also shows the count.
    return htmx.render(
        "submissions.html",
        "partials/results.html",
        {
            "title": "Your submissions",
            "q": q,
            "matches": store.count(visitor, q) if q else None,
            "cursor": cursor,
            "entries": entries,
            "next_cursor": next_cursor,
        },
        page_context=lambda: {
            "total": store.count(visitor),
            # After a delete without JavaScript: the Undo offer, while it still holds.
            "undo": store.restorable(request.args["deleted"], visitor)
            if "deleted" in request.args
            else None,
        },
    )


@bp.get("/submissions/<submission_id>")
def show(submission_id: str):
    """One submission's result page, with the form for the next entry."""
    submission = owned_submission(submission_id)
    return form_page(SubmissionForm(), submission, partial="partials/result.html")


def edit_page(form: EditForm, submission, *, conflict: bool = False, status: int = 200):
    """The edit form for a submission (the stored one; after a conflict, the newer one)."""
    return htmx.render(
        "edit.html",
        "partials/edit_form.html",
        {"title": "Edit", "form": form, "submission": submission, "conflict": conflict},
        page_context=lambda: {"error": bool(form.errors)},
        status=status,
    )


def saved(submission, message: str):
    """After an edit: PRG to the submission's page without htmx; with it, every place a page
    may show the submission, out of band by id (its row, its card, the recent list), and
    the status message."""
    if not htmx.wants_fragment():
        flash(message)
        return redirect(submission_url(submission.id), 303)
    return htmx.fragment(
        None,
        oob=[
            ("partials/rows.html", {"entries": [submission], "focus_first": False}),
            ("partials/result.html", {"submission": submission}),
            recent_list(visitor_id()),
            ("partials/status.html", {"messages": [message]}),
        ],
    )


@bp.get("/submissions/<submission_id>/edit")
def edit_form(submission_id: str):
    """The edit form with the current text: in place with htmx, a page of its own without."""
    submission = owned_submission(submission_id)
    data = {"user_input": submission.text, "version": submission.version}
    return edit_page(EditForm(submission.id, formdata=None, data=data), submission)


@bp.post("/submissions/<submission_id>/edit")
def edit(submission_id: str):
    """Save new text over the version the form was loaded from; 409 if it changed since."""
    submission = owned_submission(submission_id)
    if request.form.get("keep"):  # the visitor's choice after a conflict: change nothing
        return saved(submission, "Kept the current text.")
    form = EditForm(submission_id)
    if not form.validate():
        if form.version.errors:
            abort(400)
        return edit_page(form, submission, status=422)
    text, version = form.user_input.data, form.version.data
    try:
        edited = get_store().edit(submission_id, visitor_id(), text, version)
    except EditConflict as conflict:
        form.version.data = conflict.current.version  # saving again overwrites, knowingly
        return edit_page(form, conflict.current, conflict=True, status=409)
    if edited is None:  # deleted meanwhile
        abort(404)
    return saved(edited, "Saved your changes.")


@bp.post("/submissions/<submission_id>/delete")
def delete(submission_id: str):
    """Delete at once, undoable for UNDO_SECONDS: PRG to the list offering Undo without htmx;
    with htmx, the row's own swap empties it (the button targets it) and the status offers
    Undo, out of band with the count and the recent list."""
    store, visitor = get_store(), visitor_id()
    deleted = store.delete(submission_id, visitor)
    if deleted is None:
        abort(404)
    if not htmx.wants_fragment():
        return redirect(url_for("main.submissions", deleted=submission_id), 303)
    return htmx.fragment(
        None,
        oob=[
            ("partials/status.html", {"messages": [], "undo": deleted}),
            ("partials/count.html", {"total": store.count(visitor)}),
            recent_list(visitor),
        ],
    )


@bp.post("/submissions/<submission_id>/undo")
def undo(submission_id: str):
    """Put a just-deleted submission back as it was; 404 once the window has passed."""
    store, visitor = get_store(), visitor_id()
    restored = store.undo_delete(submission_id, visitor)
    if restored is None:
        abort(404)
    message = "Restored."
    if not htmx.wants_fragment():
        flash(message)
        return redirect(url_for("main.submissions"), 303)
    return htmx.fragment(
        None,
        oob=[
            ("partials/rows.html", {"entries": [restored], "focus_first": True}),
            ("partials/status.html", {"messages": [message]}),
            ("partials/count.html", {"total": store.count(visitor)}),
            recent_list(visitor),
        ],
    )


@bp.app_errorhandler(HTTPException)
def handle_http_error(error: HTTPException):
    """A styled page without htmx, a small fragment with it; never a stack trace."""
    code = error.code or 500
    title, message = ERROR_TEXT.get(code, (error.name, error.description))
    # With htmx the error goes to the status region, never into the requester's target.
    response = htmx.render(
        "error.html",
        "partials/error.html",
        {"code": code, "title": title, "message": message},
        retarget="#status",
        reswap="innerHTML",
        status=code,
    )
    # Keep headers the error defines, such as Allow on a 405.
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


@bp.app_errorhandler(OperationalError)
def handle_database_error(error: OperationalError):
    """503 for a database that is locked, read-only or unreachable; logged once, in one line."""
    if not isinstance(error.orig, dbfile.DatabaseMoved):  # logged once by dbfile, not per request
        current_app.logger.error(
            "Database unavailable during %s %s: %s", request.method, request.path, error.orig
        )
    return handle_http_error(ServiceUnavailable(retry_after=5))
