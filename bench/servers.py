"""Which WSGI server serves the app best on one CPU: the record of how the choice was made.

Every candidate serves the same app (the factory app:create_app, each on its own SQLite
database in instance/) with one worker process pinned to CPU 0, and wrk (one thread, 16
keep-alive connections) pinned to CPU 1, as `make bench` measures. For each candidate:

- keep-alive: does it answer two requests on one connection, and how long does a second
  client wait while a first one holds an idle keep-alive connection open?
- for a returning visitor (bench.py's `Visitor`), GET / as page and as htmx fragment,
  GET /submit, GET /submissions/<id> and htmx POST /submit: req/s, p50 and p99 latency,
  the server's CPU time per request (master, workers and every thread of them, read from
  /proc around the measured run) and its context switches per request; every POST answered
  2xx is then looked up in the database;
- the resident memory of its worker and of the whole server after the runs.

The candidates run side by side and are measured in rounds, one route after another, each
candidate in turn (the others idle meanwhile), so a change in the machine's load touches all
of them alike; the table shows each figure's median over the rounds. CPU time per request is
the figure that moves least on a shared machine.

Needs wrk and, beside requirements.txt, the other servers in the same environment:
  .venv/bin/pip install gunicorn==27.0.1 gunicorn-h1c==0.6.9 pyuwsgi==2.0.30.post1
Run: .venv/bin/python bench/servers.py [--duration 5] [--rounds 3] [--only NAME ...]
(about 13 minutes with the defaults).
"""

import argparse
import json
import os
import secrets
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from http.client import HTTPConnection, HTTPException
from pathlib import Path

from soak import free_port, workers_of

from bench import HTMX, ROOT, Server, Visitor, cpu_per_request, cpu_seconds, load, rss_mib

CONNECTIONS = 16
PYTHON = sys.executable
BIN = Path(PYTHON).parent  # the virtual environment's scripts: gunicorn, uwsgi


def granian(threads: int, *cli: str):
    """serve.py itself for its own settings; for options serve.py does not expose, granian's
    command line with serve.py's other settings."""

    def command(port: int) -> tuple[list[str], dict]:
        if not cli:
            return [PYTHON, "serve.py"], {"BIND": f"127.0.0.1:{port}", "THREADS": str(threads)}
        return [
            PYTHON, "-m", "granian", "--interface", "wsgi", "--factory", "app:create_app",
            "--host", "127.0.0.1", "--port", str(port), "--workers", "1",
            "--blocking-threads", str(threads), "--respawn-failed-workers", "--no-ws",
            "--workers-kill-timeout", "30", *cli,
        ], {}  # fmt: skip

    return command


def gunicorn(parser: str):
    """Sync workers: one request at a time per process, the connection closed after each."""

    def command(port: int) -> tuple[list[str], dict]:
        return [
            str(BIN / "gunicorn"), "--bind", f"127.0.0.1:{port}", "--workers", "1",
            "--worker-class", "sync", "--http-parser", parser, "--graceful-timeout", "30",
            "--no-control-socket",  # else every gunicorn of a user shares ~/.gunicorn/gunicorn.ctl
            "app:create_app()",
        ], {}  # fmt: skip

    return command


def uwsgi(*http: str):
    """uWSGI (the pyuwsgi wheel): a master, processes without threads, each loading the app
    itself (--lazy-apps, as granian and gunicorn do here); `http` says how it speaks HTTP.
    uWSGI 2.0 kills workers mid-request on SIGTERM, even with --die-on-term: the hook makes
    SIGTERM a graceful shutdown (requests in flight get --worker-reload-mercy seconds)."""

    def command(port: int) -> tuple[list[str], dict]:
        return [
            str(BIN / "uwsgi"), "--master", "--processes", "1",
            *[part.format(bind=f"127.0.0.1:{port}", port=port) for part in http],
            "--module", "app:create_app()", "--lazy-apps", "--need-app", "--single-interpreter",
            "--die-on-term", "--hook-master-start", "unix_signal:15 gracefully_kill_them_all",
            "--worker-reload-mercy", "30", "--disable-logging",
        ], {}  # fmt: skip

    return command


# A router process (C, evented) keeps the clients' connections alive and hands each request
# to the worker over a uwsgi-protocol socket (here a Linux abstract one). With the router's
# default buffer (a 4 KiB page) a page of more than 4 KiB leaves in two writes, and the
# second waits for the client's delayed ACK: 44 ms per page.
UWSGI_ROUTER = (
    "--http", "{bind}", "--http-keepalive", "--http-buffer-size", "65536",
    "--socket", "@uwsgi-{port}", "--http-to", "@uwsgi-{port}",
)  # fmt: skip

CANDIDATES = {
    "granian 2 threads (serve.py)": granian(2),
    "granian 1 thread": granian(1),
    # HTTP/1 only: no looking for HTTP/2's preface on each new connection.
    "granian 1 thread, HTTP/1 only": granian(1, "--http", "1"),
    # Not a candidate: --backpressure 1. Granian counts connections against it, not requests
    # in flight, so one idle keep-alive client holds it and no other client is answered.
    "gunicorn sync": gunicorn(parser="python"),
    "gunicorn sync + h1c": gunicorn(parser="fast"),
    "uwsgi http router": uwsgi(*UWSGI_ROUTER),
    # The worker speaks HTTP/1.1 itself and keeps the connection: while a client holds it
    # (up to --socket-timeout, 4 s, when idle), no other client is served. wrk's 16
    # connections then measure one connection; the other 15 wait until wrk stops.
    "uwsgi http11-socket": uwsgi("--http11-socket", "{bind}"),
    # Not measured: --http-socket. The worker closes the connection after each answer
    # without saying so (no "Connection: close"), so clients that reuse it fail (wrk counts
    # one socket error per request).
}


def context_switches(pid: int) -> int:
    """Voluntary and involuntary switches of every thread of a server and of its workers."""
    total = 0
    for process in [pid, *workers_of(pid)]:
        for status in Path(f"/proc/{process}/task").glob("*/status"):
            try:
                lines = status.read_text().splitlines()
            except FileNotFoundError:
                continue
            total += sum(int(l.split()[1]) for l in lines if "ctxt_switches" in l)  # noqa: E741
    return total


def keep_alive(port: int) -> dict:
    """A second request on the first one's connection: answered, or the connection closed
    (saying so with "Connection: close", or not)? Then, while a first client holds its
    connection open and idle, how long a second client's request takes."""
    first = HTTPConnection("127.0.0.1", port, timeout=30)
    first.request("GET", "/")
    response = first.getresponse()
    response.read()
    if response.will_close:
        kept = "closed"
    else:
        try:
            first.request("GET", "/")
            first.getresponse().read()
            kept = "kept"
        except (OSError, HTTPException):
            kept = "closed without saying so"
            first = HTTPConnection("127.0.0.1", port, timeout=30)
            first.request("GET", "/")
            first.getresponse().read()
    started = time.monotonic()
    second = HTTPConnection("127.0.0.1", port, timeout=30)
    second.request("GET", "/")
    second.getresponse().read()
    waited = time.monotonic() - started
    first.close()
    second.close()
    return {"connection": kept, "second_client_waits_s": round(waited, 3)}


def routes(visitor: Visitor) -> dict:
    """name -> (path, headers, wrk.lua arguments)."""
    cookie = [("Cookie", visitor.cookie)]
    return {
        "GET / page": ("/", cookie, ["get"]),
        "GET / fragment": ("/", cookie + list(HTMX.items()), ["get"]),
        "GET /submit page": ("/submit", cookie, ["get"]),
        "GET /submissions/<id> page": (visitor.submission, cookie, ["get"]),
        "POST /submit htmx": (
            "/submit",
            [*visitor.form().items(), *HTMX.items()],
            ["post", visitor.token],
        ),
    }


class Candidate:
    def __init__(self, name: str, make_command, workdir: Path, base_env: dict) -> None:
        self.name = name
        slug = "".join(c if c.isalnum() else "-" for c in name)
        self.database = workdir / f"{slug}.db"
        self.env = {**base_env, "DATABASE_URL": f"sqlite:///{self.database}"}
        subprocess.run(
            [str(BIN / "flask"), "--app", "app", "init-db"],
            cwd=ROOT, env=self.env, check=True, capture_output=True,
        )  # fmt: skip
        self.port = free_port()
        command, extra = make_command(self.port)
        self.server = Server(
            name, command, {**self.env, **extra}, self.port, workdir / f"{slug}.log"
        )
        self.pid = self.server.process.pid
        try:
            self.keep_alive = keep_alive(self.port)
            self.visitor = Visitor(self.port)
        except BaseException:
            self.server.stop()
            raise
        self.routes = routes(self.visitor)
        self.runs: dict[str, list[dict]] = {name: [] for name in self.routes}

    def measure(self, route: str, seconds: int, run: str, workdir: Path) -> dict:
        path, headers, args = self.routes[route]
        post = args[0] == "post"
        # A POST names its run, which makes each request_id unique (and 16 characters or more).
        load(self.port, path, 1, CONNECTIONS, headers, [*args, f"warmup-{run}"] if post else args)
        acked = workdir / "acked.txt"
        env = {"BENCH_RESPONSES": "1", "BENCH_ACKED": str(acked)} if post else None
        cpu, switches = cpu_seconds(self.pid), context_switches(self.pid)
        figures = load(
            self.port, path, seconds, CONNECTIONS, headers, [*args, run] if post else args, env
        )
        if figures["bad_status"] or figures["socket_errors"] or not figures["requests"]:
            raise SystemExit(f"{self.name}: errors while measuring {route}: {figures}")
        figures |= cpu_per_request(self.pid, cpu, figures)
        figures["switches"] = (context_switches(self.pid) - switches) / figures["requests"]
        if post:
            ids = [line.rsplit("/", 1)[-1] for line in acked.read_text().split()]
            with sqlite3.connect(self.database) as connection:
                stored = {row[0] for row in connection.execute("SELECT id FROM submissions")}
            figures["acknowledged"] = len(ids)
            figures["acknowledged_missing"] = len([i for i in ids if i not in stored])
        self.runs[route].append(figures)
        return figures

    def memory(self) -> dict:
        workers = {pid: rss_mib(pid) for pid in workers_of(self.pid)}
        return {
            "worker_mib": max(workers.values()),  # the Python worker (uWSGI's router is small)
            "total_mib": rss_mib(self.pid) + sum(workers.values()),
        }


def median(runs: list[dict], key: str) -> float:
    return statistics.median(run[key] for run in runs)


def report(candidates: list[Candidate], memory: dict) -> None:
    width = max(len(c.name) for c in candidates) + 2
    for route in candidates[0].runs:
        print(f"\n{route}")
        print(f"  {'server':<{width}}{'req/s':>8}{'p50 ms':>8}{'p99 ms':>8}{'CPU us':>8}{'cs':>6}")
        for candidate in candidates:
            runs = candidate.runs[route]
            print(
                f"  {candidate.name:<{width}}{median(runs, 'rps'):>8,.0f}"
                f"{median(runs, 'p50_us') / 1000:>8.2f}{median(runs, 'p99_us') / 1000:>8.2f}"
                f"{median(runs, 'cpu_us_per_request'):>8.0f}{median(runs, 'switches'):>6.1f}"
            )
    print(f"\n  {'server':<{width}}{'worker MiB':>11}{'total MiB':>10}  keep-alive")
    for candidate in candidates:
        connection, waits = candidate.keep_alive.values()
        posts = candidate.runs["POST /submit htmx"]
        acked = sum(run["acknowledged"] for run in posts)
        lost = sum(run["acknowledged_missing"] for run in posts)
        print(
            f"  {candidate.name:<{width}}{memory[candidate.name]['worker_mib']:>11.1f}"
            f"{memory[candidate.name]['total_mib']:>10.1f}  {connection}, "
            f"a 2nd client waits {waits:.3f} s; POSTs acknowledged {acked:,}, missing {lost}"
        )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=5, help="seconds per measured run")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--only", nargs="+", metavar="NAME", choices=CANDIDATES, default=None,
                        help="measure these candidates only")  # fmt: skip
    parser.add_argument("--json", type=Path, help="also write every run's figures here")
    options = parser.parse_args()
    if shutil.which("wrk") is None:
        raise SystemExit("needs wrk (Debian: apt-get install wrk)")

    (ROOT / "instance").mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="servers-", dir=ROOT / "instance"))
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_hex(32),
        "SUBMIT_RATE_LIMIT": "100000000 per hour",  # one visitor posts thousands a second
        "WEB_CONCURRENCY": "1",
    }
    env.pop("FLASK_DEBUG", None)
    candidates: list[Candidate] = []
    try:
        for name in options.only or CANDIDATES:
            candidates.append(Candidate(name, CANDIDATES[name], workdir, env))
            print(f"started {name}: {candidates[-1].keep_alive}", flush=True)
        for number in range(1, options.rounds + 1):
            for route in candidates[0].runs:
                for candidate in candidates:
                    run = f"round-{number}"
                    figures = candidate.measure(route, options.duration, run, workdir)
                    print(
                        f"  round {number} {route:<28}{candidate.name:<34}"
                        f"{figures['rps']:>7,.0f} req/s"
                        f"{figures['cpu_us_per_request']:>6,.0f} us CPU",
                        flush=True,
                    )
        memory = {candidate.name: candidate.memory() for candidate in candidates}
    finally:
        for candidate in candidates:
            candidate.server.stop()
    report(candidates, memory)
    if options.json:
        options.json.write_text(json.dumps(
            {c.name: {"keep_alive": c.keep_alive, "memory": memory[c.name], "runs": c.runs}
             for c in candidates}, indent=2) + "\n")  # fmt: skip
    shutil.rmtree(workdir)
    return 0


if __name__ == "__main__":
    sys.exit(main())
