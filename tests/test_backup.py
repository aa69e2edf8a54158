"""`flask backup` and `flask restore`: a checked copy taken while serving, and a restore that
checks its source, refuses while the database is open and keeps what it replaces."""

import os
import re
import secrets
import sqlite3
import subprocess
import sys
import threading
import time
from contextlib import closing

import pytest
from bs4 import BeautifulSoup
from helpers import flask_command, parse, serving, status_of, submit

from bench.soak import Visitor, run_load


@pytest.fixture
def db(tmp_path):
    return tmp_path / "app.db"


@pytest.fixture
def app(make_app, db):
    return make_app(DATABASE_URL=f"sqlite:///{db}")


def texts(path) -> list[str]:
    with closing(sqlite3.connect(path)) as connection:
        return sorted(row[0] for row in connection.execute("SELECT text FROM submissions"))


def run(app, *args: str):
    return app.test_cli_runner().invoke(args=list(args))


def test_a_backup_is_a_checked_copy_in_one_file(app, client, tmp_path):
    for text in ("one", "two", "three"):
        submit(client, text)
    dest = tmp_path / "backups" / "first.db"
    result = run(app, "backup", str(dest))
    assert result.exit_code == 0, result.output
    assert re.fullmatch(
        re.escape(f"Backed up 3 submissions from {tmp_path / 'app.db'} to {dest} ")
        + re.escape(f"({dest.stat().st_size:,} bytes in ")
        + r"[0-9]+\.[0-9]{2} s; integrity check ok\)\.\n",
        result.stdout,
    )
    assert texts(dest) == ["one", "three", "two"]
    assert sorted(p.name for p in dest.parent.iterdir()) == ["first.db"]  # no -wal, no .partial
    with closing(sqlite3.connect(dest)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "delete"


def test_a_backup_never_overwrites(app, client, tmp_path):
    submit(client, "new")
    dest = tmp_path / "taken.db"
    dest.write_text("an earlier backup")
    result = run(app, "backup", str(dest))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {dest} already exists: give the backup a new name\n"
    assert dest.read_text() == "an earlier backup"


def test_a_restore_puts_the_backup_in_place_and_keeps_what_it_replaced(app, client, db, tmp_path):
    url = submit(client, "in the backup").headers["Location"]
    backup = tmp_path / "backup.db"
    assert run(app, "backup", str(backup)).exit_code == 0
    submit(client, "after the backup")
    app.extensions["store"].engine.dispose()  # the server is stopped

    result = run(app, "restore", str(backup))
    assert result.exit_code == 0, result.output
    [kept] = tmp_path.glob("app.db.replaced-*")
    assert result.stdout.splitlines()[:2] == [
        f"Restored 1 submissions from {backup} into {db}.",
        f"What it replaced is kept beside it: {kept}",
    ]
    assert "Next: start the server" in result.stdout
    assert texts(db) == ["in the backup"]
    assert texts(kept) == ["after the backup", "in the backup"]
    assert not (tmp_path / "app.db.restoring").exists()

    # The app serves the restored database.
    assert client.get("/healthz").status_code == 200
    assert parse(client.get(url)).select_one(".entered").get_text() == "in the backup"
    assert submit(client, "after the restore").status_code == 303
    with closing(sqlite3.connect(db)) as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"


def test_a_restore_keeps_commits_still_in_the_write_ahead_log(app, client, db, tmp_path):
    """A killed process can leave commits in app.db-wal only: they move aside with the file."""
    submit(client, "backed up")
    backup = tmp_path / "backup.db"
    assert run(app, "backup", str(backup)).exit_code == 0
    app.extensions["store"].engine.dispose()
    killed = (
        "import os, sqlite3, sys\n"
        "connection = sqlite3.connect(sys.argv[1])\n"
        "connection.execute('PRAGMA wal_autocheckpoint=0')\n"
        "connection.execute(\"UPDATE submissions SET text = 'only in the log'\")\n"
        "connection.commit()\n"
        "os._exit(0)\n"
    )
    subprocess.run([sys.executable, "-c", killed, str(db)], check=True)
    assert (tmp_path / "app.db-wal").stat().st_size > 0

    assert run(app, "restore", str(backup)).exit_code == 0
    [kept] = tmp_path.glob("app.db.replaced-*[0-9]Z")
    assert kept.with_name(kept.name + "-wal").exists()
    assert texts(kept) == ["only in the log"]
    assert texts(db) == ["backed up"]


def test_a_restore_refuses_while_the_database_is_open(app, client, db, tmp_path):
    submit(client, "kept")
    backup = tmp_path / "backup.db"
    assert run(app, "backup", str(backup)).exit_code == 0
    submit(client, "still here")  # this app has the database open
    result = run(app, "restore", str(backup))
    assert result.exit_code == 1
    assert result.stderr == (
        f"Error: refused: {db} is in use (a server or another command holds a lock on "
        f"{db}.lock); stop it, then run restore again\n"
    )
    assert texts(db) == ["kept", "still here"]
    assert list(tmp_path.glob("app.db.re*")) == []


NOT_OURS = "is not a database of this app"


def not_a_database(tmp_path):
    path = tmp_path / "notes.txt"
    path.write_text("Shopping: milk, eggs\n")
    return path, f"{NOT_OURS} (file is not a database)"


def random_bytes(tmp_path):
    path = tmp_path / "noise.db"
    path.write_bytes(os.urandom(8192))
    return path, f"{NOT_OURS} (file is not a database)"


def truncated(tmp_path):
    whole, path = tmp_path / "whole.db", tmp_path / "truncated.db"
    with closing(sqlite3.connect(whole)) as connection:
        connection.execute("CREATE TABLE submissions (text)")
        connection.executemany("INSERT INTO submissions VALUES (?)", [("x" * 900,)] * 200)
        connection.commit()
    path.write_bytes(whole.read_bytes()[: 40 * 1024])
    return path, f"{NOT_OURS} (database disk image is malformed)"


def damaged_index(tmp_path):
    """Readable, but an index no longer matches its table."""
    path = tmp_path / "damaged.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE submissions (text)")
        connection.execute("CREATE INDEX by_text ON submissions (text)")
        connection.executemany(
            "INSERT INTO submissions VALUES (?)", [(f"row {n:04d}",) for n in range(50)]
        )
        connection.commit()
        page = connection.execute("SELECT rootpage FROM sqlite_master WHERE type = 'index'")
        offset = (page.fetchone()[0] - 1) * connection.execute("PRAGMA page_size").fetchone()[0]
    data = bytearray(path.read_bytes())
    at = data.index(b"row 0010", offset)
    data[at : at + 8] = b"row 9999"
    path.write_bytes(data)
    return path, "is damaged: the integrity check says 'row 11 missing from index by_text'"


def another_database(tmp_path):
    path = tmp_path / "other.db"
    with closing(sqlite3.connect(path)) as connection:
        connection.execute("CREATE TABLE notes (text)")
    return path, f"{NOT_OURS} (no such table: submissions)"


def empty_file(tmp_path):
    path = tmp_path / "empty.db"
    path.touch()
    return path, f"{NOT_OURS} (no such table: submissions)"


@pytest.mark.parametrize(
    "source",
    [not_a_database, random_bytes, truncated, damaged_index, another_database, empty_file],
)
def test_a_restore_refuses_a_source_that_is_not_a_sound_database(app, client, db, tmp_path, source):
    submit(client, "precious")
    app.extensions["store"].engine.dispose()
    before = db.read_bytes()
    path, reason = source(tmp_path)
    result = run(app, "restore", str(path))
    assert result.exit_code == 1
    assert result.stderr == f"Error: {path} {reason}\n"
    assert db.read_bytes() == before
    assert list(tmp_path.glob("app.db.re*")) == []
    assert client.get("/healthz").status_code == 200


@pytest.mark.parametrize(
    "name, message",
    [("missing.db", "Error: {}: no such file"), ("app.db", "Error: {} is the database itself")],
    ids=["missing", "the database"],
)
def test_a_restore_refuses_a_missing_source_or_the_database_itself(app, client, db, name, message):
    submit(client, "precious")
    app.extensions["store"].engine.dispose()
    source = db.with_name(name)
    result = run(app, "restore", str(source))
    assert result.exit_code == 1
    assert result.stderr == message.format(source) + "\n"
    assert texts(db) == ["precious"]


@pytest.mark.parametrize("command, tool", [("backup", "pg_dump"), ("restore", "pg_restore")])
def test_on_postgresql_the_commands_point_to_its_own_tools(
    make_app, postgres_url, tmp_path, command, tool
):
    app = make_app(migrate=False, DATABASE_URL=postgres_url)
    result = run(app, command, str(tmp_path / "app.dump"))
    assert result.exit_code == 1
    assert result.stderr.startswith(f"Error: the database is PostgreSQL: use {tool} instead")
    assert result.stderr.count("\n") == 1
    assert not (tmp_path / "app.dump").exists()


@pytest.mark.slow
def test_a_backup_under_load_holds_every_acknowledged_submission(tmp_path):
    """Taken while 16 visitors submit and read against serve.py; then restored."""
    db, backup = tmp_path / "app.db", tmp_path / "backups" / "under-load.db"
    env = {"DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": secrets.token_hex(32)}
    results = {"requests": 0, "stored": {}, "server_errors": [], "connection_errors": []}
    lock = threading.Lock()
    with serving(env, tmp_path / "server.log") as port:
        visitor = Visitor(port, "returning")
        visitor.sign_in()
        mine = visitor.submit("made before the backup")[0].getheader("HX-Push-Url")
        threads = run_load(port, 16, 5, results, lock)
        time.sleep(2)
        with lock:
            acknowledged = dict(results["stored"])
        started = time.monotonic()
        made = flask_command(env, "backup", str(backup))
        took = time.monotonic() - started
        for thread in threads:
            thread.join()
        refused = flask_command(env, "restore", str(backup))  # the server still runs
    assert made.returncode == 0, made.stderr
    assert results["server_errors"] == results["connection_errors"] == []
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"Error: refused: {db} is in use")

    with closing(sqlite3.connect(backup)) as connection:
        assert connection.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        in_backup = dict(connection.execute("SELECT id, text FROM submissions"))
    assert len(acknowledged) > 0
    assert {i: in_backup.get(i) for i in acknowledged} == acknowledged
    assert f"Backed up {len(in_backup):,} submissions" in made.stdout
    in_database = texts(db)
    assert len(in_database) > len(in_backup)  # the load went on after the backup
    print(
        f"\nbackup under load: {len(acknowledged)} acknowledged before it, all in it; "
        f"{len(in_backup)} rows, {backup.stat().st_size:,} bytes; {made.stdout.strip()}; the "
        f"command took {took:.2f} s in all; {results['requests']} requests in 5 s, no error; "
        f"{len(in_database)} rows at the end"
    )

    # Restored (the server stopped), it gives a working app.
    restored = flask_command(env, "restore", str(backup))
    assert restored.returncode == 0, restored.stderr
    [kept] = tmp_path.glob("app.db.replaced-*")
    assert texts(kept) == in_database
    visitor.connection.close()
    with serving(env, tmp_path / "after.log") as port:
        visitor.port, visitor.connection = port, None
        response, page = visitor.request("GET", mine)
        assert response.status == 200
        assert parse_text(page) == "made before the backup"
        assert visitor.submit("after the restore")[0].status == 200
        assert status_of(port, "/healthz") == 200
        visitor.connection.close()
    assert len(texts(db)) == len(in_backup) + 1


def parse_text(page: str) -> str:
    return BeautifulSoup(page, "html.parser").select_one(".entered").get_text()


@pytest.mark.slow
@pytest.mark.parametrize("command", ["serve.py", "flask run"])
def test_a_restore_refuses_while_a_server_runs(app, client, db, tmp_path, command):
    submit(client, "kept")
    backup = tmp_path / "backup.db"
    assert run(app, "backup", str(backup)).exit_code == 0
    submit(client, "also kept")
    app.extensions["store"].engine.dispose()
    env = {"DATABASE_URL": f"sqlite:///{db}", "SECRET_KEY": secrets.token_hex(32)}
    with serving(env, tmp_path / "server.log", command):  # it has answered /healthz
        refused = flask_command(env, "restore", str(backup))
        assert texts(db) == ["also kept", "kept"]
    assert refused.returncode == 1
    assert refused.stderr.startswith(f"Error: refused: {db} is in use")
    assert list(tmp_path.glob("app.db.re*")) == []
    assert flask_command(env, "restore", str(backup)).returncode == 0  # once it has stopped
    assert texts(db) == ["kept"]
