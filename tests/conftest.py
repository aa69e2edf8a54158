import os
import re
import secrets
import threading
from collections import Counter
from pathlib import Path

import pytest
import servers
from helpers import TEST_CONFIG, ready_app, service_url
from playwright.sync_api import Page
from sqlalchemy import create_engine
from werkzeug.serving import make_server

from app import create_app


def throwaway(variable: str, what: str, start):
    """The URL in `variable` when set (CI sets it), else a throwaway server of the tests' own
    for this session (tests/servers.py); skip without one, or fail in CI."""
    if os.environ.get(variable):
        yield os.environ[variable]
        return
    try:
        with start() as server:
            yield server.url
    except LookupError:  # no binaries to start one from
        service_url(variable, what)  # skips, saying how to get one (fails in CI)


@pytest.fixture(scope="session")
def postgres_server():
    """The PostgreSQL server every PostgreSQL test uses, each in a schema of its own."""
    yield from throwaway("TEST_POSTGRES_URL", "PostgreSQL server", servers.postgresql)


@pytest.fixture(scope="session")
def redis_server():
    """The Redis server the tests that need one share (each flushes it first)."""
    yield from throwaway("TEST_REDIS_URL", "Redis server", servers.redis_server)


@pytest.fixture
def postgres_url(postgres_server):
    """A fresh, empty schema on the PostgreSQL test server, dropped afterwards."""
    server = postgres_server
    schema = f"test_{secrets.token_hex(6)}"
    admin = create_engine(server, pool_pre_ping=True)
    with admin.begin() as connection:
        connection.exec_driver_sql(f"CREATE SCHEMA {schema}")
    # Named after its schema too, so a test can end its own connections and no one else's.
    yield f"{server}?options=-csearch_path%3D{schema}&application_name={schema}"
    with admin.begin() as connection:
        connection.exec_driver_sql(f"DROP SCHEMA {schema} CASCADE")
    admin.dispose()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path):
    """Every test that uses the app runs on SQLite and on PostgreSQL."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return request.getfixturevalue("postgres_url")


@pytest.fixture
def make_app(tmp_path):
    """Build apps from TEST_CONFIG plus keyword settings (a SQLite file under tmp_path by
    default), with the schema applied unless `migrate=False`; each is disposed afterwards."""
    apps = []

    def make(*, migrate: bool = True, **config):
        config = {**TEST_CONFIG, "DATABASE_URL": f"sqlite:///{tmp_path / 'test.db'}", **config}
        app = ready_app(config) if migrate else create_app(config)
        apps.append(app)
        return app

    yield make
    for app in apps:
        app.extensions["store"].engine.dispose()


@pytest.fixture
def app(make_app, database_url):
    return make_app(DATABASE_URL=database_url)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def store(app):
    return app.extensions["store"]


# Real-browser tests (tests marked `browser`) drive Debian's Chromium through Playwright.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    """Launch the system Chromium; skip without one, except in CI where that is a failure."""
    executable = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
    if not Path(executable).exists():
        message = (
            f"No Chromium at {executable}: install it (Debian: apt-get install chromium) "
            "or point CHROMIUM_PATH at one."
        )
        if os.environ.get("CI") == "true":
            pytest.fail(message)
        pytest.skip(message)
    return {**browser_type_launch_args, "executable_path": executable, "args": CHROMIUM_ARGS}


@pytest.fixture(scope="session")
def live_app(tmp_path_factory):
    db = tmp_path_factory.mktemp("live") / "live.db"
    return ready_app(
        {
            "SECRET_KEY": "browser-test-secret",
            "DATABASE_URL": f"sqlite:///{db}",
            "RATELIMIT_ENABLED": False,
            "UNDO_SECONDS": 4,  # short enough for a test to outwait
        }
    )


@pytest.fixture(scope="session")
def base_url(live_app):
    """Serve the app on a free loopback port for the whole session; Playwright's base URL."""
    server = make_server("127.0.0.1", 0, live_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


# After every htmx swap (main and out-of-band parts alike: htmx 4 fires this once they are
# all in), the live page must not hold two elements with one id.
DUPLICATE_IDS_AFTER_SWAP = """
document.addEventListener('htmx:after:swap', () => {
  const seen = new Set(), twice = new Set();
  for (const element of document.querySelectorAll('[id]')) {
    if (seen.has(element.id)) twice.add(element.id);
    seen.add(element.id);
  }
  if (twice.size) console.error('Duplicate ids after an htmx swap: ' + [...twice].join(' '));
});
"""

# Chromium logs every 4xx page or fetch on the console; the app answers those on purpose
# (422, 404) and the tests check them. A failing stylesheet, script or image is an error.
HTTP_ERROR_LOG = re.compile(r"^Failed to load resource: the server responded with a status of ")


@pytest.fixture
def watched(page: Page):
    """The page, with a record of full page loads; fails the test on any console error
    (JavaScript errors, Content-Security-Policy violations and duplicate ids after a swap)."""
    events = {"loads": 0, "errors": []}

    def on_console(message) -> None:
        if message.type == "error" and not HTTP_ERROR_LOG.match(message.text):
            events["errors"].append(message.text)

    def on_response(response) -> None:
        if response.status >= 400 and response.request.resource_type not in ("document", "fetch"):
            events["errors"].append(f"{response.status} for {response.url}")

    # Turn every Content-Security-Policy violation into a console error too.
    page.add_init_script(
        "document.addEventListener('securitypolicyviolation', e =>"
        " console.error('CSP violation: ' + e.violatedDirective + ' ' + e.blockedURI))"
    )
    page.add_init_script(DUPLICATE_IDS_AFTER_SWAP)
    page.on("load", lambda _: events.__setitem__("loads", events["loads"] + 1))
    page.on("pageerror", lambda error: events["errors"].append(str(error)))
    page.on("console", on_console)
    page.on("response", on_response)
    yield page, events
    assert events["errors"] == []


def pytest_terminal_summary(terminalreporter) -> None:
    """One line per skip reason, with how many tests it skipped (not one line per test)."""
    reasons = Counter()
    for report in terminalreporter.stats.get("skipped", []):
        _, _, reason = report.longrepr
        reasons[reason.removeprefix("Skipped: ")] += 1
    for reason, count in reasons.most_common():
        terminalreporter.write_line(f"SKIPPED {count}: {reason}")
