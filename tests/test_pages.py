"""Every route in every request shape: status, page or fragment, Vary and caching."""

import re

import pytest
from helpers import SHAPES, VARY, parse, submit


@pytest.fixture
def submission_url(client):
    return submit(client, "hello there").headers["Location"]


def routes(submission_url: str) -> dict[str, str]:
    """Each GET route, with the id of the region its fragment renders."""
    submission_id = submission_url.rsplit("/", 1)[1]
    return {
        "/": "recent",
        "/submit": "submit-form",
        submission_url: f"result-{submission_id}",
    }


def masked(element) -> str:
    """The element's markup with per-render values (CSRF token, request id) blanked."""
    element = parse_copy(element)
    for hidden in element.find_all("input", type="hidden"):
        hidden["value"] = ""
    return str(element)


def parse_copy(element):
    return parse_text(str(element)).find(element.name)


def parse_text(text: str):
    from bs4 import BeautifulSoup

    return BeautifulSoup(text, "html.parser")


def assert_page(response) -> None:
    doc = parse(response)
    assert doc.find("html") is not None
    assert doc.find("head") is not None
    assert doc.find("body") is not None
    assert doc.title.get_text(strip=True).endswith("Submissions")
    assert doc.find("link", rel="stylesheet")["href"] == "/static/style.css"


def assert_fragment(response) -> None:
    doc = parse(response)
    assert doc.find("html") is None
    assert doc.find("head") is None
    assert doc.find("body") is None
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("route", ["/", "/submit", "submission"])
def test_get_routes_answer_in_the_right_shape(client, submission_url, route, shape):
    headers, expected = SHAPES[shape]
    path = submission_url if route == "submission" else route
    region_id = routes(submission_url)[path]

    response = client.get(path, headers=headers)

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert set(response.vary) >= VARY
    region = parse(response).find(id=region_id)
    assert region is not None
    if expected == "page":
        assert_page(response)
        fragment = client.get(path, headers=SHAPES["htmx"][0])
        assert masked(region) == masked(parse(fragment).find(id=region_id))
    else:
        assert_fragment(response)
        top_level = [child for child in parse(response).contents if child.name]
        assert top_level == [region]


def test_full_pages_are_not_marked_no_store(client):
    response = client.get("/")
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_home_page_has_title_welcome_and_link_to_the_form(client):
    doc = parse(client.get("/"))
    assert doc.h1.get_text(strip=True) == "Submissions"
    assert "Welcome" in doc.find("main").get_text()
    assert doc.find("main").find("a", href="/submit") is not None
    recent = doc.find(id="recent")
    assert recent.find("ol") is None
    assert "Nothing yet" in recent.get_text()


def test_home_lists_recent_submissions_newest_first_at_most_ten(client):
    for n in range(12):
        submit(client, f"entry {n}")
    items = parse(client.get("/")).select("#recent li a")
    assert [a.get_text() for a in items] == [f"entry {n}" for n in range(11, 1, -1)]
    assert all(re.fullmatch(r"/submissions/[A-Za-z0-9_-]{22}", a["href"]) for a in items)


def test_submit_page_has_a_labelled_field_csrf_and_htmx_attributes(client):
    doc = parse(client.get("/submit"))
    form = doc.find("form", id="submit-form")
    assert form["action"] == "/submit"
    assert form["method"] == "post"
    assert form["hx-post"] == "/submit"
    assert form["hx-target"] == "#result"
    assert form["hx-sync"] == "this:drop"
    assert form["hx-disable"] == "find button"
    assert "target:#submit-form" in form["hx-status:422"]
    field = form.find("input", attrs={"name": "user_input"})
    assert field["type"] == "text"
    assert doc.find("label", attrs={"for": field["id"]}).get_text(strip=True)
    assert form.find("input", attrs={"name": "csrf_token", "type": "hidden"})["value"]
    assert form.find("button", type="submit") is not None
    assert form.find(class_="htmx-indicator") is not None
    result = doc.find(id="result")
    assert result["aria-live"] == "polite"
    assert result.find("article") is None


def test_body_carries_the_csrf_header_for_htmx(client):
    doc = parse(client.get("/submit"))
    token = doc.find("input", attrs={"name": "csrf_token"})["value"]
    assert doc.body["hx-headers:inherited"] == f'{{"X-CSRFToken": "{token}"}}'


def test_result_page_shows_text_form_and_recent_list(client, submission_url):
    doc = parse(client.get(submission_url))
    result = doc.find(id="result")
    assert result.find("h2").get_text(strip=True) == "Submitted"
    assert "You entered: hello there" in result.get_text(" ", strip=True)
    assert result.find("a", href="/submit") is not None
    assert result.find("a", href="/") is not None
    assert result.find("time")["datetime"]
    assert doc.find("form", id="submit-form").find("input", id="user_input")["value"] == ""
    assert doc.select_one("#recent li a")["href"] == submission_url
    assert doc.title.get_text().startswith("Submitted")


def test_htmx_script_is_vendored_and_loaded_from_head(client):
    script = parse(client.get("/")).head.find("script")
    assert script["src"] == "/static/vendor/htmx-4.0.1.min.js"
    assert script["integrity"].startswith("sha256-")
    assert not script.has_attr("async") and not script.has_attr("defer")
    with client.get(script["src"]) as response:
        assert response.status_code == 200


def test_htmx_config_is_a_meta_tag_not_an_inline_script(client):
    head = parse(client.get("/")).head
    assert head.find("meta", attrs={"name": "htmx-config"}) is not None
    assert all(script.has_attr("src") for script in parse(client.get("/")).find_all("script"))


def test_stylesheet_is_served(client):
    with client.get("/static/style.css") as response:
        assert response.status_code == 200
        assert response.mimetype == "text/css"
