"""Pinning: pinned submissions come first in every list (newest pinned first, then the rest
newest first), across paging and in search; the toggle works with and without htmx."""

import pytest
from helpers import FROM_LOG, HTMX, SHAPES, VARY, csrf_token, parse, submission_id, submit


@pytest.fixture
def ids(client):
    """Five submissions, "s0" oldest to "s4" newest, by text."""
    return {f"s{n}": submission_id(submit(client, f"s{n}")) for n in range(5)}


def token(client) -> str:
    return csrf_token(client.get("/submit").text)


def pin(client, submission_id: str, pinned: str = "1", headers=None):
    data = {"csrf_token": token(client), "pinned": pinned}
    return client.post(f"/submissions/{submission_id}/pin", data=data, headers=headers or {})


def log_texts(client, path: str = "/submissions") -> list[str]:
    return [
        a.get_text()
        for a in parse(client.get(path)).select("#submission-rows > li > a:first-child")
    ]


def recent_texts(client) -> list[str]:
    return [a.get_text() for a in parse(client.get("/")).select("#recent li a")]


def test_each_row_and_card_has_a_pin_toggle_that_says_its_state(client, ids):
    pin(client, ids["s1"])
    doc = parse(client.get("/submissions"))
    for text, pressed in (("s1", "true"), ("s2", "false")):
        form = doc.find(id=f"row-{ids[text]}").find("form", class_="pin-form")
        assert form["action"] == form["hx-post"] == f"/submissions/{ids[text]}/pin"
        assert form["method"] == "post"
        assert form.find("input", attrs={"name": "csrf_token"})["value"]
        assert form.find("input", attrs={"name": "pinned"})["value"] == (
            "0" if pressed == "true" else "1"
        )
        button = form.find("button", type="submit")
        assert button["aria-pressed"] == pressed
        assert button.get_text(" ", strip=True) == f"Pin “{text}”"  # the name never changes
    card = parse(client.get(f"/submissions/{ids['s1']}")).find(id=f"result-{ids['s1']}")
    assert card.find("button", class_="pin")["aria-pressed"] == "true"


def test_pinned_ones_come_first_newest_pinned_first_everywhere(client, ids):
    pin(client, ids["s1"])
    pin(client, ids["s3"])
    expected = ["s3", "s1", "s4", "s2", "s0"]
    assert log_texts(client) == expected
    assert recent_texts(client) == expected
    assert log_texts(client, "/submissions?q=s") == expected


def test_plain_pin_redirects_to_the_log_which_shows_it_first(client, ids):
    response = pin(client, ids["s0"])
    assert response.status_code == 303
    assert response.headers["Location"] == "/submissions"
    doc = parse(client.get("/submissions"))
    assert doc.find(id="status").get_text(strip=True) == "Pinned."
    assert doc.select_one("#submission-rows > li")["id"] == f"row-{ids['s0']}"

    response = pin(client, ids["s0"], "0")
    assert response.status_code == 303
    assert parse(client.get("/submissions")).find(id="status").get_text(strip=True) == ("Unpinned.")
    assert log_texts(client) == ["s4", "s3", "s2", "s1", "s0"]


def test_htmx_pin_moves_the_row_and_updates_every_region_out_of_band(client, ids):
    response = pin(client, ids["s1"], headers=FROM_LOG)

    assert response.status_code == 200
    assert response.headers["Cache-Control"] == "no-store"
    assert set(response.vary) >= VARY
    assert "HX-Push-Url" not in response.headers
    doc = parse(response)
    assert all(child.has_attr("hx-swap-oob") for child in doc.find_all(recursive=False))
    # The row leaves its place and comes back first, pressed.
    assert doc.find(attrs={"hx-swap-oob": f"delete:#row-{ids['s1']}"}) is not None
    placed = doc.find(attrs={"hx-swap-oob": "afterbegin:#submission-rows"})
    assert placed.find(id=f"row-{ids['s1']}-pin")["aria-pressed"] == "true"
    assert doc.find(id=f"result-{ids['s1']}").find("button", class_="pin")["aria-pressed"] == (
        "true"
    )
    assert doc.select_one("#recent li a").get_text() == "s1"
    assert doc.find(id="status").get_text(strip=True) == "Pinned."

    # Unpinned, it goes back after the row that now comes before it: s2.
    doc = parse(pin(client, ids["s1"], "0", headers=FROM_LOG))
    placed = doc.find(attrs={"hx-swap-oob": f"afterend:#row-{ids['s2']}"})
    assert placed.find(id=f"row-{ids['s1']}-pin")["aria-pressed"] == "false"
    assert doc.find(id="status").get_text(strip=True) == "Unpinned."


def test_paging_with_pinned_rows_on_every_page_shows_each_row_once_in_order(client):
    texts = [f"row {n:02}" for n in range(45)]
    ids = [submission_id(submit(client, text)) for text in texts]
    pinned = {3, 17, 25, 44}  # spread over what would be pages 1 to 3
    for n in pinned:
        pin(client, ids[n])
    expected = [texts[n] for n in sorted(pinned, reverse=True)]
    expected += [texts[n] for n in reversed(range(45)) if n not in pinned]

    seen, path = [], "/submissions"
    while path:
        doc = parse(client.get(path, headers=HTMX if seen else {}))
        seen += [a.get_text() for a in doc.select("li[id^=row-] > a:first-child")]
        more = doc.find(id="load-more")
        path = more["href"] if more is not None and more.name == "a" else None
    assert seen == expected


def test_the_pin_survives_edit_and_delete_with_undo(client, store, ids):
    pin(client, ids["s2"])
    with client.session_transaction() as session:
        visitor = session["visitor_id"]
    entry = store.get(ids["s2"], visitor)
    assert entry.pinned is True
    edited = store.edit(entry.id, visitor, "s2, edited", entry.version)
    assert edited.pinned is True
    store.delete(entry.id, visitor)
    assert store.undo_delete(entry.id, visitor) == edited
    assert log_texts(client)[0] == "s2, edited"


@pytest.mark.parametrize("value", ["", "2", "yes", "true"])
def test_a_pinned_value_other_than_0_or_1_is_a_400(client, ids, value):
    assert pin(client, ids["s0"], value).status_code == 400
    assert pin(client, ids["s0"], value, headers=HTMX).status_code == 400


@pytest.mark.parametrize("htmx", [False, True], ids=["plain", "htmx"])
def test_pinning_someone_elses_or_a_missing_submission_is_a_404(app, client, ids, htmx):
    other = app.test_client()
    headers = HTMX if htmx else {}
    data = {"csrf_token": token(other), "pinned": "1"}
    assert other.post(f"/submissions/{ids['s0']}/pin", data=data, headers=headers).status_code == (
        404
    )
    assert pin(client, "no-such-id", headers=headers).status_code == 404
    assert log_texts(client) == ["s4", "s3", "s2", "s1", "s0"]


def test_pinning_needs_a_csrf_token(client, ids):
    response = client.post(f"/submissions/{ids['s0']}/pin", data={"pinned": "1"})
    assert response.status_code == 400
    assert log_texts(client)[0] == "s4"


def test_a_get_of_the_pin_address_is_a_405(client, ids):
    assert client.get(f"/submissions/{ids['s0']}/pin").status_code == 405


def test_the_pin_survives_backup_and_restore(make_app, tmp_path):
    app = make_app(DATABASE_URL=f"sqlite:///{tmp_path / 'app.db'}")
    client = app.test_client()
    pinned = submission_id(submit(client, "pinned"))
    submit(client, "newer")
    pin(client, pinned)
    backup = tmp_path / "backup.db"
    assert app.test_cli_runner().invoke(args=["backup", str(backup)]).exit_code == 0
    pin(client, pinned, "0")
    app.extensions["store"].engine.dispose()  # the server is stopped

    assert app.test_cli_runner().invoke(args=["restore", str(backup)]).exit_code == 0
    assert log_texts(client) == ["pinned", "newer"]
    card = parse(client.get(f"/submissions/{pinned}")).find(id=f"result-{pinned}")
    assert card.find("button", class_="pin")["aria-pressed"] == "true"


@pytest.mark.parametrize("shape", SHAPES)
def test_pin_answers_each_request_shape(client, ids, shape):
    headers, expected = SHAPES[shape]
    response = pin(client, ids["s0"], headers=headers)
    if expected == "page":  # boosted, history and htmx 4 "full" requests follow the redirect
        assert response.status_code == 303
        assert not [name for name, _ in response.headers if name.startswith("HX-")]
    else:
        assert response.status_code == 200
        assert parse(response).find("html") is None


def test_the_recent_list_marks_pinned_entries_and_the_log_says_its_order(client, ids):
    pin(client, ids["s1"])
    items = parse(client.get("/")).select("#recent li")
    marks = {li.a.get_text(): li.find(class_="pinned") for li in items}
    assert marks["s1"].get_text() == "Pinned"
    assert [text for text, mark in marks.items() if mark is not None] == ["s1"]
    summary = parse(client.get("/submissions")).find(id="results-summary")
    assert summary.get_text().strip() == "Newest first, pinned on top"
