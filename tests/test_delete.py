"""Deleting: a confirmation page without JavaScript, in-place removal with htmx."""

import pytest
from helpers import HTMX, form_fields, parse, submit


@pytest.fixture
def submission_id(client):
    return submit(client, "doomed").headers["Location"].rsplit("/", 1)[1]


def csrf(client) -> dict:
    return {"csrf_token": form_fields(client)["csrf_token"]}


def test_rows_and_result_card_offer_delete_both_ways(client, submission_id):
    for path in ("/submissions", f"/submissions/{submission_id}"):
        link = parse(client.get(path)).find("a", class_="delete")
        assert link["href"] == f"/submissions/{submission_id}/delete"
        assert link["hx-post"] == f"/submissions/{submission_id}/delete"
        assert link["hx-confirm"]
        assert link["hx-swap"] == "none"
    card_link = parse(client.get(f"/submissions/{submission_id}")).select_one("#result a.delete")
    assert card_link["hx-replace-url"] == "/submit"


def test_confirmation_page_is_a_post_form_with_csrf(client, submission_id):
    doc = parse(client.get(f"/submissions/{submission_id}/delete"))
    form = doc.find(id="confirm-delete").find("form")
    assert form["method"] == "post"
    assert form["action"] == f"/submissions/{submission_id}/delete"
    assert form.find("input", attrs={"name": "csrf_token"})["value"]
    assert form.find("a", href=f"/submissions/{submission_id}") is not None
    assert doc.find(id="confirm-delete").blockquote.get_text() == "doomed"


def test_plain_delete_redirects_to_the_list_with_a_status_message(client, store, submission_id):
    response = client.post(f"/submissions/{submission_id}/delete", data=csrf(client))
    assert response.status_code == 303
    assert response.headers["Location"] == "/submissions"
    assert store.count_all() == 0
    doc = parse(client.get("/submissions"))
    assert doc.find(id="status").get_text(strip=True) == "Deleted."
    assert doc.find(id=f"row-{submission_id}") is None
    # The message is shown once.
    assert parse(client.get("/submissions")).find(id="status").get_text(strip=True) == ""


def test_htmx_delete_removes_in_place_and_updates_out_of_band(client, store, submission_id):
    submit(client, "survivor")
    headers = {**HTMX, "X-CSRFToken": form_fields(client)["csrf_token"]}
    response = client.post(f"/submissions/{submission_id}/delete", headers=headers)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    doc = parse(response)
    assert doc.find(id=f"row-{submission_id}")["hx-swap-oob"] == "delete"
    assert doc.find(id=f"result-{submission_id}")["hx-swap-oob"] == "delete"
    status = doc.find(id="status")
    assert status["hx-swap-oob"] == "innerHTML"
    assert status.get_text(strip=True) == "Deleted."
    count = doc.find(id="submission-count")
    assert count["hx-swap-oob"] == "true"
    assert count.get_text() == "(1)"
    recent = doc.find(id="recent")
    assert [a.get_text() for a in recent.select("li a")] == ["survivor"]
    assert store.count_all() == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_deleting_someone_elses_or_a_gone_submission_is_404(
    app, client, store, submission_id, htmx
):
    other = app.test_client()
    headers = HTMX if htmx else {}
    path = f"/submissions/{submission_id}/delete"
    assert other.get(path, headers=headers).status_code == 404
    assert other.post(path, data=csrf(other), headers=headers).status_code == 404
    assert store.count_all() == 1
    assert client.post(f"/submissions/{submission_id}/delete", data=csrf(client)).status_code == 303
    again = client.post(f"/submissions/{submission_id}/delete", data=csrf(client), headers=headers)
    assert again.status_code == 404
    assert client.get(f"/submissions/{submission_id}/delete").status_code == 404


def test_delete_needs_a_csrf_token(client, store, submission_id):
    assert client.post(f"/submissions/{submission_id}/delete").status_code == 400
    assert client.post(f"/submissions/{submission_id}/delete", headers=HTMX).status_code == 400
    assert store.count_all() == 1


def test_delete_by_get_is_not_possible(client, store, submission_id):
    client.get(f"/submissions/{submission_id}/delete")
    assert store.count_all() == 1
