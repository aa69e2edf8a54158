"""Production serving with gunicorn: `make serve`. Every setting can come from the environment."""

import os

bind = os.environ.get("BIND", "127.0.0.1:8000")
workers = int(os.environ.get("WEB_CONCURRENCY", "2"))
worker_class = "gthread"
threads = int(os.environ.get("THREADS", "4"))
# Build the app once in the master: the schema is prepared once, before any worker forks
# (the app closes its database connections after that, so no worker inherits one).
preload_app = True
# A worker that stops answering is killed and replaced; crashed workers are replaced anyway.
timeout = int(os.environ.get("WORKER_TIMEOUT", "30"))
# On SIGTERM, requests in flight get this long to finish.
graceful_timeout = int(os.environ.get("GRACEFUL_TIMEOUT", "30"))
keepalive = 5
accesslog = os.environ.get("ACCESS_LOG") or None  # the app logs each request itself
errorlog = "-"
