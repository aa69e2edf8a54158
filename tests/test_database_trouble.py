"""A locked, read-only or missing database: 503 saying to try again, logged once,
nothing half-written, and service resumes by itself once the database is back."""

import logging
import shutil
import sqlite3
import threading
import time

import pytest
from helpers import HTMX, assert_unavailable, count_rows, form_fields, parse, submit
from sqlalchemy import create_engine, event


@pytest.fixture
def db_dir(tmp_path):
    path = tmp_path / "data"
    path.mkdir()
    return path


@pytest.fixture
def app(make_app, db_dir):
    return make_app(DATABASE_URL=f"sqlite:///{db_dir / 'app.db'}", DATABASE_TIMEOUT_MS=100)


def database_errors(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_locked_database(client, store, db_dir, htmx, caplog):
    submit(client, "before")
    fields = form_fields(client)
    blocker = sqlite3.connect(db_dir / "app.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    try:
        response = client.post(
            "/submit", data={**fields, "user_input": "while locked"}, headers=HTMX if htmx else {}
        )
        assert_unavailable(response, htmx)
        [line] = database_errors(caplog)
        assert "POST /submit" in line
        assert "locked" in line
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()

    assert submit(client, "after").status_code == 303
    texts = [
        a.get_text()
        for a in parse(client.get("/submissions")).select("li[id^=row-] > a:first-child")
    ]
    assert texts == ["after", "before"]


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_read_only_database(client, store, htmx, caplog):
    submit(client, "before")
    read_only = {"on": True}

    @event.listens_for(store.engine, "checkout")
    def make_read_only(dbapi_connection, _record, _proxy):
        dbapi_connection.execute(f"PRAGMA query_only={int(read_only['on'])}")

    response = submit(client, "while read-only", headers=HTMX if htmx else {})
    assert_unavailable(response, htmx)
    [line] = database_errors(caplog)
    assert "readonly" in line
    assert client.get("/").status_code == 200  # reading still works
    assert count_rows(store) == 1

    read_only["on"] = False
    assert submit(client, "after").status_code == 303
    assert count_rows(store) == 2


def test_a_missing_database(client, store, db_dir, tmp_path, caplog):
    url = submit(client, "kept").headers["Location"]
    moved = tmp_path / "elsewhere"
    store.engine.dispose()  # as after a restart: no connection is still open
    shutil.move(db_dir, moved)
    try:
        health = client.get("/healthz")
        assert (health.status_code, health.text) == (503, "unavailable\ndatabase: unavailable\n")
        assert health.headers["Cache-Control"] == "no-store"
        assert_unavailable(client.get(url), htmx=False)
        assert_unavailable(client.get(url, headers=HTMX), htmx=True)
        assert "GET /submissions/" in database_errors(caplog)[0]
        # Live validation needs no database at all.
        feedback = client.get("/submit/validate?user_input=hi", headers=HTMX)
        assert feedback.status_code == 200
    finally:
        shutil.move(moved, db_dir)

    assert client.get(url).status_code == 200
    assert client.get("/healthz").status_code == 200
    assert submit(client, "and more").status_code == 303
    assert count_rows(store) == 2


def test_an_unreachable_postgresql_gives_503_and_health_says_so(make_app):
    app = make_app(
        migrate=False,
        # Nothing listens on port 9 (discard) on loopback.
        DATABASE_URL="postgresql+psycopg://app@127.0.0.1:9/app?connect_timeout=2",
    )
    client = app.test_client()
    assert client.get("/healthz").status_code == 503
    fields = {**form_fields(client), "user_input": "nowhere to go"}
    assert_unavailable(client.post("/submit", data=fields), htmx=False)
    assert_unavailable(client.post("/submit", data=fields, headers=HTMX), htmx=True)


def test_postgresql_connections_dropped_by_a_restart_are_replaced(make_app, postgres_url, caplog):
    app = make_app(DATABASE_URL=postgres_url)
    client = app.test_client()
    url = submit(client, "before the restart").headers["Location"]
    engine = app.extensions["store"].engine
    assert engine.pool.checkedin() >= 1
    # What a restart does to the pool's open connections: the server ends them (from a
    # connection of another engine, so that every one of the app's is ended).
    other = create_engine(postgres_url)
    with other.connect() as connection:
        ended = (
            connection.exec_driver_sql(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                "WHERE application_name = current_setting('application_name') "
                "AND pid <> pg_backend_pid()"
            )
            .scalars()
            .all()
        )
    other.dispose()
    assert ended and all(ended)
    response = client.get(url)
    assert response.status_code == 200
    assert parse(response).select_one(".entered").get_text() == "before the restart"
    assert submit(client, "after the restart").status_code == 303
    assert database_errors(caplog) == []
    engine.dispose()


def test_writers_queued_in_one_process_each_wait_at_most_the_timeout(app, db_dir):
    blocker = sqlite3.connect(db_dir / "app.db", isolation_level=None)
    blocker.execute("BEGIN EXCLUSIVE")
    waits = []

    def write(n: int) -> None:
        client = app.test_client()
        fields = form_fields(client)  # the empty form needs no database
        started = time.monotonic()
        response = client.post("/submit", data={**fields, "user_input": f"w{n}"})
        waits.append((response.status_code, time.monotonic() - started))

    try:
        threads = [threading.Thread(target=write, args=(n,)) for n in range(8)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    finally:
        blocker.execute("ROLLBACK")
        blocker.close()
    assert [status for status, _ in waits] == [503] * 8
    assert max(seconds for _, seconds in waits) < 1.5  # 100 ms each, not 100 ms x 8 queued
