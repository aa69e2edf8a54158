"""`make soak`: the production server under concurrent load while its workers are killed.

Starts the production server (serve.py, as `make serve` does) on a loopback port with a
throwaway SQLite database, runs CLIENTS concurrent visitors (mixed page GETs and htmx POSTs)
for SECONDS, SIGKILLs a worker every KILL_EVERY seconds, then stops the server with SIGTERM
while requests are mid-flight. It checks, and exits non-zero unless all hold:

- every submission answered 2xx is in the database, with the text that was sent;
- no 5xx at all, and connection errors only just after a worker was killed;
- requests in flight at SIGTERM complete (and are stored);
- the database passes PRAGMA integrity_check.

Traffic goes to 127.0.0.1 only and every loop is bounded in time.
"""

import argparse
import http.client
import json
import os
import re
import secrets
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')
KILL_GRACE = 2.0  # seconds after a kill in which a broken connection is expected


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def wait_until_up(port: int, deadline: float) -> None:
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                return
        except OSError:
            time.sleep(0.1)
    raise SystemExit("server did not start")


def workers_of(master: int) -> list[int]:
    children = Path(f"/proc/{master}/task/{master}/children")
    return [int(pid) for pid in children.read_text().split()] if children.exists() else []


class Visitor:
    """One browser: its own cookie, CSRF token and keep-alive connection."""

    def __init__(self, port: int, name: str) -> None:
        self.port, self.name = port, name
        self.cookie = self.token = ""
        self.connection: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: str = "", headers: dict | None = None):
        if self.connection is None:
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=15)
        headers = {**(headers or {}), **({"Cookie": self.cookie} if self.cookie else {})}
        try:
            self.connection.request(method, path, body=body or None, headers=headers)
            response = self.connection.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = None
            raise
        cookie = response.getheader("Set-Cookie")
        if cookie:
            self.cookie = cookie.split(";", 1)[0]
        return response, data.decode("utf-8", "replace")

    def sign_in(self) -> None:
        _, page = self.request("GET", "/submit")
        self.token = CSRF.search(page)[1]

    def submit(self, text: str):
        body = urlencode({"user_input": text, "csrf_token": self.token})
        headers = {
            "Content-Type": "application/x-www-form-urlencoded",
            "HX-Request": "true",
            "X-CSRFToken": self.token,
        }
        return self.request("POST", "/submit", body, headers)


def run_load(port: int, clients: int, seconds: float, results: dict, lock: threading.Lock):
    stop_at = time.monotonic() + seconds

    def one_visitor(number: int) -> None:
        visitor = Visitor(port, f"v{number}")
        count = 0
        while time.monotonic() < stop_at:
            started = time.monotonic()
            try:
                if not visitor.token:
                    visitor.sign_in()
                    continue
                if count % 2:
                    path = ("/", "/submissions", "/submit")[count % 3]
                    response, _ = visitor.request("GET", path)
                    text = None
                else:
                    text = f"soak {visitor.name}-{count} ✓ <b>&amp;</b> {secrets.token_hex(4)}"
                    response, _ = visitor.submit(text)
                count += 1
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    results["connection_errors"].append((started, repr(error)))
                continue
            with lock:
                results["requests"] += 1
                if response.status >= 500:
                    results["server_errors"].append((started, response.status))
                if text is not None and 200 <= response.status < 300:
                    submission_id = response.getheader("HX-Push-Url").rsplit("/", 1)[1]
                    results["stored"][submission_id] = text
        if visitor.connection is not None:
            visitor.connection.close()

    threads = [threading.Thread(target=one_visitor, args=(n,)) for n in range(clients)]
    for thread in threads:
        thread.start()
    return threads


def in_flight_at_sigterm(port: int, master: int, count: int) -> list:
    """Send `count` POSTs up to half their body, SIGTERM the server, then finish them."""
    pending = []
    for n in range(count):
        visitor = Visitor(port, f"term{n}")
        visitor.sign_in()
        text = f"in flight at SIGTERM {n}"
        body = urlencode({"user_input": text, "csrf_token": visitor.token}).encode()
        connection = visitor.connection
        connection.putrequest("POST", "/submit")
        for name, value in {
            "Content-Type": "application/x-www-form-urlencoded",
            "Content-Length": str(len(body)),
            "HX-Request": "true",
            "X-CSRFToken": visitor.token,
            "Cookie": visitor.cookie,
        }.items():
            connection.putheader(name, value)
        connection.endheaders()
        connection.send(body[: len(body) // 2])
        pending.append((connection, body[len(body) // 2 :], text))
    time.sleep(0.3)  # each request is now being read by a worker thread
    os.kill(master, signal.SIGTERM)
    time.sleep(0.5)
    finished = []
    for connection, rest, text in pending:
        connection.send(rest)
        response = connection.getresponse()
        response.read()
        pushed = response.getheader("HX-Push-Url") or ""
        finished.append((response.status, pushed.rsplit("/", 1)[-1], text))
    return finished


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=64)
    parser.add_argument("--seconds", type=float, default=60)
    parser.add_argument("--kill-every", type=float, default=5)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=2)
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args()

    port = free_port()
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    database = workdir / "soak.db"
    env = {
        **os.environ,
        "BIND": f"127.0.0.1:{port}",
        "WEB_CONCURRENCY": str(args.workers),
        "THREADS": str(args.threads),
        "DATABASE_URL": f"sqlite:///{database}",
        "SECRET_KEY": secrets.token_hex(32),
        "SUBMIT_RATE_LIMIT": "1000000 per minute",  # every visitor shares one address here
        "LOG_LEVEL": "WARNING",
    }
    env.pop("FLASK_DEBUG", None)
    server = subprocess.Popen(
        [sys.executable, "serve.py"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=open(workdir / "server.log", "w"),  # noqa: SIM115 (closed with the process)
    )
    results = {"requests": 0, "stored": {}, "server_errors": [], "connection_errors": []}
    kills: list[float] = []
    try:
        wait_until_up(port, time.monotonic() + 20)
        lock = threading.Lock()
        started = time.monotonic()
        threads = run_load(port, args.clients, args.seconds, results, lock)
        next_kill = started + args.kill_every
        while any(thread.is_alive() for thread in threads):
            # Leave the last stretch kill-free so the SIGTERM check runs on a calm server.
            if time.monotonic() >= next_kill and time.monotonic() < started + args.seconds - 2:
                victims = workers_of(server.pid)
                if victims:
                    os.kill(victims[0], signal.SIGKILL)
                    kills.append(time.monotonic())
                next_kill += args.kill_every
            time.sleep(0.05)
        for thread in threads:
            thread.join()
        elapsed = time.monotonic() - started
        at_sigterm = in_flight_at_sigterm(port, server.pid, min(2, args.threads))
        exit_code = server.wait(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()

    with sqlite3.connect(database) as connection:
        integrity = connection.execute("PRAGMA integrity_check").fetchone()[0]
        rows = dict(connection.execute("SELECT id, text FROM submissions"))
    lost = [i for i, text in results["stored"].items() if rows.get(i) != text]
    unexplained = [
        error
        for error in results["connection_errors"]
        if not any(kill - 0.5 <= error[0] <= kill + KILL_GRACE for kill in kills)
    ]
    term_failed = [r for r in at_sigterm if r[0] != 200 or rows.get(r[1]) != r[2]]
    figures = {
        "clients": args.clients,
        "seconds": round(elapsed, 1),
        "requests": results["requests"],
        "requests_per_second": round(results["requests"] / elapsed),
        "workers_killed": len(kills),
        "submissions_acknowledged": len(results["stored"]),
        "rows_in_database": len(rows),
        "lost_submissions": len(lost),
        "server_errors": len(results["server_errors"]),
        "connection_errors_after_kills": len(results["connection_errors"]) - len(unexplained),
        "unexplained_connection_errors": len(unexplained),
        "in_flight_at_sigterm_completed": f"{len(at_sigterm) - len(term_failed)}/{len(at_sigterm)}",
        "server_exit_code": exit_code,
        "integrity_check": integrity,
    }
    width = max(map(len, figures))
    for name, value in figures.items():
        print(f"{name.replace('_', ' '):<{width}}  {value}")
    if args.json:
        args.json.write_text(json.dumps(figures, indent=2) + "\n")
    ok = (
        not lost
        and not results["server_errors"]
        and not unexplained
        and not term_failed
        and integrity == "ok"
        and exit_code == 0
        and results["stored"]
    )
    print("soak: PASSED" if ok else f"soak: FAILED (server log: {workdir / 'server.log'})")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
