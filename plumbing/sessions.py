"""Flask's signed-cookie sessions, without the costs every request paid for nothing.

- The signing serializer is Flask's, built once per set of secret keys rather than per
  request (building one also serializes an empty dict, to learn that it makes text), and its
  signer is built once too, with each key's derived signing key kept: itsdangerous builds a
  signer for every cookie and derives the key (two HMACs) for every signature. Signing and
  checking are itsdangerous's own; tests/test_sessions.py proves the answers the same.
- The signatures' hash is `hashlib.sha1` itself, the default's algorithm: Flask and
  itsdangerous pass a Python function that calls it (so that a Python built without SHA-1
  fails only when it signs; this app signs with SHA-1 on every page anyway), which sends
  every HMAC down the standard library's pure-Python path instead of OpenSSL's.
- A response whose session did not change skips Flask's `save_session`: the cookie is not
  sent again (SESSION_REFRESH_EACH_REQUEST is off) and every response already varies on
  `Cookie` (plumbing/transport.py), so saving would only parse and rewrite `Vary`.

Everything else (cookie format, signing, expiry) is Flask's.
"""

import hashlib

from flask import Flask, Response
from flask.sessions import SecureCookieSessionInterface, SessionMixin
from itsdangerous import TimestampSigner, URLSafeTimedSerializer


class KeptKeysSigner(TimestampSigner):
    """itsdangerous's signer, deriving each secret key's signing key once, by default with
    SHA-1 (the default's algorithm) given as hashlib's own function."""

    default_digest_method = staticmethod(hashlib.sha1)

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self._derived: dict = {}

    def derive_key(self, secret_key=None) -> bytes:
        derived = self._derived.get(secret_key)
        if derived is None:
            derived = self._derived[secret_key] = super().derive_key(secret_key)
        return derived


class KeptSignerSerializer(URLSafeTimedSerializer):
    """itsdangerous's serializer, building its signer once per salt."""

    def __init__(self, *args, **kwargs) -> None:
        super().__init__(*args, signer=KeptKeysSigner, **kwargs)
        self._signers: dict = {}

    def make_signer(self, salt=None) -> TimestampSigner:
        signer = self._signers.get(salt)
        if signer is None:
            signer = self._signers[salt] = super().make_signer(salt)
        return signer


def kept(serializer: URLSafeTimedSerializer) -> KeptSignerSerializer:
    """The same serializer (keys, salt, payload format, signing), its signer kept."""
    return KeptSignerSerializer(
        serializer.secret_keys,
        salt=serializer.salt,
        serializer=serializer.serializer,
        signer_kwargs=serializer.signer_kwargs,
    )


class CookieSessions(SecureCookieSessionInterface):
    digest_method = staticmethod(hashlib.sha1)  # Flask's default algorithm, as itself

    def __init__(self) -> None:
        # The keys and the serializer made from them, replaced together (threads read it).
        self._built: tuple[tuple, URLSafeTimedSerializer | None] = ((), None)

    def get_signing_serializer(self, app: Flask) -> URLSafeTimedSerializer | None:
        keys = (app.secret_key, *(app.config["SECRET_KEY_FALLBACKS"] or ()))
        built_for, serializer = self._built
        if keys != built_for:
            serializer = super().get_signing_serializer(app)
            if serializer is not None:
                serializer = kept(serializer)
            self._built = (keys, serializer)
        return serializer

    def save_session(self, app: Flask, session: SessionMixin, response: Response) -> None:
        if self.should_set_cookie(app, session):  # modified, or refreshed on every request
            super().save_session(app, session, response)
