"""plumbing/sessions.py against Flask: the serializer with its signer kept signs the same
bytes as Flask's own and reads every cookie as Flask's own does, valid or not."""

import time

import pytest
from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from plumbing.sessions import CookieSessions

NOW = 1_800_000_000
YEAR = 365 * 86400
OLD, CURRENT, OTHER = (
    "the-old-key-0123456789",
    "the-current-key-0123456789",
    "a-key-never-used-here",
)
DATA = {
    "small": {"visitor_id": "v-1"},
    "large, compressed": {"visitor_id": "v-2", "csrf_token": "ab" * 20, "_permanent": True},
    "tagged": {"_flashes": [("message", "Saved.")], "bytes": b"\x00\xff", "tuple": (1, 2)},
}


def app_with(key: str, fallbacks=()) -> Flask:
    app = Flask(__name__)
    app.config.update(SECRET_KEY=key, SECRET_KEY_FALLBACKS=list(fallbacks))
    return app


def flasks(app):
    return SecureCookieSessionInterface().get_signing_serializer(app)


def ours(app):
    return CookieSessions().get_signing_serializer(app)


def outcome(serializer, cookie: str, max_age: int):
    try:
        return "read", serializer.loads(cookie, max_age=max_age)
    except Exception as error:  # the exception's type is the answer to compare
        return "refused", type(error)


def cookies(monkeypatch) -> dict[str, str]:
    """Cookies of every kind, signed at NOW by Flask's serializers."""
    monkeypatch.setattr(time, "time", lambda: NOW)
    made = {}
    for name, data in DATA.items():
        good = flasks(app_with(CURRENT)).dumps(data)
        made[f"{name}: valid"] = good
        made[f"{name}: signed with the old key"] = flasks(app_with(OLD)).dumps(data)
        made[f"{name}: signed with another key"] = flasks(app_with(OTHER)).dumps(data)
        made[f"{name}: tampered signature"] = good[:-2] + ("AA" if good[-2:] != "AA" else "BB")
        made[f"{name}: tampered payload"] = good.replace(good[1], "Z" if good[1] != "Z" else "Y", 1)
        made[f"{name}: no signature"] = good.rsplit(".", 1)[0]
        made[f"{name}: no timestamp"] = good.split(".", 1)[0] + "." + good.rsplit(".", 1)[1]
    made |= {"garbage": "garbage", "empty": "", "dots": "...", "not base64": ".!!!.a0nSAA.sig"}
    return made


@pytest.mark.parametrize(
    "keys",
    [(CURRENT, ()), (CURRENT, (OLD,)), (OLD, ()), (CURRENT, (OTHER, OLD))],
    ids=["current key", "rotated, old key kept", "the old key only", "two fallbacks"],
)
@pytest.mark.parametrize("age", [0, YEAR - 1, YEAR + 1], ids=["fresh", "a year less 1s", "expired"])
def test_every_cookie_is_read_as_flask_reads_it(monkeypatch, keys, age):
    made = cookies(monkeypatch)
    app = app_with(keys[0], keys[1])
    theirs, mine = flasks(app), ours(app)
    monkeypatch.setattr(time, "time", lambda: NOW + age)
    for _ in range(2):  # the second time, from the signer and keys kept the first time
        for name, cookie in made.items():
            expected = outcome(theirs, cookie, YEAR)
            assert outcome(mine, cookie, YEAR) == expected, name
    read = [name for name, cookie in made.items() if outcome(mine, cookie, YEAR)[0] == "read"]
    assert read or age > YEAR  # the test reads valid cookies, not only refusals


@pytest.mark.parametrize("data", DATA.values(), ids=DATA)
def test_cookies_are_signed_as_flask_signs_them(monkeypatch, data):
    monkeypatch.setattr(time, "time", lambda: NOW)
    app = app_with(CURRENT, (OLD,))
    mine = ours(app)
    assert mine.dumps(data) == mine.dumps(data) == flasks(app).dumps(data)


def test_a_new_key_builds_a_new_serializer():
    sessions, app = CookieSessions(), app_with(CURRENT)
    first = sessions.get_signing_serializer(app)
    assert sessions.get_signing_serializer(app) is first
    app.config["SECRET_KEY"] = OTHER
    second = sessions.get_signing_serializer(app)
    assert second is not first
    assert outcome(second, first.dumps({"a": 1}), YEAR)[0] == "refused"
