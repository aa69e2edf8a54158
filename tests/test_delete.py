"""Deleting: a confirmation page without JavaScript, in-place removal with htmx."""

import pytest
from helpers import HTMX, count_rows, csrf_token, parse, submission_id, submit


@pytest.fixture
def doomed(client):
    return submission_id(submit(client, "doomed"))


def csrf(client) -> dict:
    return {"csrf_token": csrf_token(client.get("/submit").text)}


def test_rows_and_result_card_offer_delete_both_ways(client, doomed):
    for path in ("/submissions", f"/submissions/{doomed}"):
        link = parse(client.get(path)).find("a", class_="delete")
        assert link["href"] == f"/submissions/{doomed}/delete"
        assert link["hx-post"] == f"/submissions/{doomed}/delete"
        assert link["hx-confirm"]
        assert link["hx-swap"] == "none"
    card_link = parse(client.get(f"/submissions/{doomed}")).select_one("#result a.delete")
    assert card_link["hx-replace-url"] == "/submit"


def test_confirmation_page_is_a_post_form_with_csrf(client, doomed):
    doc = parse(client.get(f"/submissions/{doomed}/delete"))
    form = doc.find(id="confirm-delete").find("form")
    assert form["method"] == "post"
    assert form["action"] == f"/submissions/{doomed}/delete"
    assert form.find("input", attrs={"name": "csrf_token"})["value"]
    assert form.find("a", href=f"/submissions/{doomed}") is not None
    assert doc.find(id="confirm-delete").blockquote.get_text() == "doomed"


def test_plain_delete_redirects_to_the_list_with_a_status_message(client, store, doomed):
    response = client.post(f"/submissions/{doomed}/delete", data=csrf(client))
    assert response.status_code == 303
    assert response.headers["Location"] == "/submissions"
    assert count_rows(store) == 0
    doc = parse(client.get("/submissions"))
    assert doc.find(id="status").get_text(strip=True) == "Deleted."
    assert doc.find(id=f"row-{doomed}") is None
    # The message is shown once.
    assert parse(client.get("/submissions")).find(id="status").get_text(strip=True) == ""


def test_htmx_delete_removes_in_place_and_updates_out_of_band(client, store, doomed):
    submit(client, "survivor")
    headers = {**HTMX, "X-CSRFToken": csrf_token(client.get("/submit").text)}
    response = client.post(f"/submissions/{doomed}/delete", headers=headers)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    doc = parse(response)
    assert doc.find(id=f"row-{doomed}")["hx-swap-oob"] == "delete"
    assert doc.find(id=f"result-{doomed}")["hx-swap-oob"] == "delete"
    status = doc.find(id="status")
    assert status["hx-swap-oob"] == "innerHTML"
    assert status.get_text(strip=True) == "Deleted."
    count = doc.find(id="submission-count")
    assert count["hx-swap-oob"] == "true"
    assert count.get_text() == "(1)"
    recent = doc.find(id="recent")
    assert [a.get_text() for a in recent.select("li a")] == ["survivor"]
    assert count_rows(store) == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_deleting_someone_elses_or_a_gone_submission_is_404(app, client, store, doomed, htmx):
    other = app.test_client()
    headers = HTMX if htmx else {}
    path = f"/submissions/{doomed}/delete"
    assert other.get(path, headers=headers).status_code == 404
    assert other.post(path, data=csrf(other), headers=headers).status_code == 404
    assert count_rows(store) == 1
    assert client.post(f"/submissions/{doomed}/delete", data=csrf(client)).status_code == 303
    again = client.post(f"/submissions/{doomed}/delete", data=csrf(client), headers=headers)
    assert again.status_code == 404
    assert client.get(f"/submissions/{doomed}/delete").status_code == 404


def test_delete_needs_a_csrf_token(client, store, doomed):
    assert client.post(f"/submissions/{doomed}/delete").status_code == 400
    assert client.post(f"/submissions/{doomed}/delete", headers=HTMX).status_code == 400
    assert count_rows(store) == 1


def test_delete_by_get_is_not_possible(client, store, doomed):
    client.get(f"/submissions/{doomed}/delete")
    assert count_rows(store) == 1
