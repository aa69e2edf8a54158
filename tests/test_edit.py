"""Editing a submission: the form, saving with and without htmx, 422, 409, 404, CSRF."""

import pytest
from bs4 import BeautifulSoup
from helpers import FROM_LOG, HTMX, INVALID, VARY, csrf_token, parse, submission_id, submit


@pytest.fixture
def entry(client, store):
    """A submission of the client's visitor, as stored."""
    new_id = submission_id(submit(client, "first draft"))
    with client.session_transaction() as session:
        visitor = session["visitor_id"]
    return store.get(new_id, visitor), visitor


def edit_fields(client, entry_id: str) -> dict[str, str]:
    """The hidden inputs of the edit form, as its page renders them."""
    form = parse(client.get(f"/submissions/{entry_id}/edit")).find("form", id=f"edit-{entry_id}")
    return {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}


def save(client, entry_id: str, text: str, headers=None, **fields):
    data = {**edit_fields(client, entry_id), f"edit-{entry_id}-user_input": text, **fields}
    return client.post(f"/submissions/{entry_id}/edit", data=data, headers=headers or {})


def test_the_edit_page_is_a_post_form_with_the_current_text(client, entry):
    stored, _ = entry
    doc = parse(client.get(f"/submissions/{stored.id}/edit"))
    assert doc.title.get_text().startswith("Edit")
    form = doc.find("form", id=f"edit-{stored.id}")
    assert form["action"] == form["hx-post"] == f"/submissions/{stored.id}/edit"
    assert form["method"] == "post"
    assert form["hx-sync"] == "this:drop"
    field = form.find("input", attrs={"name": f"edit-{stored.id}-user_input"})
    assert field["value"] == "first draft"
    assert field["id"] == f"edit-{stored.id}-user_input"
    assert field.has_attr("autofocus")
    assert doc.find("label", attrs={"for": field["id"]}).get_text(strip=True)
    described = field["aria-describedby"].split()
    assert described == [f"edit-{stored.id}-user_input-hint", f"edit-{stored.id}-user_input-error"]
    assert all(doc.find(id=target) is not None for target in described)
    assert field["hx-get"] == f"/submit/validate?form=edit-{stored.id}"
    assert field["hx-target"] == f"#edit-{stored.id}-user_input-feedback"
    hidden = edit_fields(client, stored.id)
    assert hidden[f"edit-{stored.id}-version"] == "1"
    assert hidden["csrf_token"]
    assert form.find("a", class_="cancel")["href"] == f"/submissions/{stored.id}"


def test_a_page_with_both_forms_has_no_duplicate_ids(client, entry):
    stored, _ = entry
    html = client.get(f"/submissions/{stored.id}").text
    edit = client.get(f"/submissions/{stored.id}/edit", headers=HTMX).text
    ids = [element["id"] for element in BeautifulSoup(html + edit, "html.parser").find_all(id=True)]
    assert len(ids) == len(set(ids))


def test_plain_save_redirects_to_the_submission_which_shows_it_edited(client, store, entry):
    stored, visitor = entry
    response = save(client, stored.id, "  second draft  ")

    assert response.status_code == 303
    assert response.headers["Location"] == f"/submissions/{stored.id}"
    assert not [name for name, _ in response.headers if name.lower().startswith("hx-")]
    edited = store.get(stored.id, visitor)
    assert (edited.text, edited.version) == ("second draft", 2)
    assert edited.created_at == stored.created_at
    doc = parse(client.get(response.headers["Location"]))
    assert doc.select_one("#result .entered").get_text() == "second draft"
    meta = doc.select_one("#result .meta")
    assert "edited" in meta.get_text()
    assert len(meta.find_all("time")) == 2
    assert doc.find(id="status").get_text(strip=True) == "Saved your changes."


def test_htmx_save_updates_every_place_out_of_band(client, store, entry):
    stored, _ = entry
    response = save(client, stored.id, "second draft", headers=FROM_LOG)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert set(response.vary) >= VARY
    assert "HX-Push-Url" not in response.headers
    doc = parse(response)
    assert doc.find("html") is None
    # The row leaves its place (closing the form in it) and comes back where the order puts
    # it: first, being the only one. Its <ul> is stripped: a bare <li> is not valid there.
    assert doc.find(attrs={"hx-swap-oob": f"delete:#row-{stored.id}"}).name == "div"
    row = doc.find(attrs={"hx-swap-oob": "afterbegin:#submission-rows"})
    assert row.name == "ul"
    assert row.find("li", id=f"row-{stored.id}").a.get_text() == "second draft"
    assert row.find("a", class_="edit")["href"] == f"/submissions/{stored.id}/edit"
    card = doc.find("article", id=f"result-{stored.id}")
    assert card["hx-swap-oob"] == "true"
    assert card.select_one(".entered").get_text() == "second draft"
    recent = doc.find(id="recent")
    assert recent["hx-swap-oob"] == "true"
    assert recent.select_one("li a").get_text() == "second draft"
    assert doc.find(id="status").get_text(strip=True) == "Saved your changes."
    # Every top-level element is out of band: nothing goes into the form's own place.
    assert all(child.has_attr("hx-swap-oob") for child in doc.find_all(recursive=False))


@pytest.mark.parametrize("case", INVALID)
@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_invalid_text_is_422_in_place_and_changes_nothing(client, store, entry, case, htmx):
    stored, visitor = entry
    text, message = INVALID[case]
    response = save(client, stored.id, text, headers=HTMX if htmx else {})

    assert response.status_code == 422
    doc = parse(response)
    assert (doc.find("html") is None) == htmx
    form = doc.find("form", id=f"edit-{stored.id}")
    field = form.find("input", id=f"edit-{stored.id}-user_input")
    assert field["value"] == text.strip()
    assert field["aria-invalid"] == "true"
    error = form.find(id=f"edit-{stored.id}-user_input-error")
    assert error.get_text(" ", strip=True) == f"Error: {message}"
    assert "target:#edit-" in form["hx-status:422"]
    assert store.get(stored.id, visitor) == stored


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_saving_over_a_newer_version_is_a_409_showing_both_texts(client, store, entry, htmx):
    stored, visitor = entry
    stale = edit_fields(client, stored.id)  # loaded in one tab...
    assert save(client, stored.id, "from the other tab").status_code == 303  # ...saved in another

    data = {**stale, f"edit-{stored.id}-user_input": "from this tab"}
    response = client.post(
        f"/submissions/{stored.id}/edit", data=data, headers=HTMX if htmx else {}
    )

    assert response.status_code == 409
    assert store.get(stored.id, visitor).text == "from the other tab"
    doc = parse(response)
    assert (doc.find("html") is None) == htmx
    form = doc.find("form", id=f"edit-{stored.id}")
    assert "target:#edit-" in form["hx-status:409"]
    assert form.select_one(".conflict .entered").get_text() == "from the other tab"
    assert form.find("input", id=f"edit-{stored.id}-user_input")["value"] == "from this tab"
    fields = {i["name"]: i["value"] for i in form.find_all("input", type="hidden")}
    assert fields[f"edit-{stored.id}-version"] == "2"
    assert form.find("button", attrs={"name": "keep"}) is not None

    # Their choice: save theirs over it (a knowing overwrite)...
    again = client.post(
        f"/submissions/{stored.id}/edit",
        data=fields | {f"edit-{stored.id}-user_input": "from this tab"},
    )
    assert again.status_code == 303
    assert store.get(stored.id, visitor).text == "from this tab"


def test_keeping_the_current_text_after_a_conflict_changes_nothing(client, store, entry):
    stored, visitor = entry
    fields = edit_fields(client, stored.id)
    save(client, stored.id, "from the other tab")
    before = store.get(stored.id, visitor)

    response = client.post(
        f"/submissions/{stored.id}/edit",
        data={**fields, f"edit-{stored.id}-user_input": "mine", "keep": "1"},
        headers=HTMX,
    )

    assert response.status_code == 200
    assert store.get(stored.id, visitor) == before
    doc = parse(response)
    assert doc.find(id=f"result-{stored.id}").select_one(".entered").get_text() == (
        "from the other tab"
    )
    assert doc.find(id="status").get_text(strip=True) == "Kept the current text."


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_another_visitors_or_a_deleted_submission_is_a_404(app, client, store, entry, htmx):
    stored, visitor = entry
    headers = HTMX if htmx else {}
    stranger = app.test_client()
    assert stranger.get(f"/submissions/{stored.id}/edit", headers=headers).status_code == 404
    data = {
        "csrf_token": csrf_token(stranger.get("/submit").text),
        f"edit-{stored.id}-user_input": "hijack",
        f"edit-{stored.id}-version": "1",
    }
    response = stranger.post(f"/submissions/{stored.id}/edit", data=data, headers=headers)
    assert response.status_code == 404
    assert store.get(stored.id, visitor) == stored

    fields = edit_fields(client, stored.id)
    client.post(f"/submissions/{stored.id}/delete", data={"csrf_token": fields["csrf_token"]})
    assert client.get(f"/submissions/{stored.id}/edit", headers=headers).status_code == 404
    data = {**fields, f"edit-{stored.id}-user_input": "too late"}
    response = client.post(f"/submissions/{stored.id}/edit", data=data, headers=headers)
    assert response.status_code == 404


@pytest.mark.parametrize(
    "fields", [{"csrf_token": ""}, {"edit-{id}-version": "x"}, {"edit-{id}-version": "0"}]
)
def test_a_save_without_csrf_or_with_a_bad_version_is_400(client, store, entry, fields):
    stored, visitor = entry
    fields = {name.format(id=stored.id): value for name, value in fields.items()}
    response = save(client, stored.id, "sneaky", **fields)
    assert response.status_code == 400
    assert store.get(stored.id, visitor) == stored


def test_a_422_edit_page_says_error_in_its_title_and_sums_up_the_problems(client, entry):
    stored, _ = entry
    page = parse(save(client, stored.id, ""))
    assert page.title.get_text().startswith("Error: Edit")
    link = page.find(class_="error-summary").find("a")
    assert link["href"] == f"#edit-{stored.id}-user_input"
    assert page.select("[autofocus]") == [page.find(class_="error-summary")]
