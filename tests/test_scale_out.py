"""Several app servers against one PostgreSQL and one Redis: a visitor can use any of them,
and the submission limit counts across all of them."""

import http.client
import os
import secrets
import subprocess
import sys
import time
from urllib.parse import urlencode

import pytest
import redis
from bs4 import BeautifulSoup
from helpers import HTMX, csrf_token, free_port, submit

from app import ROOT


@pytest.fixture
def redis_url(redis_server):
    with redis.Redis.from_url(redis_server) as client:
        client.flushdb()
    return redis_server


def test_the_limit_counts_across_apps_sharing_redis(make_app, redis_url):
    config = {
        "RATELIMIT_ENABLED": True,
        "SUBMIT_RATE_LIMIT": "3 per minute",
        "RATELIMIT_STORAGE_URI": redis_url,
    }
    one, two = make_app(**config).test_client(), make_app(**config).test_client()
    assert submit(one, "first").status_code == 303
    two.set_cookie("session", one.get_cookie("session").value)  # the same browser
    assert submit(two, "second").status_code == 303
    assert submit(one, "third").status_code == 303
    assert submit(two, "one too many").status_code == 429
    assert submit(one, "one too many").status_code == 429


class Browser:
    """One visitor's cookie, used against whichever server it is pointed at."""

    def __init__(self) -> None:
        self.cookie = ""

    def request(self, port: int, method: str, path: str, fields=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
        headers = {"Cookie": self.cookie, **(headers or {})}
        body = None
        if fields is not None:
            body = urlencode(fields)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        connection.request(method, path, body=body, headers=headers)
        response = connection.getresponse()
        text = response.read().decode()
        if cookie := response.getheader("Set-Cookie"):
            self.cookie = cookie.split(";", 1)[0]
        connection.close()
        return response, text


@pytest.fixture
def two_servers(postgres_url, redis_url, tmp_path):
    env = {
        **os.environ,
        "SECRET_KEY": secrets.token_hex(32),  # shared, as it must be
        "DATABASE_URL": postgres_url,
        "RATELIMIT_STORAGE_URI": redis_url,
        "SUBMIT_RATE_LIMIT": "5 per minute",
        "WEB_CONCURRENCY": "1",
    }
    env.pop("FLASK_DEBUG", None)
    ports = [free_port(), free_port()]
    logs = [(tmp_path / f"server-{port}.log").open("w") for port in ports]
    servers = [
        subprocess.Popen(
            [sys.executable, "serve.py"],
            cwd=ROOT,
            env={**env, "BIND": f"127.0.0.1:{port}"},
            stdout=subprocess.DEVNULL,
            stderr=log,
        )
        for port, log in zip(ports, logs, strict=True)  # started together: both migrate
    ]
    try:
        for port in ports:
            deadline = time.monotonic() + 30
            while True:
                try:
                    if Browser().request(port, "GET", "/healthz")[0].status == 200:
                        break
                except OSError:
                    pass
                assert time.monotonic() < deadline, (tmp_path / f"server-{port}.log").read_text()
                time.sleep(0.2)
        yield ports
    finally:
        for server, log in zip(servers, logs, strict=True):
            server.terminate()
            server.wait(timeout=30)
            log.close()


@pytest.mark.slow
def test_a_visitor_can_use_either_server(two_servers):
    a, b = two_servers
    browser = Browser()
    _, form = browser.request(a, "GET", "/submit")
    token = csrf_token(form)

    stored, _ = browser.request(a, "POST", "/submit", {"csrf_token": token, "user_input": "via A"})
    assert stored.status == 303
    url = stored.getheader("Location")
    shown, page = browser.request(b, "GET", url)
    assert shown.status == 200
    assert parse_text(page, ".entered") == "via A"

    # A token from A's form is good on B; B's answer lists what A stored.
    fields = {"csrf_token": token, "user_input": "via B"}
    added, fragment = browser.request(b, "POST", "/submit", fields, HTMX)
    assert added.status == 200
    assert parse_text(fragment, ".entered") == "via B"
    _, found = browser.request(b, "GET", "/submissions?q=via+a")
    assert parse_text(found, "li[id^=row-] > a") == "via A"

    deleted, _ = browser.request(b, "POST", f"{url}/delete", {"csrf_token": token})
    assert deleted.status == 303
    assert browser.request(a, "GET", url)[0].status == 404

    # The limit (5 a minute) counts submissions made through both servers.
    statuses = []
    for n, port in enumerate([a, b, a, b]):
        fields = {"csrf_token": token, "user_input": f"n{n}"}
        statuses.append(browser.request(port, "POST", "/submit", fields)[0].status)
    assert statuses == [303, 303, 303, 429]


def parse_text(html: str, selector: str) -> str:
    return BeautifulSoup(html, "html.parser").select_one(selector).get_text()
