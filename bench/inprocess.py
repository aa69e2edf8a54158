"""The cost of each request in this process, without a server or a network: what the app's
own Python does per request, measured repeatably on a shared machine.

    .venv/bin/python bench/inprocess.py              # microseconds per request, each route
    .venv/bin/python bench/inprocess.py --profile    # and the home page's profile (pyinstrument)

A returning visitor (session cookie, SEEDED submissions, as `make bench` makes one) asks for
the routes `make bench` measures, through the app's whole WSGI stack (WhiteNoise, Flask, the
request log). Each route runs `--rounds` times `--requests` requests; the fastest round counts,
since on a shared machine the others only add other people's work.
"""

import argparse
import io
import logging
import os
import re
import secrets
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from app import create_app  # noqa: E402

SEEDED = 12
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def returning_visitor(app, errors) -> tuple[str, str]:
    """A session cookie for a visitor with SEEDED submissions, and one submission's path."""
    client = app.test_client()
    client.environ_base["wsgi.errors"] = errors
    token = CSRF_FIELD.search(client.get("/submit").text)[1]
    for n in range(SEEDED):
        fields = {
            "csrf_token": token,
            "user_input": f"Submission number {n}: <b>bold</b> & plain",
            "request_id": f"seed-request-{n:04d}",
        }
        answer = client.post("/submit", data=fields)
        assert answer.status_code == 303, answer.status_code
        path = answer.headers["Location"]
        client.get(path)  # shows (and clears) the flashed message, as a browser would
    return client.get_cookie("session").value, path


def caller(app, path: str, headers: dict, errors):
    """A function making one request as a server would: a fresh environ each time."""
    base = {
        "REQUEST_METHOD": "GET",
        "SCRIPT_NAME": "",
        "PATH_INFO": path,
        "QUERY_STRING": "",
        "SERVER_NAME": "127.0.0.1",
        "SERVER_PORT": "8000",
        "SERVER_PROTOCOL": "HTTP/1.1",
        "REMOTE_ADDR": "127.0.0.1",
        "wsgi.version": (1, 0),
        "wsgi.url_scheme": "http",
        "wsgi.errors": errors,
        "wsgi.multithread": True,
        "wsgi.multiprocess": True,
        "wsgi.run_once": False,
        "HTTP_HOST": "127.0.0.1:8000",
    }
    base |= {"HTTP_" + name.upper().replace("-", "_"): value for name, value in headers.items()}
    statuses = []

    def start_response(status, _headers, _exc_info=None):
        statuses.append(status)

    def call() -> bytes:
        environ = dict(base, **{"wsgi.input": io.BytesIO()})
        body = app(environ, start_response)
        try:
            data = b"".join(body)
        finally:
            getattr(body, "close", lambda: None)()
        if not statuses.pop().startswith("200"):
            raise SystemExit(f"GET {path} {headers}: not 200")
        return data

    return call


def fastest(call, requests: int, rounds: int) -> float:
    """Microseconds per request in the fastest of `rounds` rounds."""
    best = float("inf")
    for _ in range(rounds):
        started = time.perf_counter()
        for _ in range(requests):
            call()
        best = min(best, time.perf_counter() - started)
    return best / requests * 1e6


def measure(app, errors, options) -> None:
    """Print each route's cost, then (with --profile) the home page's profile."""
    cookie, submission = returning_visitor(app, errors)
    routes = {"/": "/", "/submit": "/submit", "/submissions/<id>": submission}
    for name, path in routes.items():
        for shape, extra in (("page", {}), ("fragment", {"HX-Request": "true"})):
            if options.route and options.route != f"{name} {shape}":
                continue
            call = caller(app, path, {"Cookie": f"session={cookie}", **extra}, errors)
            call()  # warm: templates compiled, connections open
            micros = fastest(call, options.requests, options.rounds)
            print(f"GET {name} {shape:<9} {micros:8.1f} us  ({len(call()):,} bytes)")

    if options.profile:
        from pyinstrument import Profiler

        call = caller(app, "/", {"Cookie": f"session={cookie}"}, errors)
        profiler = Profiler(interval=0.0001)
        with profiler:
            for _ in range(options.requests * 2):
                call()
        print(profiler.output_text(unicode=True, color=False, short_mode=False))


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000, help="requests per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--profile", action="store_true", help="profile the home page")
    parser.add_argument("--route", help='only this one, e.g. "/ page" or "/submit fragment"')
    parser.add_argument("--database-url", help="default: a SQLite file in a temporary folder")
    options = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="inprocess-") as workdir:
        os.chdir(workdir)  # no .env from the project folder
        url = options.database_url or f"sqlite:///{workdir}/app.db"
        config = {"SECRET_KEY": secrets.token_hex(32), "DATABASE_URL": url}
        config["SUBMIT_RATE_LIMIT"] = "1000000 per hour"
        app = create_app(config)
        app.extensions["store"].migrate()
        with open(os.devnull, "w") as errors:  # the request log's stream, as a server's
            measure(app, errors, options)
        app.extensions["store"].engine.dispose()
        logging.shutdown()
    return 0


if __name__ == "__main__":
    sys.exit(main())
