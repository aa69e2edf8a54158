"""`make bench`: how fast the app is when served as in production, against a floor and a peer.

In one run, on this machine, with every server pinned to CPU 0 and wrk pinned to CPU 1 (or, with
no wrk or with --load python, bench/loadgen.py: far lower figures, not to be compared):
- the app (serve.py, as `make serve` runs it): GET /, GET /submit and GET /submissions/<id>
  as page and as htmx fragment, and htmx POST /submit, which stores each submission durably;
- the floor: bench/floor.py, a Flask view answering the same bytes as constants, on the
  same server with the same settings;
- the peer: bench/peer/, FastAPI + Jinja2 on uvicorn showing what the app's home page shows,
  from the same database (in its own virtual environment, bench/.venv-peer);
- the durable-write limit: a bare loop of SQLite insert + commit with the app's settings;
- the resident memory of one worker after 10,000 requests and after 50,000 more.
Each measurement has req/s, latency and the server's CPU time per request.
Prints a table and the targets, and writes every figure as JSON. Traffic stays on 127.0.0.1.
"""

import argparse
import http.client
import json
import math
import os
import re
import secrets
import shutil
import signal
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import urlencode

from soak import free_port, workers_of
from visible import differences

ROOT = Path(__file__).resolve().parent.parent
BENCH = ROOT / "bench"
PEER_VENV = BENCH / ".venv-peer"
SERVER_CPU, LOAD_CPU = "0", "1"
LOAD = "wrk"  # the load generator, a key of LOADS: set by main()
WORKERS = len(SERVER_CPU.split(","))  # one per CPU, as serve.py does by default
HOME_ROUNDS = 3  # alternating rounds of the app's home page and the peer's
HTMX = {"HX-Request": "true"}
CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')
SEEDED = 12  # more than the home page shows, so it lists a full 10


def request(port: int, method: str, path: str, body: str = "", headers: dict | None = None):
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request(method, path, body=body or None, headers=headers or {})
        response = connection.getresponse()
        headers = {name.lower(): value for name, value in response.getheaders()}
        return response.status, headers, response.read()
    finally:
        connection.close()


class Server:
    """A server process pinned to SERVER_CPU, stopped with SIGTERM."""

    def __init__(self, name: str, command: list[str], env: dict, port: int, log: Path) -> None:
        self.name, self.port = name, port
        self.log = log
        self.process = subprocess.Popen(
            command,
            preexec_fn=pinned(SERVER_CPU),
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=log.open("w"),
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{name} exited at start-up; see {log}")
            try:
                request(port, "GET", "/")
                return
            except OSError:
                time.sleep(0.2)
        raise SystemExit(f"{name} did not start; see {log}")

    def stop(self) -> None:
        self.process.send_signal(signal.SIGTERM)
        try:
            self.process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()


def rss_mib(pid: int) -> float:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    raise RuntimeError(f"no VmRSS for {pid}")


def cpu_seconds(pid: int) -> float:
    """CPU time (user + system) used so far by a server: the process, every thread of it, and
    its live workers (a server's workers are its children), from /proc. Workers that exited
    are not counted: take it around a measurement in which none is replaced."""
    ticks = os.sysconf("SC_CLK_TCK")
    total = 0.0
    for process in [pid, *workers_of(pid)]:
        try:
            fields = Path(f"/proc/{process}/stat").read_text().rsplit(")", 1)[1].split()
        except FileNotFoundError:
            continue
        total += (int(fields[11]) + int(fields[12])) / ticks  # utime, stime
    return total


def pinned(cpus: str):
    """For Popen's preexec_fn: the child runs on these CPUs only (as under taskset -c)."""
    return lambda: os.sched_setaffinity(0, {int(cpu) for cpu in cpus.split(",")})


LOADS = {
    "wrk": ["wrk", "-t1", "-s", str(BENCH / "wrk.lua")],
    "python": [sys.executable, str(BENCH / "loadgen.py")],  # the same options, modes, figures
}


def load(port, path, seconds, connections, headers=(), args=(), env=None) -> dict:
    """Run the load generator (LOAD) on LOAD_CPU and return the figures bench/wrk.lua prints."""
    command = [*LOADS[LOAD], f"-c{connections}", f"-d{seconds}s", "--timeout", "10s"]
    for name, value in headers:
        command += ["-H", f"{name}: {value}"]
    command += [f"http://127.0.0.1:{port}{path}", "--", *args]
    done = subprocess.run(
        command,
        preexec_fn=pinned(LOAD_CPU),
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        check=True,
    )
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    figures["rps"] = figures["requests"] / (figures["duration_us"] / 1e6)
    return figures


def measure(pid, port, path, headers, options) -> dict:
    """GETs of `path`, and the CPU time per request of the server whose process is `pid`."""
    if options.warmup:
        load(port, path, options.warmup, options.connections, headers, ["get"])
    cpu = cpu_seconds(pid)
    figures = load(port, path, options.duration, options.connections, headers, ["get"])
    if figures["bad_status"] or figures["socket_errors"] or not figures["requests"]:
        raise SystemExit(f"errors while measuring {path}: {figures}")
    return figures | cpu_per_request(pid, cpu, figures)


def cpu_per_request(pid: int, before: float, figures: dict) -> dict:
    return {"cpu_us_per_request": (cpu_seconds(pid) - before) / figures["requests"] * 1e6}


def durable_write_limit(url: str, seconds: float) -> float:
    """Inserts per second of one connection committing each row, as the app stores them."""
    os.sched_setaffinity(0, {int(SERVER_CPU)})
    try:
        if url.startswith("sqlite"):
            connection = sqlite3.connect(url.removeprefix("sqlite:///"), isolation_level=None)
            connection.execute("PRAGMA journal_mode=WAL")
            connection.execute("PRAGMA synchronous=FULL")
            insert = (
                "INSERT INTO submissions (id, visitor_id, request_id, text, created_at) "
                "VALUES (?, ?, ?, ?, strftime('%Y-%m-%d %H:%M:%f', 'now'))"
            )
        else:
            import psycopg

            connection = psycopg.connect(libpq(url), autocommit=True)  # each COMMIT is durable
            insert = (
                "INSERT INTO submissions (id, visitor_id, request_id, text, created_at) "
                "VALUES (%s, %s, %s, %s, now())"
            )
        count, started = 0, time.perf_counter()
        while time.perf_counter() - started < seconds:
            count += 1
            connection.execute("BEGIN")
            connection.execute(
                insert,
                (secrets.token_urlsafe(16), "loop", f"loop-request-{count}", f"bench {count}"),
            )
            connection.execute("COMMIT")
        elapsed = time.perf_counter() - started
        connection.close()
        return count / elapsed
    finally:
        os.sched_setaffinity(0, set(range(os.cpu_count() or 1)))


def libpq(url: str) -> str:
    """A SQLAlchemy PostgreSQL URL as libpq (and so psycopg) reads it."""
    return url.replace("postgresql+psycopg://", "postgresql://", 1)


class Databases:
    """The app's database and the write loop's: SQLite files in the work directory, or fresh
    schemas on the PostgreSQL server at --database-url (dropped at the end)."""

    def __init__(self, workdir: Path, server: str | None) -> None:
        self.server, self.schemas = server, []
        if server is None:
            self.app, self.loop = (f"sqlite:///{workdir / name}" for name in ("app.db", "loop.db"))
        else:
            self.app, self.loop = self._schema(), self._schema()

    def _schema(self) -> str:
        from sqlalchemy import create_engine

        name = f"bench_{secrets.token_hex(6)}"
        engine = create_engine(self.server)
        with engine.begin() as connection:
            connection.exec_driver_sql(f"CREATE SCHEMA {name}")
        engine.dispose()
        self.schemas.append(name)
        joiner = "&" if "?" in self.server else "?"
        return f"{self.server}{joiner}options=-csearch_path%3D{name}"

    def rows(self) -> tuple[set[str], str]:
        """The ids stored in the app's database, and what its integrity check says."""
        if self.server is None:
            with sqlite3.connect(self.app.removeprefix("sqlite:///")) as connection:
                ids = {row[0] for row in connection.execute("SELECT id FROM submissions")}
                return ids, connection.execute("PRAGMA integrity_check").fetchone()[0]
        import psycopg

        with psycopg.connect(libpq(self.app)) as connection:
            return {row[0] for row in connection.execute("SELECT id FROM submissions")}, "n/a"

    def peer(self) -> str:
        """PEER_DATABASE: the SQLite file, or the libpq URL."""
        return self.app.removeprefix("sqlite:///") if self.server is None else libpq(self.app)

    def drop(self) -> None:
        if not self.schemas:
            return
        from sqlalchemy import create_engine

        engine = create_engine(self.server)
        with engine.begin() as connection:
            for name in self.schemas:
                connection.exec_driver_sql(f"DROP SCHEMA {name} CASCADE")
        engine.dispose()


class Visitor:
    """A returning visitor: a session cookie, a CSRF token and SEEDED stored submissions."""

    def __init__(self, port: int) -> None:
        self.port = port
        status, headers, body = request(port, "GET", "/submit")
        self.cookie = headers["set-cookie"].split(";", 1)[0]
        self.token = CSRF_FIELD.search(body.decode())[1]
        for n in range(SEEDED):
            fields = {
                "csrf_token": self.token,
                "user_input": f"Submission number {n}: <b>bold</b> & plain",
                "request_id": f"seed-request-{n:04d}",
            }
            status, headers, _ = request(port, "POST", "/submit", urlencode(fields), self.form())
            assert status == 303, status
            self.cookie = headers.get("set-cookie", self.cookie).split(";", 1)[0]
            # Follow the redirect as a browser would, which shows (and clears) the flash.
            self.submission = headers["location"]
            _, headers, _ = request(port, "GET", self.submission, headers=self.form())
            self.cookie = headers.get("set-cookie", self.cookie).split(";", 1)[0]

    def form(self) -> dict:
        return {"Cookie": self.cookie, "Content-Type": "application/x-www-form-urlencoded"}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--duration", type=int, default=10, help="seconds per measurement")
    parser.add_argument("--warmup", type=int, default=2, help="seconds before each")
    parser.add_argument("--connections", type=int, default=16)
    parser.add_argument("--memory-requests", type=int, nargs=2, default=[10_000, 50_000])
    parser.add_argument("--json", type=Path, default=BENCH / "results.json")
    parser.add_argument(
        "--accept-encoding",
        help="send this Accept-Encoding (e.g. gzip, as browsers do) on the app's GETs; "
        "bytes are then as sent. Off by default: app, floor and peer answer the same bytes",
    )
    parser.add_argument(
        "--database-url",
        help="a PostgreSQL server (postgresql+psycopg://...) to run on instead of SQLite files",
    )
    parser.add_argument(
        "--load",
        choices=["wrk", "python"],
        help="the load generator: wrk (the default when installed), or bench/loadgen.py",
    )
    options = parser.parse_args()
    global LOAD
    LOAD = options.load = options.load or ("wrk" if shutil.which("wrk") else "python")
    if LOAD == "wrk" and shutil.which("wrk") is None:
        raise SystemExit("--load wrk needs wrk (Debian: apt-get install wrk)")
    if LOAD == "python":
        print(
            "Load from bench/loadgen.py, the Python load generator, not wrk: its figures are far "
            "below wrk's; do not compare them with recorded figures.",
            flush=True,
        )

    # On the disk the app's database normally lives on (instance/), not a tmpfs: fsync counts.
    (ROOT / "instance").mkdir(exist_ok=True)
    workdir = Path(tempfile.mkdtemp(prefix="bench-", dir=ROOT / "instance"))
    secret = secrets.token_hex(32)
    databases = Databases(workdir, options.database_url)
    env = {
        **os.environ,
        "SECRET_KEY": secret,
        "DATABASE_URL": databases.app,
        "SUBMIT_RATE_LIMIT": "100000000 per hour",  # one visitor posts thousands a second
        # serve.py's default, one worker per CPU it runs on, for every server measured.
        "WEB_CONCURRENCY": str(WORKERS),
    }
    env.pop("FLASK_DEBUG", None)
    results: dict = {
        "machine": machine(),
        "database": "SQLite" if options.database_url is None else "PostgreSQL",
        "settings": vars(options) | {"json": str(options.json), "database_url": None},
    }
    try:
        run(options, workdir, databases, env, results)
    finally:
        databases.drop()
    report(results)
    options.json.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nEvery figure: {options.json}")
    shutil.rmtree(workdir)
    return 0


def run(options, workdir: Path, databases: Databases, env: dict, results: dict) -> None:
    """Every measurement, into `results`."""

    # The durable-write limit, on a copy of the app's schema.
    subprocess.run(
        [sys.executable, "-m", "flask", "--app", "app", "init-db"],
        cwd=ROOT,
        env={**env, "DATABASE_URL": databases.loop},
        check=True,
        capture_output=True,
    )
    results["durable_writes_per_second"] = durable_write_limit(databases.loop, options.duration)

    # The app.
    port = free_port()
    app = Server(
        "app",
        [sys.executable, "serve.py"],
        {**env, "BIND": f"127.0.0.1:{port}"},
        port,
        workdir / "app.log",
    )
    try:
        visitor = Visitor(port)
        cookie = [("Cookie", visitor.cookie)]
        encoding = [("Accept-Encoding", options.accept_encoding)] if options.accept_encoding else []
        routes = {"/": "/", "/submit": "/submit", "/submissions/<id>": visitor.submission}
        captured, app_figures = {}, {}
        for name, path in routes.items():
            captured[path] = {}
            for shape, extra in (("page", []), ("fragment", list(HTMX.items()))):
                status, headers, body = request(port, "GET", path, headers=dict(cookie + extra))
                assert status == 200, (path, shape, status)
                captured[path][shape] = [headers["content-type"], body.decode()]
                if encoding:
                    body = request(port, "GET", path, headers=dict(cookie + extra + encoding))[2]
                figures = measure(app.process.pid, port, path, cookie + extra + encoding, options)
                app_figures[f"GET {name} {shape}"] = figures | {"bytes": len(body)}
                print(f"  measured app GET {name} {shape}: {figures['rps']:,.0f} req/s", flush=True)
        results["post"] = measure_post(app, visitor, workdir, databases, options)
        results["app"] = app_figures
        # The home page as it now stands, for comparison with the peer's.
        home = request(port, "GET", "/", headers=dict(cookie))[2].decode()
        results["home_rounds"] = home_against_peer(
            env, visitor, home, app, workdir, databases, options
        )
        print("  measured the peer", flush=True)
    finally:
        app.stop()

    # The floor: the same bytes from a constant Flask view, on the same server.
    responses_file = workdir / "responses.json"
    responses_file.write_text(json.dumps(captured))
    port = free_port()
    floor = Server(
        "floor",
        [sys.executable, "-m", "bench.floor"],
        {**env, "BIND": f"127.0.0.1:{port}", "FLOOR_RESPONSES": str(responses_file)},
        port,
        workdir / "floor.log",
    )
    try:
        results["floor"] = {}
        for name, path in routes.items():
            for shape, extra in (("page", []), ("fragment", list(HTMX.items()))):
                figures = measure(floor.process.pid, port, path, extra, options)
                results["floor"][f"GET {name} {shape}"] = figures
        print("  measured the floor", flush=True)
    finally:
        floor.stop()

    # Memory of one worker.
    slowest = min(figures["rps"] for figures in results["app"].values())
    results["memory_mib"] = measure_memory(env, workdir, options, slowest)


def measure_post(app: Server, visitor: Visitor, workdir: Path, databases, options) -> dict:
    """htmx POST /submit: req/s, and every acknowledged submission found stored."""
    port, pid = app.port, app.process.pid
    acked_file = workdir / "acked.txt"
    headers = [*visitor.form().items(), *HTMX.items()]
    env = {"BENCH_RESPONSES": "1", "BENCH_ACKED": str(acked_file)}
    if options.warmup:
        load(
            port, "/submit", options.warmup, options.connections, headers,
            ["post", visitor.token, "warmup"],
        )  # fmt: skip
        time.sleep(0.5)  # let the warm-up's last requests land before counting
    before = len(databases.rows()[0])
    cpu = cpu_seconds(pid)
    figures = load(
        port, "/submit", options.duration, options.connections, headers,
        ["post", visitor.token, "measured"], env,
    )  # fmt: skip
    figures |= cpu_per_request(pid, cpu, figures)
    acked = [url.rsplit("/", 1)[-1] for url in acked_file.read_text().split()]
    # Requests still in flight when the load stopped land (or not) first: wait until a second
    # passes with no new row, so the rows counted here are those the home page shows later.
    stored, integrity = databases.rows()
    while True:
        time.sleep(1)
        again = databases.rows()
        if again[0] == stored:
            break
        stored, integrity = again
    # Sizes: the htmx answer to a submit against the result page it stands for.
    fields = {
        "csrf_token": visitor.token,
        "user_input": "size check",
        "request_id": "size-check-request",
    }
    status, headers_back, fragment = request(
        port, "POST", "/submit", urlencode(fields), {**visitor.form(), **HTMX}
    )
    assert status == 200, status
    _, _, page = request(port, "GET", headers_back["hx-push-url"], headers=visitor.form())
    return figures | {
        "acknowledged": len(acked),
        "acknowledged_missing": len([i for i in acked if i not in stored]),
        "stored_during_run": len(stored) - before,  # read before the size check
        "integrity_check": integrity,
        "fragment_bytes": len(fragment),
        "page_bytes": len(page),
    }


def home_against_peer(
    env, visitor: Visitor, home: str, app: Server, workdir: Path, databases, options
):
    """The app's home page and the peer's, measured in alternating rounds (the app's server
    idles while the peer's is measured, and the other way round), so that a change in the
    machine's load between the two does not show up as a ratio."""
    python = PEER_VENV / "bin" / "python"
    if not python.exists():
        subprocess.run([sys.executable, "-m", "venv", str(PEER_VENV)], check=True)
    requirements = BENCH / "peer" / "requirements.txt"
    installed = PEER_VENV / "installed-requirements.txt"
    if not installed.exists() or installed.read_text() != requirements.read_text():
        subprocess.run(
            [str(python), "-m", "pip", "install", "-q", "--disable-pip-version-check",
             "-r", str(requirements)],
            check=True,
        )  # fmt: skip
        installed.write_text(requirements.read_text())
    port = free_port()
    peer = Server(
        "peer",
        [str(python), "-m", "uvicorn", "peer:app", "--app-dir", "bench/peer",
         "--workers", str(WORKERS), "--host", "127.0.0.1", "--port", str(port)],
        {**env, "PEER_DATABASE": databases.peer()},
        port,
        workdir / "peer.log",
    )  # fmt: skip
    try:
        # The peer must show what the app's page showed: the same rows, headings and links.
        status, _, body = request(port, "GET", "/", headers={"Cookie": visitor.cookie})
        found = [f"status {status}"] if status != 200 else differences(home, body.decode())
        if found:
            (workdir / "app-home.html").write_text(home)
            (workdir / "peer-home.html").write_bytes(body)
            raise SystemExit(
                f"the peer's home page does not show what the app's does (see {workdir}):\n"
                + "\n".join(found)
            )
        rounds: dict[str, list] = {"app": [], "peer": []}
        for _ in range(HOME_ROUNDS):
            for name, server in (("app", app), ("peer", peer)):
                rounds[name].append(
                    measure(
                        server.process.pid, server.port, "/", [("Cookie", visitor.cookie)], options
                    )
                )
        for figures in rounds["peer"]:
            figures["bytes"] = len(body)  # the peer's page, for the table
        return rounds
    finally:
        peer.stop()


def rates(figures: list[dict], key: str = "rps") -> str:
    return ", ".join(f"{f[key]:,.0f}" for f in figures)


def median_round(figures: list[dict]) -> dict:
    """The round with the median req/s."""
    return sorted(figures, key=lambda f: f["rps"])[len(figures) // 2]


def measure_memory(env: dict, workdir: Path, options, rate: float) -> dict:
    """One worker's resident memory after a first batch of requests and after a second."""
    port = free_port()
    server = Server(
        "app (1 worker)",
        [sys.executable, "serve.py"],
        {**env, "BIND": f"127.0.0.1:{port}", "WEB_CONCURRENCY": "1"},
        port,
        workdir / "memory.log",
    )
    try:
        visitor = Visitor(port)
        cycle = []
        for path in ("/", "/submit", visitor.submission):
            cycle += [path, "0", path, "1"]
        [worker] = workers_of(server.process.pid)
        figures = {"start": rss_mib(worker)}
        for label, count in zip(("first", "second"), options.memory_requests, strict=True):
            # wrk stops sending after `remaining` answers, but runs for its whole duration:
            # size the duration from the rate measured before, and top up if it fell short.
            remaining = count
            while remaining > 0:
                seconds = math.ceil(remaining / rate * 1.3) + 1
                done = load(
                    port, "/", seconds, 4, [("Cookie", visitor.cookie)],
                    ["cycle", str(remaining), *cycle], {"BENCH_RESPONSES": "1"},
                )  # fmt: skip
                remaining -= done["requests"]
            figures[f"after_{label}"] = rss_mib(worker)
        return figures
    finally:
        server.stop()


def machine() -> dict:
    model = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    return {"cpu": model, "cpus": os.cpu_count(), "python": sys.version.split()[0]}


def report(results: dict) -> None:
    """The table, then the targets."""
    app, floor = results["app"], results["floor"]
    home_rounds = results["home_rounds"]
    home, peer = median_round(home_rounds["app"]), median_round(home_rounds["peer"])
    print(f"\nMachine: {results['machine']['cpu']}, {results['machine']['cpus']} CPUs; "
          f"database: {results['database']}; "
          f"servers on CPU {SERVER_CPU} ({WORKERS} worker{'s' if WORKERS > 1 else ''}), "
          f"{results['settings']['load']} on CPU {LOAD_CPU}")  # fmt: skip
    header = (
        f"{'request':<38}{'req/s':>9}{'CPU us/req':>11}{'p50 ms':>9}{'p99 ms':>9}{'bytes':>8}"
        f"{'x floor':>9}"
    )
    print("\n" + header + f"{'x peer':>8}")
    for name, figures in app.items():
        print(row(f"app {name}", figures) + f"{figures['rps'] / floor[name]['rps']:>9.2f}")
    for name, figures in floor.items():
        print(row(f"floor {name}", figures))
    print(
        row("app GET / page, against the peer", home) + f"{'':>9}{home['rps'] / peer['rps']:>8.2f}"
    )
    print(row("peer GET / page (FastAPI)", peer))
    post = results["post"]
    print(row("app POST /submit htmx", post))
    durable = results["durable_writes_per_second"]
    print(f"{'durable-write limit (insert loop)':<38}{durable:>9,.0f}")
    print(
        f"\nHome page, app against the peer: {home['rps'] / peer['rps']:.2f}x in req/s, "
        f"{peer['cpu_us_per_request'] / home['cpu_us_per_request']:.2f}x in CPU per request "
        "(the peer's CPU us/req over the app's: the ratio to trust on a busy machine)"
    )
    print(
        f"\nPOST: {post['acknowledged']:,} acknowledged, {post['acknowledged_missing']} of them "
        f"missing from the database, {post['stored_during_run']:,} stored (the difference was "
        f"in flight when the load stopped); integrity_check {post['integrity_check']}"
    )
    memory = results["memory_mib"]
    first, second = results["settings"]["memory_requests"]
    print(
        f"Worker memory (RSS): {memory['start']:.1f} MiB at start, {memory['after_first']:.1f} MiB "
        f"after {first:,} requests, {memory['after_second']:.1f} MiB after {second:,} more"
    )
    print(
        f"Home page against the peer, {HOME_ROUNDS} alternating rounds (the median is above): "
        f"app {rates(home_rounds['app'])}, peer {rates(home_rounds['peer'])} req/s; "
        f"app {rates(home_rounds['app'], 'cpu_us_per_request')}, "
        f"peer {rates(home_rounds['peer'], 'cpu_us_per_request')} CPU us/req"
    )
    print(
        f"Submit answer: {post['fragment_bytes']:,} bytes with htmx, the result page "
        f"{post['page_bytes']:,} bytes ({post['fragment_bytes'] / post['page_bytes']:.0%})"
    )

    # This round's targets (see bench/README.md); beyond them, a home page ahead of the peer.
    targets = [
        ("home req/s >= 0.8x peer", home["rps"] >= 0.8 * peer["rps"]),
        ("home p99 <= 1.5x peer p99", home["p99_us"] <= 1.5 * peer["p99_us"]),
    ]
    for name, figures in app.items():
        need = 0.3 if name.endswith("fragment") else 0.2
        targets.append((f"{name} >= {need}x floor", figures["rps"] >= need * floor[name]["rps"]))
    lost = post["acknowledged_missing"]
    growth = memory["after_second"] - memory["after_first"]
    targets += [
        ("POST >= 0.2x durable-write limit", post["rps"] >= 0.2 * durable),
        ("POST p99 <= 40 ms", post["p99_us"] <= 40_000),
        ("no acknowledged write lost", lost == 0 and post["acknowledged"] > 0),
        ("worker grows < 1 MiB over the second", growth < 1),
        ("htmx submit answer <= 50% of the page", post["fragment_bytes"] <= post["page_bytes"] / 2),
    ]
    results["targets"] = {name: met for name, met in targets}
    print(f"\nTargets ({sum(met for _, met in targets)} of {len(targets)} met):")
    for name, met in targets:
        print(f"  {'met ' if met else 'MISSED'}  {name}")


def row(label: str, figures: dict) -> str:
    size = f"{figures['bytes']:>8,}" if "bytes" in figures else f"{'':>8}"
    return (
        f"{label:<38}{figures['rps']:>9,.0f}{figures['cpu_us_per_request']:>11,.0f}"
        f"{figures['p50_us'] / 1000:>9.2f}"
        f"{figures['p99_us'] / 1000:>9.2f}{size}"
    )


if __name__ == "__main__":
    sys.exit(main())
