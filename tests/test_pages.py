"""Every route in every request shape: status, page or fragment, Vary and caching."""

import re

import pytest
from bs4 import BeautifulSoup
from helpers import SHAPES, VARY, csrf_token, parse, submit


@pytest.fixture
def submission_url(client):
    return submit(client, "hello there").headers["Location"]


# Each GET route: the region its fragment renders, and whether the fragment is that
# element itself ("outer") or the element's contents ("inner", for live regions).
ROUTES = {
    "/": ("recent", "outer"),
    "/submit": ("submit-form", "outer"),
    "/submissions/{id}": ("result-{id}", "outer"),
    "/submissions": ("results", "inner"),
    "/submissions?q=hello": ("results", "inner"),
    "/submissions?q=nothing+like+it": ("results", "inner"),
    "/submissions/{id}/edit": ("edit-{id}", "outer"),
    "/submit/validate?user_input=hi": ("user_input-feedback", "inner"),
}


def masked(markup) -> str:
    """Markup with per-render values (CSRF token, request id) blanked and spaces folded."""
    doc = BeautifulSoup(str(markup), "html.parser")
    for hidden in doc.find_all("input", type="hidden"):
        hidden["value"] = ""
    return " ".join(str(doc).split())


def without_out_of_band(response) -> str:
    """The fragment's markup for its target: its out-of-band parts (such as the log's count,
    checked in test_list.py) taken out."""
    doc = parse(response)
    for part in doc.find_all(attrs={"hx-swap-oob": True}, recursive=False):
        part.decompose()
    return str(doc)


def assert_page(response) -> None:
    doc = parse(response)
    assert doc.find("html") is not None
    assert doc.find("head") is not None
    assert doc.find("body") is not None
    assert doc.title.get_text(strip=True).endswith("Submissions")
    assert re.fullmatch(
        r"/static/style\.[0-9a-f]{12}\.css", doc.find("link", rel="stylesheet")["href"]
    )


def assert_fragment(response) -> None:
    doc = parse(response)
    assert doc.find("html") is None
    assert doc.find("head") is None
    assert doc.find("body") is None
    assert response.headers["Cache-Control"] == "no-store"


@pytest.mark.parametrize("shape", SHAPES)
@pytest.mark.parametrize("route", ROUTES)
def test_get_routes_answer_in_the_right_shape(client, submission_url, route, shape):
    headers, expected = SHAPES[shape]
    submission_id = submission_url.rsplit("/", 1)[1]
    path = route.format(id=submission_id)
    region_id, kind = (part.format(id=submission_id) for part in ROUTES[route])

    response = client.get(path, headers=headers)

    assert response.status_code == 200
    assert response.mimetype == "text/html"
    assert set(response.vary) >= VARY
    if expected == "page":
        assert_page(response)
        region = parse(response).find(id=region_id)
        fragment = client.get(path, headers=SHAPES["htmx"][0])
        page_markup = region if kind == "outer" else region.decode_contents()
        assert masked(page_markup) == masked(without_out_of_band(fragment))
    else:
        assert_fragment(response)
        doc = parse(response)
        if kind == "outer":
            assert [child for child in doc.contents if child.name] == [doc.find(id=region_id)]
        else:
            assert doc.find(id=region_id) is None


def test_full_pages_are_not_marked_no_store(client):
    response = client.get("/")
    assert "no-store" not in response.headers.get("Cache-Control", "")


def test_home_page_says_what_it_is_for_and_links_to_the_form(client):
    doc = parse(client.get("/"))
    # The brand says "Submissions" already; the heading says what the site does.
    assert doc.find(class_="brand").get_text(strip=True) == "Submissions"
    assert doc.h1.get_text(strip=True) == "Keep a line of text, find it again"
    buttons = doc.find("main").find(class_="button-group").find_all("a", class_="button")
    assert [a["href"] for a in buttons] == ["/submit", "/submissions"]
    recent = doc.find(id="recent")
    assert recent.find("ol") is None
    assert "Nothing yet" in recent.get_text()


# Where each page sits in the navigation: the link to it is marked as the current page.
CURRENT = {
    "/": "/",
    "/submit": "/submit",
    "{result}": "/submit",  # a result page is the form page with its result filled in
    "/submissions": "/submissions",
    "/submissions?q=hello": "/submissions",
    "{result}/delete": None,
    "/no/such/page": None,
}


@pytest.mark.parametrize("path", CURRENT)
def test_the_nav_marks_the_current_page(client, submission_url, path):
    doc = parse(client.get(path.format(result=submission_url)))
    current = doc.find("nav").find_all("a", attrs={"aria-current": "page"})
    assert [a["href"] for a in current] == ([CURRENT[path]] if CURRENT[path] else [])


@pytest.mark.parametrize("rows", [0, 3])
@pytest.mark.parametrize("path", ["/", "/submit", "/submissions"])
def test_no_page_offers_a_link_to_itself(client, path, rows):
    for n in range(rows):
        submit(client, f"entry {n}")
    assert parse(client.get(path)).find("main").find("a", href=path) is None


def test_the_error_page_is_headed_by_what_went_wrong(client):
    doc = parse(client.get("/no/such/page"))
    assert [h.get_text(" ", strip=True) for h in doc.find_all("h1")] == ["Not found (error 404)"]
    assert "Sorry" not in doc.get_text()


def test_the_footer_is_about_the_visitor_not_the_technology(client):
    footer = parse(client.get("/")).find("footer").get_text()
    assert "JavaScript" not in footer
    assert "Only you can see your submissions" in footer


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
    html = client.get("/submit").text
    doc, token = BeautifulSoup(html, "html.parser"), csrf_token(html)
    assert doc.body["hx-headers:inherited"] == f'{{"X-CSRFToken": "{token}"}}'


def test_result_page_shows_the_entry_then_the_form_then_the_recent_list(client, submission_url):
    doc = parse(client.get(submission_url))
    assert doc.h1.get_text(strip=True) == "Your submission"
    assert doc.title.get_text().startswith("Your submission")
    card = doc.find(id="result").find("article")
    assert card.select_one(".entered").get_text() == "hello there"
    assert card.find("time")["datetime"]
    assert card.find("a", class_="edit")["href"] == f"{submission_url}/edit"
    assert doc.find("form", id="submit-form").find("input", id="user_input")["value"] == ""
    assert doc.select_one("#recent li a")["href"] == submission_url
    order = [element["id"] for element in doc.select("#result, #submit-form, #recent")]
    assert order == ["result", "submit-form", "recent"]


def test_scripts_are_ours_and_never_block_parsing(client):
    htmx, app = parse(client.get("/")).head.find_all("script")
    assert re.fullmatch(r"/static/vendor/htmx-4\.0\.1\.min\.[0-9a-f]{12}\.js", htmx["src"])
    assert htmx["integrity"].startswith("sha256-")
    assert re.fullmatch(r"/static/app\.[0-9a-f]{12}\.js", app["src"])
    # Deferred scripts run in document order once the page is parsed: htmx, then ours.
    for script in (htmx, app):
        assert script.has_attr("defer") and not script.has_attr("async")
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


@pytest.mark.parametrize("shape", SHAPES)
def test_health_check_is_tiny_plain_text_and_never_cached(client, shape):
    response = client.get("/healthz", headers=SHAPES[shape][0])
    assert response.status_code == 200
    assert response.mimetype == "text/plain"
    assert response.text == "ok\ndatabase: ok\n"  # and no rate limits in tests
    assert response.headers["Cache-Control"] == "no-store"
