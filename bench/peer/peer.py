"""The benchmark's peer: the Flask app's home page (`GET /`) as a FastAPI + Jinja2 app.

It shows what the app's home page shows, from the same database, and does the same work per
request: verify the Flask session cookie (itsdangerous, as Flask signs it), make the CSRF
token (as Flask-WTF does), run one query for the visitor's 10 newest submissions, render one
template, and set the Flask app's security and Vary headers. Its template is its own, flat
and with literal URLs; the benchmark checks that the content matches, not the markup
(bench/visible.py). It is written to be fast and idiomatic, lives in its own virtual
environment (requirements.txt beside it) and never imports from, nor is imported by, the
Flask app.

    SECRET_KEY=... PEER_DATABASE=instance/app.db \
        uvicorn peer:app --app-dir bench/peer --workers 1 --host 127.0.0.1 --port 8200
"""

import hashlib
import json
import os
import sqlite3
from datetime import UTC, datetime
from functools import cache
from pathlib import Path

import jinja2
from fastapi import FastAPI, Request
from fastapi.templating import Jinja2Templates
from itsdangerous import BadData, URLSafeTimedSerializer

# The Flask app's headers (plumbing/security.py and plumbing/transport.py).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; "
    "object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"
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
    "Vary": "HX-Request, HX-Request-Type, HX-History-Restore-Request, HX-Boosted, Cookie",
}

SECRET_KEY = os.environ["SECRET_KEY"]
DATABASE = os.environ["PEER_DATABASE"]
SESSION_MAX_AGE = 365 * 86400
# Flask's session cookie: its tagged JSON is plain JSON for a dict of strings and bools.
sessions = URLSafeTimedSerializer(
    SECRET_KEY,
    salt="cookie-session",
    serializer=json,
    signer_kwargs={"key_derivation": "hmac", "digest_method": hashlib.sha1},
)
csrf_tokens = URLSafeTimedSerializer(SECRET_KEY, salt="wtf-csrf-token")  # Flask-WTF's

# PEER_DATABASE is a SQLite file, or a PostgreSQL URL (postgresql://...) as the app's.
POSTGRES = DATABASE.startswith("postgresql")
RECENT = f"""
    SELECT id, text, created_at, pinned FROM submissions
    WHERE visitor_id = {"%s" if POSTGRES else "?"} AND deleted_at IS NULL
    ORDER BY pinned DESC, created_at DESC, id DESC LIMIT 10
"""


def _plural(count: int, unit: str) -> str:
    return f"{count} {unit}{'' if count == 1 else 's'} ago"


def ago(moment: datetime) -> str:
    """How long ago `moment` was, in words (the Flask app's `ago` filter)."""
    seconds = int((datetime.now(UTC) - moment).total_seconds())
    if seconds < 60:
        return "just now"
    if seconds < 3600:
        return _plural(seconds // 60, "minute")
    if seconds < 86400:
        return _plural(seconds // 3600, "hour")
    if seconds < 30 * 86400:
        return _plural(seconds // 86400, "day")
    return moment.strftime("%d %b %Y")


# Like the Flask app's: autoescaped, trimmed, and no mtime check on every render.
env = jinja2.Environment(
    loader=jinja2.FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=True,
    trim_blocks=True,
    lstrip_blocks=True,
    auto_reload=False,
)
env.filters["ago"] = ago
templates = Jinja2Templates(env=env)


@cache
def database():
    """This worker's one connection, opened on first use and only used on its event loop."""
    if POSTGRES:
        import psycopg

        return psycopg.connect(DATABASE, autocommit=True)
    return sqlite3.connect(DATABASE)


def utc(value) -> datetime:
    """PostgreSQL hands back aware datetimes; SQLite, naive UTC text."""
    if isinstance(value, datetime):
        return value.astimezone(UTC)
    return datetime.fromisoformat(value).replace(tzinfo=UTC)


def recent(visitor_id: str | None) -> list[dict]:
    """The visitor's first ten submissions in the app's list order (pinned first)."""
    if visitor_id is None:
        return []
    rows = database().execute(RECENT, (visitor_id,)).fetchall()
    return [
        {"id": id, "text": text, "created_at": utc(at), "pinned": bool(pinned)}
        for id, text, at, pinned in rows
    ]


def session(cookie: str | None) -> dict:
    """The Flask session's contents, or nothing for a missing, forged or expired cookie."""
    if not cookie:
        return {}
    try:
        data = sessions.loads(cookie, max_age=SESSION_MAX_AGE)
    except BadData:
        return {}
    return data if isinstance(data, dict) else {}


app = FastAPI(openapi_url=None)  # one page, no API docs


# `async def` runs on the event loop: a `def` endpoint would pay a hop to the threadpool on
# every request to save nothing, since the work is CPU-bound and SQLite in WAL mode never
# makes a reader wait for a writer. So the query runs inline on the loop's own connection
# (measured: about 13% more requests per second than `def` with a connection per thread).
@app.get("/")
async def home(request: Request):
    data = session(request.cookies.get("session"))
    raw_token = data.get("csrf_token") or hashlib.sha1(os.urandom(64)).hexdigest()
    context = {
        "title": "Home",
        "csrf_token": csrf_tokens.dumps(raw_token),
        "submissions": recent(data.get("visitor_id")),
    }
    return templates.TemplateResponse(request, "home.html", context, headers=HEADERS)
