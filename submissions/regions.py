"""The page regions that show submissions, each named once, and the one answer to a write.

A region is an element with a stable id, drawn by one partial, which full pages embed and
htmx answers send out of band:

| region                  | partial         | on which pages                        |
|-------------------------|-----------------|---------------------------------------|
| `#status`               | status.html     | every page: messages, the Undo offer  |
| `#recent`               | recent.html     | home, form and result pages           |
| `#submission-count`     | count.html      | the log                               |
| `#results-summary`      | summary.html    | the log: "N matching" or the order    |
| `#row-<id>`             | rows.html       | the log: one row per submission       |
| `#result-<id>`          | result.html     | a submission's result page: its card  |

After a write, `answer` sends every region that shows what changed (a region the page does not
have is skipped by htmx), so whichever page the visitor acted on shows what a fresh load of it
would (rows already loaded stay; a row whose place is past them shows after "Load more").
"""

from collections.abc import Callable
from urllib.parse import parse_qs, urlsplit

from flask import current_app, flash, redirect, url_for
from flask.typing import ResponseReturnValue
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

from plumbing import htmx
from plumbing.database import first_line
from plumbing.htmx import Part
from submissions.schema import Entry, InvalidCursor, decode_cursor, position
from submissions.store import current as store

# How many submissions the recent list shows.
RECENT = 10


def recent_entries(visitor: str | None) -> list[Entry]:
    """What the recent list shows: the visitor's first RECENT submissions."""
    return store().recent(visitor, RECENT)


def recent(visitor: str | None) -> Part:
    """The recent list, sent whole: right whatever the page showed before."""
    return ("partials/recent.html", {"submissions": recent_entries(visitor)})


def count(visitor: str | None) -> Part:
    return ("partials/count.html", {"total": store().count(visitor)})


def status(message: str | None = None, undo: Entry | None = None) -> Part:
    return ("partials/status.html", {"messages": [message] if message else [], "undo": undo})


def card(entry: Entry, **inputs) -> Part:
    return ("partials/result.html", {"submission": entry, **inputs})


def log_search() -> tuple[str, str | None] | None:
    """The search and start cursor of the log page the htmx request came from, or None
    when it came from another page."""
    url = urlsplit(htmx.current_url() or "")
    if url.path != url_for("main.submissions"):
        return None
    query = parse_qs(url.query)
    return query.get("q", [""])[0].strip(), query.get("cursor", [None])[0]


def log(entry: Entry, visitor: str | None, *, deleted: bool = False) -> list[Part]:
    """The log's parts after `entry` changed: its row put where the list order now places it
    (or taken out, when deleted or no longer matching the search), and the counts."""
    search = log_search()
    if search is None:
        return []
    q, cursor = search
    parts = [count(visitor)]
    if q:
        matches = store().count(visitor, q)
        parts.append(("partials/summary.html", {"q": q, "matches": matches, "cursor": cursor}))
    if not deleted:  # a deleted row is emptied by the request's own swap
        parts.append(("partials/placed_row.html", place(entry, visitor, q, cursor)))
    return parts


def place(entry: Entry, visitor: str | None, q: str, cursor: str | None) -> dict:
    """Where the log page (its search `q`, starting at `cursor`) now shows `entry`: whether at
    all, and after which row (None: first on the page)."""
    try:
        start = decode_cursor(cursor) if cursor else None
    except InvalidCursor:
        start = None
    shown = store().matches(entry, visitor, q)
    if shown and start is not None:
        shown = position(entry) < start  # it comes after where this page starts
    previous = store().previous(entry, visitor, q) if shown else None
    if previous is not None and start is not None and not position(previous) < start:
        previous = None  # the row before it is on an earlier page: it is this page's first
    return {"entry": entry, "shown": shown, "previous": previous}


def answer(
    message: str,
    redirect_to: str,
    parts: Callable[[], list[Part]],
    *,
    undo: Entry | None = None,
    main: Part | None = None,
    **fragment_options,
) -> ResponseReturnValue:
    """The answer to a write that succeeded (it is committed).

    Without htmx: 303 to `redirect_to`, with `message` flashed (Post/Redirect/Get). With it:
    `main` for the request's target (or nothing), the status saying `message` (and offering
    `undo`), then the regions `parts()` reads, out of band; `fragment_options` as
    htmx.fragment takes them. Should reading them fail, the write still stands: the visitor
    is told it was saved, and that the rest of the page is out of date.
    """
    if not htmx.wants_fragment():
        if message:
            flash(message)
        return redirect(redirect_to, 303)
    try:
        oob = parts()
    except (OperationalError, PoolTimeout) as error:
        # The text only: a record holding the error would keep its traceback, and with it the
        # failed connection, alive for as long as the record lives.
        current_app.logger.warning(
            "Saved, but the page's regions could not be read: %s", first_line(error)
        )
        message = f"{message} Reload the page to bring the rest of it up to date.".strip()
        oob = []
    partial, context = main or (None, None)
    return htmx.fragment(partial, context, oob=[status(message, undo), *oob], **fragment_options)
