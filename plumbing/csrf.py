"""Flask-WTF's CSRF protection, without two costs every request paid for nothing.

- The token a page carries is made as Flask-WTF's `generate_csrf` makes it (the same bytes,
  the same session key, the same per-request cache in `g`), from a serializer built once per
  secret key rather than once per request, with its signer and derived key kept (see
  plumbing/sessions.py): building them cost more than signing.
  tests/test_csrf.py proves the tokens equal to Flask-WTF's own.
- The check asks the request's method first, and looks up exempt views only for the methods
  it guards: Flask-WTF looks the view up first, on every GET. Flask-WTF's own hook is
  switched off for it (WTF_CSRF_CHECK_DEFAULT), and the setting as configured (on by
  default) is honoured here.

Checking a token stays Flask-WTF's own `protect`, unchanged.
"""

import functools
import hashlib
import os

from flask import Flask, current_app, g, request, session
from flask_wtf.csrf import CSRFProtect

from plumbing.sessions import KeptSignerSerializer

csrf = CSRFProtect()


@functools.lru_cache(maxsize=4)  # a key changes rarely; a few old ones are kept at most
def _serializer(secret_key: str | bytes | tuple) -> KeptSignerSerializer:
    return KeptSignerSerializer(secret_key, salt="wtf-csrf-token")


def csrf_token() -> str:
    """The signed CSRF token for this request's session, made once per request."""
    config = current_app.config
    secret_key = config.get("WTF_CSRF_SECRET_KEY", current_app.secret_key)
    field_name = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if secret_key is None or field_name is None:
        raise RuntimeError("A secret key and a field name are required to use CSRF.")
    if field_name not in g:
        if field_name not in session:
            session[field_name] = hashlib.sha1(os.urandom(64)).hexdigest()
        if isinstance(secret_key, list):  # keys for rotation, as itsdangerous takes them
            secret_key = tuple(secret_key)
        try:
            token = _serializer(secret_key).dumps(session[field_name])
        except TypeError:  # a session value that is not JSON: replaced, as Flask-WTF does
            session[field_name] = hashlib.sha1(os.urandom(64)).hexdigest()
            token = _serializer(secret_key).dumps(session[field_name])
        setattr(g, field_name, token)
    return g.get(field_name)


def init_app(app: Flask) -> None:
    """Protect every POST, PUT, PATCH and DELETE (but `@csrf.exempt` views); give templates
    `csrf_token()`."""
    csrf.init_app(app)
    check_default = app.config["WTF_CSRF_CHECK_DEFAULT"]
    app.config["WTF_CSRF_CHECK_DEFAULT"] = False  # Flask-WTF's own hook: checked below instead

    @app.before_request
    def check_csrf() -> None:
        config = app.config
        guarded = request.method in config["WTF_CSRF_METHODS"]
        if guarded and check_default and config["WTF_CSRF_ENABLED"]:
            csrf.protect(apply_exemptions=True)

    # Pages get it from a context processor (added after Flask-WTF's, so this one wins),
    # partials from the environment's globals.
    app.jinja_env.globals["csrf_token"] = csrf_token
    app.context_processor(lambda: {"csrf_token": csrf_token})
