"""One log line per request: method, path (never the query string or form body), status,
time taken, and whether htmx asked."""

import time

from flask import Flask, current_app, g, request

from plumbing import htmx


def start_timer() -> None:
    g.started = time.perf_counter()


def log_request(response):
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


def init_app(app: Flask) -> None:
    """Call first, so that every request is timed, even one another hook rejects."""
    app.before_request(start_timer)
    app.after_request(log_request)
