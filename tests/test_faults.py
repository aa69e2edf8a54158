"""When PostgreSQL or Redis fails: a true message, a bounded wait, nothing lost, and service
back by itself. Each fault is one the README's "When something fails" table describes."""

import gc
import logging
import threading
import time

import pytest
import servers
from helpers import (
    HTMX,
    assert_unavailable,
    count_rows,
    form_fields,
    parse,
    service_url,
    submission_id,
    submit,
)
from sqlalchemy import create_engine, event
from sqlalchemy.exc import OperationalError

# --- Redis, the rate-limit storage ------------------------------------------------------


def warnings(caplog) -> list[str]:
    """What the app logged at WARNING level."""
    return [
        r.getMessage() for r in caplog.records if r.levelno == logging.WARNING and r.name == "app"
    ]


@pytest.fixture
def own_redis():
    """A Redis server of this test's own, which it may stop and start again."""
    try:
        with servers.redis_server() as server:
            yield server
    except LookupError:
        service_url("TEST_REDIS_URL", "Redis server")  # skips, or fails in CI, saying why


def test_an_unreachable_rate_limit_storage_lets_submits_through(make_app, caplog):
    app = make_app(
        RATELIMIT_ENABLED=True,
        SUBMIT_RATE_LIMIT="2 per minute",
        RATELIMIT_STORAGE_URI="redis://127.0.0.1:9/0",  # nothing listens on port 9
    )
    client = app.test_client()
    started = time.monotonic()
    statuses = [submit(client, f"entry {n}").status_code for n in range(5)]
    assert statuses == [303] * 5  # not limited, and never a 500
    assert time.monotonic() - started < 5
    assert count_rows(app.extensions["store"]) == 5
    [warning] = warnings(caplog)  # one per outage, not one per request
    assert "Rate-limit storage unavailable" in warning

    health = client.get("/healthz")
    assert health.status_code == 200
    assert health.text.splitlines() == [
        "ok",
        "database: ok",
        "rate-limit storage: unavailable (requests are let through unlimited)",
    ]


def test_redis_stopped_under_submits_then_back(make_app, own_redis, caplog):
    app = make_app(
        RATELIMIT_ENABLED=True,
        SUBMIT_RATE_LIMIT="1000 per minute",
        RATELIMIT_STORAGE_URI=own_redis.url,
    )
    client = app.test_client()
    assert submit(client, "before").status_code == 303
    assert client.get("/healthz").text.splitlines()[2] == "rate-limit storage: ok"

    own_redis.stop()
    during = [submit(client, f"during {n}", headers=HTMX).status_code for n in range(5)]
    assert during == [200] * 5
    assert "unavailable" in client.get("/healthz").text.splitlines()[2]

    own_redis.start()
    app.extensions["rate_limits"].retry_at = 0  # as once RETRY_SECONDS have passed
    assert submit(client, "after").status_code == 303
    assert client.get("/healthz").text.splitlines()[2] == "rate-limit storage: ok"
    assert count_rows(app.extensions["store"]) == 7
    assert [w.split(":")[0] for w in warnings(caplog)] == [
        "Rate-limit storage unavailable, letting requests through",
        "Rate-limit storage available again",
    ]


def test_limits_still_hold_while_the_storage_answers(make_app, own_redis):
    app = make_app(
        RATELIMIT_ENABLED=True,
        SUBMIT_RATE_LIMIT="2 per minute",
        RATELIMIT_STORAGE_URI=own_redis.url,
    )
    client = app.test_client()
    statuses = [submit(client, f"entry {n}").status_code for n in range(3)]
    assert statuses == [303, 303, 429]


# --- A write committed, then the reads for its answer fail --------------------------------


def fail_checkouts_after_the_next_commit(engine) -> None:
    """From the first commit on, every connection taken from the pool fails, as when the
    database goes away between a write's commit and the reads for its answer."""
    state = {"committed": False}

    @event.listens_for(engine, "commit")
    def committed(_connection):
        state["committed"] = True

    @event.listens_for(engine, "checkout")
    def checkout(_dbapi_connection, _record, _proxy):
        if state["committed"]:
            raise OperationalError("checkout", {}, ConnectionError("server closed the connection"))


def test_a_submit_committed_before_the_database_went_away_says_saved(app, client, store):
    fields = {**form_fields(client), "user_input": "kept"}
    fail_checkouts_after_the_next_commit(store.engine)

    response = client.post("/submit", data=fields, headers=HTMX)

    assert response.status_code == 200
    doc = parse(response)
    assert doc.find(id="status").get_text(" ", strip=True) == (
        "Saved. Reload the page to bring the rest of it up to date."
    )
    assert doc.select_one(".result .entered").get_text() == "kept"
    assert "nothing was changed" not in response.text


def test_an_edit_committed_before_the_database_went_away_says_saved(app, client, store):
    entry_id = submission_id(submit(client, "draft"))
    form = parse(client.get(f"/submissions/{entry_id}/edit"))
    data = {i["name"]: i["value"] for i in form.select(f"#edit-{entry_id} input[type=hidden]")}
    data[f"edit-{entry_id}-user_input"] = "final"
    fail_checkouts_after_the_next_commit(store.engine)

    response = client.post(f"/submissions/{entry_id}/edit", data=data, headers=HTMX)

    assert response.status_code == 200
    assert (
        parse(response)
        .find(id="status")
        .get_text(" ", strip=True)
        .startswith("Saved your changes.")
    )


# --- PostgreSQL: a lock held past the timeout, a restart under writes ----------------------


def test_a_lock_held_past_the_timeout_is_a_503_in_bounded_time(make_app, postgres_url, caplog):
    app = make_app(DATABASE_URL=postgres_url, DATABASE_TIMEOUT_MS=500)
    client = app.test_client()
    url = submit(client, "before").headers["Location"]
    fields = {**form_fields(client), "user_input": "while locked"}
    holder = create_engine(postgres_url).connect()
    holder.exec_driver_sql("LOCK TABLE submissions IN ACCESS EXCLUSIVE MODE")
    try:
        for request in (
            lambda: client.get("/"),
            lambda: client.get(url, headers=HTMX),
            lambda: client.post("/submit", data=fields),
        ):
            started = time.monotonic()
            response = request()
            assert time.monotonic() - started < 3
            assert_unavailable(response, htmx=response.request.headers.get("HX-Request") == "true")
        started = time.monotonic()
        health = client.get("/healthz")
        assert (health.status_code, health.text.splitlines()[0]) == (503, "unavailable")
        assert time.monotonic() - started < 3
        with client.get("/static/style.css") as static:
            assert static.status_code == 200
        # Three requests failed the same way: one line says so.
        [line] = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
        assert "Database unavailable during GET /: " in line
        assert "timeout" in line
    finally:
        holder.rollback()
        holder.close()
    assert client.get("/").status_code == 200
    assert client.get("/healthz").status_code == 200
    assert count_rows(app.extensions["store"]) == 1


def form_fields_of(response) -> dict[str, str]:
    form = parse(response).find("form", id="submit-form")
    return {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}


@pytest.fixture
def own_postgresql():
    """A PostgreSQL server of this test's own, which it may restart."""
    try:
        with servers.postgresql() as server:
            yield server
    except LookupError:
        service_url("TEST_POSTGRES_URL", "PostgreSQL server")  # skips, or fails in CI


@pytest.mark.slow
# Now and then a connection that the server drops while psycopg reads from it is left for the
# garbage collector to close (a ResourceWarning, nothing held past that). It is collected at
# the end of this test, so that it is told here, where it is expected, and not in whichever
# test runs next.
@pytest.mark.filterwarnings("ignore::pytest.PytestUnraisableExceptionWarning")
@pytest.mark.parametrize("mode", ["fast", "immediate"])
def test_postgresql_restarted_under_concurrent_writes_loses_nothing(
    make_app, own_postgresql, mode, caplog
):
    app = make_app(DATABASE_URL=own_postgresql.url, DATABASE_TIMEOUT_MS=2000)
    store = app.extensions["store"]
    results = []  # (client, form fields, status, seconds taken)
    finished = []  # (when, status)
    stop = threading.Event()

    def visitor(n: int) -> None:
        client = app.test_client()
        i = 0
        while not stop.is_set():
            form = client.get("/submit")
            if form.status_code != 200:  # the database is away: nothing was sent yet
                continue
            fields = {**form_fields_of(form), "user_input": f"visitor {n} entry {i}"}
            started = time.monotonic()
            status = client.post("/submit", data=fields, headers=HTMX).status_code
            results.append((client, fields, status, time.monotonic() - started))
            finished.append((time.monotonic(), status))
            i += 1

    threads = [threading.Thread(target=visitor, args=(n,)) for n in range(4)]
    for thread in threads:
        thread.start()
    time.sleep(1)
    own_postgresql.restart(mode)
    restarted = time.monotonic()
    time.sleep(2)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    statuses = [status for _, _, status, _ in results]
    assert set(statuses) <= {200, 503}, statuses  # saved, or told nothing was changed
    acknowledged = [fields for _, fields, status, _ in results if status == 200]
    assert acknowledged
    # Every acknowledged write is there; retrying the others with their request id stores
    # each once.
    for client, fields, status, _ in results:
        if status != 200:
            assert client.post("/submit", data=fields, headers=HTMX).status_code == 200
    with store.engine.connect() as connection:
        texts = connection.exec_driver_sql("SELECT text FROM submissions").scalars().all()
    assert sorted(texts) == sorted(fields["user_input"] for _, fields, _, _ in results)
    assert max(seconds for _, _, _, seconds in results) < 5
    # Service came back by itself, without a restart of the app.
    assert app.test_client().get("/healthz").status_code == 200
    assert time.monotonic() - restarted < 10
    tracebacks = [r for r in caplog.records if r.exc_info]
    assert tracebacks == []
    store.engine.dispose()
    caplog.clear()
    gc.collect()
    # The figures, for `pytest -s`.
    back = min((when for when, status in finished if when > restarted and status == 200))
    print(
        f"\nPostgreSQL restart ({mode}) under 4 writers: {len(results)} submits,"
        f" {len(acknowledged)} acknowledged, 0 lost, 503: {statuses.count(503)},"
        f" worst {max(seconds for _, _, _, seconds in results):.2f} s,"
        f" first success {back - restarted:.2f} s after the server was up"
    )
