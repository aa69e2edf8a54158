"""Production serving: `make serve` runs this. Settings come from the environment.

Granian serves the app over WSGI: chosen, and chosen again, by measurement against gunicorn
and uWSGI (bench/README.md, "Choosing the server again"). This process applies pending schema
migrations once, in a child process (so this one, which only supervises the workers, never
holds an app), then starts the workers; each worker builds its own app with `create_app()`
and never touches the schema. Crashed workers are replaced; on SIGTERM, requests in flight
get GRACEFUL_TIMEOUT seconds. Granian stops altogether if a worker dies again within seconds
of being replaced: run it under a supervisor that restarts it (docs/deploying.md).
"""

import multiprocessing
import os
import sys

from granian import Granian
from granian.constants import Interfaces


def cpus() -> int:
    """The CPUs this process may run on: fewer than the machine's under `taskset` or a
    container's cpuset (Linux); elsewhere, the machine's. A container's CPU quota is not
    seen: set WEB_CONCURRENCY there."""
    if hasattr(os, "sched_getaffinity"):
        return len(os.sched_getaffinity(0))
    return os.cpu_count() or 1


def settings(environ=os.environ) -> dict:
    host, _, port = environ.get("BIND", "127.0.0.1:8000").rpartition(":")
    return {
        "address": host or "127.0.0.1",
        "port": int(port),
        # One worker per CPU: a second worker on the same CPU only adds switching between
        # processes (bench/README.md has the figures).
        "workers": int(environ.get("WEB_CONCURRENCY", cpus())),
        "blocking_threads": int(environ.get("THREADS", "2")),
        "workers_kill_timeout": int(environ.get("GRACEFUL_TIMEOUT", "30")),
    }


def server(target: str) -> Granian:
    """Granian serving the app factory `target` ("module:function") with these settings."""
    return Granian(
        target,
        factory=True,
        interface=Interfaces.WSGI,
        respawn_failed_workers=True,
        websockets=False,
        log_access=False,  # the app logs each request itself
        **settings(),
    )


def migrate() -> None:
    """Apply pending migrations (in a child process: see main)."""
    from app import create_app

    store = create_app().extensions["store"]
    store.migrate()
    store.engine.dispose()


def main() -> None:
    # A forked child (this process has no threads yet, and has not imported the app) in
    # this directory with this sys.path, as the workers are. A missing SECRET_KEY ends it,
    # and so this, in one line. (Spawning would also leave a resource tracker running.)
    child = multiprocessing.get_context("fork").Process(target=migrate, name="migrate")
    child.start()
    child.join()
    if child.exitcode != 0:
        sys.exit(1)
    server("app:create_app").serve()


if __name__ == "__main__":
    main()
