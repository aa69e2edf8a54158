"""Deleting acts at once and can be undone for UNDO_SECONDS, with and without htmx."""

import time

import pytest
from helpers import (
    FROM_LOG,
    HTMX,
    count_rows,
    csrf_token,
    form_fields,
    parse,
    submission_id,
    submit,
)
from sqlalchemy import func, select

from submissions.schema import submissions


@pytest.fixture
def doomed(client):
    return submission_id(submit(client, "doomed"))


def csrf(client) -> dict:
    return {"csrf_token": csrf_token(client.get("/submit").text)}


def in_trash(store) -> int:
    with store.engine.connect() as connection:
        query = select(func.count()).where(submissions.c.deleted_at.is_not(None))
        return connection.execute(query).scalar_one()


def undo_form(doc):
    return doc.find(id="status").find("form", action=lambda action: action.endswith("/undo"))


def test_rows_and_card_delete_with_a_named_post_button(client, doomed):
    row_form = (
        parse(client.get("/submissions"))
        .find(id=f"row-{doomed}")
        .find("form", class_="delete-form")
    )
    card_form = (
        parse(client.get(f"/submissions/{doomed}"))
        .find(id="result")
        .find("form", class_="delete-form")
    )
    for form in (row_form, card_form):
        assert form["action"] == f"/submissions/{doomed}/delete"
        assert form["method"] == "post"
        assert form.find("input", attrs={"name": "csrf_token"})["value"]
        button = form.find("button", type="submit")
        assert button.get_text(" ", strip=True) == "Delete “doomed”"
    # In the log the row's own swap fades and empties it; the card's form is boosted.
    assert row_form["hx-post"] == row_form["action"]
    assert row_form["hx-target"] == f"#row-{doomed}"
    assert row_form["hx-swap"] == "innerHTML swap:300ms"
    assert not [name for name in card_form.attrs if name.startswith("hx-")]


def test_plain_delete_redirects_to_the_list_offering_undo(client, store, doomed):
    response = client.post(f"/submissions/{doomed}/delete", data=csrf(client))

    assert response.status_code == 303
    assert response.headers["Location"] == f"/submissions?deleted={doomed}"
    assert count_rows(store) == 0
    doc = parse(client.get(response.headers["Location"]))
    assert doc.find(id=f"row-{doomed}") is None
    status = doc.find(id="status")
    assert status.find("p").get_text() == "Deleted “doomed”."
    form = undo_form(doc)
    assert form["action"] == f"/submissions/{doomed}/undo"
    assert form["method"] == "post"
    assert form.find("input", attrs={"name": "csrf_token"})["value"]
    assert form.find("button").get_text(strip=True) == "Undo"
    assert form["data-expires-in"] == "30"


def test_htmx_delete_empties_the_row_and_offers_undo_out_of_band(client, store, doomed):
    submit(client, "survivor")
    headers = {**FROM_LOG, "X-CSRFToken": csrf_token(client.get("/submit").text)}
    response = client.post(f"/submissions/{doomed}/delete", headers=headers)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    doc = parse(response)
    # Nothing for the row itself: its swap empties it.
    assert all(child.has_attr("hx-swap-oob") for child in doc.find_all(recursive=False))
    assert doc.find(id=f"row-{doomed}") is None
    status = doc.find(id="status")
    assert status["hx-swap-oob"] == "innerHTML"
    assert undo_form(doc)["hx-post"] == f"/submissions/{doomed}/undo"
    count = doc.find(id="submission-count")
    assert count["hx-swap-oob"] == "true"
    assert count.get_text() == "(1)"
    recent = doc.find(id="recent")
    assert [a.get_text() for a in recent.select("li a")] == ["survivor"]
    assert count_rows(store) == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_undo_puts_it_back_exactly_in_its_place(client, store, htmx):
    older = submission_id(submit(client, "older"))
    doomed = submission_id(submit(client, "doomed"))
    newer = submission_id(submit(client, "newer"))
    with client.session_transaction() as session:
        visitor = session["visitor_id"]
    before = store.get(doomed, visitor)
    client.post(f"/submissions/{doomed}/delete", data=csrf(client))

    headers = FROM_LOG if htmx else {}
    response = client.post(f"/submissions/{doomed}/undo", data=csrf(client), headers=headers)

    assert store.get(doomed, visitor) == before
    assert in_trash(store) == 0
    if htmx:
        assert response.status_code == 200
        doc = parse(response)
        # Its emptied row goes, and the row comes back right after "newer", the one before it.
        assert doc.find(attrs={"hx-swap-oob": f"delete:#row-{doomed}"}) is not None
        placed = doc.find(attrs={"hx-swap-oob": f"afterend:#row-{newer}"})
        assert placed.find("li", id=f"row-{doomed}").a.get_text() == "doomed"
        assert doc.find(id="status").get_text(strip=True) == "Restored."
        recent = [a.get_text() for a in doc.select("#recent li a")]
    else:
        assert response.status_code == 303
        doc = parse(client.get(response.headers["Location"]))
        assert doc.find(id="status").get_text(strip=True) == "Restored."
        assert [li["id"] for li in doc.select("#submission-rows > li")][1:] == [
            f"row-{doomed}",
            f"row-{older}",
        ]
        recent = [a.get_text() for a in parse(client.get("/")).select("#recent li a")]
    assert recent == ["newer", "doomed", "older"]


def test_undo_after_the_window_is_a_404_and_the_delete_stays(make_app):
    app = make_app(UNDO_SECONDS=1)
    client, store = app.test_client(), app.extensions["store"]
    doomed = submission_id(submit(client, "doomed"))
    client.post(f"/submissions/{doomed}/delete", data=csrf(client))
    time.sleep(1.1)

    assert client.post(f"/submissions/{doomed}/undo", data=csrf(client)).status_code == 404
    assert count_rows(store) == 0
    page = parse(client.get(f"/submissions?deleted={doomed}"))
    assert undo_form(page) is None  # the offer is gone too
    # A later write purges it for good.
    assert in_trash(store) == 1
    submit(client, "a later write")
    assert in_trash(store) == 0


def test_writes_purge_the_trash_at_most_once_per_undo_window(make_app, monkeypatch):
    app = make_app(UNDO_SECONDS=1)
    client, store = app.test_client(), app.extensions["store"]
    purges = []
    purge = store._purge
    monkeypatch.setattr(store, "_purge", lambda connection: purges.append(1) or purge(connection))
    doomed = submission_id(submit(client, "doomed"))
    client.post(f"/submissions/{doomed}/delete", data=csrf(client))
    submit(client, "within the window")
    assert len(purges) == 1  # the first write purged; the next two did not
    time.sleep(1.1)
    submit(client, "after the window")
    assert len(purges) == 2
    assert in_trash(store) == 0  # deleted over a window ago: gone


def test_the_purge_command_removes_what_can_no_longer_be_undone(make_app):
    app = make_app(UNDO_SECONDS=1)
    client, store = app.test_client(), app.extensions["store"]
    for text in ("one", "two"):
        doomed = submission_id(submit(client, text))
        client.post(f"/submissions/{doomed}/delete", data=csrf(client))
    result = app.test_cli_runner().invoke(args=["purge-deleted"])
    assert result.output == "Purged 0 deleted submission(s).\n"
    time.sleep(1.1)
    result = app.test_cli_runner().invoke(args=["purge-deleted"])
    assert result.output == "Purged 2 deleted submission(s).\n"
    assert in_trash(store) == 0


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_another_visitors_undo_is_a_404_and_changes_nothing(app, client, store, doomed, htmx):
    client.post(f"/submissions/{doomed}/delete", data=csrf(client))
    other = app.test_client()
    headers = HTMX if htmx else {}

    assert (
        other.post(f"/submissions/{doomed}/undo", data=csrf(other), headers=headers).status_code
        == 404
    )
    assert undo_form(parse(other.get(f"/submissions?deleted={doomed}"))) is None
    assert count_rows(store) == 0
    assert client.post(f"/submissions/{doomed}/undo", data=csrf(client)).status_code == 303
    assert count_rows(store) == 1


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_deleting_someone_elses_or_a_gone_submission_is_404(app, client, store, doomed, htmx):
    other = app.test_client()
    headers = HTMX if htmx else {}
    path = f"/submissions/{doomed}/delete"
    assert other.post(path, data=csrf(other), headers=headers).status_code == 404
    assert count_rows(store) == 1
    assert client.post(path, data=csrf(client)).status_code == 303
    assert client.post(path, data=csrf(client), headers=headers).status_code == 404


def test_delete_and_undo_need_a_csrf_token(client, store, doomed):
    assert client.post(f"/submissions/{doomed}/delete").status_code == 400
    assert client.post(f"/submissions/{doomed}/delete", headers=HTMX).status_code == 400
    assert count_rows(store) == 1
    client.post(f"/submissions/{doomed}/delete", data=csrf(client))
    assert client.post(f"/submissions/{doomed}/undo").status_code == 400
    assert count_rows(store) == 0


def test_delete_by_get_is_not_possible(client, store, doomed):
    assert client.get(f"/submissions/{doomed}/delete").status_code == 405
    assert count_rows(store) == 1


def test_the_same_form_sent_again_after_its_submission_was_deleted_stores_it_anew(client, store):
    fields = {**form_fields(client), "user_input": "once more"}
    first = submission_id(client.post("/submit", data=fields))
    client.post(f"/submissions/{first}/delete", data=csrf(client))

    again = client.post("/submit", data=fields)

    assert again.status_code == 303
    second = submission_id(again)
    assert second != first  # not the deleted one, which would be a 404
    assert client.get(again.headers["Location"]).status_code == 200
    assert count_rows(store) == 1
    assert client.post(f"/submissions/{first}/undo", data=csrf(client)).status_code == 303
    assert count_rows(store) == 2
