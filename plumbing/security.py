"""Protections every request gets: security headers, secret-key and request-size checks, and
the rate limits a view declares (`@rate_limited`), which fail open."""

import functools
import math
import secrets
import time
from collections.abc import Callable
from urllib.parse import parse_qsl

from flask import Flask, abort, current_app, request
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import MovingWindowRateLimiter
from werkzeug.exceptions import TooManyRequests
from werkzeug.middleware.proxy_fix import ProxyFix

CSP = "; ".join(
    [
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
    ]
)
HEADERS = {
    "Content-Security-Policy": CSP,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Permissions-Policy": (
        "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
        "accelerometer=(), gyroscope=(), magnetometer=(), interest-cohort=()"
    ),
    "Cross-Origin-Opener-Policy": "same-origin",
}
HSTS = "max-age=63072000; includeSubDomains"

# Keys that must never sign a production session: empty, short, or copied from examples.
KNOWN_DEFAULTS = {"dev", "development", "secret", "secret-key", "changeme", "change-me", "test"}
MIN_SECRET_LENGTH = 16
SECRET_HELP = (
    "set SECRET_KEY in the environment or in .env, e.g. "
    "SECRET_KEY=$(python3 -c 'import secrets; print(secrets.token_hex(32))')"
)

MAX_FORM_FIELDS = 20
MAX_URL_LENGTH = 4096


def check_secret_key(app: Flask) -> None:
    """Refuse to start outside debug and testing without a real secret key.

    In debug and testing a missing key is replaced by a random one for this process only.
    """
    key = app.config.get("SECRET_KEY") or ""
    if app.debug or app.testing:
        if not key:
            app.logger.warning("No SECRET_KEY: using a random one until this process ends")
            app.config["SECRET_KEY"] = secrets.token_hex(32)
        return
    if len(key) < MIN_SECRET_LENGTH or key.lower() in KNOWN_DEFAULTS:
        raise SystemExit(f"error: no usable SECRET_KEY: {SECRET_HELP}")


def reject_malformed_requests() -> None:
    """400 for form bodies that are not well-formed UTF-8 URL encoding or have too many
    fields, 414 for an overlong URL; 413 for large bodies comes from MAX_CONTENT_LENGTH."""
    environ = request.environ
    if len(environ.get("PATH_INFO", "")) + len(environ.get("QUERY_STRING", "")) > MAX_URL_LENGTH:
        abort(414)
    if request.method != "POST":
        return
    body = request.get_data(cache=True)  # Werkzeug parses the form from this same copy
    if body and request.mimetype != "application/x-www-form-urlencoded":
        abort(415)
    try:
        parse_qsl(
            body.decode("ascii"),
            keep_blank_values=True,
            strict_parsing=bool(body),
            encoding="utf-8",
            errors="strict",
            max_num_fields=MAX_FORM_FIELDS,
        )
    except (UnicodeDecodeError, ValueError):
        abort(400)


def response_headers(app: Flask) -> dict[str, str]:
    """The headers every response carries, static files included."""
    if app.config["HTTPS"]:
        return {**HEADERS, "Strict-Transport-Security": HSTS}
    return dict(HEADERS)


def init_app(app: Flask) -> None:
    """Check the secret key now and every request from now on (plumbing/transport.py adds
    `response_headers` to every response)."""
    check_secret_key(app)
    if app.config["HTTPS"]:
        app.config["SESSION_COOKIE_SECURE"] = True
    app.before_request(reject_malformed_requests)
    if app.config["RATELIMIT_ENABLED"]:
        app.extensions["rate_limits"] = RateLimits(app.config["RATELIMIT_STORAGE_URI"], app)
    # Behind N trusted proxies the client address comes from their X-Forwarded-* headers.
    if proxies := int(app.config["TRUSTED_PROXIES"]):
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies, x_host=proxies)


class RateLimits:
    """The rate limiter, failing open: while its storage (Redis, say) cannot be reached,
    requests are let through rather than refused, with one warning when the outage begins
    and one line when it ends. A rate limit protects the app; it is not worth an outage."""

    # How long a request waits for the storage before going on without it, and how long,
    # after it failed, requests go on without even trying it.
    TIMEOUT_SECONDS = 0.5
    RETRY_SECONDS = 5.0

    def __init__(self, uri: str, app: Flask) -> None:
        options = {}
        if uri.startswith("redis"):
            options = {
                "socket_timeout": self.TIMEOUT_SECONDS,
                "socket_connect_timeout": self.TIMEOUT_SECONDS,
            }
        self.storage = storage_from_string(uri, **options)
        self.limiter = MovingWindowRateLimiter(self.storage)
        self.logger = app.logger
        self.down = False  # in this process, since the last failure
        self.retry_at = 0.0  # time.monotonic() from which a down storage is tried again

    def wait(self, item, namespace: str, identity: str) -> int | None:
        """Count one hit: None if allowed, else the seconds until the next is allowed."""
        if self.down and time.monotonic() < self.retry_at:
            return None
        try:
            allowed = self.limiter.hit(item, namespace, identity)
            if not allowed:
                reset_at = self.limiter.get_window_stats(item, namespace, identity).reset_time
        except self.storage.base_exceptions as error:
            self.retry_at = time.monotonic() + self.RETRY_SECONDS
            if not self.down:
                self.down = True
                self.logger.warning(
                    "Rate-limit storage unavailable, letting requests through: %s", str(error)
                )
            return None
        if self.down:
            self.down = False
            self.logger.warning("Rate-limit storage available again")
        return None if allowed else max(1, math.ceil(reset_at - time.time()))

    def healthy(self) -> bool:
        """True when the storage answers (within TIMEOUT_SECONDS)."""
        try:
            return bool(self.storage.check())
        except self.storage.base_exceptions:
            return False


def rate_limited(setting: str, *keys: Callable[[], str]):
    """Decorate a view: at most the rate in config[`setting`] (e.g. "30 per minute") per each
    key (the visitor, the address); past it, 429 with Retry-After.

    Counts live in RATELIMIT_STORAGE_URI: in-process memory unless configured, so with
    several worker processes each counts on its own. Off when RATELIMIT_ENABLED is; open
    while the storage is unreachable (see RateLimits).
    """
    items = functools.lru_cache(maxsize=8)(parse)

    def decorate(view):
        @functools.wraps(view)
        def limited(**kwargs):
            limits = current_app.extensions.get("rate_limits")
            if limits is not None:
                item = items(current_app.config[setting])
                for key in keys:
                    wait = limits.wait(item, request.endpoint, key())
                    if wait is not None:
                        raise TooManyRequests(retry_after=wait)
            return view(**kwargs)

        return limited

    return decorate
