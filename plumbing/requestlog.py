"""One log line per request: method, path (never the query string or form body), status,
time taken, and whether htmx asked.

The line is the record `logger.info` would make, handed to the logger directly: `info` would
first walk the stack to find where it was called from, which is always the same place. Where
Flask would add its default handler (no logging configured), `ServerErrorsHandler` writes the
same text to the same place, the server's `wsgi.errors`, looking that stream up once per line
rather than on every write and flush.
"""

import logging
import sys
import time

from flask import Flask, current_app, g, has_request_context, request
from flask.logging import default_handler, has_level_handler

from plumbing import htmx

LINE = "%s %s %s %.1fms htmx=%s"


class ServerErrorsHandler(logging.StreamHandler):
    """Flask's default handler, its stream resolved once per record: the server's
    `wsgi.errors` within a request, stderr outside one."""

    def emit(self, record: logging.LogRecord) -> None:
        # Handler.handle holds self.lock around emit: the stream is set and used under it.
        self.stream = request.environ["wsgi.errors"] if has_request_context() else sys.stderr
        super().emit(record)


HANDLER = ServerErrorsHandler()
HANDLER.setFormatter(default_handler.formatter)


def start_timer() -> None:
    g.started = time.perf_counter()


def log_request(response):
    logger = current_app.logger
    if logger.isEnabledFor(logging.INFO):
        duration_ms = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
        htmx_asked = "yes" if htmx.is_htmx() else "no"
        arguments = (request.method, request.path, response.status_code, duration_ms, htmx_asked)
        line = sys._getframe().f_lineno
        record = logger.makeRecord(
            logger.name, logging.INFO, __file__, line, LINE, arguments, None, "log_request"
        )
        logger.handle(record)
    return response


def init_app(app: Flask) -> None:
    """Call first, so that every request is timed, even one another hook rejects."""
    logger = app.logger  # Flask adds its default handler here, unless logging is configured
    if default_handler in logger.handlers:
        logger.removeHandler(default_handler)
        logger.addHandler(HANDLER)
    elif not has_level_handler(logger):
        logger.addHandler(HANDLER)
    app.before_request(start_timer)
    app.after_request(log_request)
