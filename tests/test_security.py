"""Security headers, cookies and request limits."""

from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime

import pytest
from helpers import HTMX, count_rows, form_fields, parse, submit

HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
}


def responses(client):
    url = submit(client, "x").headers["Location"]
    yield client.get("/")
    yield client.get(url)
    yield client.get(url, headers=HTMX)
    yield submit(client, "y")
    yield client.get("/nope")
    with client.get("/static/style.css") as static:
        yield static


def test_every_response_carries_the_security_headers(client):
    for response in responses(client):
        for name, value in HEADERS.items():
            assert response.headers[name] == value
        csp = dict(
            part.strip().split(" ", 1)
            for part in response.headers["Content-Security-Policy"].split(";")
        )
        assert csp["default-src"] == "'self'"
        assert csp["script-src"] == "'self'"
        assert csp["style-src"] == "'self'"
        assert csp["object-src"] == "'none'"
        assert csp["base-uri"] == "'self'"
        assert csp["form-action"] == "'self'"
        assert csp["frame-ancestors"] == "'none'"
        assert "unsafe" not in response.headers["Content-Security-Policy"]
        assert "camera=()" in response.headers["Permissions-Policy"]
        assert "Strict-Transport-Security" not in response.headers


def test_pages_have_no_inline_script_or_style(client):
    submit(client, "x")
    for path in ("/", "/submit", "/submissions"):
        doc = parse(client.get(path))
        assert all(script.has_attr("src") for script in doc.find_all("script"))
        assert doc.find("style") is None
        assert doc.find(attrs={"style": True}) is None
        assert not [tag for tag in doc.find_all(True) if any(a.startswith("on") for a in tag.attrs)]


def test_session_cookie_is_httponly_and_samesite_lax(client):
    cookie = client.get("/submit").headers["Set-Cookie"]
    assert "HttpOnly" in cookie
    assert "SameSite=Lax" in cookie
    assert "Secure" not in cookie


def test_reading_pages_does_not_resign_the_cookie_and_each_submission_renews_it(client):
    url = submit(client, "first").headers["Location"]
    assert "Set-Cookie" in client.get(url).headers  # showing the flash message removes it
    for path in ("/", "/submit", url, "/submissions"):
        assert "Set-Cookie" not in client.get(path).headers, path
    renewed = submit(client, "second").headers["Set-Cookie"]
    assert "Expires=" in renewed
    expires = parsedate_to_datetime(renewed.split("Expires=")[1].split(";")[0])
    assert expires - datetime.now(UTC) > timedelta(days=364)


def test_every_answer_varies_on_the_session_cookie(client):
    url = submit(client, "mine").headers["Location"]
    for path in ("/", "/submit", url, "/submissions", "/no/such/page", "/healthz"):
        for headers in ({}, HTMX):
            assert "Cookie" in client.get(path, headers=headers).vary, path
    for headers in ({}, HTMX):
        assert "Cookie" in submit(client, "another", headers).vary  # a 303, and a fragment
        assert "Cookie" in submit(client, "", headers).vary  # a 422


def test_a_new_secret_key_signs_new_cookies_and_a_fallback_still_reads_old_ones(make_app):
    app = make_app()
    client = app.test_client()
    url = submit(client, "kept across the key change").headers["Location"]
    old_cookie = client.get_cookie("session").value
    app.config["SECRET_KEY_FALLBACKS"] = [app.secret_key]
    app.secret_key = app.config["SECRET_KEY"] = "a-new-key-for-this-test-" * 2
    assert client.get(url).status_code == 200  # the old cookie, read with the fallback
    submit(client, "signed with the new key")
    assert client.get_cookie("session").value != old_cookie
    app.config["SECRET_KEY_FALLBACKS"] = []
    assert client.get(url).status_code == 200  # the new cookie needs no fallback
    client.set_cookie("session", old_cookie)
    assert client.get(url).status_code == 404  # an old one without its key: a new visitor


def test_behind_https_adds_hsts_and_secure_cookies(make_app):
    app = make_app(TESTING=False, HTTPS=True)
    response = app.test_client().get("/submit", base_url="https://localhost")
    assert response.headers["Strict-Transport-Security"].startswith("max-age=")
    assert "Secure" in response.headers["Set-Cookie"]


def post_raw(client, body: bytes, content_type="application/x-www-form-urlencoded", headers=None):
    return client.post("/submit", data=body, content_type=content_type, headers=headers or {})


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_a_body_over_16_kib_is_413(client, store, htmx):
    fields = form_fields(client)
    body = f"csrf_token={fields['csrf_token']}&user_input=".encode() + b"x" * (16 * 1024)
    response = post_raw(client, body, headers=HTMX if htmx else None)
    assert response.status_code == 413
    assert (parse(response).find("html") is None) == htmx
    assert count_rows(store) == 0


@pytest.mark.parametrize(
    ("case", "body"),
    [
        ("too many fields", "&".join(f"f{n}=1" for n in range(30)).encode()),
        ("malformed encoding", b"user_input=a&&=b&c"),
        ("invalid UTF-8 escape", b"user_input=%ff%fe"),
        ("raw non-ASCII bytes", b"user_input=\xc3\xa9\xff"),
    ],
)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_malformed_forms_are_400(client, store, case, body, htmx):
    fields = form_fields(client)
    response = post_raw(
        client,
        f"csrf_token={fields['csrf_token']}&".encode() + body,
        headers=HTMX if htmx else None,
    )
    assert response.status_code == 400, case
    assert (parse(response).find("html") is None) == htmx
    assert count_rows(store) == 0


def test_a_form_that_is_not_url_encoded_is_415(client, store):
    fields = form_fields(client)
    response = client.post(
        "/submit", data={**fields, "user_input": "multi"}, content_type="multipart/form-data"
    )
    assert response.status_code == 415
    assert count_rows(store) == 0


@pytest.mark.parametrize("where", ["query", "path"])
def test_an_overlong_url_is_414(client, where):
    long = "a" * 5000
    response = client.get(f"/submissions?q={long}" if where == "query" else f"/{long}")
    assert response.status_code == 414
    assert parse(response).find(class_="error") is not None


def test_well_formed_unicode_still_goes_through(client, store):
    response = submit(client, "naïve café ✓ 日本語")
    assert response.status_code == 303
    assert count_rows(store) == 1


@pytest.fixture
def limited_app(make_app):
    return make_app(RATELIMIT_ENABLED=True, SUBMIT_RATE_LIMIT="3 per minute")


def client_at(app, address: str):
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address
    return client


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_submissions_past_the_limit_get_429_with_retry_after(limited_app, htmx):
    client = client_at(limited_app, "10.0.0.1")
    headers = HTMX if htmx else {}
    assert [submit(client, f"n{i}", headers=headers).status_code for i in range(3)] == [
        200 if htmx else 303
    ] * 3
    response = submit(client, "one too many", headers=headers)
    assert response.status_code == 429
    assert 0 < int(response.headers["Retry-After"]) <= 60
    assert "Too many submissions" in parse(response).get_text()
    assert (parse(response).find("html") is None) == htmx
    assert count_rows(limited_app.extensions["store"]) == 3


def test_the_limit_counts_per_client_address(limited_app):
    first = client_at(limited_app, "10.0.0.2")
    for i in range(3):
        submit(first, f"n{i}")
    another_visitor_same_address = client_at(limited_app, "10.0.0.2")
    assert submit(another_visitor_same_address, "blocked").status_code == 429
    assert submit(client_at(limited_app, "10.0.0.3"), "elsewhere").status_code == 303


def test_the_limit_counts_per_visitor_across_addresses(limited_app):
    client = client_at(limited_app, "10.0.1.1")
    for i, address in enumerate(["10.0.1.1", "10.0.1.2", "10.0.1.3"]):
        client.environ_base["REMOTE_ADDR"] = address
        assert submit(client, f"n{i}").status_code == 303
    client.environ_base["REMOTE_ADDR"] = "10.0.1.4"
    assert submit(client, "blocked").status_code == 429


def test_reading_is_not_limited(limited_app):
    client = client_at(limited_app, "10.0.2.1")
    assert {client.get("/submit").status_code for _ in range(10)} == {200}
