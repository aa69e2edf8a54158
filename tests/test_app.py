"""The factory: layered config, the secret key, the database command, logging, vendored htmx."""

import hashlib
import io
import logging
import re
import sqlite3

import pytest
from bs4 import BeautifulSoup
from helpers import HTMX, count_rows, submit

import app as app_module
import serve
from app import create_app
from plumbing import requestlog, settings, templates


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    """No config from this machine's environment or .env; a private instance folder."""
    for key in settings.NAMES:
        monkeypatch.delenv(key, raising=False)
    monkeypatch.chdir(tmp_path)
    instance = str(tmp_path / "instance")
    monkeypatch.setattr(app_module.Flask, "auto_find_instance_path", lambda self: instance)
    return tmp_path


def test_defaults(clean_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-key-from-the-environment")
    app = create_app()
    assert app.config["DATABASE_URL"] == f"sqlite:///{clean_env / 'instance' / 'app.db'}"
    assert app.config["LOG_LEVEL"] == "INFO"
    assert app.config["HTTPS"] is False
    assert app.config["SESSION_COOKIE_SAMESITE"] == "Lax"
    assert app.config["SESSION_COOKIE_HTTPONLY"] is True
    assert not app.config["SESSION_COOKIE_SECURE"]
    assert not app.debug
    assert not app.jinja_env.auto_reload
    # Building the app never touches the database: init-db or serve.py prepares it.
    assert not (clean_env / "instance" / "app.db").exists()


def test_env_file_then_environment_then_test_mapping(clean_env, monkeypatch):
    (clean_env / ".env").write_text(
        "SECRET_KEY=secret-key-from-the-env-file\nLOG_LEVEL=WARNING\n"
        "DATABASE_URL=sqlite:///file.db\nHTTPS=true\n"
    )
    monkeypatch.setenv("LOG_LEVEL", "DEBUG")
    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{clean_env / 'env.db'}")

    app = create_app({"DATABASE_URL": f"sqlite:///{clean_env / 'test.db'}"})

    assert app.config["SECRET_KEY"] == "secret-key-from-the-env-file"
    assert app.config["HTTPS"] is True
    assert app.config["LOG_LEVEL"] == "DEBUG"
    assert app.logger.level == logging.DEBUG
    assert app.config["DATABASE_URL"] == f"sqlite:///{clean_env / 'test.db'}"


@pytest.mark.parametrize("key", [None, "", "changeme", "dev", "short"])
def test_refuses_to_start_without_a_real_secret_key(clean_env, monkeypatch, key, capsys):
    if key is not None:
        monkeypatch.setenv("SECRET_KEY", key)
    with pytest.raises(SystemExit) as stop:
        create_app()
    message = str(stop.value.code)
    assert "SECRET_KEY" in message
    assert "secrets.token_hex" in message
    assert "\n" not in message


@pytest.mark.parametrize("config", [{"TESTING": True}, {"DEBUG": True}])
def test_debug_and_testing_run_with_a_random_key(clean_env, config, monkeypatch):
    monkeypatch.setenv("FLASK_DEBUG", "1" if config.get("DEBUG") else "0")
    first = create_app(config if config.get("TESTING") else None).config["SECRET_KEY"]
    second = create_app(config if config.get("TESTING") else None).config["SECRET_KEY"]
    assert len(first) == 64
    assert first != second


def test_sqlite_runs_in_wal_mode_with_durable_commits(make_app, tmp_path):
    app = make_app()
    with sqlite3.connect(tmp_path / "test.db") as connection:
        assert connection.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    with app.extensions["store"].engine.connect() as connection:
        assert connection.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL


def test_init_db_creates_the_schema_and_keeps_data(app, client, store):
    submit(client, "keep me")
    result = app.test_cli_runner().invoke(args=["init-db"])
    assert result.exit_code == 0
    assert "Database ready" in result.output
    assert count_rows(store) == 1


def test_one_log_line_per_request_without_the_body(client, caplog):
    caplog.set_level(logging.INFO, logger="app")
    submit(client, "private words", headers=HTMX)
    lines = [r.getMessage() for r in caplog.records if r.name == "app"]
    assert lines[-1].startswith("POST /submit 200 ")
    assert lines[-1].endswith("htmx=yes")
    assert lines[-2].startswith("GET /submit 200 ")
    assert lines[-2].endswith("htmx=no")
    assert "private words" not in caplog.text


def test_the_log_line_goes_to_the_servers_error_stream_as_flasks_did(app, client, monkeypatch):
    """Flask's default handler's place and format: "[time] INFO in requestlog: ..." on the
    request's wsgi.errors. (Under pytest, whose handler is on the root logger, neither Flask
    nor the app adds one: the handler is put in place here.)"""
    monkeypatch.setattr(app.logger, "handlers", [requestlog.HANDLER])
    app.logger.setLevel(logging.INFO)  # as the app sets it (each test's app sets its own)
    stream = io.StringIO()
    client.get("/submit", headers=HTMX, errors_stream=stream)
    [line] = stream.getvalue().splitlines()
    assert re.fullmatch(
        r"\[[-0-9 :,]+\] INFO in requestlog: GET /submit 200 [0-9.]+ms htmx=yes", line
    )


def test_the_log_record_names_its_origin(client, caplog):
    caplog.set_level(logging.INFO, logger="app")
    client.get("/")
    [record] = [r for r in caplog.records if r.name == "app"]
    assert (record.module, record.funcName) == ("requestlog", "log_request")
    assert record.levelno == logging.INFO


def test_query_strings_are_not_logged(client, caplog):
    caplog.set_level(logging.INFO, logger="app")
    client.get("/?token=hunter2")
    assert "hunter2" not in caplog.text


def test_vendored_htmx_matches_the_pinned_hash():
    path = app_module.ROOT / "static" / templates.HTMX_FILE
    assert hashlib.sha256(path.read_bytes()).hexdigest() == templates.HTMX_SHA256
    assert (path.parent / "htmx-4.0.1.LICENSE").read_text().startswith("Zero-Clause BSD")


def test_serve_settings_come_from_the_environment(monkeypatch):
    monkeypatch.setattr(serve, "cpus", lambda: 3)  # one worker per CPU by default
    assert serve.settings({}) == {
        "address": "127.0.0.1",
        "port": 8000,
        "workers": 3,
        "blocking_threads": 2,
        "workers_kill_timeout": 30,
    }
    custom = serve.settings(
        {"BIND": "0.0.0.0:9000", "WEB_CONCURRENCY": "3", "THREADS": "8", "GRACEFUL_TIMEOUT": "5"}
    )
    assert (custom["address"], custom["port"], custom["workers"]) == ("0.0.0.0", 9000, 3)
    assert (custom["blocking_threads"], custom["workers_kill_timeout"]) == (8, 5)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("HTTPS", "maybe"),
        ("TRUSTED_PROXIES", "-1"),
        ("TRUSTED_PROXIES", "two"),
        ("LOG_LEVEL", "LOUD"),
        ("SUBMIT_RATE_LIMIT", "lots per day"),
        ("DATABASE_TIMEOUT_MS", "5s"),
    ],
)
def test_a_bad_setting_stops_the_app_at_start_in_one_line(clean_env, monkeypatch, name, value):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-key-from-the-environment")
    monkeypatch.setenv(name, value)
    with pytest.raises(SystemExit) as stop:
        create_app()
    message = str(stop.value.code)
    assert message.startswith(f"error: {name}={value!r}: expected")
    assert "\n" not in message


def test_a_renamed_setting_is_refused_saying_its_new_name(clean_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-key-from-the-environment")
    monkeypatch.setenv("DATABASE_BUSY_TIMEOUT_MS", "250")
    with pytest.raises(SystemExit) as stop:
        create_app()
    assert str(stop.value.code) == (
        "error: DATABASE_BUSY_TIMEOUT_MS is now called DATABASE_TIMEOUT_MS: rename it"
    )


def test_settings_are_parsed_to_their_types(clean_env, monkeypatch):
    monkeypatch.setenv("SECRET_KEY", "a-real-secret-key-from-the-environment")
    monkeypatch.setenv("TRUSTED_PROXIES", "2")
    monkeypatch.setenv("DATABASE_TIMEOUT_MS", "250")
    monkeypatch.setenv("HTTPS", "off")
    monkeypatch.setenv("LOG_LEVEL", "warning")
    config = create_app().config
    assert config["TRUSTED_PROXIES"] == 2
    assert config["DATABASE_TIMEOUT_MS"] == 250
    assert config["HTTPS"] is False
    assert config["LOG_LEVEL"] == "WARNING"


@pytest.mark.parametrize("roots", [("", "/mounted"), ("/mounted", "")])
def test_links_follow_the_app_root_of_each_request(client, roots):
    """Templates' url_for keeps each view's URL once per app root: never another root's."""
    for root in (*roots, *roots):
        page = BeautifulSoup(
            client.get("/", base_url=f"http://localhost{root}/").text, "html.parser"
        )
        nav = [link["href"] for link in page.find("nav").find_all("a")]
        assert nav == [f"{root}/", f"{root}/submit", f"{root}/submissions"]
        assert page.find("link", rel="stylesheet")["href"].startswith(f"{root}/static/")


def test_a_url_that_names_the_host_is_never_kept(make_app):
    """A view on a subdomain gets an absolute URL with the request's host: each request's
    own, never the first visitor's."""
    app = make_app()
    app.add_url_rule("/a", "on_subdomain", lambda: "", subdomain="api")
    url_for = app.jinja_env.globals["url_for"]
    for host in ("one.example", "two.example"):
        with app.test_request_context("/", base_url=f"http://{host}/"):
            assert url_for("on_subdomain") == f"http://api.{host}/a"
