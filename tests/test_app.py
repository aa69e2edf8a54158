"""The factory: layered config, the secret key, the database command, logging, vendored htmx."""

import hashlib
import logging
import sqlite3

import pytest
from helpers import HTMX, submit

import app as app_module
from app import create_app


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No config from this machine's environment or .env; a private instance folder."""
    for key in app_module.ENV_KEYS:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    instance = str(tmp_path / "instance")
    monkeypatch.setattr(app_module.Flask, "auto_find_instance_path", lambda self: instance)
    return tmp_path


def test_defaults(clean_env):
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{clean_env / 'instance' / 'app.db'}"
    assert app.config["LOG_LEVEL"] == "INFO"
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert not app.debug
    assert (clean_env / "instance" / "app.db").exists()


def test_env_file_then_environment_then_test_mapping(clean_env, monkeypatch):
    (clean_env / ".env").write_text(
        "SECRET_KEY=from-file\nLOG_LEVEL=WARNING\nDATABASE_URL=sqlite:///file.db\n"
    )
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{clean_env / 'env.db'}")

    app = create_app({"DATABASE_URL": f"sqlite:///{clean_env / 'test.db'}"})

    assert app.config["SECRET_KEY"] == "from-file"
    assert app.config["LOG_LEVEL"] == "DEBUG"
    assert app.logger.level == logging.DEBUG
    assert app.config["DATABASE_URL"] == f"sqlite:///{clean_env / 'test.db'}"


def test_secret_key_is_generated_once_and_kept(clean_env):
    first = create_app().config["SECRET_KEY"]
    second = create_app().config["SECRET_KEY"]
    key_file = clean_env / "instance" / "secret_key"
    assert first == second == key_file.read_text()
    assert len(first) == 64
    assert key_file.stat().st_mode & 0o777 == 0o600


def test_sqlite_runs_in_wal_mode_with_durable_commits(app, tmp_path):
    with sqlite3.connect(tmp_path / "test.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with app.extensions["store"].engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_init_db_creates_the_schema_and_keeps_data(app, client, store):
    submit(client, "keep me")
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0
    assert "Database ready" in result.output
    assert store.count_all() == 1


def test_one_log_line_per_request_without_the_body(client, caplog):
    caplog.set_level(logging.INFO, logger="app")
    submit(client, "private words", headers=HTMX)
    lines = [r.getMessage() for r in caplog.records if r.name == "app"]
    assert lines[-1].startswith("POST /submit 200 ")
    assert lines[-1].endswith("htmx=yes")
    assert lines[-2].startswith("GET /submit 200 ")
    assert lines[-2].endswith("htmx=no")
    assert "private words" not in caplog.text


def test_query_strings_are_not_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="app")
    client.get("/?token=hunter2")
    assert "hunter2" not in caplog.text


def test_vendored_htmx_matches_the_pinned_hash():
    path = app_module.ROOT / "static" / app_module.HTMX_FILE
    assert hashlib.sha256(path.read_bytes()).hexdigest() == app_module.HTMX_SHA256
    assert (path.parent / "htmx-4.0.1.LICENSE").read_text().startswith("Zero-Clause BSD")
