"""Live validation and status messages: the server's own rules, one status region."""

import pytest
from helpers import HTMX, INVALID, count_rows, parse, submit


def feedback(client, text: str):
    response = client.get("/submit/validate", query_string={"user_input": text}, headers=HTMX)
    assert response.status_code == 200
    return parse(response)


@pytest.mark.parametrize("case", INVALID)
def test_live_validation_gives_the_same_message_as_submitting(client, case):
    text, message = INVALID[case]
    live = feedback(client, text).find(id="user_input-error")
    assert live.get_text(" ", strip=True) == f"Error: {message}"
    posted = parse(submit(client, text, headers=HTMX)).find(id="user_input-error")
    assert posted.get_text(" ", strip=True) == f"Error: {message}"


@pytest.mark.parametrize(
    ("text", "hint"),
    [
        ("", "500 characters left"),
        ("  hello  ", "495 characters left"),
        ("x" * 499, "1 character left"),
        ("x" * 500, "0 characters left"),
        ("x" * 501, "1 character too many"),
        ("x" * 510, "10 characters too many"),
    ],
)
def test_live_validation_counts_characters_left(client, text, hint):
    doc = feedback(client, text)
    assert doc.find(id="user_input-hint").get_text(strip=True) == hint


def test_valid_text_has_no_error_and_nothing_is_stored(client, store):
    doc = feedback(client, "fine")
    assert doc.find(id="user_input-error").get_text(strip=True) == ""
    assert count_rows(store) == 0


def test_the_field_asks_for_live_validation(client):
    field = parse(client.get("/submit")).find("input", id="user_input")
    assert field["hx-get"] == "/submit/validate"
    assert field["hx-target"] == "#user_input-feedback"
    assert "delay:300ms" in field["hx-trigger"]
    assert field["hx-sync"] == "this:replace"
    assert field["aria-describedby"].split() == ["user_input-hint", "user_input-error"]
    region = parse(client.get("/submit")).find(id="user_input-feedback")
    assert region["aria-live"] == "polite"


def test_every_page_has_one_status_region(client):
    url = submit(client, "x").headers["Location"]
    for path in ("/", "/submit", "/submissions", url, f"{url}/delete", "/nope"):
        regions = parse(client.get(path)).find_all(attrs={"role": "status"})
        assert [region["id"] for region in regions] == ["status"], path


def test_submit_status_message_without_and_with_htmx(client):
    page = parse(client.get(submit(client, "one").headers["Location"]))
    assert page.find(id="status").get_text(strip=True) == "Saved."
    fragment = parse(submit(client, "two", headers=HTMX))
    status = fragment.find(id="status")
    assert status["hx-swap-oob"] == "innerHTML"
    assert status.get_text(strip=True) == "Saved."


@pytest.mark.parametrize("path", ["/nope", "/submissions/AAAAAAAAAAAAAAAAAAAAAA"])
def test_htmx_errors_go_to_the_status_region(client, path):
    response = client.get(path, headers=HTMX)
    assert response.headers["HX-Retarget"] == "#status"
    assert response.headers["HX-Reswap"] == "innerHTML"
    assert "HX-Retarget" not in client.get(path).headers


def test_live_validation_answers_with_the_ids_of_the_form_it_names(client):
    response = client.get(
        "/submit/validate",
        query_string={"form": "edit-abc", "edit-abc-user_input": "x" * 501},
        headers=HTMX,
    )
    doc = parse(response)
    assert doc.find(id="edit-abc-user_input-hint").get_text(strip=True) == "1 character too many"
    error = doc.find(id="edit-abc-user_input-error")
    assert error.get_text(" ", strip=True) == "Error: Use at most 500 characters."
    assert doc.find(id="user_input-error") is None


@pytest.mark.parametrize("prefix", ['x"><b', "a b", "x" * 49])
def test_live_validation_refuses_a_form_name_that_makes_no_safe_id(client, prefix):
    response = client.get("/submit/validate", query_string={"form": prefix}, headers=HTMX)
    assert response.status_code == 400
    assert response.headers["HX-Retarget"] == "#status"
