"""The real app on a loopback port with a throwaway SQLite database, for the tools beside
this file (`make screenshots`, `make audit`), and a visitor who has stored a few things."""

import http.client
import logging
import re
import secrets
import sys
import tempfile
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlencode, urlsplit

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from werkzeug.serving import make_server  # noqa: E402

from app import create_app  # noqa: E402

CHROMIUM = "/usr/bin/chromium"  # CHROMIUM_PATH overrides, as in the tests
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


@contextmanager
def serving() -> Iterator[str]:
    """Serve the app until the block ends; yields its base URL."""
    logging.getLogger("werkzeug").setLevel(logging.WARNING)
    with tempfile.TemporaryDirectory(prefix="tools-") as folder:
        app = create_app(
            {
                "SECRET_KEY": secrets.token_hex(32),
                "DATABASE_URL": f"sqlite:///{Path(folder) / 'tools.db'}",
                "RATELIMIT_ENABLED": False,
                "LOG_LEVEL": "WARNING",
            }
        )
        app.extensions["store"].migrate()
        server = make_server("127.0.0.1", 0, app, threaded=True)
        thread = threading.Thread(target=server.serve_forever, daemon=True)
        thread.start()
        try:
            yield f"http://127.0.0.1:{server.server_port}"
        finally:
            server.shutdown()
            thread.join()
            app.extensions["store"].engine.dispose()


def new_visitor(base_url: str, texts: list[str]) -> tuple[str, list[str]]:
    """Store `texts` as a new visitor, as the plain form does; their cookie and result URLs.

    Each redirect is followed as a browser would, which shows (and so clears) "Saved.".
    """
    host, port = urlsplit(base_url).netloc.split(":")
    cookie, urls = "", []

    def send(method: str, path: str, body: str | None = None) -> tuple[dict, str]:
        nonlocal cookie
        connection = http.client.HTTPConnection(host, int(port), timeout=10)
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        connection.request(method, path, body, headers)
        response = connection.getresponse()
        text = response.read().decode()
        connection.close()
        if response.status >= 400:
            raise SystemExit(f"{method} {path}: {response.status}")
        cookie = (response.getheader("Set-Cookie") or cookie).split(";", 1)[0]
        return {name.lower(): value for name, value in response.getheaders()}, text

    token = CSRF.search(send("GET", "/submit")[1])[1]
    for text in texts:
        headers, _ = send("POST", "/submit", urlencode({"csrf_token": token, "user_input": text}))
        urls.append(headers["location"])
        send("GET", headers["location"])
    return cookie, urls
