"""Shared test data and small helpers that fetch or parse; assertions stay in the tests."""

import http.client
import os
import socket
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from playwright.sync_api import Page, expect
from sqlalchemy import func, select

from app import ROOT, create_app
from submissions.schema import submissions

# Request header sets, and the shape each must get back.
HTMX = {"HX-Request": "true"}
# An htmx request from the log page (htmx sends the page's address with every request).
FROM_LOG = {**HTMX, "HX-Current-URL": "http://localhost/submissions"}
SHAPES = {
    "plain": ({}, "page"),
    "htmx": (HTMX, "fragment"),
    "htmx4 partial": ({**HTMX, "HX-Request-Type": "partial"}, "fragment"),
    "htmx4 full": ({**HTMX, "HX-Request-Type": "full"}, "page"),
    "boosted htmx2": ({**HTMX, "HX-Boosted": "true"}, "page"),
    "boosted htmx4": ({**HTMX, "HX-Boosted": "true", "HX-Request-Type": "full"}, "page"),
    "restore htmx2": ({**HTMX, "HX-History-Restore-Request": "true"}, "page"),
    "restore htmx4": (
        {**HTMX, "HX-History-Restore-Request": "true", "HX-Request-Type": "full"},
        "page",
    ),
}
# Invalid submit-form input, and the message the visitor sees for it.
INVALID = {
    "empty": ("", "Please enter some text."),
    "whitespace only": ("   \t  ", "Please enter some text."),
    "501 characters": ("x" * 501, "Use at most 500 characters."),
    "control character": ("bell\x07here", "Remove control characters such as tabs or line breaks."),
    "line break inside": ("two\nlines", "Remove control characters such as tabs or line breaks."),
}

# What every test app starts from (conftest's `make_app` adds to it).
TEST_CONFIG = {
    "TESTING": True,
    "SECRET_KEY": "a-long-enough-test-secret",
    "RATELIMIT_ENABLED": False,  # test_security.py turns it on
}

VARY = {"HX-Request", "HX-Request-Type", "HX-History-Restore-Request", "HX-Boosted"}


def free_port() -> int:
    """A loopback port nothing listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def service_url(variable: str, what: str) -> str:
    """The URL of a test server from the environment; skip without one (fail in CI)."""
    url = os.environ.get(variable)
    if not url:
        message = (
            f"No {what}: `make test` starts one from requirements-dev.txt's packages or the "
            f"system's binaries, or set {variable} to use one of yours."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return url


def status_of(port: int, path: str) -> int:
    """GET `path` from a server on loopback over a new connection; its status code."""
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", path)
        return connection.getresponse().status
    finally:
        connection.close()


@contextmanager
def serving(env: dict, log: Path, command: str = "serve.py"):
    """A real server, `serve.py` (2 workers x 2 threads) or `flask run`, on a free loopback
    port with `env` (DATABASE_URL, SECRET_KEY), answering /healthz; yields the port."""
    port = free_port()
    env = {
        **os.environ,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": "2",
        "THREADS": "2",
        "SUBMIT_RATE_LIMIT": "1000000 per minute",  # every visitor shares one address here
        "LOG_LEVEL": "WARNING",
        # Well inside the wait below: a worker still busy at SIGTERM is stopped by then.
        "GRACEFUL_TIMEOUT": "10",
        **env,
    }
    env.pop("FLASK_DEBUG", None)
    args = {
        "serve.py": [sys.executable, "serve.py"],
        "flask run": [sys.executable, "-m", "flask", "--app", "app", "run", "--port", str(port)],
    }[command]
    with log.open("w") as log_file:
        server = subprocess.Popen(
            args, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=log_file
        )
        try:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if status_of(port, "/healthz") == 200:
                        break
                except OSError:
                    pass
                assert server.poll() is None and time.monotonic() < deadline, log.read_text()
                time.sleep(0.2)
            yield port
        finally:
            server.terminate()
            try:
                server.wait(timeout=30)
            except subprocess.TimeoutExpired:
                server.kill()  # not left running into the tests after this one
                server.wait()
                raise


def flask_command(env: dict, *args: str) -> subprocess.CompletedProcess:
    """`flask --app app ARGS` in its own process, with `env` (DATABASE_URL, SECRET_KEY)."""
    return subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", *args],
        cwd=ROOT,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=120,
    )


def ready_app(config: dict):
    """`create_app` plus the schema, as `flask init-db` or serve.py prepare it."""
    app = create_app(config)
    app.extensions["store"].migrate()
    return app


def count_rows(store) -> int:
    """How many submissions the store's database holds, whoever made them (not counting
    deleted ones that wait for Undo)."""
    query = select(func.count()).where(submissions.c.deleted_at.is_(None))
    with store.engine.connect() as connection:
        return connection.execute(query).scalar_one()


def parse(response) -> BeautifulSoup:
    return BeautifulSoup(response.get_data(as_text=True), "html.parser")


def form_fields(client, path: str = "/submit") -> dict[str, str]:
    """The hidden inputs (csrf_token, request_id) of the submit form at `path`."""
    form = parse(client.get(path)).find("form", id="submit-form")
    return {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}


def assert_unavailable(response, htmx: bool) -> None:
    """The app's 503: a page without htmx, a fragment with it, saying to try again."""
    assert response.status_code == 503
    assert int(response.headers["Retry-After"]) > 0
    doc = parse(response)
    assert "try again" in doc.find(class_="error").get_text()
    assert (doc.find("html") is None) == htmx
    assert "Traceback" not in response.get_data(as_text=True)


def csrf_token(html: str) -> str:
    """The CSRF token in the submit form of a page's HTML (from a test client, a real
    server or a browser's request)."""
    form = BeautifulSoup(html, "html.parser").find("form", id="submit-form")
    return form.find("input", attrs={"name": "csrf_token"})["value"]


def submission_id(response) -> str:
    """The id of the submission a response points at (a redirect's Location, HX-Push-Url)."""
    url = response.headers.get("Location") or response.headers["HX-Push-Url"]
    return url.rsplit("/", 1)[1]


def submit(client, text: str, headers: dict | None = None, **fields):
    """POST the submit form as a browser would, with a fresh form's hidden inputs."""
    data = {**form_fields(client), "user_input": text, **fields}
    return client.post("/submit", data=data, headers=headers or {})


def mark_document(page: Page, events: dict) -> None:
    """Mark the current document, so that a later full page load is noticed."""
    page.evaluate("window.__marker = 1")
    events["loads"] = 0


def start_on_form(page: Page, events: dict) -> None:
    page.goto("/submit")
    expect(page.locator("#submit-form")).to_be_visible()
    mark_document(page, events)


def assert_no_reload(page: Page, events: dict) -> None:
    assert page.evaluate("window.__marker") == 1
    assert events["loads"] == 0


def seed(page: Page, *texts: str) -> None:
    """Store submissions as the browser's own visitor, by posting the plain form."""
    token = csrf_token(page.request.get("/submit").text())
    for text in texts:
        response = page.request.post("/submit", form={"csrf_token": token, "user_input": text})
        assert response.ok, response.status
