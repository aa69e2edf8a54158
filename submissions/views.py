"""Every route of the app: the `main` blueprint.

Views stay short: read the request, call the store, then render a page or its fragment
(plumbing/htmx.py decides which) or, after a write, answer through regions.answer.
"""

import functools
import secrets
from datetime import UTC, datetime

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    make_response,
    request,
    session,
    stream_with_context,
    url_for,
)

from plumbing import htmx
from plumbing.security import rate_limited
from plumbing.transport import indexed
from submissions import export, regions
from submissions.forms import EditForm, SubmissionForm
from submissions.schema import InvalidCursor
from submissions.store import EditConflict
from submissions.store import current as get_store

bp = Blueprint("main", __name__)


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


def submission_url(submission_id: str, view: str = "show") -> str:
    """The URL of a submission's page, or of another of its views ("delete", ...).

    The one way templates (as the filter `id|submission_url(view)`) and views build these:
    url_for runs once per view and app root, and the id is filled in (ids are URL-safe as
    they are), so a list of rows does not pay for url_for twice per row.
    """
    before, after = _around_id(view, request.script_root)
    return f"{before}{submission_id}{after}"


_ID = "__id__"


@functools.cache
def _around_id(view: str, script_root: str) -> tuple[str, str]:
    before, _, after = url_for(f"main.{view}", submission_id=_ID).partition(_ID)
    return before, after


GONE = "This submission is not there: it may have been deleted, in another tab or window perhaps."


def owned_submission(submission_id: str):
    """The visitor's submission with that id, or a 404 saying it may have been deleted."""
    submission = get_store().get(submission_id, visitor_id())
    if submission is None:
        abort(404, GONE)
    return submission


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
            "submissions": regions.recent_entries(visitor_id()),
            "error": bool(form.errors),
        },
        status=status,
    )


@bp.get("/healthz")
def healthz():
    """For load balancers and monitors: 200 while the database answers, 503 otherwise. The
    text says so on its first line, then what each dependency says. The rate-limit storage
    does not decide the status: while it is away, requests are let through unlimited."""
    healthy = get_store().ping()
    lines = ["ok" if healthy else "unavailable", f"database: {'ok' if healthy else 'unavailable'}"]
    limits = current_app.extensions.get("rate_limits")
    if limits is not None:
        state = "ok" if limits.healthy() else "unavailable (requests are let through unlimited)"
        lines.append(f"rate-limit storage: {state}")
    response = make_response("\n".join(lines) + "\n", 200 if healthy else 503)
    response.mimetype = "text/plain"
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/")
@indexed
def home():
    """Home page: welcome, a link to the form, and the visitor's recent submissions.

    Fragment: partials/recent.html."""
    recent = regions.recent_entries(visitor_id())
    return htmx.render(
        "home.html", "partials/recent.html", {"title": "Home", "submissions": recent}
    )


@bp.get("/submit")
@indexed
def submit_form():
    """The empty form, an empty result region and the recent list.

    Fragment: partials/submit_form.html."""
    return form_page(SubmissionForm(), partial="partials/submit_form.html")


@bp.get("/submit/validate")
def validate():
    """The submit rules applied to `user_input` as typed: characters left and any error.

    `form` names the form being typed in (its id prefix), so the answer carries its ids.
    Page: the form page with that text checked. Fragment: partials/feedback.html.
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
            "submissions": regions.recent_entries(visitor_id()),
        },
    )


@bp.post("/submit")
@rate_limited("SUBMIT_RATE_LIMIT", visitor_key, address_key)
def submit():
    """Validate and store. Valid: 303 to the submission's page, "Saved." there; with htmx its
    card (partials/result.html), HX-Push-Url to its page, and out of band a fresh form, the
    heading, the recent list and "Saved.". Invalid: 422, the form page with the message by
    the field, or with htmx partials/submit_form.html (which swaps itself)."""
    form = SubmissionForm()
    if not form.validate():
        if form.request_id.errors:
            abort(400)
        return form_page(form, status=422, partial="partials/submit_form.html")
    visitor = visitor_id(create=True)
    submission, _ = get_store().add(visitor, form.user_input.data, form.request_id.data or None)
    url = submission_url(submission.id)
    return regions.answer(
        "Saved.",
        url,
        lambda: [
            ("partials/submit_form.html", {"form": SubmissionForm(formdata=None)}),
            ("partials/heading.html", {"heading": "Your submission"}),
            regions.recent(visitor),
        ],
        main=regions.card(submission, focus=True),
        title="Your submission",
        push_url=url,
    )


@bp.get("/submissions")
def submissions():
    """The visitor's log: 20 rows at a time in the list order, searched with `q`, a count in
    the heading. Fragment: partials/results.html (the contents of #results). With a `cursor`
    (the "Load more" link), the next rows: as a page, or with htmx out of band only
    (partials/more_rows.html appended to the list, partials/load_more.html). A malformed
    cursor is a 400."""
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
        # The heading's count too: another tab may have added or deleted some since.
        oob=lambda: [regions.count(visitor)],
    )


@bp.get("/submissions/download.<any(csv, json):kind>")
def download(kind: str):
    """All the visitor's submissions as a file to keep: CSV (UTF-8, formulas neutralised) or
    JSON, streamed. A file, not a page: the same answer with or without htmx (the links to it
    are not boosted)."""
    entries = get_store().every(visitor_id())
    writer = export.as_csv if kind == "csv" else export.as_json
    response = Response(stream_with_context(writer(entries)), mimetype=None)
    response.headers["Content-Type"] = export.CONTENT_TYPES[kind]
    day = datetime.now(UTC).date().isoformat()
    response.headers["Content-Disposition"] = f'attachment; filename="submissions-{day}.{kind}"'
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.get("/submissions/<submission_id>")
def show(submission_id: str):
    """One submission's result page: its card, then the form for the next entry.

    Fragment: partials/result.html."""
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


def changed(entry, message: str, redirect_to: str | None = None):
    """The answer after a submission changed: its page (or `redirect_to`) without htmx; with
    it, every region that shows it (the changed view closes any edit form open in it)."""
    visitor = visitor_id()

    def parts():
        return [regions.card(entry), regions.recent(visitor), *regions.log(entry, visitor)]

    return regions.answer(message, redirect_to or submission_url(entry.id), parts)


@bp.get("/submissions/<submission_id>/edit")
def edit_form(submission_id: str):
    """The edit form with the current text: a page of its own, or with htmx
    partials/edit_form.html, appended into the row or card, which it covers."""
    submission = owned_submission(submission_id)
    data = {"user_input": submission.text, "version": submission.version}
    return edit_page(EditForm(submission.id, formdata=None, data=data), submission)


@bp.post("/submissions/<submission_id>/edit")
def edit(submission_id: str):
    """Save new text over the version the form was loaded from: see `changed`. Invalid: 422;
    edited since the form was loaded: 409 showing the stored text beside theirs; the edit
    page, or with htmx partials/edit_form.html (which swaps itself)."""
    submission = owned_submission(submission_id)
    if request.form.get("keep"):  # the visitor's choice after a conflict: change nothing
        return changed(submission, "Kept the current text.")
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
        abort(404, GONE)
    return changed(edited, "Saved your changes.")


@bp.post("/submissions/<submission_id>/pin")
def pin(submission_id: str):
    """Pin a submission first in every list (`pinned=1`), or unpin it (`pinned=0`): 303 to
    the log, which shows where it went; with htmx see `changed` (its row moves)."""
    pinned = request.form.get("pinned")
    if pinned not in ("0", "1"):
        abort(400)
    entry = get_store().update(submission_id, visitor_id(), pinned=pinned == "1")
    if entry is None:
        abort(404, GONE)
    return changed(entry, "Pinned." if entry.pinned else "Unpinned.", url_for("main.submissions"))


@bp.post("/submissions/<submission_id>/delete")
def delete(submission_id: str):
    """Delete at once, undoable for UNDO_SECONDS: PRG to the list offering Undo without htmx;
    with htmx, the row's own swap empties it (the button targets it) and the status offers
    Undo."""
    visitor = visitor_id()
    deleted = get_store().delete(submission_id, visitor)
    if deleted is None:
        abort(404, GONE)
    return regions.answer(
        "",
        url_for("main.submissions", deleted=submission_id),
        lambda: [regions.recent(visitor), *regions.log(deleted, visitor, deleted=True)],
        undo=deleted,
    )


@bp.post("/submissions/<submission_id>/undo")
def undo(submission_id: str):
    """Put a just-deleted submission back as it was: 303 to the log, "Restored." there; with
    htmx out of band its row in its place, the counts and the recent list. 404 once the
    window has passed."""
    visitor = visitor_id()
    restored = get_store().undo_delete(submission_id, visitor)
    if restored is None:
        abort(404, "It can no longer be restored: the time to undo has passed.")
    return regions.answer(
        "Restored.",
        url_for("main.submissions"),
        lambda: [regions.recent(visitor), *regions.log(restored, visitor)],
    )
