"""Headers every response from the app carries, and gzip for HTML."""

import gzip

import pytest
from bs4 import BeautifulSoup
from helpers import HTMX, SHAPES, parse, submit

GZIP = {"Accept-Encoding": "gzip, deflate, br"}


@pytest.fixture
def submission_url(client):
    return submit(client, "hello there").headers["Location"]


@pytest.mark.parametrize("shape", SHAPES)
def test_every_answer_of_the_app_says_it_is_ours(client, submission_url, shape):
    headers = SHAPES[shape][0]
    for path in ("/", "/submit", submission_url, "/submissions", "/no/such/page"):
        assert client.get(path, headers=headers).headers["X-Answered-By"] == "app"
    assert submit(client, "", headers).headers["X-Answered-By"] == "app"  # a 422
    assert client.put("/submit", headers=headers).headers["X-Answered-By"] == "app"  # a 405


def test_only_the_public_pages_may_be_indexed(client, submission_url):
    for path in ("/", "/submit"):
        response = client.get(path)
        assert "X-Robots-Tag" not in response.headers
        description = parse(response).find("meta", attrs={"name": "description"})
        assert len(description["content"]) > 50
    for path in (
        submission_url,
        f"{submission_url}/delete",
        "/submissions",
        "/submissions?q=hello",
        "/submit/validate?user_input=x",
        "/no/such/page",
    ):
        assert client.get(path).headers["X-Robots-Tag"] == "noindex", path


@pytest.mark.parametrize("headers", [{}, HTMX], ids=["page", "fragment"])
def test_html_is_gzipped_for_clients_that_accept_it(client, headers):
    for n in range(10):
        submit(client, f"a submission long enough to make the page worth compressing {n}")
    plain = client.get("/submissions", headers=headers)
    assert "Content-Encoding" not in plain.headers
    assert "Accept-Encoding" in plain.vary

    packed = client.get("/submissions", headers={**headers, **GZIP})
    assert packed.headers["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in packed.vary
    assert int(packed.headers["Content-Length"]) == len(packed.get_data())
    assert len(packed.get_data()) < len(plain.get_data()) / 2
    unpacked = BeautifulSoup(gzip.decompress(packed.get_data()).decode(), "html.parser")
    rows = [row.get_text() for row in unpacked.select("#submission-rows li")]
    assert len(rows) == 10
    assert rows == [row.get_text() for row in parse(plain).select("#submission-rows li")]


def test_gzip_is_refused_or_not_worth_it(client):
    refused = client.get("/", headers={"Accept-Encoding": "gzip;q=0, identity"})
    assert "Content-Encoding" not in refused.headers
    # A tiny fragment is not worth compressing, and plain text is left alone.
    small = client.get("/submit/validate?user_input=x", headers={**HTMX, **GZIP})
    assert len(small.get_data()) < 512
    assert "Content-Encoding" not in small.headers
    health = client.get("/healthz", headers=GZIP)
    assert "Content-Encoding" not in health.headers
    assert "Accept-Encoding" not in health.vary


def test_a_view_that_sets_its_own_vary_keeps_it_and_gets_ours_too(make_app):
    app = make_app()

    @app.get("/own-vary")
    def own_vary():
        return "<p>varies</p>", {"Vary": "User-Agent"}

    vary = app.test_client().get("/own-vary").vary
    assert {"User-Agent", "HX-Request", "Cookie", "Accept-Encoding"} <= set(vary)
