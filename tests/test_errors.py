"""Error responses: a styled page without htmx, a small fragment with it, never a trace."""

import pytest
from helpers import HTMX, SHAPES, VARY, count_rows, form_fields, parse


@pytest.fixture
def failing_app(make_app):
    app = make_app(TESTING=False, PROPAGATE_EXCEPTIONS=False)

    @app.get("/boom")
    def boom():
        raise RuntimeError("secret internals")

    return app


def assert_error(response, code: int, shape: str) -> None:
    doc = parse(response)
    assert response.status_code == code
    assert set(response.vary) >= VARY
    error = doc.find(class_="error")
    assert f"error {code}" in error.get_text()
    assert error.find("a", href="/") is not None
    if SHAPES[shape][1] == "page":
        assert doc.find("html") is not None
        assert doc.find("link", rel="stylesheet") is not None
        assert doc.h1 is not None
    else:
        assert doc.find("html") is None
        assert response.headers["Cache-Control"] == "no-store"
        assert [child.name for child in doc.contents if child.name] == ["section"]


@pytest.mark.parametrize("shape", SHAPES)
def test_unknown_path_is_404(client, shape):
    assert_error(client.get("/no/such/page", headers=SHAPES[shape][0]), 404, shape)


@pytest.mark.parametrize("shape", SHAPES)
def test_unknown_submission_is_404(client, shape):
    response = client.get("/submissions/AAAAAAAAAAAAAAAAAAAAAA", headers=SHAPES[shape][0])
    assert_error(response, 404, shape)


@pytest.mark.parametrize("shape", ["plain", "htmx"])
def test_wrong_method_is_405_with_allow_header(client, shape):
    response = client.delete("/submit", headers=SHAPES[shape][0])
    assert_error(response, 405, shape)
    assert set(response.headers["Allow"].split(", ")) >= {"GET", "POST"}


@pytest.mark.parametrize("shape", ["plain", "htmx"])
def test_oversized_body_is_413(client, store, shape):
    data = {**form_fields(client), "user_input": "x" * (128 * 1024)}
    response = client.post("/submit", data=data, headers=SHAPES[shape][0])
    assert_error(response, 413, shape)
    assert count_rows(store) == 0


@pytest.mark.parametrize("shape", ["plain", "htmx"])
def test_unexpected_exception_is_500_without_a_trace(failing_app, shape, caplog):
    response = failing_app.test_client().get("/boom", headers=SHAPES[shape][0])
    assert_error(response, 500, shape)
    body = response.get_data(as_text=True)
    assert "secret internals" not in body
    assert "Traceback" not in body
    assert "secret internals" in caplog.text


def test_htmx_errors_are_small(client):
    page = client.get("/nope")
    fragment = client.get("/nope", headers=HTMX)
    assert len(fragment.data) * 3 < len(page.data)
