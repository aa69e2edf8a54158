"""The throwaway servers `make test` starts where none is configured (tests/servers.py),
from each source of binaries: they start, answer, and leave nothing running."""

import os

import psycopg
import pytest
import redis
import servers

SOURCES = ["system", "package"]


def skip_or_fail(message: str) -> None:
    if os.environ.get("CI") == "true" and "package" in message:
        pytest.fail(message)  # requirements-dev.txt installs the packages: CI must have them
    pytest.skip(message)


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


@pytest.mark.parametrize("source", SOURCES)
def test_a_throwaway_postgresql_answers_and_then_is_gone(source):
    if servers.postgresql_bin(source) is None:
        skip_or_fail(f"No PostgreSQL binaries from the {source}")
    with servers.postgresql(source) as server:
        url = server.url.replace("postgresql+psycopg", "postgresql")
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT 1 + 1").fetchone() == (2,)
            pid = connection.execute("SELECT pg_backend_pid()").fetchone()[0]
        server.restart("immediate")
        with psycopg.connect(url) as connection:
            assert connection.execute("SELECT 1").fetchone() == (1,)
    with pytest.raises(psycopg.OperationalError):
        psycopg.connect(url, connect_timeout=2)
    assert not running(pid)


@pytest.mark.parametrize("source", SOURCES)
def test_a_throwaway_redis_answers_and_then_is_gone(source):
    if servers.redis_executable(source) is None:
        skip_or_fail(f"No redis-server from the {source}")
    with servers.redis_server(source) as server, redis.Redis.from_url(server.url) as client:
        assert client.ping()
        client.set("key", "value")
        assert client.get("key") == b"value"
    with redis.Redis.from_url(server.url) as client, pytest.raises(redis.ConnectionError):
        client.ping()
