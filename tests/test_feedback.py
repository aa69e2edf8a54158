"""Live validation and status messages: the server's own rules, one status region."""

import pytest
from helpers import HTMX, INVALID, parse, submit


def feedback(client, text: str):
    response = client.get("/submit/validate", query_string={"user_input": text}, headers=HTMX)
    assert response.status_code == 200
    return parse(response)


@pytest.mark.parametrize("case", INVALID)
def test_live_validation_gives_the_same_message_as_submitting(client, case):
    text, message = INVALID[case]
    assert feedback(client, text).find(id="user_input-error").get_text(strip=True) == message
    posted = parse(submit(client, text, headers=HTMX))
    assert posted.find(id="user_input-error").get_text(strip=True) == message


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
    assert store.count_all() == 0


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
