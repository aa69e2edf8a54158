"""POST /submit: redirect or fragment, validation, CSRF, escaping, ownership, repeats."""

import pytest
from helpers import (
    HTMX,
    INVALID,
    SHAPES,
    VARY,
    count_rows,
    form_fields,
    parse,
    submission_id,
    submit,
)


def test_plain_post_redirects_with_303_to_the_result(client, store):
    response = submit(client, "  hello world  ")

    assert response.status_code == 303
    location = response.headers["Location"]
    assert location.startswith("/submissions/")
    assert not [name for name, _ in response.headers if name.lower().startswith("hx-")]
    assert count_rows(store) == 1
    page = client.get(location)
    assert page.status_code == 200
    assert parse(page).select_one("#result .entered").get_text() == "hello world"


def test_htmx_post_returns_result_fragment_pushes_url_and_updates_oob(client, store):
    fields = form_fields(client)
    response = client.post("/submit", data={**fields, "user_input": "swap me"}, headers=HTMX)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert set(response.vary) >= VARY
    doc = parse(response)
    assert doc.find("html") is None
    url = response.headers["HX-Push-Url"]
    assert url.startswith("/submissions/")
    new_id = submission_id(response)
    assert doc.title.get_text().startswith("Your submission")
    assert doc.find("h1", id="heading")["hx-swap-oob"] == "true"
    assert doc.find("h1", id="heading").get_text() == "Your submission"
    result = doc.find(id=f"result-{new_id}")
    assert result.select_one(".entered").get_text() == "swap me"
    assert not result.has_attr("hx-swap-oob")
    # The form comes back empty, with a new request id, to replace the one just sent.
    form = doc.find("form", id="submit-form")
    assert form["hx-swap-oob"] == "true"
    assert form.find("input", attrs={"name": "user_input"})["value"] == ""
    new_request_id = form.find("input", attrs={"name": "request_id"})["value"]
    assert new_request_id and new_request_id != fields["request_id"]
    recent = doc.find(id="recent")
    assert recent["hx-swap-oob"] == "true"
    assert recent.select_one("li a")["href"] == url
    assert count_rows(store) == 1
    # What the swap shows is what a reload of the pushed URL shows.
    page = parse(client.get(url))
    assert page.select_one("#result .entered").get_text() == "swap me"
    assert [a["href"] for a in page.select("#recent li a")] == [url]


def test_htmx_post_sends_the_whole_recent_list_whatever_the_page_showed(client):
    # This tab showed "Nothing yet"; another tab of the same visitor submitted ten since.
    urls = [submit(client, f"other tab {n}").headers["Location"] for n in range(10)]

    response = submit(client, "this tab", headers=HTMX)

    recent = parse(response).find(id="recent")
    assert recent["hx-swap-oob"] == "true"
    links = [a["href"] for a in recent.select("#recent-list > li > a")]
    assert links == [response.headers["HX-Push-Url"], *reversed(urls[1:])]
    # The list after the swap is what a reload shows.
    page = parse(client.get(response.headers["HX-Push-Url"]))
    assert [a["href"] for a in page.select("#recent-list > li > a")] == links


def test_a_repeated_htmx_post_sends_the_whole_list_not_a_second_row(client, store):
    submit(client, "first")
    fields = {**form_fields(client), "user_input": "twice"}
    client.post("/submit", data=fields, headers=HTMX)

    again = parse(client.post("/submit", data=fields, headers=HTMX))

    assert again.find(id="recent")["hx-swap-oob"] == "true"
    assert [a.get_text() for a in again.select("#recent li a")] == ["twice", "first"]
    assert count_rows(store) == 2


@pytest.mark.parametrize("shape", ["boosted htmx2", "boosted htmx4"])
def test_boosted_post_gets_the_plain_redirect(client, shape):
    response = submit(client, "boosted", headers=SHAPES[shape][0])
    assert response.status_code == 303
    assert "HX-Push-Url" not in response.headers


@pytest.mark.parametrize("case", INVALID)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_invalid_input_is_422_with_message_and_kept_value(client, store, case, htmx):
    text, message = INVALID[case]
    response = submit(client, text, headers=HTMX if htmx else {})

    assert response.status_code == 422
    doc = parse(response)
    assert (doc.find("html") is None) == htmx
    form = doc.find("form", id="submit-form")
    field = form.find("input", attrs={"name": "user_input"})
    error = form.find(id="user_input-error")
    assert error.get_text(" ", strip=True) == f"Error: {message}"
    assert error.find(class_="visually-hidden").get_text() == "Error:"
    assert field["aria-invalid"] == "true"
    assert "user_input-error" in field["aria-describedby"].split()
    assert field["value"] == text.strip()
    assert not form.has_attr("hx-swap-oob")
    assert count_rows(store) == 0


def test_exactly_500_characters_is_accepted(client, store):
    assert submit(client, "y" * 500).status_code == 303
    assert count_rows(store) == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
@pytest.mark.parametrize("token", [None, "", "not-a-token"], ids=["missing", "empty", "wrong"])
def test_bad_csrf_token_is_400_and_stores_nothing(client, store, htmx, token):
    data = {"user_input": "forged", "request_id": form_fields(client)["request_id"]}
    if token is not None:
        data["csrf_token"] = token
    response = client.post("/submit", data=data, headers=HTMX if htmx else {})

    assert response.status_code == 400
    assert (parse(response).find("html") is None) == htmx
    assert parse(response).find(class_="error") is not None
    assert count_rows(store) == 0


def test_csrf_header_alone_is_accepted_for_htmx(client, store):
    fields = form_fields(client)
    headers = {**HTMX, "X-CSRFToken": fields["csrf_token"]}
    data = {"user_input": "via header", "request_id": fields["request_id"]}
    assert client.post("/submit", data=data, headers=headers).status_code == 200
    assert count_rows(store) == 1


def test_a_malformed_request_id_is_400_and_stores_nothing(client, store):
    response = submit(client, "hello", request_id="<bad id>")
    assert response.status_code == 400
    assert count_rows(store) == 0


def test_the_same_form_submitted_twice_stores_one_row(client, store):
    fields = form_fields(client)
    first = client.post("/submit", data={**fields, "user_input": "once"})
    second = client.post("/submit", data={**fields, "user_input": "once"})
    assert first.headers["Location"] == second.headers["Location"]
    assert count_rows(store) == 1


def test_a_form_without_request_id_still_stores(client, store):
    fields = form_fields(client)
    data = {"csrf_token": fields["csrf_token"], "user_input": "no id"}
    assert client.post("/submit", data=data).status_code == 303
    assert count_rows(store) == 1


PAYLOAD = '<script>alert("x")</script>'


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_script_payload_is_escaped_exactly_once(client, htmx):
    response = submit(client, PAYLOAD, headers=HTMX if htmx else {})
    if not htmx:
        response = client.get(response.headers["Location"])
    body = response.get_data(as_text=True)
    doc = parse(response)

    assert doc.select_one("#recent li a").get_text() == PAYLOAD
    assert doc.select_one(".entered").get_text() == PAYLOAD
    assert PAYLOAD not in body
    assert "&amp;lt;" not in body
    # The entry, the recent list, and the names of the edit link and the pin and delete
    # buttons.
    assert body.count("&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;") == 5
    assert not [s for s in doc.find_all("script") if not s.has_attr("src")]


def test_echoed_text_sits_inside_hx_ignore(client):
    payload = 'x" hx-get="/evil'
    doc = parse(submit(client, payload, headers=HTMX))
    echoes = doc.find_all(string=lambda text: payload in text)
    # The result, the recent list, and the names of the edit link and the pin and delete
    # buttons.
    assert len(echoes) == 5
    for echo in echoes:
        assert echo.find_parent(attrs={"hx-ignore": True}) is not None


def test_another_visitor_can_neither_list_nor_open_a_submission(app, client):
    url = submit(client, "mine only").headers["Location"]
    other = app.test_client()

    assert other.get(url).status_code == 404
    assert other.get(url, headers=HTMX).status_code == 404
    assert parse(other.get("/")).select("#recent li") == []
    assert parse(other.get("/submit")).select("#recent li") == []
    assert client.get(url).status_code == 200


def test_submission_ids_are_random_not_row_numbers(client):
    first = submission_id(submit(client, "a"))
    second = submission_id(submit(client, "b"))
    assert len(first) == len(second) == 22
    assert first != second
    assert not first.isdigit()


def test_stored_text_is_trimmed_and_kept_exactly(client, store):
    text = "  ünïcødé ✓ 'quotes' \"double\" & ampersands  "
    submit(client, text)
    doc = parse(client.get("/"))
    assert doc.select_one("#recent li a").get_text() == text.strip()


def test_a_422_page_says_error_in_its_title_and_sums_up_the_problems(client):
    page = parse(submit(client, ""))
    assert page.title.get_text().startswith("Error: Submit")
    summary = page.find(class_="error-summary")
    assert summary["role"] == "alert"
    assert summary.has_attr("autofocus")
    link = summary.find("a")
    assert link["href"] == "#user_input"
    assert link.get_text() == "Please enter some text."
    assert not page.find(id="user_input").has_attr("autofocus")  # one autofocus: the summary
    fragment = parse(submit(client, "", headers=HTMX))
    assert fragment.find(class_="error-summary") is None
    assert fragment.find("title") is None
    ok = parse(client.get("/submit"))
    assert ok.title.get_text().startswith("Submit")
    assert ok.find(class_="error-summary") is None


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_the_result_says_you_entered_and_the_text(client, htmx):
    response = submit(client, "Water the tomatoes", headers=HTMX if htmx else {})
    if not htmx:
        response = client.get(response.headers["Location"])
    line = parse(response).select_one(".result .you-entered")
    assert line.get_text() == "You entered: Water the tomatoes"
    assert line.select_one(".entered").has_attr("hx-ignore")
