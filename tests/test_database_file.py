"""The SQLite file renamed, deleted or replaced under a running app: 503 and /healthz 503
(never a write into a file nobody reads), logged once, and back by itself when the file is."""

import logging
import os
import secrets
import sqlite3
from contextlib import closing

import pytest
from helpers import HTMX, assert_unavailable, form_fields, serving, status_of, submit

from bench.soak import Visitor


def rename(db):
    aside = db.with_name("renamed.db")
    os.rename(db, aside)
    return lambda: os.rename(aside, db)


def unlink(db):
    held = db.with_name("held.db")  # a second name, so that the file can be put back
    os.link(db, held)
    os.unlink(db)
    return lambda: os.link(held, db)


def replace(db):
    """Another database moved over the path (a copy, so it is a perfectly good one)."""
    original, replacement = db.with_name("original.db"), db.with_name("replacement.db")
    with closing(sqlite3.connect(db)) as source, closing(sqlite3.connect(replacement)) as copy:
        source.backup(copy)
    os.link(db, original)
    os.rename(replacement, db)

    def put_back():
        os.link(db, replacement)
        os.rename(original, db)

    return put_back


WAYS = {"rename": rename, "unlink": unlink, "replace": replace}


@pytest.fixture
def db(tmp_path):
    return tmp_path / "app.db"


@pytest.fixture
def config(db):
    return {"DATABASE_URL": f"sqlite:///{db}"}


@pytest.fixture
def app(make_app, config):
    return make_app(**config)


def texts(path) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return sorted(row[0] for row in connection.execute("SELECT text FROM submissions"))


def messages(caplog, level: int) -> list[str]:
    return [r.getMessage() for r in caplog.records if r.levelno == level]


@pytest.mark.parametrize("way", WAYS)
def test_a_database_file_taken_away_is_noticed_and_its_return_too(client, db, way, caplog):
    url = submit(client, "before").headers["Location"]
    fields = form_fields(client)
    put_back = WAYS[way](db)
    try:
        health = client.get("/healthz")
        assert (health.status_code, health.text) == (503, "unavailable\ndatabase: unavailable\n")
        for n, htmx in enumerate([False, True, False, True]):
            response = client.post(
                "/submit",
                data={**fields, "user_input": f"while gone {n}"},
                headers=HTMX if htmx else {},
            )
            assert_unavailable(response, htmx)
        assert_unavailable(client.get(url), htmx=False)
        assert client.get("/healthz").status_code == 503
    finally:
        put_back()

    # Logged once, naming the path and where the file in use is now.
    [moved] = messages(caplog, logging.ERROR)
    assert f"{db} is now {'another file' if way == 'replace' else 'missing'}" in moved
    assert (
        f"open as {db.with_name('renamed.db') if way == 'rename' else f'{db} (deleted)'}" in moved
    )

    assert client.get("/healthz").status_code == 200
    assert client.get(url).status_code == 200
    assert submit(client, "after").status_code == 303
    assert messages(caplog, logging.WARNING) == [f"Database file back at {db}: serving again."]
    assert texts(db) == ["after", "before"]
    if way == "replace":
        assert texts(db.with_name("replacement.db")) == ["before"]


def test_a_process_joining_later_refuses_a_replaced_file(make_app, client, config, db):
    """The lock file records which file the open connections use; a newcomer (another worker)
    must find that same file at the path, not start using the replacement."""
    submit(client, "before")  # this app has the database open
    put_back = replace(db)
    later = make_app(migrate=False, **config)
    try:
        assert later.test_client().get("/healthz").status_code == 503
        assert_unavailable(submit(later.test_client(), "into the replacement"), htmx=False)
    finally:
        put_back()
    assert later.test_client().get("/healthz").status_code == 200
    assert texts(db.with_name("replacement.db")) == ["before"]


def test_once_nothing_has_it_open_a_new_file_is_used(client, app, db):
    """After a restart (every connection closed) the file at the path is the database."""
    submit(client, "before")
    replace(db)
    app.extensions["store"].engine.dispose()
    assert client.get("/healthz").status_code == 200
    assert submit(client, "after").status_code == 303
    assert texts(db) == ["after", "before"]


def test_a_missing_file_is_never_created_by_a_new_connection(client, app, db, caplog):
    url = submit(client, "kept").headers["Location"]
    fields = form_fields(client)
    app.extensions["store"].engine.dispose()  # the next request opens a new connection
    put_back = rename(db)
    assert client.get("/healthz").status_code == 503
    assert_unavailable(client.get(url), htmx=False)
    assert_unavailable(client.post("/submit", data={**fields, "user_input": "lost?"}), htmx=False)
    assert not db.exists()
    put_back()
    assert client.get(url).status_code == 200
    assert texts(db) == ["kept"]


def test_only_migrate_creates_a_database(make_app, config, db, caplog):
    app = make_app(migrate=False, **config)
    assert app.test_client().get("/healthz").status_code == 503
    assert not db.exists()
    app.extensions["store"].migrate()
    assert [r.getMessage() for r in caplog.records if r.levelno == logging.WARNING] == [
        f"No database at {db}: creating one"
    ]
    assert app.test_client().get("/healthz").status_code == 200
    app.extensions["store"].engine.dispose()


@pytest.mark.slow
@pytest.mark.parametrize("way", WAYS)
def test_a_real_server_acknowledges_nothing_while_the_file_is_away(tmp_path, db, way):
    """serve.py, 2 workers: after the change no submission is acknowledged, /healthz is 503,
    and putting the file back brings the server back without a restart."""
    env = {"DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": secrets.token_hex(32)}
    log = tmp_path / "server.log"
    with serving(env, log) as port:
        visitor = Visitor(port, "visitor")
        visitor.sign_in()
        before = [visitor.submit(f"before {n}")[0].status for n in range(3)]
        health_before = [status_of(port, "/healthz") for _ in range(10)]  # new connections
        put_back = WAYS[way](db)
        try:
            during = [visitor.submit(f"while away {n}")[0].status for n in range(10)]
            health_during = [status_of(port, "/healthz") for _ in range(10)]
        finally:
            put_back()
        health_after = status_of(port, "/healthz")
        after = visitor.submit("after")[0].status
        visitor.connection.close()

    assert before == [200] * 3 and health_before == [200] * 10
    assert during == [503] * 10
    assert health_during == [503] * 10
    assert (health_after, after) == (200, 200)
    assert texts(db) == ["after", "before 0", "before 1", "before 2"]
    if way == "replace":
        assert texts(db.with_name("replacement.db")) == ["before 0", "before 1", "before 2"]
    lines = log.read_text().splitlines()
    moved = [line for line in lines if "Database file changed" in line]
    assert 1 <= len(moved) <= 2  # once per worker at most, not once per request
    print(f"\n{way}: 10 submissions and 10 health checks answered 503, {len(moved)} log line(s)")
    assert [line for line in lines if "Database unavailable" in line] == []
