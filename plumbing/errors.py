"""Error pages: a styled page without htmx, a small fragment with it; never a stack trace."""

import threading
import time

from flask import Flask, current_app, request
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout
from werkzeug.exceptions import HTTPException, ServiceUnavailable

from plumbing import dbfile, htmx
from plumbing.database import first_line

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


def http_error(error: HTTPException):
    """The error's page or fragment, with the headers the error defines (Allow on a 405)."""
    code = error.code or 500
    title, message = ERROR_TEXT.get(code, (error.name, error.description))
    if error.description != type(error).description:  # the view said what is wrong
        message = error.description
    # With htmx the error goes to the status region, never into the requester's target.
    response = htmx.render(
        "error.html",
        "partials/error.html",
        {"code": code, "title": title, "message": message},
        retarget="#status",
        reswap="innerHTML",
        status=code,
    )
    for name, value in error.get_headers():
        if name.lower() != "content-type":
            response.headers[name] = value
    return response


class Repeats:
    """Say a failure once, then at most once every `window` seconds while it goes on,
    with how many more times it happened: an outage is a few lines, not one per request."""

    def __init__(self, window: float = 10.0) -> None:
        self.window = window
        self.lock = threading.Lock()
        self.last: dict[str, float] = {}
        self.more: dict[str, int] = {}

    def tell(self, kind: str) -> int | None:
        """None to keep quiet; else how many of `kind` went unsaid since it was last said."""
        now = time.monotonic()
        with self.lock:
            if now - self.last.get(kind, -self.window) < self.window:
                self.more[kind] = self.more.get(kind, 0) + 1
                return None
            self.last[kind] = now
            return self.more.pop(kind, 0)


def database_error(error: OperationalError | PoolTimeout):
    """503 for a database that is locked, read-only, unreachable or too slow (every wait for it
    is bounded by DATABASE_TIMEOUT_MS); logged in one line, and again only every few seconds
    while the same failure goes on."""
    reason = getattr(error, "orig", None) or error
    if not isinstance(reason, dbfile.DatabaseMoved):  # logged once by dbfile, not per request
        said = first_line(error)
        repeats = current_app.extensions["error_repeats"]
        unsaid = repeats.tell(f"{type(reason).__name__}: {said}")
        if unsaid is not None:
            current_app.logger.error(
                "Database unavailable during %s %s: %s%s",
                request.method,
                request.path,
                said,
                f" (and {unsaid} more like it since)" if unsaid else "",
            )
    return http_error(ServiceUnavailable(retry_after=5))


def init_app(app: Flask) -> None:
    app.extensions["error_repeats"] = Repeats()
    app.register_error_handler(HTTPException, http_error)
    app.register_error_handler(OperationalError, database_error)
    app.register_error_handler(PoolTimeout, database_error)
