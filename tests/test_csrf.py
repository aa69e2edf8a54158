"""plumbing/csrf.py against Flask-WTF: the token a page carries is the one Flask-WTF's own
`generate_csrf` would make, byte for byte, and the check still guards exactly the methods it
guarded, with Flask-WTF deciding whether a token is valid."""

import time

import pytest
from flask import g, session
from flask_wtf.csrf import ValidationError, generate_csrf, validate_csrf
from helpers import HTMX, csrf_token

from plumbing.csrf import csrf_token as fast_token

NOW = 1_800_000_000.0
KEY = "a-secret-key-long-enough-to-sign"
SESSIONS = {
    "new visitor": {},
    "a token in the session": {"csrf_token": "0123456789abcdef0123456789abcdef01234567"},
    "a token that is not JSON": {"csrf_token": b"\xff bytes"},
    "other session data": {"visitor_id": "v-1", "_flashes": [("message", "Saved.")]},
}
CONFIGS = {
    "the app's key": {"SECRET_KEY": KEY},
    "a CSRF key of its own": {"SECRET_KEY": KEY, "WTF_CSRF_SECRET_KEY": "another-key-for-csrf"},
    "a rotated key": {"SECRET_KEY": "the-next-key-after-rotation", "SECRET_KEY_FALLBACKS": [KEY]},
    "another field name": {"SECRET_KEY": KEY, "WTF_CSRF_FIELD_NAME": "token"},
    "CSRF keys for rotation": {"SECRET_KEY": KEY, "WTF_CSRF_SECRET_KEY": ["new-key-1", "old-key"]},
}


def made_by(make, app, config: dict, stored: dict, monkeypatch) -> tuple[str, dict]:
    """The token `make` returns (twice in one request: the same), the session after, and
    what Flask-WTF's `generate_csrf` then returns for that session in a new request."""
    monkeypatch.setattr(time, "time", lambda: NOW)
    app.config.update(config)
    field = app.config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    with app.test_request_context("/"):
        session.update(stored)
        token = make()
        assert make() == token
        after = dict(session)
        g.pop(field)
        assert generate_csrf() == token
        assert dict(session) == after
    return token, after


@pytest.mark.parametrize("config", CONFIGS.values(), ids=CONFIGS)
@pytest.mark.parametrize("stored", SESSIONS.values(), ids=SESSIONS)
def test_the_token_is_flask_wtfs(make_app, monkeypatch, config, stored):
    app = make_app()
    ours, our_session = made_by(fast_token, app, config, stored, monkeypatch)
    theirs, their_session = made_by(generate_csrf, app, config, stored, monkeypatch)
    field = config.get("WTF_CSRF_FIELD_NAME", "csrf_token")
    if isinstance(stored.get(field), str):  # a value already there: the same token
        assert ours == theirs
        assert our_session == their_session == stored
    else:  # a new random value in both, of the same shape
        assert len(our_session[field]) == len(their_session[field]) == 40
        assert our_session.keys() == their_session.keys()


def test_a_changed_key_makes_tokens_with_the_new_key(make_app, monkeypatch):
    app = make_app()
    stored = {"csrf_token": "0123456789abcdef0123456789abcdef01234567"}
    first, _ = made_by(fast_token, app, {"SECRET_KEY": KEY}, stored, monkeypatch)
    second, _ = made_by(
        fast_token, app, {"SECRET_KEY": "a-new-key-long-enough"}, stored, monkeypatch
    )
    assert first != second


CHANGES = {
    "valid": (lambda token: token, True),
    "tampered signature": (
        lambda token: token[:-2] + ("AA" if token[-2:] != "AA" else "BB"),
        False,
    ),
    "tampered payload": (lambda token: "x" + token, False),
    "garbage": (lambda token: "garbage", False),
    "empty": (lambda token: "", False),
    "unsigned": (lambda token: token.split(".")[0], False),
}


@pytest.mark.parametrize(("change", "valid"), CHANGES.values(), ids=CHANGES)
@pytest.mark.parametrize("age", [0, 3601], ids=["fresh", "expired"])
def test_tokens_check_as_flask_wtfs_own(make_app, change, valid, age):
    """Tokens ours makes, changed, are judged by Flask-WTF's check as its own tokens changed
    the same way (with a time limit, for "expired")."""
    app = make_app(WTF_CSRF_TIME_LIMIT=3600)
    with app.test_request_context("/"):
        ours = fast_token()
        g.pop("csrf_token")
        theirs = generate_csrf()
        outcomes = []
        for token in (change(ours), change(theirs)):
            later = time.time() + age
            with pytest.MonkeyPatch.context() as patch:
                patch.setattr(time, "time", lambda later=later: later)
                try:
                    validate_csrf(token)
                    outcomes.append("valid")
                except ValidationError as error:
                    outcomes.append(error.args[0])
    assert outcomes[0] == outcomes[1]
    assert (outcomes[0] == "valid") == (valid and age == 0)


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_post_without_a_token_is_refused(client, headers):
    response = client.post("/submit", data={"user_input": "x"}, headers=headers)
    assert response.status_code == 400
    assert response.headers["X-Answered-By"] == "app"


@pytest.mark.parametrize("method", ["PUT", "PATCH", "DELETE"])
def test_a_method_no_route_takes_is_405_as_before(client, method):
    """Flask-WTF skips a request that matched no view; so does the method-first check."""
    assert client.open("/submit", method=method).status_code == 405


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "htmx"])
def test_a_get_is_never_checked(client, headers):
    response = client.get("/submit", headers={**headers, "X-CSRFToken": "garbage"})
    assert response.status_code == 200


def test_the_token_pages_carry_passes_the_check(client):
    token = csrf_token(client.get("/submit").text)
    response = client.post("/submit", data={"user_input": "checked", "csrf_token": token})
    assert response.status_code == 303


@pytest.mark.parametrize("setting", ["WTF_CSRF_ENABLED", "WTF_CSRF_CHECK_DEFAULT"])
def test_the_check_can_be_turned_off(make_app, setting):
    """Off altogether, or off by default (for views that call csrf.protect() themselves)."""
    client = make_app(**{setting: False}).test_client()
    assert client.post("/submit", data={"user_input": "no token"}).status_code == 303
