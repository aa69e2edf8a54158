"""Flask's signed-cookie sessions, without two costs every request paid for nothing.

- The signing serializer is built once per secret key rather than per request (building one
  also serializes an empty dict, to learn that the serializer makes text).
- A response whose session did not change skips Flask's `save_session`: the cookie is not
  sent again (SESSION_REFRESH_EACH_REQUEST is off) and every response already varies on
  `Cookie` (plumbing/transport.py), so saving would only parse and rewrite `Vary`.

Everything else (cookie format, signing, expiry) is Flask's.
"""

from flask import Flask, Response
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from itsdangerous import URLSafeTimedSerializer


class CookieSessions(SecureCookieSessionInterface):
    def __init__(self) -> None:
        # The keys and the serializer made from them, replaced together (threads read it).
        self._built: tuple[tuple, URLSafeTimedSerializer | None] = ((), None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        built_for, serializer = self._built
        if keys != built_for:
            serializer = super().get_signing_serializer(app)
            self._built = (keys, serializer)
        return serializer

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if self.should_set_cookie(app, session):  # modified, or refreshed on every request
            super().save_session(app, session, response)
